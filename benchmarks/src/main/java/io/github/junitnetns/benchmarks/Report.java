package io.github.junitnetns.benchmarks;

import io.github.junitnetns.benchmarks.fixtures.Fixtures;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * Reads the samples files of one run and prints a table, then, as the last line, one JSON object
 * with each key's median, p90 and mean in milliseconds, and says which figures are over the bar.
 */
final class Report {
  /** The extension's overhead may be at most this many times the C figure (docs/performance.md, "The bar"). */
  static final double BAR = 1.5;
  /** On the critical path of a test with a body (the busy scenarios), the median stays below the C figure. */
  static final double CRITICAL_BAR = 1.0;

  private final Path dir;
  private final PrintStream out;
  private final Map<String, Double> json = new LinkedHashMap<>();
  private final List<String> verdicts = new ArrayList<>();
  private final List<String> over = new ArrayList<>();

  Report(Path dir, PrintStream out) {
    this.dir = dir;
    this.out = out;
  }

  /** Prints the report; returns the figures over the bar, as "key median" or "key mean" (empty when none). */
  List<String> print() throws IOException {
    out.printf(Locale.ROOT, "junit-netns benchmarks: %s %s %s, %d cores, Java %s, JUnit Jupiter %s%n",
        System.getProperty("os.name"), System.getProperty("os.version"), System.getProperty("os.arch"),
        Runtime.getRuntime().availableProcessors(), System.getProperty("java.version"), junitVersion());
    out.println();
    out.printf(Locale.ROOT, "  %-19s %-54s %9s %9s %9s %6s%n", "key", "what", "median ms", "p90 ms", "mean ms", "n");

    section("Per-test overhead through the JUnit Platform Launcher, one test at a time: (annotated test) - (plain test)");
    Stats plain = required(LauncherBench.PLAIN_SAMPLES);
    for (Scenario scenario : Scenario.ALL) {
      if (scenario.parallel() || scenario.busy()) {
        continue;
      }
      Stats a = required(scenario.samplesFile());
      double median = a.median() - plain.median();
      double mean = a.mean() - plain.mean();
      row(scenario.key(), scenario.description(), new double[] {median, a.p90() - plain.median(), mean, a.count()});
      Optional<Stats> c = Stats.read(dir.resolve(scenario.referenceSamplesFile()));
      if (c.isPresent()) {
        judge(scenario.key(), "median", median, "c_" + scenario.reference() + "_ms", c.get().median(), BAR);
        judge(scenario.key(), "mean", mean, "c_" + scenario.reference() + "_ms", c.get().mean(), BAR);
      }
    }

    section(String.format(Locale.ROOT, "The critical path: each test's body takes %d ms, as in an integration test, so"
        + " work can overlap it; (annotated test) - (plain test with the same body)", Fixtures.BODY_MILLIS));
    for (Scenario scenario : Scenario.ALL) {
      if (!scenario.busy()) {
        continue;
      }
      Stats busyPlain = required(scenario.plainSamplesFile());
      Stats a = required(scenario.samplesFile());
      double median = a.median() - busyPlain.median();
      double p90 = a.p90() - busyPlain.median();
      row(scenario.key(), scenario.description(), new double[] {median, p90, a.mean() - busyPlain.mean(), a.count()});
      Optional<Stats> c = Stats.read(dir.resolve(scenario.referenceSamplesFile()));
      // The bar for linked topologies; one namespace is reported only (spares make it ahead already).
      if (c.isPresent() && !scenario.reference().equals("single")) {
        judge(scenario.key(), "median", median, "c_" + scenario.reference() + "_ms", c.get().median(), CRITICAL_BAR);
        judge(scenario.key(), "p90", p90, "c_" + scenario.reference() + "_ms_p90", c.get().p90(), BAR);
      }
    }

    section(String.format(Locale.ROOT, "In parallel, %d threads (JUnit's parallel execution; spare namespaces made by a"
        + " background thread on the same cores)", Scenario.PARALLEL_THREADS));
    for (Scenario scenario : Scenario.ALL) {
      if (!scenario.parallel()) {
        continue;
      }
      Stats p = required(scenario.plainSamplesFile());
      Stats a = required(scenario.samplesFile());
      row(scenario.key(), scenario.description() + ": per test",
          new double[] {a.median() - p.median(), a.p90() - p.median(), a.mean() - p.mean(), a.count()});
      Stats pw = required(scenario.plainWallSamplesFile());
      Stats aw = required(scenario.wallSamplesFile());
      row(scenario.name() + "_wall_ms", "elapsed time of the run / tests, minus plain's",
          new double[] {aw.median() - pw.median(), aw.p90() - pw.median(), aw.mean() - pw.mean(), aw.count()});
    }

    section("By hand with ip(8), one process per command (as scripts do it)");
    measured("ip_single_ms", "ip netns add; ip -n X link set lo up; ip netns del", "ip_single.txt");
    measured("ip_veth_ms", "2 netns, veth eth0<->eth0, 2 addresses, 4 links up, del", "ip_veth.txt");
    measured("ip_bridge3_ms", "netns br + bridge lan, 3 members n1..n3 on veths, addrs", "ip_bridge3.txt");

    section("C straight against the syscalls: the physical limit (benchmarks/c/nsbench.c)");
    measured("c_single_ms", "unshare, open ns fd, NETLINK_ROUTE lo up, setns home", "c_single.txt");
    measured("c_veth_ms", "2 netns, 1 RTM_NEWLINK veth (peer via NS_FD), addrs, up", "c_veth.txt");
    measured("c_bridge3_ms", "4 namespaces, bridge + 3 veth ports, addresses, up", "c_bridge3.txt");
    measured("c_bridge20_ms", "21 namespaces, bridge + 20 veth ports, addresses, up", "c_bridge20.txt");

    section("Diagnostics (not in the JSON): where the per-test time goes");
    diagnostic("plain test through the Launcher (the baseline)", LauncherBench.PLAIN_SAMPLES);
    diagnostic("plain test with a " + Fixtures.BODY_MILLIS + " ms body (the busy baseline)", "junit_plain_busy.txt");
    for (Scenario scenario : Scenario.ALL) {
      if (!scenario.parallel()) {
        diagnostic(scenario.fixture().getSimpleName() + " test through the Launcher", scenario.samplesFile());
      }
    }
    for (Scenario any : Scenario.ALL.stream().filter(Scenario::parallel)
        .collect(Collectors.toMap(Scenario::threads, s -> s, (a, b) -> a, TreeMap::new)).values()) {
      diagnostic("plain test, " + any.threads() + " threads in parallel", any.plainSamplesFile());
      diagnostic("plain, " + any.threads() + " threads: elapsed time of the run / tests", any.plainWallSamplesFile());
    }
    for (Scenario scenario : Scenario.ALL) {
      if (scenario.parallel()) {
        diagnostic(scenario.fixture().getSimpleName() + ", " + scenario.threads() + " threads in parallel",
            scenario.samplesFile());
      }
    }
    diagnostic("NetNs.create() + close(), no JUnit", LibraryBench.CREATE_CLOSE);
    diagnostic("NetNs.create() + run(empty) + close(), no JUnit", LibraryBench.CREATE_RUN_CLOSE);
    diagnostic("run(empty) in an existing NetNs (a carrier hop)", LibraryBench.RUN);
    Path held = dir.resolve(HeldBench.FILE);
    if (Files.exists(held)) {
      out.println();
      out.println("Held by the topology built ahead for the next test, while a test runs (prebuild on - off):");
      for (String line : Files.readAllLines(held)) {
        String[] f = line.trim().split(" ");
        if (f.length == 3) {
          out.printf(Locale.ROOT, "  %-10s %4s descriptors, %3s OS threads%n", f[0], f[1], f[2]);
        }
      }
    }

    out.println();
    out.printf(Locale.ROOT, "Against the bar (docs/performance.md: the extension's overhead within %.1fx of C, median"
        + " and mean; with a body, the median below %.1fx of C and the p90 within %.1fx of C's p90):%n", BAR,
        CRITICAL_BAR, BAR);
    if (verdicts.isEmpty()) {
      out.println("  (nothing to compare)");
    }
    verdicts.forEach(out::println);
    out.println("Overhead: median = median(annotated) - median(plain); p90 = p90(annotated) - median(plain);");
    out.println("mean = mean(annotated) - mean(plain): what a suite pays per test. A mean well above the median shows");
    out.println("stalls, e.g. the kernel reclaiming earlier namespaces (it holds the RTNL lock). The parallel figures");
    out.println("are held against the plain test run with as many threads, not against C.");
    out.println(over.isEmpty() ? "Every figure is within the bar."
        : "OVER the bar: " + String.join(", ", over) + ".");
    out.println(toJson());
    return List.copyOf(over);
  }

