package io.github.junitnetns.jupiter;

import static io.github.junitnetns.jupiter.EngineRuns.run;
import static org.assertj.core.api.Assertions.assertThat;

import io.github.junitnetns.NetNs;
import io.github.junitnetns.Network;
import io.github.junitnetns.Shaping;
import io.github.junitnetns.testsupport.Netem;
import io.github.junitnetns.testsupport.UdpProbe;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.parallel.Isolated;
import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.testkit.engine.EngineExecutionResults;

/**
 * What the kernel does with netem shaping, measured on packets: loss, duplication, delay and
 * jitter, reordering, on a veth and on a bridge. Where the kernel has no netem (this development
 * machine) the extension reports each of these tests as skipped with the reason, and with
 * {@code junit.netns.netem=require} (GitHub's runners, which have netem) as failed: they never
 * pass without netem. The bounds are several standard deviations wide for the packet counts used.
 * {@code @Isolated}: latencies are measured against the clock.
 */
@Isolated
@Tag("privileged")
@IsolatedNetNs({"a", "b"})
@VethLink(left = "a", right = "b", subnet = "10.0.70.0/24")
class NetemPrivilegedTest {
  private static final int PACKETS = 2000;

  @Test
  void lossDropsTheShareOfPacketsAsked(Network net, @Ns("a") NetNs a, @Ns("b") NetNs b) throws Exception {
    UdpProbe.Result unshaped = UdpProbe.send(a, b, "10.0.70.2", PACKETS, 20, 500);
    assertThat(unshaped.distinct()).as("unshaped: nothing lost on the way").isEqualTo(PACKETS);
    // With a netem option (a 1 ms delay), netem does the loss too (alone, nf_tables would).
    net.shape("a", "b", Shaping.delay(Duration.ofMillis(1)).withLoss(20));
    UdpProbe.Result lossy = UdpProbe.send(a, b, "10.0.70.2", PACKETS, 20, 500);
    // 80 % of 2000 arrive: 1600, standard deviation sqrt(2000 * 0.2 * 0.8) = 18; +-100 is 5.6 of them.
    assertThat(lossy.distinct()).isBetween(1500, 1700);
    assertThat(lossy.duplicates()).isZero();
  }

  @Test
  void duplicationDeliversTheShareOfPacketsTwice(Network net, @Ns("a") NetNs a, @Ns("b") NetNs b) throws Exception {
    net.shape("a", "b", Shaping.none().withDuplication(30));
    UdpProbe.Result doubled = UdpProbe.send(a, b, "10.0.70.2", PACKETS, 20, 500);
    assertThat(doubled.distinct()).as("every datagram arrives").isEqualTo(PACKETS);
    // 30 % of 2000 twice: 600, standard deviation sqrt(2000 * 0.3 * 0.7) = 20.5; +-100 is 4.9 of them.
    assertThat(doubled.duplicates()).isBetween(500, 700);
  }

  @Test
  void delayAndJitterSpreadArrivalsAroundTheDelay(Network net, @Ns("a") NetNs a, @Ns("b") NetNs b) throws Exception {
    net.shape("a", "b", Shaping.delay(Duration.ofMillis(100)).withJitter(Duration.ofMillis(20)));
    UdpProbe.Result delayed = UdpProbe.send(a, b, "10.0.70.2", 500, 2, 1000);
    assertThat(delayed.distinct()).isEqualTo(500);
    // netem without a distribution table draws the delay uniformly from 80 to 120 ms: nothing
    // arrives earlier (the clock adds only lateness), the middle near 100 ms, the deciles near 84
    // and 116 ms. Without jitter they would all be ~100 ms.
    assertThat(delayed.latencyQuantileMillis(0)).isGreaterThanOrEqualTo(79);
    assertThat(delayed.latencyQuantileMillis(0.5)).isBetween(92.0, 112.0);
    assertThat(delayed.latencyQuantileMillis(0.1)).isLessThan(92);
    assertThat(delayed.latencyQuantileMillis(0.9)).isGreaterThan(108);
  }

