package io.github.junitnetns.testsupport;

import io.github.junitnetns.Network;
import io.github.junitnetns.Shaping;
import java.time.Duration;
import org.junit.jupiter.api.Assumptions;

/**
 * Whether this kernel has netem (sch_netem), for tests with one meaning each: a test of the
 * refusal is skipped where netem exists, a test of netem's effect is skipped (or, with
 * {@code junit.netns.netem=require}, fails) where it does not. Never passed in both cases.
 */
public final class Netem {
  private static Boolean available;

  private Netem() {}

  /** Asked once per JVM, by shaping a veth of a throwaway network with a 1 ms delay. */
  public static synchronized boolean available() {
    if (available == null) {
      try (Network net = Network.builder().veth("netem1", "netem2", "10.0.127.0/30").build()) {
        net.shape("netem1", "netem2", Shaping.delay(Duration.ofMillis(1)));
        available = true;
      } catch (Shaping.NetemUnavailableException e) {
        available = false;
      }
    }
    return available;
  }

  /** Skips a test of the refusal where the kernel has netem: there it cannot be provoked. */
  public static void assumeMissing() {
    Assumptions.assumeFalse(available(), () -> "this kernel (" + System.getProperty("os.version") + ") has netem,"
        + " so its refusal cannot be provoked; the netem tests measure what it does instead");
  }

  /**
   * For tests of netem's effect that do not run under the extension: skipped with the reason
   * where the kernel has no netem, failed instead with {@code -Djunit.netns.netem=require}.
   */
  public static void assumePresent() {
    if (available()) {
      return;
    }
    String reason = "this kernel (" + System.getProperty("os.version") + ") has no netem qdisc (sch_netem)";
    if ("require".equals(System.getProperty("junit.netns.netem"))) {
      throw new AssertionError(reason + ", and junit.netns.netem=require");
    }
    Assumptions.abort(reason + "; skipped (junit.netns.netem=require fails instead)");
  }
}
