package io.github.junitnetns.jupiter;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.junitnetns.NetNs;
import io.github.junitnetns.Network;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** Partitions behave like real ones: silent drops where packets arrive. Needs CAP_SYS_ADMIN. */
@Tag("privileged")
class PartitionPrivilegedTest {

  private static String rules(NetNs ns) throws Exception {
    Process ip = ns.exec("sh", "-c", "ip rule; ip -6 rule");
    String out = new String(ip.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(ip.waitFor()).isZero();
    return out;
  }

  @Nested
  @IsolatedNetNs({"a", "b"})
  @VethLink(left = "a", right = "b", subnet = "10.0.0.0/24")
  @VethLink(left = "a", right = "b", subnet = "fd00:7::/64")
  class TwoHosts {

    @Test
    void aConnectToACutPeerTimesOutInsteadOfFailingAtOnce(Network net, @Ns("b") NetNs b) throws Exception {
      try (ServerSocket server = b.call(() -> new ServerSocket(7000))) {
        net.cut("a", "b");
        for (String peer : List.of("10.0.0.2", "fd00:7::2")) {
          long start = System.nanoTime();
          assertThatThrownBy(() -> {
            try (Socket socket = new Socket()) {
              socket.connect(new InetSocketAddress(peer, server.getLocalPort()), 400);
            }
          }).as(peer).isInstanceOf(SocketTimeoutException.class).isNotInstanceOf(ConnectException.class);
          assertThat(Duration.ofNanos(System.nanoTime() - start)).as(peer).isGreaterThanOrEqualTo(Duration.ofMillis(350));
        }
        net.heal();
        try (Socket socket = new Socket()) {
          socket.connect(new InetSocketAddress("10.0.0.2", 7000), 2000);
        }
      }
    }

    @Test
    void anEstablishedConnectionStallsAndResumesAfterHeal(Network net, @Ns("b") NetNs b) throws Exception {
      try (ServerSocket server = b.call(() -> new ServerSocket(7001));
          Socket client = new Socket()) {
        client.connect(new InetSocketAddress("10.0.0.2", 7001), 2000);
        try (Socket accepted = server.accept()) {
          accepted.setSoTimeout(300);
          InputStream in = accepted.getInputStream();
          OutputStream out = client.getOutputStream();
          net.cut("a", "b");
          out.write("during".getBytes(StandardCharsets.UTF_8)); // accepted locally, never arrives
          out.flush();
          assertThatThrownBy(in::read).isInstanceOf(SocketTimeoutException.class);
          net.heal();
          accepted.setSoTimeout(5000); // TCP retransmits: the bytes arrive after the heal
          byte[] received = in.readNBytes(6);
          assertThat(new String(received, StandardCharsets.UTF_8)).isEqualTo("during");
        }
      }
    }

    @Test
    void aOneWayCutDropsOnlyOneDirection(Network net, @Ns("b") NetNs b) throws Exception {
      try (DatagramSocket onA = new DatagramSocket(new InetSocketAddress("10.0.0.1", 9000));
          DatagramSocket onB = b.call(() -> new DatagramSocket(new InetSocketAddress("10.0.0.2", 9000)))) {
        onA.setSoTimeout(2000);
        onB.setSoTimeout(300);
        net.cutOneWay("a", "b");
        assertThat(net.isCut("a", "b")).isTrue();
        assertThat(net.isCut("b", "a")).isFalse();
        onA.send(packet("a to b", "10.0.0.2"));
        assertThatThrownBy(() -> onB.receive(new DatagramPacket(new byte[64], 64)))
            .isInstanceOf(SocketTimeoutException.class);
        onB.send(packet("b to a", "10.0.0.1"));
        DatagramPacket received = new DatagramPacket(new byte[64], 64);
        onA.receive(received);
        assertThat(new String(received.getData(), 0, received.getLength(), StandardCharsets.UTF_8)).isEqualTo("b to a");
      }
    }

    @Test
    void healRestoresTheRulesExactlyAndFaultsAreIdempotent(Network net, @Ns("a") NetNs a, @Ns("b") NetNs b)
        throws Exception {
      String beforeA = rules(a);
      String beforeB = rules(b);
      net.cut("a", "b");
      net.cut("a", "b"); // twice: harmless
      net.isolate("b");
      assertThat(rules(b)).contains("blackhole").contains("10.0.0.1").contains("fd00:7::1");
      assertThat(b.describe()).contains("faults: drops packets from 10.0.0.1 fd00:7::1");
      net.heal();
      assertThat(rules(a)).isEqualTo(beforeA);
      assertThat(rules(b)).isEqualTo(beforeB);
      net.heal(); // twice: harmless
      assertThat(rules(b)).isEqualTo(beforeB);
    }

    @Test
    void resetConnectionsResetsBothEnds(Network net, @Ns("b") NetNs b) throws Exception {
      try (ServerSocket server = b.call(() -> new ServerSocket(7002));
          Socket client = new Socket()) {
        client.connect(new InetSocketAddress("10.0.0.2", 7002), 5000);
        try (Socket accepted = server.accept()) {
          accepted.setSoTimeout(5000);
          client.setSoTimeout(5000);
          assertThat(net.resetConnections("a", "b")).isEqualTo(1);
          assertThatThrownBy(() -> accepted.getInputStream().read()).isInstanceOf(java.net.SocketException.class)
              .hasMessageContaining("reset");
          assertThatThrownBy(() -> client.getInputStream().read()).isInstanceOf(java.net.SocketException.class);
        }
      }
      assertThat(net.resetConnections("a", "b")).isZero();
    }

    @Test
    void misuseIsRefusedWithTheFix(Network net) {
      assertThatThrownBy(() -> net.cut("a", "a")).isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("name two different namespaces");
      assertThatThrownBy(() -> net.cut("a", "nope")).isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("no such namespace; the test has [a, b]");
      assertThatThrownBy(() -> net.partition(Set.of("a"), Set.of("a", "b"))).isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("\"a\" is on two sides");
    }

    private DatagramPacket packet(String text, String to) {
      byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
      return new DatagramPacket(bytes, bytes.length, new InetSocketAddress(to, 9000));
    }
  }

  @Nested
  @IsolatedNetNs({"n1", "n2", "n3", "n4", "n5"})
  @Bridge(name = "lan", members = {"n1", "n2", "n3", "n4", "n5"}, subnet = "10.0.5.0/24")
  class FiveOnABridge {

    /** Who reaches whom, probed for real with ICMP (both directions must pass), as "n1-n2" pairs with n1 < n2. */
    private Set<String> reachable(Network net) throws Exception {
      List<String> names = new ArrayList<>(net.names());
      List<CompletableFuture<String>> probes = new ArrayList<>();
      for (int i = 0; i < names.size(); i++) {
        for (int j = i + 1; j < names.size(); j++) {
          String from = names.get(i);
          String to = names.get(j);
          InetAddress target = net.address(to);
          probes.add(CompletableFuture.supplyAsync(() -> {
            try {
              // Generous: a loaded 2-core machine running the suite in parallel answers slowly.
              return net.ns(from).call(() -> target.isReachable(1500)) ? from + "-" + to : null;
            } catch (java.io.IOException e) {
              throw new java.io.UncheckedIOException(e);
            }
          }, command -> new Thread(command).start()));
        }
      }
      Set<String> reached = new TreeSet<>();
      for (CompletableFuture<String> probe : probes) {
        String pair = probe.get();
        if (pair != null) {
          reached.add(pair);
        }
      }
      return reached;
    }

    private static final Set<String> EVERYONE = new TreeSet<>(List.of("n1-n2", "n1-n3", "n1-n4", "n1-n5",
        "n2-n3", "n2-n4", "n2-n5", "n3-n4", "n3-n5", "n4-n5"));

    @Test
    void halves(Network net) throws Exception {
      assertThat(net.partitionHalves()).containsExactly(Set.of("n1", "n2"), Set.of("n3", "n4", "n5"));
      assertThat(reachable(net)).containsExactly("n1-n2", "n3-n4", "n3-n5", "n4-n5");
      net.heal();
      // ARP was cut too (the kernel checks a request's sender against the routing rules), so the
      // neighbours re-resolve first: recovery takes a moment, as after a real partition.
      org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> reachable(net).equals(EVERYONE));
    }

    @Test
    void bridge(Network net) throws Exception {
      assertThat(net.partitionBridge()).isEqualTo("n3");
      assertThat(reachable(net)).containsExactly("n1-n2", "n1-n3", "n2-n3", "n3-n4", "n3-n5", "n4-n5");
    }

    @Test
    void majoritiesRing(Network net) throws Exception {
      net.partitionMajoritiesRing();
      // Each sees itself and its two ring neighbours: three of five, a different three for each.
      assertThat(reachable(net)).containsExactly("n1-n2", "n1-n5", "n2-n3", "n3-n4", "n4-n5");
    }

    @Test
    void isolateARandomNode(Network net) throws Exception {
      String isolated = net.isolateRandomNode();
      Set<String> expected = new TreeSet<>(EVERYONE);
      expected.removeIf(pair -> List.of(pair.split("-")).contains(isolated));
      assertThat(reachable(net)).isEqualTo(expected);
    }
  }

