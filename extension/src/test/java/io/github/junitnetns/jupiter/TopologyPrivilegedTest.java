package io.github.junitnetns.jupiter;

import static io.github.junitnetns.jupiter.EngineRuns.describe;
import static io.github.junitnetns.jupiter.EngineRuns.onlyFailure;
import static io.github.junitnetns.jupiter.EngineRuns.run;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.junitnetns.Link;
import io.github.junitnetns.NetNs;
import io.github.junitnetns.Network;
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
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.AfterTestExecutionCallback;
import org.junit.jupiter.api.extension.BeforeTestExecutionCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.parallel.ResourceLock;
import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.testkit.engine.EngineExecutionResults;
import org.junit.platform.testkit.engine.Event;
import org.junit.platform.testkit.engine.Events;

/**
 * The classic hand-made topologies (two hosts on a veth, a bridge on a bridge, a router, a
 * process's namespace, IPv6, twenty hosts, a link to the host) replayed through the extension and
 * the library, each proven with real traffic or read back from the kernel. Needs CAP_SYS_ADMIN.
 */
@Tag("privileged")
class TopologyPrivilegedTest {
  /** Tests that create host interfaces, or compare the host's interfaces before and after, take turns. */
  private static final String HOST_LINKS = "junit-netns.host-links";
  private static final long PID = ProcessHandle.current().pid();

  // ---------------------------------------------------------------- 1. two namespaces on a veth

  @IsolatedNetNs({"client", "server"})
  @VethLink(left = "client", right = "server", subnet = "10.0.0.0/24")
  static class ClientServer {
    @Test
    void talks(NetNs client, @Ns("server") NetNs server, Network net) throws Exception {
      assertThat(Kernel.currentNetNs()).as("the body runs in the first namespace").isEqualTo(client.id());

      // Default names and the subnet's first and second host addresses, read back from the kernel.
      assertThat(client.links()).extracting(Link::name).containsExactly("lo", "eth0");
      assertThat(server.links()).extracting(Link::name).containsExactly("lo", "eth0");
      assertThat(ipv4(client.link("eth0").orElseThrow())).containsExactly("10.0.0.1/24");
      assertThat(ipv4(server.link("eth0").orElseThrow())).containsExactly("10.0.0.2/24");
      Link clientEnd = net.link("client", "server");
      assertThat(clientEnd.name()).isEqualTo("eth0");
      assertThat(clientEnd.netNs()).isEqualTo(client);
      assertThat(clientEnd.kind()).isEqualTo("veth");
      assertThat(clientEnd.isUp()).isTrue();
      assertThat(ipv4(clientEnd)).containsExactly("10.0.0.1/24");
      assertThat(ipv4(net.link("server", "client"))).containsExactly("10.0.0.2/24");
      assertThat(net.address("server")).isEqualTo(InetAddress.getByName("10.0.0.2"));

      // TCP: a server socket bound inside "server" on 10.0.0.2, a client socket from the body.
      try (ServerSocket listener = server.call(() -> new ServerSocket(8080, 50, InetAddress.getByName("10.0.0.2")))) {
        Exchange exchange = exchange(listener, new InetSocketAddress("10.0.0.2", 8080));
        assertThat(exchange.clientLocal).isEqualTo(InetAddress.getByName("10.0.0.1"));
        assertThat(exchange.serverSawPeer).isEqualTo(InetAddress.getByName("10.0.0.1"));
      }

      // ICMP: an echo request from the body, answered by "server", whose kernel counts it.
      long echoesBefore = icmpInEchos(server);
      assertThat(InetAddress.getByName("10.0.0.2").isReachable(2000)).isTrue();
      assertThat(icmpInEchos(server)).as("echo requests received by server").isGreaterThan(echoesBefore);
      // And the control: nobody has 10.0.0.3 on this veth.
      assertThat(InetAddress.getByName("10.0.0.3").isReachable(300)).isFalse();
    }
  }

  @Test
  void twoNamespacesOnACableTalkTcpAndIcmp() {
    assertAllPassed(run(ClientServer.class), 1);
  }

  // ---------------------------------------------------------------- 2. three namespaces on a bridge

