package io.github.junitnetns.jupiter;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.junitnetns.Fault;
import io.github.junitnetns.NetNs;
import io.github.junitnetns.Network;
import io.github.junitnetns.Shaping;
import io.github.junitnetns.Traffic;
import io.github.junitnetns.testsupport.UdpProbe;
import java.io.File;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Traffic-scoped faults, refusals, counters and random loss, as a client sees them (connects that
 * time out or are refused, bytes that keep flowing, datagrams lost), cross-checked with
 * {@code nft list ruleset} where the ruleset itself is the point. Needs CAP_SYS_ADMIN and
 * nf_tables; the ruleset checks need the nft program (Debian: {@code apt-get install nftables}).
 */
@Tag("privileged")
@IsolatedNetNs({"app", "db"})
@VethLink(left = "app", right = "db", subnet = "10.0.0.0/24")
@VethLink(left = "app", right = "db", subnet = "fd00:9::/64")
class TrafficFaultsPrivilegedTest {
  private static final String DB = "10.0.0.2";

  @Test
  void aScopedCutTimesOutThatPortWhileOtherPortsAndPingWork(Network net, @Ns("db") NetNs db) throws Exception {
    try (ServerSocket postgres = db.call(() -> new ServerSocket(5432));
        ServerSocket http = db.call(() -> new ServerSocket(8080))) {
      Fault fault = net.cut("app", "db", Traffic.tcp(5432));
      int attempts = 3;
      for (int i = 0; i < attempts; i++) {
        assertThatThrownBy(() -> connect(DB, 5432, 300)).isInstanceOf(SocketTimeoutException.class);
      }
      assertThatThrownBy(() -> connect("fd00:9::2", 5432, 300)).isInstanceOf(SocketTimeoutException.class);
      connect(DB, 8080, 2000);
      connect("fd00:9::2", 8080, 2000);
      assertThat(InetAddress.getByName(DB).isReachable(2000)).as("ping db").isTrue();
      assertThat(fault.packets()).as("one SYN or more per timed-out connect").isGreaterThanOrEqualTo(attempts + 1);
      assertThat(fault.description()).isEqualTo("cut app <-> db tcp:5432");
      assertThat(net.faults()).containsExactly(fault);
      fault.heal();
      assertThat(fault.isHealed()).isTrue();
      assertThat(net.faults()).isEmpty();
      connect(DB, 5432, 2000);
    }
  }

  @Test
  void theCutAlsoCoversTheOtherSideAsClientOfThatPort(Network net, @Ns("db") NetNs db) throws Exception {
    try (ServerSocket onApp = new ServerSocket(5432);
        ServerSocket otherOnApp = new ServerSocket(8080)) {
      net.cut("app", "db", Traffic.tcp(5432));
      assertThatThrownBy(() -> db.run(() -> connect("10.0.0.1", 5432, 300))).isInstanceOf(SocketTimeoutException.class);
      db.run(() -> connect("10.0.0.1", 8080, 2000));
    }
  }

