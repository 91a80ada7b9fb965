package io.github.junitnetns;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.junitnetns.testsupport.Kernel;
import io.github.junitnetns.testsupport.OwnNames;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.BooleanSupplier;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestReporter;
import org.junit.jupiter.api.parallel.Isolated;

/**
 * Two hundred namespaces alive at once: four bridges of fifty nodes, each bridge in its own
 * namespace, joined by a router namespace. Built with the library (an annotation cannot list 200
 * names). Proves the nodes are distinct, addressed and talking (TCP within a bridge and across the
 * router), then that closing them releases every descriptor and thread reference, that the kernel
 * really destroys each namespace afterwards, and that nothing of it or of this JVM is on the host.
 *
 * <p>{@code @Isolated}: it counts this JVM's descriptors and times teardown, so nothing else runs
 * meanwhile. What it measured (create, close per namespace, kernel reclaim, descriptors per namespace)
 * goes to the test's report entry, for diagnosis; figures for people come from benchmarks/soak.
 */
@Isolated
@Tag("privileged")
class ScalePrivilegedTest {
  private static final int BRIDGES = 4;
  private static final int NODES_PER_BRIDGE = 50;
  private static final int NODES = BRIDGES * NODES_PER_BRIDGE;
  private static final int PORT = 7000;
  private static final Duration KERNEL_RECLAIM_LIMIT = Duration.ofSeconds(30);

