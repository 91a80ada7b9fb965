package io.github.junitnetns.benchmarks.soak;

import java.io.PrintStream;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;

/** The soak's table, then its JSON object as the very last line. */
final class SoakReport {
  private final String mode;
  private final int tests;
  private final int warmup;
  private final double seconds;
  private final List<Soak.Sample> samples;
  private final Outcomes outcomes;
  private final Outcomes warmupOutcomes;
  private final List<Flatness> verdicts;
  private final int processesStarted;
  private final List<Long> survivors;
  private final long children;
  private final Map<String, Integer> threadsOutsideHome;
  private final long heldAtEnd;

  SoakReport(String mode, int tests, int warmup, double seconds, List<Soak.Sample> samples, Outcomes outcomes,
      Outcomes warmupOutcomes, List<Flatness> verdicts, int processesStarted, List<Long> survivors, long children,
      Map<String, Integer> threadsOutsideHome, long heldAtEnd) {
    this.mode = mode;
    this.tests = tests;
    this.warmup = warmup;
    this.seconds = seconds;
    this.samples = samples;
    this.outcomes = outcomes;
    this.warmupOutcomes = warmupOutcomes;
    this.verdicts = verdicts;
    this.processesStarted = processesStarted;
    this.survivors = survivors;
    this.children = children;
    this.threadsOutsideHome = threadsOutsideHome;
    this.heldAtEnd = heldAtEnd;
  }

  void print(PrintStream out) {
    out.printf(Locale.ROOT, "junit-netns soak (%s): %d tests after %d warm-up, one JVM, sequential; %s %s, %d cores,"
            + " Java %s%n", mode, tests, warmup, System.getProperty("os.name"), System.getProperty("os.version"),
        Runtime.getRuntime().availableProcessors(), System.getProperty("java.version"));
    out.printf(Locale.ROOT, "%n  %-6s %6s %8s %6s %6s %13s %8s %10s %13s%n", "sample", "tests", "seconds", "fds",
        "tasks", "java_threads", "rss_MiB", "netns_jvm", "netns_system");
    for (Soak.Sample s : samples) {
      Probe p = s.probe();
      out.printf(Locale.ROOT, "  %-6s %6d %8.1f %6d %6d %13d %8.1f %10d %13d%n", s.label(), s.tests(), s.seconds(),
          p.fds(), p.tasks(), p.javaThreads(), p.rssKb() / 1024.0, p.netnsJvm(), p.netnsSystem());
    }

    out.printf(Locale.ROOT, "  right after the last test of a sample, before settling (max over the samples): %s%n",
        Probe.KEYS.stream().filter(k -> !k.equals("rss_kb") && !k.equals("netns_system"))
            .map(k -> k + " " + inFlightPeak(k)).collect(Collectors.joining(", ")));

    out.printf(Locale.ROOT, "%n  %-24s %-30s %6s %7s %7s %8s %11s %13s %12s%n", "category", "expected", "tests",
        "passed", "failed", "aborted", "unexpected", "teardown p50", "teardown max");
    for (Map.Entry<String, Outcomes.Counts> e : outcomes.byKey().entrySet()) {
      Outcomes.Counts c = e.getValue();
      out.printf(Locale.ROOT, "  %-24s %-30s %6d %7d %7d %8d %11d %10.2f ms %9.2f ms%n", e.getKey(), expected(c),
          c.tests, c.succeeded, c.failed, c.aborted, c.unexpected, percentile(c.teardownMillis, 0.5),
          percentile(c.teardownMillis, 1.0));
    }
    List<Double> teardown = outcomes.teardownMillis();
    out.printf(Locale.ROOT, "%n  teardown (end of body to test finished, after-each callbacks included), all %d tests:"
            + " p50 %.2f ms, p90 %.2f ms, p99 %.2f ms, max %.2f ms%n", teardown.size(), percentile(teardown, 0.5),
        percentile(teardown, 0.9), percentile(teardown, 0.99), percentile(teardown, 1.0));
    out.printf(Locale.ROOT, "  throughput: %.1f tests/s%n", tests / seconds);
    out.printf(Locale.ROOT, "  processes started with NetNs.exec: %d, still alive after their test: %d%s%n",
        processesStarted, survivors.size(), survivors.isEmpty() ? "" : " " + survivors);
    out.printf(Locale.ROOT, "  child processes of this JVM at the end, besides the exec watchdog: %d%n", children);
    out.printf(Locale.ROOT, "  namespaces this JVM still holds at the end besides its own: %d%n", heldAtEnd);
    out.printf(Locale.ROOT, "  threads outside the JVM's namespace at the end: %s%n",
        threadsOutsideHome.isEmpty() ? "none" : threadsOutsideHome);
    for (String example : outcomes.unexpectedExamples()) {
      out.println("  UNEXPECTED: " + example);
    }
    for (String example : warmupOutcomes.unexpectedExamples()) {
      out.println("  UNEXPECTED in the warm-up: " + example);
    }
    out.println();
    out.println("  flat = end - start <= tolerance, and no steady climb (never down, up at half the steps or more):");
    for (Flatness verdict : verdicts) {
      out.println("  " + verdict.describe());
    }
    out.println(json());
  }

