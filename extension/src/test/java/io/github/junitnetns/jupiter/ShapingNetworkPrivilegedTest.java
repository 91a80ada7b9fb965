package io.github.junitnetns.jupiter;

import static io.github.junitnetns.jupiter.EngineRuns.run;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.junitnetns.NetNs;
import io.github.junitnetns.Network;
import io.github.junitnetns.Shaping;
import io.github.junitnetns.testsupport.BulkTransfer;
import io.github.junitnetns.testsupport.Netem;
import io.github.junitnetns.testsupport.Samples;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.parallel.Isolated;
import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.testkit.engine.EngineExecutionResults;

/**
 * Network.shape: a rate-limited link behaves like one; netem options abort the test where the
 * kernel has no netem (this development machine); where it has (GitHub's Ubuntu runners),
 * {@link NetemPrivilegedTest} measures their effect. {@code @Isolated}: a rate is measured against the clock, so nothing else loads the CPU;
 * each duration is the median of {@link Samples#RUNS} transfers.
 */
@Isolated
@Tag("privileged")
@IsolatedNetNs({"a", "b"})
@VethLink(left = "a", right = "b", subnet = "10.0.0.0/24")
class ShapingNetworkPrivilegedTest {
  private static final int BYTES = 1 << 20;

  /** Seconds to send {@code BYTES} from a to b over TCP. */
  private static double transfer(NetNs a, NetNs b) throws Exception {
    return BulkTransfer.seconds(a, b, "10.0.0.2", BYTES);
  }


  @Test
  void aRateLimitedLinkTakesTheTimeTheRateSays(Network net, @Ns("a") NetNs a, @Ns("b") NetNs b) throws Exception {
    transfer(a, b); // warm-up: a cold JVM and fresh neighbour entries, not the link, would dominate the first one
    Samples unshaped = Samples.of(() -> transfer(a, b));
    net.shape("a", "b", Shaping.rate("8mbit"));
    Samples shaped = Samples.of(() -> transfer(a, b));
    // On the wire each 1448-byte segment carries 66 bytes of Ethernet, IP and TCP headers.
    double expected = BYTES * (1514.0 / 1448.0) * 8 / 8_000_000;
    assertThat(shaped.median()).as("shaped %s, expected %.3f s", shaped, expected)
        .isBetween(expected * 0.9, expected * 1.1);
    assertThat(shaped.median()).as("shaped %s, unshaped %s", shaped, unshaped).isGreaterThan(10 * unshaped.median());
    net.unshape("a", "b");
    Samples again = Samples.of(() -> transfer(a, b));
    assertThat(again.median()).as("unshaped again %s", again).isLessThan(expected / 10);
  }

  @Test
  void shapingOutsideACableIsRefusedWithTheReason(Network net) {
    assertThatThrownBy(() -> net.shape("a", "a", Shaping.rate("1mbit"))).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> net.shape("a", "b", null)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("Shaping.none()");
  }

  @IsolatedNetNs({"x", "y"})
  @VethLink(left = "x", right = "y", subnet = "10.0.9.0/24")
  static class Delayed {
    @Test
    void delaysArrivals(Network net) {
      net.shape("x", "y", Shaping.delay(Duration.ofMillis(200)));
    }
  }

  /** Where the kernel has netem, NetemPrivilegedTest measures what it does; this is the refusal. */
  @Test
  void netemOptionsAbortWhereTheKernelHasNoNetem() {
    Netem.assumeMissing();
    EngineExecutionResults results;
    List<String> warnings;
    try (LogCapture log = LogCapture.of("ShapingNetworkPrivilegedTest$Delayed.")) {
      results = run(Delayed.class);
      warnings = log.messages(java.util.logging.Level.WARNING);
    }
    results.testEvents().assertStatistics(s -> s.started(1).aborted(1));
    Throwable reason = results.testEvents().aborted().list().get(0)
        .getRequiredPayload(TestExecutionResult.class).getThrowable().orElseThrow();
    assertThat(reason.getMessage())
        .contains("Cannot shape eth0@y with delay 200ms")
        .contains("no netem qdisc, the kernel module sch_netem")
        .contains("sudo modprobe sch_netem");
    assertThat(reason.getCause()).isInstanceOf(Shaping.NetemUnavailableException.class);
    // Logged once per JVM, by the first test skipped for netem: this one, or another netem test's fixture.
    assertThat(warnings).hasSizeLessThanOrEqualTo(1).allSatisfy(w -> assertThat(w)
        .startsWith("junit-netns skips the tests that need netem, io.github.junitnetns.jupiter.ShapingNetworkPrivilegedTest$Delayed.")
        .contains("first: RTM_NEWQDISC netem delay 200ms", "Cannot shape ", "sudo modprobe sch_netem", "Only this first skip is logged."));
  }
}