  @Test
  void rejectRefusesAtOnceAndCountsOneSynPerConnect(Network net, @Ns("db") NetNs db) throws Exception {
    try (ServerSocket postgres = db.call(() -> new ServerSocket(5432))) {
      Fault fault = net.reject("app", "db", Traffic.tcp(5432));
      int attempts = 5;
      for (int i = 0; i < attempts; i++) {
        long start = System.nanoTime();
        assertThatThrownBy(() -> connect(DB, 5432, 2000)).isInstanceOf(ConnectException.class)
            .hasMessageContaining("refused");
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofMillis(200));
      }
      assertThat(fault.packets()).isEqualTo(attempts);
      assertThat(fault).hasToString("reject app -> db tcp:5432: 5 packets");
      assertThat(net.describe()).contains("reject app -> db tcp:5432: 5 packets");
      assertThat(db.describe()).contains("input: junit-netns fault").contains("reject app -> db tcp:5432: 5 packets");
      net.heal();
      assertThat(fault.packets()).as("the count when it was healed").isEqualTo(attempts);
      connect(DB, 5432, 2000);
    }
  }

  @Test
  void newConnectionsOnlyKeepsAnEstablishedStreamFlowingBothWays(Network net, @Ns("db") NetNs db) throws Exception {
    try (ServerSocket server = db.call(() -> new ServerSocket(5433));
        Socket client = new Socket()) {
      client.connect(new InetSocketAddress(DB, 5433), 2000);
      try (Socket accepted = server.accept()) {
        Fault fault = net.cut("app", "db", Traffic.tcp(5433).newConnectionsOnly());
        client.setSoTimeout(2000);
        accepted.setSoTimeout(2000);
        OutputStream toDb = client.getOutputStream();
        InputStream atDb = accepted.getInputStream();
        OutputStream toApp = accepted.getOutputStream();
        InputStream atApp = client.getInputStream();
        for (int round = 0; round < 20; round++) {
          byte[] chunk = new byte[1000];
          Arrays.fill(chunk, (byte) round);
          toDb.write(chunk);
          toDb.flush();
          assertThat(atDb.readNBytes(1000)).as("app -> db, round " + round).isEqualTo(chunk);
          toApp.write(chunk);
          toApp.flush();
          assertThat(atApp.readNBytes(1000)).as("db -> app, round " + round).isEqualTo(chunk);
          if (round == 10) {
            assertThatThrownBy(() -> connect(DB, 5433, 300)).isInstanceOf(SocketTimeoutException.class);
          }
        }
        assertThat(fault.packets()).as("the new connect's SYNs only").isGreaterThanOrEqualTo(1).isLessThan(10);
      }
    }
  }

  @Test
  void randomLossWithoutNetemLosesThirtyPercentOfTwoThousandDatagrams(Network net, @Ns("app") NetNs app,
      @Ns("db") NetNs db) throws Exception {
    net.shape("app", "db", Shaping.loss(30));
    UdpProbe.Result result = UdpProbe.send(app, db, DB, 2000, 20, 500);
    double lost = 100.0 * (result.sent() - result.distinct()) / result.sent();
    assertThat(lost).as("lost %").isBetween(25.0, 35.0);
    assertThat(db.describe()).contains("prerouting: junit-netns loss ");
    net.unshape("app", "db");
    UdpProbe.Result after = UdpProbe.send(app, db, DB, 200, 20, 300);
    assertThat(after.distinct()).isEqualTo(200);
  }

  @Test
  void lossAndARateTogetherNeedNoNetem(Network net, @Ns("app") NetNs app, @Ns("db") NetNs db) throws Exception {
    String before = ruleset(db);
    net.shape("app", "db", Shaping.rate("50mbit").withLoss(50));
    assertThat(db.links()).anyMatch(link -> link.name().startsWith("ifb"));
    UdpProbe.Result result = UdpProbe.send(app, db, DB, 1000, 10, 500);
    double lost = 100.0 * (result.sent() - result.distinct()) / result.sent();
    assertThat(lost).as("lost %").isBetween(40.0, 60.0);
    net.unshape("app", "db");
    assertThat(db.links()).noneMatch(link -> link.name().startsWith("ifb"));
    assertThat(ruleset(db)).isEqualTo(before);
  }

  @Test
  void healRestoresTheRulesetExactlyAndAFaultHealsOnlyItself(Network net, @Ns("app") NetNs app, @Ns("db") NetNs db)
      throws Exception {
    String beforeApp = ruleset(app);
    String beforeDb = ruleset(db);
    Fault dns = net.cutOneWay("app", "db", Traffic.udp(53));
    Fault refused = net.reject("app", "db", Traffic.all());
    Fault whole = net.isolate("db");
    assertThat(ruleset(db)).contains("table inet junit_netns").contains("udp dport 53").contains("reject")
        .contains(dns.description()).contains("isolate db");
    assertThat(net.faults()).containsExactly(dns, refused, whole);
    refused.heal();
    assertThat(ruleset(db)).doesNotContain("reject").contains("udp dport 53");
    assertThat(net.faults()).containsExactly(dns, whole);
    net.heal();
    assertThat(net.faults()).isEmpty();
    assertThat(ruleset(app)).isEqualTo(beforeApp);
    assertThat(ruleset(db)).isEqualTo(beforeDb);
    net.heal(); // twice: harmless
    dns.heal();
    assertThat(ruleset(db)).isEqualTo(beforeDb);
  }

  @Test
  void aWholeTrafficCutIsCountedBeforeItsPolicyRuleDrops(Network net, @Ns("db") NetNs db) throws Exception {
    try (ServerSocket server = db.call(() -> new ServerSocket(7))) {
      connect(DB, 7, 2000); // app and db know each other's MAC: ARP, cut too, would hold the SYNs back
    }
    Fault fault = net.cut("app", "db");
    for (int i = 0; i < 3; i++) {
      assertThatThrownBy(() -> connect(DB, 7, 300)).isInstanceOf(SocketTimeoutException.class);
    }
    assertThat(fault.packets()).isGreaterThanOrEqualTo(3);
    assertThat(net.isCut("app", "db")).isTrue();
    fault.heal();
    assertThat(net.isCut("app", "db")).isFalse();
  }

  private static void connect(String host, int port, int timeoutMillis) throws Exception {
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress(host, port), timeoutMillis);
    }
  }

  /** {@code nft list ruleset} inside {@code ns}; skipped with the package's name where nft is missing. */
  static String ruleset(NetNs ns) throws Exception {
    boolean installed = Arrays.stream(System.getenv().getOrDefault("PATH", "/usr/sbin:/usr/bin").split(File.pathSeparator))
        .anyMatch(dir -> new File(dir, "nft").canExecute()) || new File("/usr/sbin/nft").canExecute();
    Assumptions.assumeTrue(installed, "the nft program is missing, which this test uses to cross-check the"
        + " ruleset; install it (Debian, Ubuntu: apt-get install nftables)");
    Process nft = ns.exec(new File("/usr/sbin/nft").canExecute() ? "/usr/sbin/nft" : "nft", "list", "ruleset");
    String out = new String(nft.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(nft.waitFor()).as("nft list ruleset: " + out).isZero();
    return out;
  }
}