  private String json() {
    StringBuilder json = new StringBuilder("{");
    json.append(String.format(Locale.ROOT, "\"mode\":\"%s\",\"tests\":%d,\"warmup\":%d,\"seconds\":%.1f,", mode, tests,
        warmup, seconds));
    json.append("\"start\":").append(probe(samples.get(0).probe())).append(',');
    json.append("\"end\":").append(probe(samples.get(samples.size() - 1).probe())).append(',');
    json.append("\"in_flight_peak\":").append(Probe.KEYS.stream().filter(k -> !k.equals("netns_system"))
        .map(k -> "\"" + k + "\":" + inFlightPeak(k)).collect(Collectors.joining(",", "{", "}"))).append(',');
    json.append("\"flat\":{").append(verdicts.stream()
        .map(v -> "\"" + v.key() + "\":" + v.ok()).collect(Collectors.joining(","))).append("},");
    json.append("\"outcomes\":{").append(outcomes.byKey().entrySet().stream()
        .map(e -> String.format(Locale.ROOT, "\"%s\":{\"tests\":%d,\"passed\":%d,\"failed\":%d,\"aborted\":%d,"
                + "\"unexpected\":%d}", e.getKey(), e.getValue().tests, e.getValue().succeeded, e.getValue().failed,
            e.getValue().aborted, e.getValue().unexpected))
        .collect(Collectors.joining(","))).append("},");
    List<Double> teardown = outcomes.teardownMillis();
    json.append(String.format(Locale.ROOT, "\"teardown_ms\":{\"p50\":%.3f,\"p90\":%.3f,\"p99\":%.3f,\"max\":%.3f},",
        percentile(teardown, 0.5), percentile(teardown, 0.9), percentile(teardown, 0.99), percentile(teardown, 1.0)));
    json.append(String.format(Locale.ROOT, "\"unexpected\":%d,\"warmup_unexpected\":%d,\"exec_survivors\":%d,"
            + "\"children_at_end\":%d,\"threads_outside_home_at_end\":%d,\"netns_held_at_end\":%d,",
        outcomes.unexpectedCount(), warmupOutcomes.unexpectedCount(), survivors.size(), children,
        threadsOutsideHome.values().stream().mapToInt(Integer::intValue).sum(), heldAtEnd));
    boolean ok = verdicts.stream().allMatch(Flatness::ok) && outcomes.unexpectedCount() == 0
        && warmupOutcomes.unexpectedCount() == 0 && survivors.isEmpty() && children == 0 && heldAtEnd == 0;
    json.append("\"ok\":").append(ok).append('}');
    return json.toString();
  }

  private long inFlightPeak(String key) {
    return samples.stream().mapToLong(s -> s.inFlight().get(key)).max().orElseThrow();
  }

  private static String probe(Probe p) {
    return Probe.KEYS.stream().map(k -> "\"" + k + "\":" + p.get(k)).collect(Collectors.joining(",", "{", "}"));
  }

  private static String expected(Outcomes.Counts c) {
    switch (c.expect.value()) {
      case PASS: return "pass";
      case PASS_OR_FAIL: return "pass or fail";
      default: return "fail: " + c.expect.failure().getSimpleName();
    }
  }

  private static double percentile(List<Double> samples, double p) {
    if (samples.isEmpty()) {
      return Double.NaN;
    }
    double[] sorted = samples.stream().mapToDouble(Double::doubleValue).sorted().toArray();
    int rank = (int) Math.ceil(p * sorted.length);
    return sorted[Math.max(0, Math.min(sorted.length - 1, rank - 1))];
  }
}