  @Test
  void twoHundredNodesOnFourBridgesJoinedByARouter(TestReporter reporter) throws Exception {
    String hostBefore = ourHostState();
    String hostId = Kernel.currentNetNs();
    NetNs.create("warm-up").close(); // pooled carrier thread, JNA, classes: not charged to the 200
    Map<String, String> descriptorsAtStart = quietDescriptors();
    long descriptorsBefore = openDescriptors();
    Figures figures = new Figures();
    figures.descriptorLimit = softDescriptorLimit();
    // Each namespace holds two descriptors (itself, its rtnetlink socket); the JVM raises its soft
    // RLIMIT_NOFILE to the hard one at startup (-XX:+MaxFDLimit), so the hard limit is what counts.
    assertThat(figures.descriptorLimit).as("RLIMIT_NOFILE of this JVM: %d namespaces need about %d descriptors"
        + " more than the %d open now; raise it with `ulimit -n 4096` before starting Maven",
        namespaceCount(), 2 * namespaceCount(), descriptorsBefore)
        .isGreaterThan(descriptorsBefore + 2L * namespaceCount() + 64);

    List<NetNs> nodes = new ArrayList<>();
    List<Bridge> bridges = new ArrayList<>();
    NetNs router = null;
    NetNs witness = null;
    Set<String> ids = new LinkedHashSet<>();
    try {
      // ---- build: router, bridges, then 200 nodes each with an address and a default route
      long start = System.nanoTime();
      router = NetNs.create("router");
      router.setSysctl("net.ipv4.ip_forward", "1");
      witness = NetNs.create("witness");
      for (int lan = 0; lan < BRIDGES; lan++) {
        Bridge bridge = Bridge.create("lan" + lan);
        bridges.add(bridge);
        bridge.attach(router, "eth" + lan).addAddress(gateway(lan) + "/24");
        // Not a bridge port: a veth from the witness into the bridge's namespace, which vanishes
        // only when the kernel destroys that namespace.
        VethPair.create(witness, "w" + lan, bridge.netNs(), "witness");
      }
      for (int i = 0; i < NODES; i++) {
        NetNs node = NetNs.create(nodeName(i));
        nodes.add(node);
        bridges.get(bridgeOf(i)).attach(node, "eth0").addAddress(address(i) + "/24");
        node.addRoute("default", gateway(bridgeOf(i)));
      }
      figures.createMillis = millisSince(start);
      long descriptorsAlive = openDescriptors();
      figures.descriptorsPerNamespace = (descriptorsAlive - descriptorsBefore) / (double) namespaceCount();

      // ---- every namespace distinct and alive
      nodes.forEach(n -> ids.add(n.id()));
      bridges.forEach(l -> ids.add(l.netNs().id()));
      ids.add(router.id());
      ids.add(witness.id());
      assertThat(ids).as("200 nodes, 4 bridges, a router and the witness are distinct namespaces")
          .hasSize(namespaceCount()).doesNotContain(hostId);
      assertThat(referencedByThisJvm()).as("each is held open by this JVM").containsAll(ids);
      for (int i = 0; i < NODES; i++) {
        Link eth0 = nodes.get(i).link("eth0").orElseThrow();
        assertThat(eth0.isUp()).as("%s eth0 up", nodeName(i)).isTrue();
        assertThat(eth0.addresses()).filteredOn(a -> !a.isIpv6()).extracting(Link.Address::toString)
            .as("%s eth0's IPv4 address", nodeName(i))
            .containsExactly(address(i) + "/24");
      }
      for (Bridge lan : bridges) {
        // lo, the bridge, the router's port, 50 nodes' ports, the witness's veth
        assertThat(lan.netNs().links()).as("links in %s", lan).hasSize(3 + NODES_PER_BRIDGE + 1);
      }
      assertThat(descriptorsAlive - descriptorsBefore).as("descriptors held by %d namespaces", namespaceCount())
          .isLessThanOrEqualTo(2L * namespaceCount());
      figures.descriptorsAlive = descriptorsAlive;

      // ---- TCP between sample pairs: within a bridge (first and last of it), across the router
      // (first and last of all, neighbours across a bridge boundary), both directions
      int[][] pairs = {{0, NODES - 1}, {NODES - 1, 0}, {0, NODES_PER_BRIDGE - 1}, {NODES_PER_BRIDGE - 1, NODES_PER_BRIDGE},
          {NODES / 2 - 1, NODES / 2}, {NODES_PER_BRIDGE + 7, 3 * NODES_PER_BRIDGE + 31}, {137, 12}, {NODES - 2, NODES - 1}};
      for (int[] pair : pairs) {
        assertExchange(nodes.get(pair[0]), address(pair[0]), nodes.get(pair[1]), address(pair[1]));
      }
    } finally {
      // ---- teardown, timed per namespace; nodes first so that the bridges can witness their end
      long start = System.nanoTime();
      for (NetNs node : nodes) {
        long t = System.nanoTime();
        node.close();
        figures.nodeCloseMicros.add((System.nanoTime() - t) / 1000.0);
      }
      figures.closeNodesMillis = millisSince(start);
      long reclaimStart = System.nanoTime();
      if (nodes.size() == NODES) {
        // A node's eth0 and its bridge port are one veth pair: the port goes when the kernel
        // destroys the node's namespace (cleanup_net), not when its last descriptor is closed.
        await("the kernel removes the 200 nodes' bridge ports", () -> bridges.stream()
            .allMatch(lan -> lan.netNs().links().size() == 3 + 1));
        figures.nodesReclaimedMillis = millisSince(reclaimStart);
      }
      if (router != null) {
        router.close();
        if (bridges.size() == BRIDGES) {
          await("the kernel removes the router's bridge ports", () -> bridges.stream()
              .allMatch(lan -> lan.netNs().links().size() == 2 + 1));
        }
      }
      bridges.forEach(Bridge::close);
      if (witness != null) {
        NetNs w = witness;
        if (bridges.size() == BRIDGES) {
          await("the kernel removes the four bridges' namespaces (the witness's veths go)",
              () -> w.links().size() == 1);
        }
        witness.close();
      }
    }
    figures.report(reporter);

    Set<String> stillReferenced = new HashSet<>(referencedByThisJvm());
    stillReferenced.retainAll(ids);
    assertThat(stillReferenced).as("namespaces still held by a descriptor or thread of this JVM").isEmpty();
    assertThat(processesIn(ids)).as("processes left in the closed namespaces").isEmpty();
    Map<String, String> atEnd = quietDescriptors();
    Map<String, String> opened = new TreeMap<>(atEnd);
    opened.entrySet().removeIf(fd -> fd.getValue().equals(descriptorsAtStart.get(fd.getKey())));
    assertThat(atEnd.size()).as("descriptors other than files after closing everything; opened since the start: %s",
        opened).isLessThanOrEqualTo(descriptorsAtStart.size());
    assertThat(ourHostState()).as("the host's links, addresses, routes, rules and /run/netns that name this JVM"
        + " or this topology").isEqualTo(hostBefore);
  }

  // ---- the topology: node i is on bridge i / 50, at 10.1.<lan>.<1 + i % 50>; the router is .254

  private static int namespaceCount() {
    return NODES + BRIDGES + 2;
  }

  private static int bridgeOf(int node) {
    return node / NODES_PER_BRIDGE;
  }