  @IsolatedNetNs({"n1", "n2", "n3"})
  @io.github.junitnetns.jupiter.Bridge(name = "lan", members = {"n1", "n2", "n3"}, subnet = "10.0.1.0/24")
  static class ThreeOnABridge {
    static final Map<String, String> IDS = new ConcurrentHashMap<>();

    @Test
    void everyoneReachesEveryone(Network net) throws Exception {
      List<String> names = List.of("n1", "n2", "n3");
      for (int i = 0; i < names.size(); i++) {
        assertThat(net.address(names.get(i))).isEqualTo(InetAddress.getByName("10.0.1." + (i + 1)));
        assertThat(net.link(names.get(i), names.get((i + 1) % 3)).name()).isEqualTo("eth0");
        IDS.put(names.get(i), net.ns(names.get(i)).id());
      }
      for (String from : names) {
        for (String to : names) {
          if (!from.equals(to)) {
            InetAddress target = net.address(to);
            assertThat(net.ns(from).call(() -> target.isReachable(2000)))
                .as("%s reaches %s at %s", from, to, target.getHostAddress()).isTrue();
          }
        }
      }
      // TCP across the switch too: n3 listens, n1 (the body) and n2 connect.
      try (ServerSocket listener = net.ns("n3").call(() -> new ServerSocket(7000, 50, net.address("n3")))) {
        assertThat(exchange(listener, new InetSocketAddress(net.address("n3"), 7000)).serverSawPeer)
            .isEqualTo(net.address("n1"));
        assertThat(net.ns("n2").call(() -> exchange(listener, new InetSocketAddress(net.address("n3"), 7000))).serverSawPeer)
            .isEqualTo(net.address("n2"));
      }
      io.github.junitnetns.Bridge lan = net.bridge("lan");
      IDS.put("bridge", lan.netNs().id());
      Link device = lan.netNs().link("lan").orElseThrow();
      assertThat(device.kind()).isEqualTo("bridge");
      assertThat(device.isUp()).isTrue();
      assertThat(lan.netNs().links()).extracting(Link::name).containsExactlyInAnyOrder("lo", "lan", "port1", "port2", "port3");
    }
  }

  @Test
  void threeNamespacesOnABridgeReachEachOtherAndTheBridgeHidesInItsOwnNamespace() {
    ThreeOnABridge.IDS.clear();
    assertAllPassed(run(ThreeOnABridge.class), 1);
    String bridge = ThreeOnABridge.IDS.get("bridge");
    assertThat(bridge).startsWith("net:[")
        .isNotEqualTo(Kernel.currentNetNs())
        .isNotIn(ThreeOnABridge.IDS.get("n1"), ThreeOnABridge.IDS.get("n2"), ThreeOnABridge.IDS.get("n3"));
    assertThat(Set.of(ThreeOnABridge.IDS.get("n1"), ThreeOnABridge.IDS.get("n2"), ThreeOnABridge.IDS.get("n3"))).hasSize(3);
  }

  // ---------------------------------------------------------------- 3. a router between two subnets

  @IsolatedNetNs({"client", "server"})
  @IsolatedNetNs(value = "router", forwarding = true)
  @VethLink(left = "client", right = "router", subnet = "10.0.1.0/24") // client eth0 .1, router eth0 .2
  @VethLink(left = "router", right = "server", subnet = "10.0.2.0/24") // router eth1 .1, server eth0 .2
  static class Routed {
    static final List<String> HOST_FORWARDING_DURING = new CopyOnWriteArrayList<>();

    /** Runs on JUnit's thread, in the host's namespace, while the router exists. */
    @RegisterExtension
    static final BeforeTestExecutionCallback HOST_VIEW = context -> HOST_FORWARDING_DURING.add(hostIpForward());

