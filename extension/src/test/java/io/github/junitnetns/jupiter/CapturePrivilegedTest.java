package io.github.junitnetns.jupiter;

import static io.github.junitnetns.jupiter.EngineRuns.describe;
import static io.github.junitnetns.jupiter.EngineRuns.onlyFailure;
import static io.github.junitnetns.jupiter.EngineRuns.run;
import static org.assertj.core.api.Assertions.assertThat;

import io.github.junitnetns.NetNs;
import io.github.junitnetns.Network;
import io.github.junitnetns.jupiter.IsolatedNetNs.Scope;
import io.github.junitnetns.testsupport.Kernel;
import io.github.junitnetns.testsupport.KeptPins;
import io.github.junitnetns.testsupport.Tshark;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestReporter;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.api.parallel.Execution;
import org.junit.jupiter.api.parallel.ExecutionMode;
import org.junit.jupiter.api.parallel.ResourceLock;
import org.junit.platform.engine.reporting.ReportEntry;
import org.junit.platform.testkit.engine.EngineExecutionResults;

/**
 * Capture: every test's traffic recorded on every interface of its namespaces, kept as a pcapng
 * file when it fails, summarised in the report. The files are read back with tshark, an
 * independent reader.
 */
@Tag("privileged")
class CapturePrivilegedTest {

  /** A TCP exchange across a veth and a ping across a bridge, then a failure. */
  @IsolatedNetNs({"client", "server", "a", "b"})
  @VethLink(left = "client", right = "server", subnet = "10.0.0.0/30")
  @Bridge(name = "lan", members = {"a", "b"}, subnet = "10.0.1.0/24")
  static class FailsAfterTraffic {
    @Test
    void exchangesThenFails(Network net, TestReporter reporter) throws Exception {
      // Per run, not in a static field: another test of this class runs this fixture at the same time.
      reporter.publishEntry("port", String.valueOf(exchange(net.ns("server"), "10.0.0.2")));
      net.ns("a").call(() -> InetAddress.getByName("10.0.1.2").isReachable(2000));
      throw new AssertionError("fails on purpose after the exchange");
    }
  }

  /** Connects from the calling thread's namespace to a listener in {@code server}; returns its port. */
  static int exchange(NetNs server, String address) throws Exception {
    try (ServerSocket listener = server.call(() -> new ServerSocket(0, 1, InetAddress.getByName(address)))) {
      try (Socket socket = new Socket()) {
        socket.connect(new InetSocketAddress(address, listener.getLocalPort()), 2000);
        socket.getOutputStream().write("hello".getBytes(StandardCharsets.US_ASCII));
        try (Socket accepted = listener.accept()) {
          assertThat(accepted.getInputStream().readNBytes(5)).hasSize(5);
        }
      }
      return listener.getLocalPort();
    }
  }

  static void sendUdp(String address, int port) throws Exception {
    try (DatagramSocket socket = new DatagramSocket()) {
      byte[] data = "ping".getBytes(StandardCharsets.US_ASCII);
      socket.send(new DatagramPacket(data, data.length, InetAddress.getByName(address), port));
    }
  }

