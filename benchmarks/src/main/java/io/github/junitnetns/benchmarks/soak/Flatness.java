package io.github.junitnetns.benchmarks.soak;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Whether one metric stayed flat over the run. Flat means both:
 * <ol>
 *   <li>end - start &lt;= the metric's tolerance (a few descriptors or threads the JDK may add
 *       lazily, e.g. a compiler thread);</li>
 *   <li>no steady climb: the samples never go down and rise at half the steps or more, as a slow
 *       leak does even when it stays under the tolerance (not applied to RSS, which the JIT's
 *       code cache and malloc's arenas raise in steps).</li>
 * </ol>
 * The network namespaces of the whole machine are shown but not judged: other people's processes
 * come and go there.
 */
record Flatness(String key, long start, long end, long peak, int rises, int steps, long tolerance,
    boolean climbRule, boolean ok) {

  static final List<String> JUDGED = List.of("fds", "tasks", "java_threads", "netns_jvm", "rss_kb");

  static long tolerance(String key) {
    switch (key) {
      case "fds": return 8;
      case "tasks":
      case "java_threads": return 4;
      case "netns_jvm": return 2;
      case "rss_kb": return 64 * 1024;
      default: throw new IllegalArgumentException(key);
    }
  }

  static List<Flatness> judge(List<Soak.Sample> samples) {
    List<Flatness> verdicts = new ArrayList<>();
    for (String key : JUDGED) {
      long[] values = samples.stream().mapToLong(s -> s.probe().get(key)).toArray();
      long start = values[0];
      long end = values[values.length - 1];
      long peak = start;
      int rises = 0;
      boolean neverDown = true;
      for (int i = 1; i < values.length; i++) {
        peak = Math.max(peak, values[i]);
        rises += values[i] > values[i - 1] ? 1 : 0;
        neverDown &= values[i] >= values[i - 1];
      }
      int steps = values.length - 1;
      boolean climbRule = !key.equals("rss_kb");
      boolean climbing = climbRule && neverDown && end > start && 2 * rises >= steps;
      verdicts.add(new Flatness(key, start, end, peak, rises, steps, tolerance(key), climbRule,
          end - start <= tolerance(key) && !climbing));
    }
    return verdicts;
  }

  String describe() {
    return String.format(Locale.ROOT, "%-12s start %8d  end %8d  (%+d, tolerance %d)  peak %8d  rises %d/%d%s  %s",
        key, start, end, end - start, tolerance, peak, rises, steps, climbRule ? "" : " (no climb rule)",
        ok ? "flat" : "NOT FLAT");
  }
}
