package io.github.junitnetns.jupiter;

import static io.github.junitnetns.jupiter.EngineRuns.run;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.junitnetns.Link;
import io.github.junitnetns.NetNs;
import io.github.junitnetns.testsupport.BulkTransfer;
import io.github.junitnetns.testsupport.Netem;
import io.github.junitnetns.testsupport.Samples;
import io.github.junitnetns.Network;
import io.github.junitnetns.Shaping;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.parallel.Isolated;
import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.testkit.engine.EngineExecutionResults;

/**
 * Network.shape on a bridge: only the named sender's traffic to the named receiver is shaped,
 * each pair on its own, IPv4 and IPv6; the other members' traffic passes at full speed.
 * {@code @Isolated}: rates are measured against the clock, so nothing else loads the CPU; each
 * duration is the median of {@link Samples#RUNS} transfers.
 */
@Isolated
@Tag("privileged")
@IsolatedNetNs({"n1", "n2", "n3"})
@Bridge(name = "lan", members = {"n1", "n2", "n3"}, subnet = "10.0.1.0/24")
class ShapingBridgePrivilegedTest {
  private static final int BYTES = 1 << 20;

  /**
   * Seconds that {@code BYTES} take on the wire at {@code bitsPerSecond}: each full segment
   * carries 1514 bytes of frame, of which 66 (IPv4) or 86 (IPv6) are Ethernet, IP and TCP headers
   * with timestamps.
   */
  private static double expected(long bitsPerSecond, boolean ipv6) {
    double payload = ipv6 ? 1428.0 : 1448.0;
    return BYTES * (1514.0 / payload) * 8 / bitsPerSecond;
  }

  private static double transfer(NetNs from, NetNs to, String address) throws Exception {
    return BulkTransfer.seconds(from, to, address, BYTES);
  }


  private static CompletableFuture<Double> transferAsync(ExecutorService pool, NetNs from, NetNs to, String address) {
    return CompletableFuture.supplyAsync(() -> {
      try {
        return transfer(from, to, address);
      } catch (Exception e) {
        throw new java.util.concurrent.CompletionException(e);
      }
    }, pool);
  }