    @Test
    void crossesTheRouter(NetNs client, @Ns("router") NetNs router, @Ns("server") NetNs server) throws Exception {
      assertThat(router.sysctl("net.ipv4.ip_forward")).isEqualTo("1");
      assertThat(router.sysctl("net.ipv6.conf.all.forwarding")).isEqualTo("1");
      assertThat(client.sysctl("net.ipv4.ip_forward")).as("forwarding is per namespace").isEqualTo("0");
      assertThat(server.sysctl("net.ipv4.ip_forward")).isEqualTo("0");
      assertThat(ipv4(router.link("eth0").orElseThrow())).containsExactly("10.0.1.2/24");
      assertThat(ipv4(router.link("eth1").orElseThrow())).containsExactly("10.0.2.1/24");
      assertThat(ipv4(server.link("eth0").orElseThrow())).containsExactly("10.0.2.2/24");

      try (ServerSocket listener = server.call(() -> new ServerSocket(8080, 50, InetAddress.getByName("10.0.2.2")))) {
        InetSocketAddress target = new InetSocketAddress("10.0.2.2", 8080);
        // Without a route the client has no way there: the kernel says so at once.
        assertThatThrownBy(() -> exchange(listener, target)).isInstanceOf(SocketException.class)
            .hasMessageContaining("unreachable");

        client.addRoute("10.0.2.0/24", "10.0.1.2");
        server.addRoute("10.0.1.0/24", "10.0.2.1");
        long forwardedBefore = router.link("eth1").orElseThrow().txPackets();
        Exchange exchange = exchange(listener, target);
        assertThat(exchange.clientLocal).isEqualTo(InetAddress.getByName("10.0.1.1"));
        assertThat(exchange.serverSawPeer).as("routed, not translated").isEqualTo(InetAddress.getByName("10.0.1.1"));
        assertThat(router.link("eth1").orElseThrow().txPackets()).as("the router forwarded toward server")
            .isGreaterThan(forwardedBefore);
      }
      assertThat(client.describe()).contains("10.0.2.0/24 via 10.0.1.2 dev eth0");
    }
  }

  @Test
  void aRouterWithForwardingJoinsTwoSubnetsWithoutTouchingTheHostsSetting() {
    Routed.HOST_FORWARDING_DURING.clear();
    String before = hostIpForward();
    assertAllPassed(run(Routed.class), 1);
    assertThat(Routed.HOST_FORWARDING_DURING).containsExactly(before);
    assertThat(hostIpForward()).isEqualTo(before);
  }

  // ---------------------------------------------------------------- 4. a running process's namespace

  @Test
  void joinsTheNamespaceOfARunningProcessByPid() throws Exception {
    String host = Kernel.currentNetNs();
    Process process = new ProcessBuilder("unshare", "-n", "sleep", "60")
        .redirectOutput(ProcessBuilder.Redirect.DISCARD)
        .redirectError(ProcessBuilder.Redirect.DISCARD)
        .start();
    try {
      long pid = process.pid();
      // unshare(1) creates the namespace, then execs sleep under the same pid.
      long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
      while (netNsOfPidOrEmpty(pid).equals(host) || netNsOfPidOrEmpty(pid).isEmpty()) {
        assertThat(process.isAlive()).as("unshare -n sleep 60 is running").isTrue();
        assertThat(System.nanoTime()).as("unshare moved pid %d to a new namespace within 5 s", pid).isLessThan(deadline);
        Thread.sleep(2);
      }
      String theirs = Kernel.netNsOfPid(pid);
      try (NetNs ns = NetNs.ofPid(pid)) {
        assertThat(ns.id()).isEqualTo(theirs).isNotEqualTo(host);
        List<Link> links = ns.links();
        assertThat(links).extracting(Link::name).containsExactly("lo");
        // unshare leaves lo down (the library's own namespaces have it up): this is theirs, not one of ours.
        assertThat(links.get(0).isUp()).isFalse();
        assertThat(links.get(0).addresses()).isEmpty();
        assertThat(ns.call(Kernel::currentNetNs)).isEqualTo(theirs);
      }
      assertThat(process.isAlive()).as("closing the handle leaves the process alone").isTrue();
      assertThat(Kernel.netNsOfPid(pid)).isEqualTo(theirs);
      assertThat(Kernel.currentNetNs()).isEqualTo(host);
    } finally {
      process.destroyForcibly();
      process.waitFor();
    }
  }

  // ---------------------------------------------------------------- 5. IPv6 at once, no DAD wait