  private static String nodeName(int node) {
    return "n" + (node + 1);
  }

  private static String address(int node) {
    return "10.1." + bridgeOf(node) + "." + (1 + node % NODES_PER_BRIDGE);
  }

  private static String gateway(int lan) {
    return "10.1." + lan + ".254";
  }

  /**
   * A connection from {@code client} to a listener bound inside {@code server}: bytes both ways, and
   * the server sees the client's own address as its peer (routed, never translated).
   */
  private static void assertExchange(NetNs client, String clientAddress, NetNs server, String serverAddress)
      throws Exception {
    InetAddress target = InetAddress.getByName(serverAddress);
    try (ServerSocket listener = server.call(() -> new ServerSocket(PORT, 50, target))) {
      listener.setSoTimeout(5000);
      Thread answering = new Thread(() -> {
        try (Socket accepted = listener.accept()) {
          accepted.setSoTimeout(5000);
          String peer = accepted.getInetAddress().getHostAddress();
          String hello = new String(accepted.getInputStream().readNBytes(5), StandardCharsets.US_ASCII);
          accepted.getOutputStream().write((hello + " from " + peer + "\n").getBytes(StandardCharsets.US_ASCII));
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        }
      });
      answering.start();
      String reply = client.call(() -> {
        try (Socket socket = new Socket()) {
          socket.connect(new InetSocketAddress(target, PORT), 5000);
          socket.setSoTimeout(5000);
          OutputStream out = socket.getOutputStream();
          out.write("hello".getBytes(StandardCharsets.US_ASCII));
          InputStream in = socket.getInputStream();
          return new String(in.readAllBytes(), StandardCharsets.US_ASCII).trim();
        }
      });
      answering.join(10_000);
      assertThat(reply).as("%s -> %s", client.label(), server.label())
          .isEqualTo("hello from " + clientAddress);
    }
  }

  // ---- what the kernel says

  /** The namespaces this JVM refers to: by descriptors, and by its threads' own namespaces. */
  private static Set<String> referencedByThisJvm() throws IOException {
    Set<String> ids = new HashSet<>();
    for (String dir : List.of("/proc/self/fd", "/proc/self/task")) {
      try (Stream<Path> entries = Files.list(Path.of(dir))) {
        for (Path entry : (Iterable<Path>) entries::iterator) {
          Path link = dir.endsWith("fd") ? entry : entry.resolve("ns/net");
          try {
            String target = Files.readSymbolicLink(link).toString();
            if (target.startsWith("net:[")) {
              ids.add(target);
            }
          } catch (IOException e) {
            // closed or ended while listing
          }
        }
      }
    }
    return ids;
  }

  /** Processes anywhere on the system whose network namespace is one of {@code ids}. */
  private static List<String> processesIn(Set<String> ids) throws IOException {
    try (Stream<Path> entries = Files.list(Path.of("/proc"))) {
      return entries.filter(p -> p.getFileName().toString().chars().allMatch(Character::isDigit))
          .filter(p -> {
            try {
              return ids.contains(Files.readSymbolicLink(p.resolve("ns/net")).toString());
            } catch (IOException e) {
              return false;
            }
          })
          .map(p -> p.getFileName().toString()).collect(Collectors.toList());
    }
  }