  @Test
  void aFailedTestKeepsAPcapngWithTheSynOnBothEndsAndTheReportShowsTheSameSynLine(@TempDir Path dir)
      throws Exception {
    Tshark.assumeInstalled();
    EngineExecutionResults results = run(FailsAfterTraffic.class, CaptureConfiguration.DIR, dir.toString());
    Throwable failure = onlyFailure(results.testEvents());
    // The body must have got past its exchange: otherwise no SYN went to the port looked for below.
    assertThat(failure).as(() -> "the body's failure, with its stack:\n" + stackOf(failure))
        .hasMessage("fails on purpose after the exchange");
    Path file = dir.resolve(FailsAfterTraffic.class.getName() + ".exchangesThenFails.pcapng");
    assertThat(file).exists();
    int port = reportEntries(results).stream().filter(e -> e.startsWith("port=")).map(e -> e.substring(5))
        .mapToInt(Integer::parseInt).findFirst().orElseThrow();

    List<List<String>> syns = Tshark.fields(file, "tcp.flags.syn==1 && tcp.flags.ack==0 && tcp.dstport==" + port,
        "frame.interface_name", "ip.src", "ip.dst", "tcp.srcport", "tcp.seq_raw");
    assertThat(syns).as(() -> "the SYNs to port " + port + " in " + file + ", which holds:\n" + Tshark.everyFrame(file)
            + "\nreport entries: " + reportEntries(results))
        .extracting(row -> row.get(0)).containsExactlyInAnyOrder("eth0@client", "eth0@server");
    List<String> syn = syns.stream().filter(row -> row.get(0).equals("eth0@client")).findFirst().orElseThrow();
    assertThat(syn.subList(1, 3)).containsExactly("10.0.0.1", "10.0.0.2");
    // The ping across the bridge: at the sender, at a port of the switch in the bridge's namespace, at the receiver.
    List<String> pings = Tshark.fields(file, "icmp.type==8 && ip.dst==10.0.1.2", "frame.interface_name").stream()
        .map(row -> row.get(0)).collect(Collectors.toList());
    assertThat(pings).contains("eth0@a", "eth0@b").anyMatch(name -> name.matches("port[0-9]+@bridge-lan"));
    // The file's interfaces, as tshark names them: one IDB per interface that carried a packet.
    assertThat(Tshark.fields(file, "", "frame.interface_name").stream().map(row -> row.get(0)).distinct())
        .contains("eth0@client", "eth0@server", "eth0@a", "eth0@b");

    String synLine = "eth0@client Out IP 10.0.0.1." + syn.get(3) + " > 10.0.0.2." + port + ": Flags [S], seq "
        + syn.get(4) + ", win ";
    String entry = reportEntries(results).stream().filter(e -> e.startsWith("junit-netns capture=")).findFirst()
        .orElseThrow(() -> new AssertionError("no capture entry in " + reportEntries(results)));
    assertThat(entry).startsWith("junit-netns capture=Capture: " + file.toAbsolutePath() + " (open with: tshark -r ")
        .contains(synLine).contains("  eth0@client: ").contains("TCP ");
    assertThat(Arrays.stream(failure.getSuppressed()).filter(s -> s instanceof FailureDiagnostics.NetworkReport)
        .map(Throwable::getMessage)).singleElement().asString().contains(synLine).contains(file.toString());
  }

  private static String stackOf(Throwable t) {
    java.io.StringWriter text = new java.io.StringWriter();
    t.printStackTrace(new java.io.PrintWriter(text));
    return text.toString();
  }


  @IsolatedNetNs({"client", "server"})
  @VethLink(left = "client", right = "server", subnet = "10.0.0.0/30")
  static class PassesAfterTraffic {
    @Test
    void exchanges(Network net) throws Exception {
      exchange(net.ns("server"), "10.0.0.2");
    }
  }

  @Test
  void aPassingTestWritesNothingUnlessCaptureIsAlways(@TempDir Path dir) throws Exception {
    Path onFailure = dir.resolve("on-failure");
    EngineExecutionResults results = run(PassesAfterTraffic.class, CaptureConfiguration.DIR, onFailure.toString());
    assertThat(results.testEvents().succeeded().count()).as(describe(results.testEvents())).isEqualTo(1);
    assertThat(onFailure).doesNotExist();
    assertThat(reportEntries(results)).noneMatch(e -> e.startsWith("junit-netns capture"));

    Path always = dir.resolve("always");
    results = run(PassesAfterTraffic.class, CaptureConfiguration.DIR, always.toString(), CaptureConfiguration.CAPTURE,
        "always");
    assertThat(results.testEvents().succeeded().count()).as(describe(results.testEvents())).isEqualTo(1);
    assertThat(always.resolve(PassesAfterTraffic.class.getName() + ".exchanges.pcapng")).exists();

    Path off = dir.resolve("off");
    results = run(FailsAfterTraffic.class, CaptureConfiguration.DIR, off.toString(), CaptureConfiguration.CAPTURE,
        "off");
    assertThat(results.testEvents().failed().count()).isEqualTo(1);
    assertThat(off).doesNotExist();
  }

  /** Two tests at the same time, each in namespaces of its own, each sending to its own port. */
  @IsolatedNetNs({"client", "server"})
  @VethLink(left = "client", right = "server", subnet = "10.0.0.0/30")
  static class TwoAtOnce {
    static final CountDownLatch BOTH = new CountDownLatch(2);
    static volatile boolean overlapped = true;

    @Test
    void first() throws Exception {
      together();
      sendUdp("10.0.0.2", 4001);
      throw new AssertionError("first fails");
    }

    @Test
    void second() throws Exception {
      together();
      sendUdp("10.0.0.2", 4002);
      throw new AssertionError("second fails");
    }

    private static void together() throws InterruptedException {
      BOTH.countDown();
      if (!BOTH.await(20, TimeUnit.SECONDS)) {
        overlapped = false;
      }
    }
  }