  private Stats required(String file) throws IOException {
    return Stats.read(dir.resolve(file)).orElseThrow(() -> new IOException("no samples in " + dir.resolve(file)));
  }

  /** Holds {@code overhead} against {@code bar} times the C figure {@code limit}: at most, or below for a bar of 1. */
  private void judge(String key, String what, double overhead, String reference, double limit, double bar) {
    double ratio = overhead / limit;
    boolean within = bar == CRITICAL_BAR ? ratio < bar : ratio <= bar;
    verdicts.add(String.format(Locale.ROOT, "  %-17s %-6s %8.3f ms / %-19s %8.3f ms = %5.2fx  %s", key, what,
        overhead, reference, limit, ratio, within ? "within the bar" : "OVER the bar"));
    if (!within) {
      over.add(String.format(Locale.ROOT, "%s %s %.2fx", key, what, ratio));
    }
  }

  private void section(String title) {
    out.println();
    out.println(title);
  }

  private void measured(String key, String what, String file) throws IOException {
    Optional<Stats> stats = Stats.read(dir.resolve(file));
    if (stats.isPresent()) {
      Stats s = stats.get();
      row(key, what, new double[] {s.median(), s.p90(), s.mean(), s.count()});
    } else {
      json.put(key, null);
      json.put(key + "_p90", null);
      json.put(key + "_mean", null);
      out.printf(Locale.ROOT, "  %-19s %-54s %9s %9s %9s %6s  (not measured)%n", key, what, "-", "-", "-", "-");
    }
  }

