package io.github.junitnetns.testsupport;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * Repeat a timed measurement and take the median, for the few tests that hold a duration against a
 * window (a shaped link's rate). A single run on a loaded 2-core machine can be slowed by anything
 * (a GC pause, the kernel reclaiming namespaces, a retransmission); the median of {@value #RUNS}
 * is not moved by one such outlier. Such tests are {@code @Isolated} as well, so that nothing else
 * in the JVM loads the CPU meanwhile. Figures about speed come from ./benchmarks/run, not from
 * here.
 */
public final class Samples {
  /** Runs per measurement: odd, so that the median is one of them. */
  public static final int RUNS = 3;

  private final List<Double> values = new ArrayList<>();

  /** One timed run: seconds. */
  @FunctionalInterface
  public interface Measurement {
    double seconds() throws Exception;
  }

  /** {@code measurement} run {@value #RUNS} times, one after the other. */
  public static Samples of(Measurement measurement) throws Exception {
    Samples samples = new Samples();
    for (int i = 0; i < RUNS; i++) {
      samples.add(measurement.seconds());
    }
    return samples;
  }

  /** Empty; for measurements taken in pairs, each added to its own {@code Samples}. */
  public Samples() {}

  public void add(double seconds) {
    values.add(seconds);
  }

  public double median() {
    if (values.isEmpty()) {
      throw new IllegalStateException("no samples");
    }
    double[] sorted = values.stream().mapToDouble(Double::doubleValue).sorted().toArray();
    int n = sorted.length;
    return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
  }

  /** E.g. "median 1.104 s of [1.101, 1.104, 1.236]": every run, for the assertion's message. */
  @Override
  public String toString() {
    return String.format(Locale.ROOT, "median %.4f s of [%s]", median(),
        values.stream().map(v -> String.format(Locale.ROOT, "%.4f", v)).collect(Collectors.joining(", ")));
  }
}