  static class Ipv6 {
    @Test
    @IsolatedNetNs({"a", "b"})
    @VethLink(left = "a", right = "b", subnet = "fd00:1::/64")
    void overACable(NetNs a, @Ns("b") NetNs b) throws Exception {
      long start = System.nanoTime();
      // Binding fails with EADDRNOTAVAIL while an address is tentative (DAD running): no retry here.
      try (ServerSocket listener = b.call(() -> new ServerSocket(8080, 50, InetAddress.getByName("fd00:1::2")))) {
        Exchange exchange = exchange(listener, new InetSocketAddress("fd00:1::2", 8080));
        assertThat(exchange.serverSawPeer).isEqualTo(InetAddress.getByName("fd00:1::1"));
      }
      assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(5)); // a guard against hidden retries; the bind above is the proof
      assertNotTentative(a, "fd00:1::1");
      assertNotTentative(b, "fd00:1::2");
    }

    @Test
    @IsolatedNetNs({"m1", "m2", "m3"})
    @io.github.junitnetns.jupiter.Bridge(name = "lan6", members = {"m1", "m2", "m3"}, subnet = "fd00:2::/64")
    void overABridge(Network net) throws Exception {
      long start = System.nanoTime();
      InetAddress m3 = InetAddress.getByName("fd00:2::3");
      assertThat(net.address("m3")).isEqualTo(m3);
      try (ServerSocket listener = net.ns("m3").call(() -> new ServerSocket(8080, 50, m3))) {
        InetSocketAddress target = new InetSocketAddress(m3, 8080);
        assertThat(exchange(listener, target).serverSawPeer).isEqualTo(InetAddress.getByName("fd00:2::1"));
        assertThat(net.ns("m2").call(() -> exchange(listener, target)).serverSawPeer)
            .isEqualTo(InetAddress.getByName("fd00:2::2"));
      }
      assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(5)); // a guard against hidden retries; the bind above is the proof
      for (int i = 1; i <= 3; i++) {
        assertNotTentative(net.ns("m" + i), "fd00:2::" + i);
      }
    }

    /** The kernel's own flags for the address, from /proc/net/if_inet6 as seen from inside. */
    static void assertNotTentative(NetNs ns, String address) throws Exception {
      String hex = hex(InetAddress.getByName(address).getAddress());
      List<String> lines = ns.call(() -> Files.readAllLines(Path.of("/proc/thread-self/net/if_inet6")));
      String line = lines.stream().filter(l -> l.startsWith(hex + " ")).findFirst()
          .orElseThrow(() -> new AssertionError(address + " not in if_inet6 of " + ns + ": " + lines));
      int flags = Integer.parseInt(line.trim().split("\\s+")[4], 16);
      assertThat(flags & 0x40).as("IFA_F_TENTATIVE on %s: %s", address, line).isZero();
      assertThat(flags & 0x02).as("IFA_F_NODAD on %s: %s", address, line).isNotZero();
    }
  }

  @Test
  void ipv6WorksAtOnceOnACableAndOnABridge() {
    assertAllPassed(run(Ipv6.class), 2);
  }

  // ---------------------------------------------------------------- 6. twenty namespaces on one bridge

  @IsolatedNetNs({"n1", "n2", "n3", "n4", "n5", "n6", "n7", "n8", "n9", "n10",
      "n11", "n12", "n13", "n14", "n15", "n16", "n17", "n18", "n19", "n20"})
  @io.github.junitnetns.jupiter.Bridge(name = "lan20", subnet = "10.0.20.0/24", members = {
      "n1", "n2", "n3", "n4", "n5", "n6", "n7", "n8", "n9", "n10",
      "n11", "n12", "n13", "n14", "n15", "n16", "n17", "n18", "n19", "n20"})
  static class Twenty {
    static final List<NetNs> MADE = new CopyOnWriteArrayList<>();
    static final List<String> HOST_LINKS_DURING = new CopyOnWriteArrayList<>();

    @RegisterExtension
    static final BeforeTestExecutionCallback HOST_VIEW = context -> HOST_LINKS_DURING.addAll(hostLinksOfTwenty());

    @Test
    void firstReachesLast(Network net) throws Exception {
      assertThat(net.names()).hasSize(20);
      for (int i = 1; i <= 20; i++) {
        NetNs ns = net.ns("n" + i);
        MADE.add(ns);
        assertThat(ipv4(ns.link("eth0").orElseThrow())).containsExactly("10.0.20." + i + "/24");
      }
      MADE.add(net.bridge("lan20").netNs());
      assertThat(net.bridge("lan20").netNs().links()).hasSize(22); // lo, lan20, port1..port20
      InetAddress last = InetAddress.getByName("10.0.20.20");
      assertThat(net.address("n20")).isEqualTo(last);
      assertThat(last.isReachable(2000)).isTrue();
      try (ServerSocket listener = net.ns("n20").call(() -> new ServerSocket(9000, 50, last))) {
        assertThat(exchange(listener, new InetSocketAddress(last, 9000)).serverSawPeer)
            .isEqualTo(InetAddress.getByName("10.0.20.1"));
      }
    }
  }

  /**
   * Host interfaces that carry a name of the Twenty topology (its bridge, its ports) or of this JVM:
   * only these, since other processes may add and remove host links meanwhile.
   */
  static Set<String> hostLinksOfTwenty() {
    Set<String> names = new TreeSet<>(Set.of("lan20"));
    IntStream.rangeClosed(1, 20).forEach(i -> names.add("port" + i));
    return hostLinks().stream().filter(n -> names.contains(n) || n.startsWith(OwnNames.hostLinkPrefix(PID)))
        .collect(Collectors.toCollection(TreeSet::new));
  }

  @Test
  @ResourceLock(HOST_LINKS)
  void twentyNamespacesOnOneBridgeAndTheHostIsUnchangedAfterwards() {
    Twenty.MADE.clear();
    Twenty.HOST_LINKS_DURING.clear();
    assertThat(hostLinksOfTwenty()).as("before the run").isEmpty();
    assertAllPassed(run(Twenty.class), 1);
    assertThat(Twenty.HOST_LINKS_DURING).as("host links named as the topology's or this JVM's, during the test").isEmpty();
    assertThat(hostLinksOfTwenty()).as("after the run").isEmpty();
    assertThat(Twenty.MADE).hasSize(21).allMatch(NetNs::isClosed, "closed after the test");
    assertThat(Twenty.MADE.stream().map(NetNs::id).distinct()).hasSize(21).doesNotContain(Kernel.currentNetNs());
  }

  // ---------------------------------------------------------------- 7. a link to the host

  /** What JUnit's thread (in the host's namespace) saw just before and just after the body. */
  static final class HostObserver implements BeforeTestExecutionCallback, AfterTestExecutionCallback {
    final List<String> before = new CopyOnWriteArrayList<>();
    final List<String> after = new CopyOnWriteArrayList<>();
    final List<String> hostAddresses = new CopyOnWriteArrayList<>();
    volatile boolean hostReachesNamespace;

    void clear() {
      before.clear();
      after.clear();
      hostAddresses.clear();
      hostReachesNamespace = false;
    }

    @Override
    public void beforeTestExecution(ExtensionContext context) throws Exception {
      before.addAll(ourHostInterfaces());
      if (before.size() == 1) {
        hostAddresses.addAll(ipCommand("-o", "-4", "addr", "show", "dev", before.get(0)));
      }
      hostReachesNamespace = InetAddress.getByName("10.99.0.2").isReachable(2000);
    }

    @Override
    public void afterTestExecution(ExtensionContext context) {
      after.addAll(ourHostInterfaces());
    }
  }

  @IsolatedNetNs("ns")
  @VethLink(left = VethLink.HOST, right = "ns", leftAddress = "10.99.0.1/30", rightAddress = "10.99.0.2/30")
  static class HostLinked {
    @RegisterExtension
    static final HostObserver OBSERVER = new HostObserver();

    @Test
    void reachesTheHost(NetNs ns) throws Exception {
      assertThat(ns.links()).extracting(Link::name).containsExactly("lo", "eth0");
      assertThat(ipv4(ns.link("eth0").orElseThrow())).containsExactly("10.99.0.2/30");
      assertThat(InetAddress.getByName("10.99.0.1").isReachable(2000)).as("the host end answers").isTrue();
    }
  }

  @IsolatedNetNs("ns")
  @VethLink(left = VethLink.HOST, right = "ns", leftAddress = "10.99.0.1/30", rightAddress = "10.99.0.2/30")
  static class HostLinkedFailing {
    static final AssertionError BOOM = new AssertionError("boom with a host link");

    @RegisterExtension
    static final HostObserver OBSERVER = new HostObserver();

    @Test
    void fails() {
      throw BOOM;
    }
  }

  @Test
  @ResourceLock(HOST_LINKS)
  void aHostLinkExistsDuringTheTestAndIsGoneAfterwards() {
    HostLinked.OBSERVER.clear();
    List<String> routesBefore = hostRoutesOfTheLink();
    assertAllPassed(run(HostLinked.class), 1);
    assertHostLinkWasThereAndIsGone(HostLinked.OBSERVER, routesBefore);
    assertThat(HostLinked.OBSERVER.hostReachesNamespace).as("the host reaches 10.99.0.2 over the link").isTrue();
  }

  @Test
  @ResourceLock(HOST_LINKS)
  void aHostLinkIsGoneAlsoWhenTheTestFails() {
    HostLinkedFailing.OBSERVER.clear();
    List<String> routesBefore = hostRoutesOfTheLink();
    EngineExecutionResults results = run(HostLinkedFailing.class);
    assertThat(onlyFailure(results.testEvents())).isSameAs(HostLinkedFailing.BOOM);
    assertHostLinkWasThereAndIsGone(HostLinkedFailing.OBSERVER, routesBefore);
  }

  private static void assertHostLinkWasThereAndIsGone(HostObserver seen, List<String> routesBefore) {
    assertThat(seen.before).as("host interfaces jn%d-* during the test", PID).hasSize(1);
    String name = seen.before.get(0);
    assertThat(name).matches("jn" + Long.toString(PID, 36) + "-[0-9a-z]+");
    assertThat(name.getBytes(StandardCharsets.UTF_8).length).isLessThanOrEqualTo(15);
    assertThat(seen.hostAddresses).hasSize(1);
    assertThat(seen.hostAddresses.get(0)).contains(name).contains("inet 10.99.0.1/30");
    assertThat(seen.after).as("still there right after the body").containsExactly(name);
    assertThat(hostLinks()).as("host interfaces after the run").doesNotContain(name);
    assertThat(ourHostInterfaces()).isEmpty();
    assertThat(hostRoutesOfTheLink()).as("host routes through this JVM's interfaces or to 10.99.0.0/30")
        .isEqualTo(routesBefore);
  }

  /**
   * The host's routes through an interface of this JVM or to the host link's subnet, 10.99.0.0/30
   * ({@code 0000630A} in /proc/net/route): only these, since other processes may change the host's
   * routes meanwhile.
   */
  static List<String> hostRoutesOfTheLink() {
    String ours = OwnNames.hostLinkPrefix(PID);
    return hostRoutes().stream().filter(route -> {
      String[] f = route.split(" "); // 4 iface destination gateway mask | 6 destination/length gateway iface
      return Arrays.stream(f).anyMatch(word -> word.startsWith(ours)) || (f[0].equals("4") && f[2].equals("0000630A"));
    }).toList();
  }

  // ---------------------------------------------------------------- helpers

  /** Fails with the fixture's own failures attached unless exactly {@code count} tests ran and all passed. */
  static void assertAllPassed(EngineExecutionResults results, int count) {
    Events tests = results.testEvents();
    List<Event> bad = new ArrayList<>(tests.failed().list());
    bad.addAll(tests.aborted().list());
    bad.addAll(results.containerEvents().failed().list());
    if (bad.isEmpty() && tests.succeeded().count() == count && tests.started().count() == count) {
      return;
    }
    AssertionError error = new AssertionError("expected " + count + " passing fixture test(s), got:\n"
        + describe(results.allEvents()));
    for (Event event : bad) {
      event.getPayload(TestExecutionResult.class).flatMap(TestExecutionResult::getThrowable).ifPresent(error::addSuppressed);
    }
    throw error;
  }

  /** What a TCP round trip saw: the client's local address and the peer address at the server. */
  static final class Exchange {
    final InetAddress clientLocal;
    final InetAddress serverSawPeer;

    Exchange(InetAddress clientLocal, InetAddress serverSawPeer) {
      this.clientLocal = clientLocal;
      this.serverSawPeer = serverSawPeer;
    }
  }

  /** Connects from the calling thread's namespace to {@code target}, served by {@code listener}; bytes go both ways. */
  static Exchange exchange(ServerSocket listener, InetSocketAddress target) throws IOException {
    try (Socket client = new Socket()) {
      client.connect(target, 2000);
      client.setSoTimeout(2000);
      listener.setSoTimeout(2000);
      try (Socket accepted = listener.accept()) {
        client.getOutputStream().write("ping".getBytes(StandardCharsets.US_ASCII));
        accepted.setSoTimeout(2000);
        assertThat(accepted.getInputStream().readNBytes(4)).asString(StandardCharsets.US_ASCII).isEqualTo("ping");
        OutputStream reply = accepted.getOutputStream();
        reply.write("pong".getBytes(StandardCharsets.US_ASCII));
        InputStream in = client.getInputStream();
        assertThat(in.readNBytes(4)).asString(StandardCharsets.US_ASCII).isEqualTo("pong");
        return new Exchange(client.getLocalAddress(), accepted.getInetAddress());
      }
    }
  }

  static List<String> ipv4(Link link) {
    return link.addresses().stream().filter(a -> !a.isIpv6()).map(Link.Address::toString).toList();
  }

  /** The Icmp InEchos counter of a namespace, from /proc/net/snmp as seen by a thread inside it. */
  static long icmpInEchos(NetNs ns) throws Exception {
    List<String> lines = ns.call(() -> Files.readAllLines(Path.of("/proc/thread-self/net/snmp")));
    List<String[]> icmp = lines.stream().filter(l -> l.startsWith("Icmp: ")).map(l -> l.split("\\s+")).toList();
    int column = Arrays.asList(icmp.get(0)).indexOf("InEchos");
    return Long.parseLong(icmp.get(1)[column]);
  }

  /** The host's net.ipv4.ip_forward: read by JUnit's thread, which is in the host's namespace. */
  static String hostIpForward() {
    try {
      return Files.readString(Path.of("/proc/sys/net/ipv4/ip_forward")).trim();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * The interfaces of the JVM's own namespace, asked over rtnetlink: /sys/class/net would show
   * the namespace of whoever mounted sysfs, which is not the JVM's when it runs rootless.
   */
  static Set<String> hostLinks() {
    try (NetNs host = NetNs.open(Path.of("/proc/self/ns/net"))) {
      return host.links().stream().map(io.github.junitnetns.Link::name)
          .collect(java.util.stream.Collectors.toCollection(java.util.TreeSet::new));
    }
  }


  /** Host interfaces made for a {@code VethLink.HOST} end by this JVM: {@code jn<pid>-<n>}, base 36. */
  static List<String> ourHostInterfaces() {
    return OwnNames.hostLinks(PID);
  }

  /** The host's IPv4 and IPv6 routes without counters: /proc/net follows the JVM's main thread, which stays on the host. */
  static List<String> hostRoutes() {
    List<String> routes = new ArrayList<>();
    try {
      for (String line : Files.readAllLines(Path.of("/proc/net/route"))) {
        String[] f = line.trim().split("\\s+");
        routes.add("4 " + f[0] + " " + f[1] + " " + f[2] + " " + f[7]); // iface destination gateway mask
      }
      for (String line : Files.readAllLines(Path.of("/proc/net/ipv6_route"))) {
        String[] f = line.trim().split("\\s+");
        routes.add("6 " + f[0] + "/" + f[1] + " " + f[4] + " " + f[9]); // destination/length gateway iface
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    routes.sort(null);
    return routes;
  }

  static String netNsOfPidOrEmpty(long pid) {
    try {
      return Kernel.netNsOfPid(pid);
    } catch (UncheckedIOException e) {
      return "";
    }
  }

  /** Runs ip(8) from the calling thread (JUnit's, on the host) to cross-check; its output lines. */
  static List<String> ipCommand(String... arguments) throws IOException, InterruptedException {
    List<String> command = new ArrayList<>(List.of("ip"));
    command.addAll(List.of(arguments));
    Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(process.waitFor()).as("%s: %s", command, output).isZero();
    return output.lines().toList();
  }

  static String hex(byte[] bytes) {
    return IntStream.range(0, bytes.length).mapToObj(i -> String.format("%02x", bytes[i])).collect(Collectors.joining());
  }
}
