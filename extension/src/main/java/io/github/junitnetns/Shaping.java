package io.github.junitnetns;

import io.github.junitnetns.internal.netlink.Tc;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Duration;
import java.util.Locale;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * How a link misbehaves: a rate limit, a delay with jitter, and random loss, duplication,
 * reordering and corruption. An immutable value; every {@code with...} returns a new one.
 *
 * <pre>{@code
 * net.shape("client", "server", Shaping.rate("8mbit"));                       // a slow uplink
 * net.shape("client", "server", Shaping.delay(Duration.ofMillis(50))
 *     .withJitter(Duration.ofMillis(5))
 *     .withLoss(1));                                                           // a bad Wi-Fi
 * net.shape("client", "server", Shaping.none());                              // unshaped again
 * }</pre>
 *
 * <p>Rates use the units of {@code tc(8)}: {@code bit} (or a bare number), {@code kbit},
 * {@code mbit}, {@code gbit}, {@code tbit} are bits per second; {@code bps}, {@code kbps},
 * {@code mbps}, {@code gbps}, {@code tbps} are <em>bytes</em> per second; {@code kibit},
 * {@code mibit}, ... and {@code kibps}, {@code mibps}, ... are their powers of 1024.
 *
 * <p>A rate is enforced with the kernel's token bucket filter (sch_tbf), present on every usual
 * kernel. Random loss without the netem options is done by nf_tables where the packets arrive
 * ({@code numgen random}, counted), also on kernels without netem; with a rate, a packet first
 * passes the rate limit and is then lost or not, so the rate caps what is sent and the loss thins
 * it. Delay, jitter, duplication, reordering and corruption need netem (the sch_netem module),
 * which then does the loss too: where the kernel lacks it, asking for them fails with a message
 * that says so. {@link #needsNetem()} tells which it is.
 * {@link #toString()} reads like the {@code tc} options, e.g. {@code rate 8mbit delay 50ms jitter 5ms loss 1%}.
 */
public final class Shaping {
  private static final Shaping NONE = new Shaping(0, Duration.ZERO, Duration.ZERO, 0, 0, 0, 0);
  private static final Pattern RATE = Pattern.compile("\\s*([0-9]+(?:\\.[0-9]+)?|\\.[0-9]+)\\s*([A-Za-z]*)\\s*");
  // netem caps jitter at INT_MAX nanoseconds (net/sched/sch_netem.c, netem_change).
  private static final Duration MAX_JITTER = Duration.ofNanos(Integer.MAX_VALUE);
  private static final long MIN_RATE_BITS = 8; // tbf and netem count in bytes per second

  private final long rateBitsPerSecond;
  private final Duration delay;
  private final Duration jitter;
  private final double lossPercent;
  private final double duplicationPercent;
  private final double reorderingPercent;
  private final double corruptionPercent;

  private Shaping(long rateBitsPerSecond, Duration delay, Duration jitter, double lossPercent,
      double duplicationPercent, double reorderingPercent, double corruptionPercent) {
    this.rateBitsPerSecond = rateBitsPerSecond;
    this.delay = delay;
    this.jitter = jitter;
    this.lossPercent = lossPercent;
    this.duplicationPercent = duplicationPercent;
    this.reorderingPercent = reorderingPercent;
    this.corruptionPercent = corruptionPercent;
  }

  /** No shaping at all: applying it removes any shaping from the link. */
  public static Shaping none() {
    return NONE;
  }

  /** A rate limit in {@code tc} units, e.g. {@code "8mbit"}, {@code "100kbit"}, {@code "500kbps"} (bytes). */
  public static Shaping rate(String rate) {
    return NONE.withRate(parseRate(rate, "rate"), "rate(\"" + rate + "\")");
  }

  /** A rate limit in bits per second, e.g. {@code Shaping.rate(8_000_000)} for 8 Mbit/s. */
  public static Shaping rate(long bitsPerSecond) {
    return NONE.withRate(bitsPerSecond, "rate(" + bitsPerSecond + ")");
  }

  /** A fixed delay added to every packet, e.g. {@code Shaping.delay(Duration.ofMillis(50))}. Needs netem. */
  public static Shaping delay(Duration delay) {
    return NONE.withDelay(delay, "delay");
  }

  /**
   * {@code percent} % of packets dropped at random, e.g. {@code Shaping.loss(20)}: without netem
   * (nf_tables drops them where they arrive), so it works on kernels without sch_netem.
   */
  public static Shaping loss(double percent) {
    return new Shaping(0, Duration.ZERO, Duration.ZERO, percent(percent, "loss", "loss"), 0, 0, 0);
  }

  /** This shaping with a rate limit in {@code tc} units instead of the current one. */
  public Shaping withRate(String rate) {
    return withRate(parseRate(rate, "withRate"), "withRate(\"" + rate + "\")");
  }

  /** This shaping with a rate limit in bits per second instead of the current one. */
  public Shaping withRate(long bitsPerSecond) {
    return withRate(bitsPerSecond, "withRate(" + bitsPerSecond + ")");
  }

  private Shaping withRate(long bits, String call) {
    if (bits < MIN_RATE_BITS) {
      throw new IllegalArgumentException("Shaping." + call + ": a rate must be at least 8 bits (1 byte) per second;"
          + " give e.g. \"8mbit\" or 8_000_000, or use Shaping.none() for no limit");
    }
    return new Shaping(bits, delay, jitter, lossPercent, duplicationPercent, reorderingPercent, corruptionPercent);
  }

  /** This shaping with a fixed delay on every packet; {@link Duration#ZERO} removes it. Needs netem. */
  public Shaping withDelay(Duration delay) {
    return withDelay(delay, "withDelay");
  }

  private Shaping withDelay(Duration delay, String method) {
    requireDuration(delay, method, "Duration.ofMillis(50)");
    if (delay.isZero() && !jitter.isZero()) {
      throw new IllegalArgumentException("Shaping." + method + "(" + delay + "): this shaping has a jitter of " + format(jitter)
          + ", which varies the delay; keep a delay, or remove the jitter with withJitter(Duration.ZERO) first");
    }
    if (delay.isZero() && reorderingPercent > 0) {
      throw new IllegalArgumentException("Shaping." + method + "(" + delay + "): this shaping reorders packets, which"
          + " works by sending some ahead of the delayed ones; keep a delay, or remove it with withReordering(0) first");
    }
    return new Shaping(rateBitsPerSecond, delay, jitter, lossPercent, duplicationPercent, reorderingPercent,
        corruptionPercent);
  }

  /**
   * This shaping with the delay varying by up to {@code jitter} either way (uniformly), like
   * {@code tc ... netem delay 50ms 5ms}. Needs a delay: {@code Shaping.delay(d).withJitter(j)}.
   */
  public Shaping withJitter(Duration jitter) {
    requireDuration(jitter, "withJitter", "Duration.ofMillis(5)");
    if (!jitter.isZero() && delay.isZero()) {
      throw new IllegalArgumentException("Shaping.withJitter(" + jitter + "): jitter varies a delay, and this shaping"
          + " has none; set the delay first, e.g. Shaping.delay(Duration.ofMillis(50)).withJitter(Duration.ofMillis(5))");
    }
    if (jitter.compareTo(MAX_JITTER) > 0) {
      throw new IllegalArgumentException("Shaping.withJitter(" + jitter + "): netem cannot vary a delay by more than"
          + " 2.147 s; give a smaller jitter");
    }
    return new Shaping(rateBitsPerSecond, delay, jitter, lossPercent, duplicationPercent, reorderingPercent,
        corruptionPercent);
  }

  /**
   * This shaping with {@code percent} % of packets dropped at random, e.g. {@code withLoss(1.5)}.
   * Alone or with a rate it needs no netem (nf_tables drops them); with any netem option netem does it.
   */
  public Shaping withLoss(double percent) {
    return new Shaping(rateBitsPerSecond, delay, jitter, percent(percent, "withLoss", "loss"), duplicationPercent,
        reorderingPercent, corruptionPercent);
  }

  /** This shaping with {@code percent} % of packets sent twice. Needs netem. */
  public Shaping withDuplication(double percent) {
    return new Shaping(rateBitsPerSecond, delay, jitter, lossPercent, percent(percent, "withDuplication", "duplication"),
        reorderingPercent, corruptionPercent);
  }

  /**
   * This shaping with {@code percent} % of packets sent at once, overtaking the delayed rest, like
   * {@code tc ... netem delay 10ms reorder 25%}. Needs a delay and netem.
   */
  public Shaping withReordering(double percent) {
    double value = percent(percent, "withReordering", "reordering");
    if (value > 0 && delay.isZero()) {
      throw new IllegalArgumentException("Shaping.withReordering(" + percent + "): packets are reordered by sending"
          + " some at once while the rest wait out the delay, and this shaping has no delay; set one first, e.g."
          + " Shaping.delay(Duration.ofMillis(10)).withReordering(" + percent + ")");
    }
    return new Shaping(rateBitsPerSecond, delay, jitter, lossPercent, duplicationPercent, value, corruptionPercent);
  }

  /** This shaping with a random bit flipped in {@code percent} % of packets. Needs netem. */
  public Shaping withCorruption(double percent) {
    return new Shaping(rateBitsPerSecond, delay, jitter, lossPercent, duplicationPercent, reorderingPercent,
        percent(percent, "withCorruption", "corruption"));
  }

  /** The rate limit in bits per second, or 0 when the rate is not limited. */
  public long rateBitsPerSecond() {
    return rateBitsPerSecond;
  }

  /** Whether there is a rate limit. */
  public boolean hasRate() {
    return rateBitsPerSecond > 0;
  }

  /** The delay added to every packet; zero when none. */
  public Duration delay() {
    return delay;
  }

  /** How much the delay varies either way; zero when it does not. */
  public Duration jitter() {
    return jitter;
  }

  /** The share of packets dropped, in percent (0 to 100). */
  public double lossPercent() {
    return lossPercent;
  }

  /** The share of packets duplicated, in percent (0 to 100). */
  public double duplicationPercent() {
    return duplicationPercent;
  }

  /** The share of packets sent ahead of the delayed ones, in percent (0 to 100). */
  public double reorderingPercent() {
    return reorderingPercent;
  }

  /** The share of packets corrupted, in percent (0 to 100). */
  public double corruptionPercent() {
    return corruptionPercent;
  }

  /** Whether this needs the kernel's netem: a delay, jitter, duplication, reordering or corruption (not a rate or a loss). */
  public boolean needsNetem() {
    return !delay.isZero() || duplicationPercent > 0 || reorderingPercent > 0 || corruptionPercent > 0;
  }

  /** Whether this shapes nothing, like {@link #none()}. */
  public boolean isNone() {
    return rateBitsPerSecond == 0 && lossPercent == 0 && !needsNetem();
  }

  @Override
  public boolean equals(Object other) {
    if (!(other instanceof Shaping)) {
      return false;
    }
    Shaping that = (Shaping) other;
    return rateBitsPerSecond == that.rateBitsPerSecond && delay.equals(that.delay) && jitter.equals(that.jitter)
        && Double.compare(lossPercent, that.lossPercent) == 0
        && Double.compare(duplicationPercent, that.duplicationPercent) == 0
        && Double.compare(reorderingPercent, that.reorderingPercent) == 0
        && Double.compare(corruptionPercent, that.corruptionPercent) == 0;
  }

  @Override
  public int hashCode() {
    return Objects.hash(rateBitsPerSecond, delay, jitter, lossPercent, duplicationPercent, reorderingPercent,
        corruptionPercent);
  }

  /** In {@code tc} words, e.g. {@code rate 8mbit delay 50ms jitter 5ms loss 1%}; {@code none} for no shaping. */
  @Override
  public String toString() {
    if (isNone()) {
      return "none";
    }
    StringBuilder out = new StringBuilder();
    if (hasRate()) {
      out.append(" rate ").append(Tc.formatRate(rateBitsPerSecond));
    }
    if (!delay.isZero()) {
      out.append(" delay ").append(format(delay));
    }
    if (!jitter.isZero()) {
      out.append(" jitter ").append(format(jitter));
    }
    appendPercent(out, "loss", lossPercent);
    appendPercent(out, "duplicate", duplicationPercent);
    appendPercent(out, "reorder", reorderingPercent);
    appendPercent(out, "corrupt", corruptionPercent);
    return out.substring(1);
  }

  // ---- parsing and formatting ----

  private static long parseRate(String text, String method) {
    String fix = "; give a number and a tc unit, e.g. \"8mbit\", \"100kbit\", \"1gbit\" or \"500kbps\" (bytes per second)";
    if (text == null) {
      throw new IllegalArgumentException("Shaping." + method + "(null): no rate" + fix);
    }
    Matcher m = RATE.matcher(text);
    if (!m.matches()) {
      throw new IllegalArgumentException("Shaping." + method + "(\"" + text + "\"): not a rate" + fix);
    }
    BigDecimal factor = unitInBits(m.group(2).toLowerCase(Locale.ROOT));
    if (factor == null) {
      throw new IllegalArgumentException("Shaping." + method + "(\"" + text + "\"): unknown unit \"" + m.group(2) + "\""
          + fix);
    }
    BigDecimal bits = new BigDecimal(m.group(1)).multiply(factor).setScale(0, RoundingMode.HALF_UP);
    if (bits.compareTo(BigDecimal.valueOf(Long.MAX_VALUE)) > 0) {
      throw new IllegalArgumentException("Shaping." + method + "(\"" + text + "\"): too large for a rate" + fix);
    }
    return bits.longValueExact();
  }

  /** Bits per unit, after tc(8) "RATES"; null when the unit is unknown. */
  private static BigDecimal unitInBits(String unit) {
    boolean bytes = unit.endsWith("bps");
    String prefix;
    if (unit.isEmpty()) {
      return BigDecimal.ONE;
    } else if (bytes) {
      prefix = unit.substring(0, unit.length() - 3);
    } else if (unit.endsWith("bit")) {
      prefix = unit.substring(0, unit.length() - 3);
    } else {
      return null;
    }
    BigDecimal multiplier;
    switch (prefix) {
      case "": multiplier = BigDecimal.ONE; break;
      case "k": multiplier = BigDecimal.TEN.pow(3); break;
      case "m": multiplier = BigDecimal.TEN.pow(6); break;
      case "g": multiplier = BigDecimal.TEN.pow(9); break;
      case "t": multiplier = BigDecimal.TEN.pow(12); break;
      case "ki": multiplier = BigDecimal.valueOf(1024); break;
      case "mi": multiplier = BigDecimal.valueOf(1024).pow(2); break;
      case "gi": multiplier = BigDecimal.valueOf(1024).pow(3); break;
      case "ti": multiplier = BigDecimal.valueOf(1024).pow(4); break;
      default: return null;
    }
    return bytes ? multiplier.multiply(BigDecimal.valueOf(8)) : multiplier;
  }

  /** The largest tc time unit that states it exactly: {@code 2s}, {@code 50ms}, {@code 250us}, {@code 10ns}. */
  private static String format(Duration duration) {
    long nanos = duration.toNanos();
    if (nanos % 1_000_000_000L == 0) {
      return nanos / 1_000_000_000L + "s";
    } else if (nanos % 1_000_000L == 0) {
      return nanos / 1_000_000L + "ms";
    } else if (nanos % 1_000L == 0) {
      return nanos / 1_000L + "us";
    }
    return nanos + "ns";
  }

  private static void appendPercent(StringBuilder out, String word, double percent) {
    if (percent > 0) {
      out.append(' ').append(word).append(' ')
          .append(BigDecimal.valueOf(percent).stripTrailingZeros().toPlainString()).append('%');
    }
  }

  private static void requireDuration(Duration value, String method, String example) {
    if (value == null) {
      throw new IllegalArgumentException("Shaping." + method + "(null): give a duration, e.g. " + example
          + ", or Duration.ZERO for none");
    }
    if (value.isNegative()) {
      throw new IllegalArgumentException("Shaping." + method + "(" + value + "): a negative duration cannot be"
          + " waited; give zero or more, e.g. " + example);
    }
    try {
      value.toNanos();
    } catch (ArithmeticException e) {
      throw new IllegalArgumentException("Shaping." + method + "(" + value + "): too long to count in nanoseconds;"
          + " give a shorter duration, e.g. " + example, e);
    }
  }

  private static double percent(double value, String method, String what) {
    if (Double.isNaN(value) || value < 0 || value > 100) {
      throw new IllegalArgumentException("Shaping." + method + "(" + value + "): the " + what + " is a percentage"
          + " from 0 to 100, e.g. " + method + "(1.5) for 1.5%");
    }
    return value + 0.0; // -0.0 becomes 0.0, so that equals() and hashCode() agree
  }

  /**
   * The kernel has no netem qdisc (module {@code sch_netem}), which every option but the rate and the loss
   * needs. The JUnit extension reports a test that hits this as aborted (skipped), not failed.
   */
  public static final class NetemUnavailableException extends NetNsException {
    private static final long serialVersionUID = 1L;

    NetemUnavailableException(NetNsException cause, String message) {
      super(cause.operation(), cause.object(), cause.errno(), message);
      initCause(cause);
    }
  }
}