  @Test
  void reorderingSendsTheShareAtOnceWhileTheRestWaitOutTheDelay(Network net, @Ns("a") NetNs a, @Ns("b") NetNs b)
      throws Exception {
    net.shape("a", "b", Shaping.delay(Duration.ofMillis(50)).withReordering(25));
    UdpProbe.Result reordered = UdpProbe.send(a, b, "10.0.70.2", 1000, 5, 1000);
    assertThat(reordered.distinct()).isEqualTo(1000);
    long atOnce = reordered.arrivals().stream().filter(arrival -> arrival.latencyNanos() < 25_000_000).count();
    // 25 % of 1000 overtake: 250, standard deviation sqrt(1000 * 0.25 * 0.75) = 13.7; +-70 is 5.1 of them.
    assertThat(atOnce).isBetween(180L, 320L);
    assertThat(reordered.latencyQuantileMillis(0.9)).isGreaterThanOrEqualTo(49);
  }

  @Test
  @IsolatedNetNs({"z1", "z2", "z3"})
  @Bridge(name = "lan", members = {"z1", "z2", "z3"}, subnet = "10.0.71.0/24")
  void onABridgeOnlyTheShapedMembersPacketsAreDelayed(Network net, @Ns("z1") NetNs z1, @Ns("z2") NetNs z2,
      @Ns("z3") NetNs z3) throws Exception {
    net.shape("z1", "z3", Shaping.delay(Duration.ofMillis(200)));
    UdpProbe.Result fromZ1 = UdpProbe.send(z1, z3, "10.0.71.3", 50, 1, 1000);
    UdpProbe.Result fromZ2 = UdpProbe.send(z2, z3, "10.0.71.3", 50, 1, 1000);
    assertThat(fromZ1.distinct()).isEqualTo(50);
    assertThat(fromZ2.distinct()).isEqualTo(50);
    assertThat(fromZ1.latencyQuantileMillis(0)).isGreaterThanOrEqualTo(199);
    assertThat(fromZ2.latencyQuantileMillis(0.5)).isLessThan(50);
  }

  @Test
  void aTcpConnectWaitsForTheDelayedSyn(Network net, @Ns("b") NetNs b) throws Exception {
    net.shape("a", "b", Shaping.delay(Duration.ofMillis(200)));
    try (ServerSocket server = b.call(() -> new ServerSocket(0)); Socket socket = new Socket()) {
      long start = System.nanoTime();
      socket.connect(new InetSocketAddress("10.0.70.2", server.getLocalPort()), 5000);
      assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThanOrEqualTo(Duration.ofMillis(199));
    }
  }

  // ---------------------------------------------------------------- junit.netns.netem

  @IsolatedNetNs({"x", "y"})
  @VethLink(left = "x", right = "y", subnet = "10.0.72.0/24")
  static class NeedsNetem {
    @Test
    void shapesWithDuplication(Network net) {
      net.shape("x", "y", Shaping.none().withDuplication(1));
    }
  }

  @Test
  void withoutNetemATestThatNeedsItIsSkippedWithTheReasonByDefault() {
    Netem.assumeMissing();
    EngineExecutionResults results = run(NeedsNetem.class);
    results.testEvents().assertStatistics(s -> s.started(1).aborted(1).failed(0));
    Throwable reason = results.testEvents().aborted().list().get(0)
        .getRequiredPayload(TestExecutionResult.class).getThrowable().orElseThrow();
    assertThat(reason.getMessage())
        .contains("Cannot shape eth0@y with duplicate 1%: this kernel (")
        .contains("has no netem qdisc, the kernel module sch_netem", "sudo modprobe sch_netem")
        .endsWith(" Skipped; set junit.netns.netem=require to fail instead.");
    assertThat(reason.getCause()).isInstanceOf(Shaping.NetemUnavailableException.class);
  }

  @Test
  void withNetemRequiredATestThatNeedsItFailsWhereTheKernelHasNone() {
    Netem.assumeMissing();
    EngineExecutionResults results = run(NeedsNetem.class, NetNsConfiguration.NETEM, "require");
    results.testEvents().assertStatistics(s -> s.started(1).aborted(0).failed(1));
    Throwable failure = EngineRuns.onlyFailure(results.testEvents());
    assertThat(failure).isInstanceOf(Shaping.NetemUnavailableException.class)
        .hasMessageContaining("Cannot shape eth0@y with duplicate 1%: this kernel (")
        .hasMessageContaining("sudo modprobe sch_netem");
    // A failure like any other: the network's state is attached.
    assertThat(failure.getSuppressed()).anySatisfy(report -> assertThat(report.getMessage())
        .startsWith("Network namespaces when the test failed:"));
  }
}