  @Test
  void parallelTestsRecordSeparately(@TempDir Path dir) throws Exception {
    Tshark.assumeInstalled();
    EngineExecutionResults results = run(TwoAtOnce.class, CaptureConfiguration.DIR, dir.toString());
    assertThat(results.testEvents().failed().count()).as(describe(results.testEvents())).isEqualTo(2);
    assertThat(TwoAtOnce.overlapped).as("both tests ran at the same time").isTrue();
    Path first = dir.resolve(TwoAtOnce.class.getName() + ".first.pcapng");
    Path second = dir.resolve(TwoAtOnce.class.getName() + ".second.pcapng");
    assertThat(udpPorts(first)).contains("4001").doesNotContain("4002");
    assertThat(udpPorts(second)).contains("4002").doesNotContain("4001");
  }

  private static List<String> udpPorts(Path file) throws Exception {
    return Tshark.fields(file, "udp", "udp.dstport").stream().map(row -> row.get(0)).collect(Collectors.toList());
  }

  /** A namespace shared by the class: each test's file holds what happened during that test. */
  @IsolatedNetNs(value = "shared", scope = Scope.CLASS)
  @Execution(ExecutionMode.SAME_THREAD)
  @TestMethodOrder(MethodOrderer.OrderAnnotation.class)
  static class SharedByTwoTests {
    @Test
    @Order(1)
    void first() throws Exception {
      sendUdp("127.0.0.1", 5001);
      throw new AssertionError("first fails");
    }

    @Test
    @Order(2)
    void second() throws Exception {
      sendUdp("127.0.0.1", 5002);
      throw new AssertionError("second fails");
    }
  }

  @Test
  void classScopedNamespacesAreRecordedPerTest(@TempDir Path dir) throws Exception {
    Tshark.assumeInstalled();
    EngineExecutionResults results = run(SharedByTwoTests.class, CaptureConfiguration.DIR, dir.toString());
    assertThat(results.testEvents().failed().count()).as(describe(results.testEvents())).isEqualTo(2);
    Path first = dir.resolve(SharedByTwoTests.class.getName() + ".first.pcapng");
    Path second = dir.resolve(SharedByTwoTests.class.getName() + ".second.pcapng");
    assertThat(udpPorts(first)).contains("5001").doesNotContain("5002");
    assertThat(udpPorts(second)).contains("5002").doesNotContain("5001");
    assertThat(Tshark.fields(first, "udp", "frame.interface_name")).extracting(row -> row.get(0))
        .containsOnly("lo@shared");
  }

  @IsolatedNetNs({"client", "server"})
  @VethLink(left = "client", right = "server", subnet = "10.0.0.0/30")
  static class FailsAfterUdp {
    @Test
    void sendsThenFails() throws Exception {
      sendUdp("10.0.0.2", 6001);
      throw new AssertionError("fails on purpose");
    }
  }

  @Test
  @ResourceLock("/run/netns")
  void keepOnFailureAndCaptureWorkTogether(@TempDir Path dir) throws Exception {
    try (KeptPins kept = new KeptPins(); LogCapture log = LogCapture.of("FailsAfterUdp")) {
      EngineExecutionResults results = run(FailsAfterUdp.class, CaptureConfiguration.DIR, dir.toString(),
          NetNsConfiguration.KEEP_ON_FAILURE, "true");
      assertThat(results.testEvents().failed().count()).isEqualTo(1);
      Path file = dir.resolve(FailsAfterUdp.class.getName() + ".sendsThenFails.pcapng");
      assertThat(file).exists();
      List<String> entries = reportEntries(results);
      assertThat(entries).anyMatch(e -> e.startsWith("junit-netns capture=Capture: " + file.toAbsolutePath()))
          .anyMatch(e -> e.startsWith("junit-netns kept="));
      if (Kernel.canPin()) {
        assertThat(kept.added()).hasSize(2);
      }
      String summary = entries.stream().filter(e -> e.startsWith("junit-netns capture=")).findFirst().orElseThrow();
      assertThat(summary).containsPattern("eth0@client Out IP 10\\.0\\.0\\.1\\.[0-9]+ > 10\\.0\\.0\\.2\\.6001: UDP,"
          + " length 4");
    }
  }

  static List<String> reportEntries(EngineExecutionResults results) {
    return results.allEvents().reportingEntryPublished().stream()
        .map(e -> e.getRequiredPayload(ReportEntry.class))
        .flatMap(entry -> entry.getKeyValuePairs().entrySet().stream())
        .map(kv -> kv.getKey() + "=" + kv.getValue())
        .collect(Collectors.toList());
  }
}