  private static String tc(NetNs ns, String command) throws Exception {
    Process tc = ns.exec("sh", "-c", command);
    String out = new String(tc.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
    assertThat(tc.waitFor()).isZero();
    return out;
  }

  /**
   * One untimed transfer from each sender first, so that no measurement pays for a cold JVM or
   * for a just-created link whose carrier the kernel has not switched on yet (both seen to cost
   * 0.1 s to 1 s on the first connection, with or without shaping).
   */
  private static void warmUp(NetNs to, String address, NetNs... senders) throws Exception {
    for (NetNs sender : senders) {
      transfer(sender, to, address);
    }
  }

  private static List<String> ifbs(NetNs ns) {
    return ns.links().stream().map(Link::name).filter(name -> name.startsWith("ifb")).toList();
  }

  @Test
  void onlyTheShapedMembersTrafficIsSlowed(Network net, @Ns("n1") NetNs n1, @Ns("n2") NetNs n2,
      @Ns("n3") NetNs n3) throws Exception {
    warmUp(n3, "10.0.1.3", n1, n2);
    Samples unshaped = Samples.of(() -> transfer(n1, n3, "10.0.1.3"));
    net.shape("n1", "n3", Shaping.rate("8mbit"));
    double expected = expected(8_000_000, false);
    Samples shaped = new Samples();
    Samples meanwhile = new Samples();
    ExecutorService pool = Executors.newFixedThreadPool(2);
    try {
      for (int run = 0; run < Samples.RUNS; run++) {
        CompletableFuture<Double> slow = transferAsync(pool, n1, n3, "10.0.1.3");
        meanwhile.add(transfer(n2, n3, "10.0.1.3"));          // while n1's transfer crawls
        shaped.add(slow.get());
      }
      Samples after = Samples.of(() -> transfer(n2, n3, "10.0.1.3"));
      assertThat(shaped.median()).as("n1->n3 shaped %s, expected %.3f s", shaped, expected)
          .isBetween(expected * 0.9, expected * 1.1);
      assertThat(shaped.median()).as("n1->n3 unshaped %s", unshaped).isGreaterThan(10 * unshaped.median());
      assertThat(meanwhile.median()).as("n2->n3 during n1's shaped transfer: %s", meanwhile)
          .isLessThan(shaped.median() / 10);
      assertThat(after.median()).as("n2->n3 after: %s", after).isLessThan(shaped.median() / 10);
    } finally {
      pool.shutdownNow();
    }
    assertThat(ifbs(n3)).hasSize(1);
    assertThat(ifbs(n1)).isEmpty();

    net.unshape("n1", "n3");
    Samples again = Samples.of(() -> transfer(n1, n3, "10.0.1.3"));
    assertThat(again.median()).as("n1->n3 after unshape: %s", again).isLessThan(expected / 10);
    assertThat(ifbs(n3)).as("unshape removes the ifb").isEmpty();
    net.unshape("n1", "n3"); // harmless when there is nothing
  }

  @Test
  void twoSendersToOneReceiverAreShapedEachOnItsOwn(Network net, @Ns("n1") NetNs n1, @Ns("n2") NetNs n2,
      @Ns("n3") NetNs n3) throws Exception {
    warmUp(n3, "10.0.1.3", n1, n2);
    net.shape("n1", "n3", Shaping.rate("8mbit"));
    net.shape("n2", "n3", Shaping.rate("16mbit"));
    double expected1 = expected(8_000_000, false);
    double expected2 = expected(16_000_000, false);
    Samples seconds1 = new Samples();
    Samples seconds2 = new Samples();
    ExecutorService pool = Executors.newFixedThreadPool(2);
    try {
      for (int run = 0; run < Samples.RUNS; run++) {
        CompletableFuture<Double> first = transferAsync(pool, n1, n3, "10.0.1.3");
        CompletableFuture<Double> second = transferAsync(pool, n2, n3, "10.0.1.3");
        seconds1.add(first.get());
        seconds2.add(second.get());
      }
      assertThat(seconds1.median()).as("n1->n3 at 8mbit: %s", seconds1).isBetween(expected1 * 0.9, expected1 * 1.1);
      assertThat(seconds2.median()).as("n2->n3 at 16mbit: %s", seconds2).isBetween(expected2 * 0.9, expected2 * 1.1);
    } finally {
      pool.shutdownNow();
    }
    assertThat(ifbs(n3)).hasSize(2);

    net.unshape("n1", "n3");
    Samples fast = Samples.of(() -> transfer(n1, n3, "10.0.1.3"));
    Samples stillShaped = Samples.of(() -> transfer(n2, n3, "10.0.1.3"));
    assertThat(fast.median()).as("n1->n3 unshaped: %s", fast).isLessThan(expected1 / 10);
    assertThat(stillShaped.median()).as("n2->n3 keeps its shaping: %s", stillShaped)
        .isBetween(expected2 * 0.9, expected2 * 1.1);
    assertThat(ifbs(n3)).hasSize(1);
    net.shape("n2", "n3", Shaping.none());
    assertThat(ifbs(n3)).isEmpty();
  }

  @Test
  @Bridge(name = "lan6", members = {"n1", "n2", "n3"}, subnet = "fd00::/64")
  void ipv6SendersAreToldApartToo(Network net, @Ns("n1") NetNs n1, @Ns("n2") NetNs n2, @Ns("n3") NetNs n3)
      throws Exception {
    assertThat(n3.link("eth1").orElseThrow().addresses()).extracting(Link.Address::toString).contains("fd00::3/64");
    warmUp(n3, "fd00::3", n1, n2);
    net.shape("n1", "n3", Shaping.rate("8mbit"));
    double expected = expected(8_000_000, true);
    Samples shaped = Samples.of(() -> transfer(n1, n3, "fd00::3"));
    Samples other = Samples.of(() -> transfer(n2, n3, "fd00::3"));
    assertThat(shaped.median()).as("n1->n3 over IPv6: %s", shaped).isBetween(expected * 0.9, expected * 1.1);
    assertThat(other.median()).as("n2->n3 over IPv6: %s", other).isLessThan(shaped.median() / 10);
    assertThat(ifbs(n3)).as("one ifb per interface of n3 on a medium shared with n1").hasSize(2);
    // Cross-checked with tc: n1's source addresses, IPv4 and IPv6, each in a filter of its protocol
    assertThat(tc(n3, "tc filter show dev eth1 ingress"))
        .contains("filter protocol ip pref 6 u32", "match 0a000101/ffffffff at 12")
        .contains("filter protocol ipv6 pref 7 u32", "match fd000000/ffffffff at 8",
            "match 00000000/ffffffff at 12", "match 00000000/ffffffff at 16", "match 00000001/ffffffff at 20")
        .contains("mirred (Egress Redirect to device ifb");
    net.unshape("n1", "n3");
    Samples unshaped = Samples.of(() -> transfer(n1, n3, "fd00::3"));
    assertThat(unshaped.median()).as("n1->n3 over IPv6 after unshape: %s", unshaped).isLessThan(expected / 10);
    assertThat(ifbs(n3)).isEmpty();
  }

  @Test
  @IsolatedNetNs("loner")
  void namespacesWithoutACommonCableOrBridgeAreRefusedWithTheReason(Network net, @Ns("loner") NetNs loner) {
    assertThatThrownBy(() -> net.shape("n1", "loner", Shaping.rate("8mbit")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("share no @VethLink or @Bridge");
    assertThat(ifbs(loner)).isEmpty();
  }

  @IsolatedNetNs({"z1", "z2", "z3"})
  @Bridge(name = "lan", members = {"z1", "z2", "z3"}, subnet = "10.0.8.0/24")
  static class DelayedOnABridge {
    static volatile List<String> ifbsAfterRefusal;

    @Test
    void delaysArrivalsFromOneMember(Network net, @Ns("z3") NetNs z3) {
      try {
        net.shape("z1", "z3", Shaping.delay(Duration.ofMillis(200)));
      } catch (Shaping.NetemUnavailableException e) {
        ifbsAfterRefusal = ifbs(z3);
        throw e;
      }
    }
  }

  /** Where the kernel has netem, NetemPrivilegedTest measures a bridge member's delay; this is the refusal. */
  @Test
  void netemOnABridgeAbortsWhereTheKernelHasNoNetemAndLeavesNothingBehind() {
    Netem.assumeMissing();
    DelayedOnABridge.ifbsAfterRefusal = null;
    EngineExecutionResults results;
    List<String> warnings;
    try (LogCapture log = LogCapture.of("ShapingBridgePrivilegedTest$DelayedOnABridge.")) {
      results = run(DelayedOnABridge.class);
      warnings = log.messages(java.util.logging.Level.WARNING);
    }
    results.testEvents().assertStatistics(s -> s.started(1).aborted(1));
    Throwable reason = results.testEvents().aborted().list().get(0)
        .getRequiredPayload(TestExecutionResult.class).getThrowable().orElseThrow();
    assertThat(reason.getMessage())
        .contains("Cannot shape eth0@z3 with delay 200ms")
        .contains("no netem qdisc, the kernel module sch_netem")
        .contains("sudo modprobe sch_netem");
    assertThat(reason.getCause()).isInstanceOf(Shaping.NetemUnavailableException.class);
    // Logged once per JVM, by the first test skipped for netem: this one, or another netem test's fixture.
    assertThat(warnings).hasSizeLessThanOrEqualTo(1).allSatisfy(w -> assertThat(w)
        .startsWith("junit-netns skips the tests that need netem, io.github.junitnetns.jupiter.ShapingBridgePrivilegedTest$DelayedOnABridge.")
        .contains("first: RTM_NEWQDISC netem delay 200ms", "Cannot shape ", "sudo modprobe sch_netem", "Only this first skip is logged."));
    assertThat(DelayedOnABridge.ifbsAfterRefusal).as("ifbs left in z3 after the refusal").isEmpty();
  }
}