  private void diagnostic(String what, String file) throws IOException {
    Optional<Stats> stats = Stats.read(dir.resolve(file));
    if (stats.isPresent()) {
      Stats s = stats.get();
      out.printf(Locale.ROOT, "  %-74s %9.3f %9.3f %9.3f %6d%n", what, s.median(), s.p90(), s.mean(), s.count());
    }
  }

  /** One keyed row; {@code values} is {median, p90, mean, n}. */
  private void row(String key, String what, double[] values) {
    json.put(key, values[0]);
    json.put(key + "_p90", values[1]);
    json.put(key + "_mean", values[2]);
    out.printf(Locale.ROOT, "  %-19s %-54s %9.3f %9.3f %9.3f %6d%n", key, what, values[0], values[1], values[2],
        (int) values[3]);
  }

  private String toJson() {
    StringBuilder text = new StringBuilder("{");
    for (Map.Entry<String, Double> entry : json.entrySet()) {
      if (text.length() > 1) {
        text.append(", ");
      }
      text.append('"').append(entry.getKey()).append("\": ");
      text.append(entry.getValue() == null ? "null" : String.format(Locale.ROOT, "%.3f", entry.getValue()));
    }
    return text.append('}').toString();
  }

  private static String junitVersion() {
    String version = org.junit.jupiter.api.Test.class.getPackage().getImplementationVersion();
    return version == null ? "(unknown)" : version;
  }
}