  /**
   * This JVM's descriptors other than files (namespaces, sockets, pipes, anonymous inodes: what a
   * namespace holds), by number, with their targets, once their count has held still for 300 ms:
   * background work of earlier tests (the spare namespaces' thread refilling its pool, cleaners
   * closing sockets) settles first. Files are left out: a jar the class loader opens meanwhile is
   * no leak of the library's.
   */
  private static Map<String, String> quietDescriptors() throws IOException, InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    Map<String, String> last = descriptors();
    long stillSince = System.nanoTime();
    while (System.nanoTime() - stillSince < Duration.ofMillis(300).toNanos() && System.nanoTime() < deadline) {
      Thread.sleep(20);
      Map<String, String> now = descriptors();
      if (!now.equals(last)) {
        last = now;
        stillSince = System.nanoTime();
      }
    }
    return last;
  }

  private static Map<String, String> descriptors() throws IOException {
    Map<String, String> found = new TreeMap<>();
    try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
      for (Path fd : (Iterable<Path>) fds::iterator) {
        try {
          String target = Files.readSymbolicLink(fd).toString();
          if (!target.startsWith("/")) {
            found.put(fd.getFileName().toString(), target);
          }
        } catch (IOException e) {
          // closed meanwhile (the directory listing's own descriptor among them)
        }
      }
    }
    return found;
  }

  private static long openDescriptors() throws IOException {
    try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
      return fds.count() - 1; // less the one listing them
    }
  }

  /** The soft RLIMIT_NOFILE of this JVM, from /proc/self/limits ("unlimited" as Long.MAX_VALUE). */
  private static long softDescriptorLimit() throws IOException {
    for (String line : Files.readAllLines(Path.of("/proc/self/limits"))) {
      if (line.startsWith("Max open files")) {
        String soft = line.substring("Max open files".length()).trim().split("\\s+")[0];
        return soft.equals("unlimited") ? Long.MAX_VALUE : Long.parseLong(soft);
      }
    }
    throw new IllegalStateException("no 'Max open files' in /proc/self/limits");
  }

  /**
   * The lines of ci/host-snapshot (the host's links, addresses, routes, rules and /run/netns) that
   * name this JVM's host interfaces or pins, or this topology's links (lan0..3, w0..3, witness)
   * or subnets (10.1.0-3.x): only these, since other processes may change the host meanwhile.
   */
  private static String ourHostState() throws IOException, InterruptedException {
    return OwnNames.linesNaming(hostSnapshot(), OwnNames.PID,
        Pattern.compile("\\b(lan[0-" + (BRIDGES - 1) + "]|w[0-" + (BRIDGES - 1) + "]|witness)\\b|\\b10\\.1\\.[0-"
            + (BRIDGES - 1) + "]\\."));
  }

  /** ci/host-snapshot: the host's links, addresses, routes, rules and /run/netns, without counters. */
  private static String hostSnapshot() throws IOException, InterruptedException {
    Path script = Path.of("..", "ci", "host-snapshot").toAbsolutePath().normalize();
    if (!Files.isExecutable(script)) {
      throw new IllegalStateException("cannot find " + script + "; run this test from the extension module"
          + " directory (as Maven does)");
    }
    Process process = new ProcessBuilder(script.toString()).redirectErrorStream(true).start();
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(process.waitFor()).as("%s exit status; it printed:%n%s", script, output).isZero();
    return output;
  }

  private static void await(String what, BooleanSupplier condition) throws InterruptedException {
    long deadline = System.nanoTime() + KERNEL_RECLAIM_LIMIT.toNanos();
    while (!condition.getAsBoolean()) {
      assertThat(System.nanoTime()).as("%s within %s", what, KERNEL_RECLAIM_LIMIT).isLessThan(deadline);
      Thread.sleep(5);
    }
  }

  private static double millisSince(long start) {
    return (System.nanoTime() - start) / 1e6;
  }

  /** What the test measured, reported whatever the outcome of the assertions after it. */
  private static final class Figures {
    double createMillis;
    double closeNodesMillis;
    double nodesReclaimedMillis = Double.NaN;
    double descriptorsPerNamespace;
    long descriptorsAlive;
    long descriptorLimit;
    final List<Double> nodeCloseMicros = new ArrayList<>();

    void report(TestReporter reporter) {
      double[] close = nodeCloseMicros.stream().mapToDouble(Double::doubleValue).sorted().toArray();
      String text = String.format(Locale.ROOT, "scale: %d namespaces (%d nodes, %d bridges, router, witness):"
              + " built in %.0f ms; %.2f descriptors per namespace (%d open at peak, soft limit %s);"
              + " closing the %d nodes took %.1f ms (per node: median %.0f us, p90 %.0f us, max %.0f us);"
              + " the kernel then took %.0f ms more to destroy them",
          namespaceCount(), NODES, BRIDGES, createMillis, descriptorsPerNamespace, descriptorsAlive,
          descriptorLimit == Long.MAX_VALUE ? "unlimited" : Long.toString(descriptorLimit), close.length,
          closeNodesMillis, percentile(close, 0.5), percentile(close, 0.9), percentile(close, 1.0),
          nodesReclaimedMillis);
      reporter.publishEntry("scale", text);
    }

    private static double percentile(double[] sorted, double p) {
      if (sorted.length == 0) {
        return Double.NaN;
      }
      int rank = (int) Math.ceil(p * sorted.length);
      return sorted[Math.max(0, Math.min(sorted.length - 1, rank - 1))];
    }
  }
}