  @IsolatedNetNs(value = {"x", "y"}, scope = IsolatedNetNs.Scope.CLASS)
  @VethLink(left = "x", right = "y", subnet = "10.0.8.0/24")
  @org.junit.jupiter.api.TestMethodOrder(org.junit.jupiter.api.MethodOrderer.OrderAnnotation.class)
  @org.junit.jupiter.api.parallel.Execution(org.junit.jupiter.api.parallel.ExecutionMode.SAME_THREAD)
  static class SharedNamespaces {
    static volatile Boolean secondSawPeer;

    @Test
    @org.junit.jupiter.api.Order(1)
    void first(Network net) {
      net.cut("x", "y"); // and "forgets" to heal
    }

    @Test
    @org.junit.jupiter.api.Order(2)
    void second(Network net) throws Exception {
      secondSawPeer = !net.isCut("x", "y") && InetAddress.getByName("10.0.8.2").isReachable(2000);
    }
  }

  @Test
  void faultsOnClassScopedNamespacesAreHealedAfterEachTest() {
    SharedNamespaces.secondSawPeer = null;
    EngineRuns.run(SharedNamespaces.class).testEvents().assertStatistics(s -> s.started(2).succeeded(2));
    assertThat(SharedNamespaces.secondSawPeer).isTrue();
  }
}
