package io.github.junitnetns.benchmarks;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * Reads the samples files of one run and prints a table, then, as the last line, one JSON object
 * with each key's median and p90 in milliseconds (null where there is nothing to measure yet).
 */
final class Report {
  /** The extension's overhead may be at most this many times the C figure (docs/performance.md, "The bar"). */
  static final double BAR = 1.5;

  private final Path dir;
  private final PrintStream out;
  private final Map<String, Double> json = new LinkedHashMap<>();
  private final List<String> verdicts = new ArrayList<>();

  Report(Path dir, PrintStream out) {
    this.dir = dir;
    this.out = out;
  }

  void print() throws IOException {
    out.printf(Locale.ROOT, "junit-netns benchmarks: %s %s %s, %d cores, Java %s, JUnit Jupiter %s%n",
        System.getProperty("os.name"), System.getProperty("os.version"), System.getProperty("os.arch"),
        Runtime.getRuntime().availableProcessors(), System.getProperty("java.version"), junitVersion());
    out.println();
    out.printf(Locale.ROOT, "  %-15s %-58s %9s %9s %9s %6s%n", "key", "what", "median ms", "p90 ms", "mean ms", "n");

    section("Per-test overhead through the JUnit Platform Launcher: (annotated test) - (plain test)");
    Stats plain = Stats.read(dir.resolve(LauncherBench.PLAIN_SAMPLES))
        .orElseThrow(() -> new IOException("no samples of the plain fixture in " + dir));
    for (Scenario scenario : Scenario.ALL) {
      Optional<Stats> annotated = scenario.fixture().isPresent()
          ? Stats.read(dir.resolve(scenario.samplesFile())) : Optional.empty();
      if (annotated.isEmpty()) {
        row(scenario.key(), scenario.description(), null, "(no fixture yet)");
        continue;
      }
      Stats a = annotated.get();
      double median = a.median() - plain.median();
      row(scenario.key(), scenario.description(),
          new double[] {median, a.p90() - plain.median(), a.mean() - plain.mean(), a.count()}, "");
      Optional<Stats> c = Stats.read(dir.resolve(scenario.referenceSamplesFile()));
      if (c.isPresent()) {
        double ratio = median / c.get().median();
        verdicts.add(String.format(Locale.ROOT, "  %-15s %.3f ms / c_%s %.3f ms = %.2fx  %s", scenario.key(), median,
            scenario.key(), c.get().median(), ratio, ratio <= BAR ? "within the bar" : "OVER the bar"));
      }
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
    for (Scenario scenario : Scenario.ALL) {
      if (scenario.fixture().isPresent()) {
        diagnostic(scenario.fixture().get().getSimpleName() + " test through the Launcher", scenario.samplesFile());
      }
    }
    diagnostic("NetNs.create() + close(), no JUnit", LibraryBench.CREATE_CLOSE);
    diagnostic("NetNs.create() + run(empty) + close(), no JUnit", LibraryBench.CREATE_RUN_CLOSE);
    diagnostic("run(empty) in an existing NetNs (a carrier hop)", LibraryBench.RUN);

    out.println();
    out.printf(Locale.ROOT, "Against the bar (docs/performance.md: the extension's overhead within %.1fx of C):%n", BAR);
    if (verdicts.isEmpty()) {
      out.println("  (nothing to compare)");
    }
    verdicts.forEach(out::println);
    out.println("Overhead: median = median(annotated) - median(plain); p90 = p90(annotated) - median(plain);");
    out.println("mean = mean(annotated) - mean(plain). The JSON has medians and p90s; a mean well above the");
    out.println("median shows stalls, e.g. the kernel reclaiming earlier namespaces (it holds the RTNL lock).");
    out.println(toJson());
  }

  private void section(String title) {
    out.println();
    out.println(title);
  }

  private void measured(String key, String what, String file) throws IOException {
    Optional<Stats> stats = Stats.read(dir.resolve(file));
    if (stats.isPresent()) {
      Stats s = stats.get();
      row(key, what, new double[] {s.median(), s.p90(), s.mean(), s.count()}, "");
    } else {
      row(key, what, null, "(not measured)");
    }
  }

  private void diagnostic(String what, String file) throws IOException {
    Optional<Stats> stats = Stats.read(dir.resolve(file));
    if (stats.isPresent()) {
      Stats s = stats.get();
      out.printf(Locale.ROOT, "  %-74s %9.3f %9.3f %9.3f %6d%n", what, s.median(), s.p90(), s.mean(), s.count());
    }
  }

  /** One keyed row; {@code values} is {median, p90, mean, n}, or null when there is nothing to measure. */
  private void row(String key, String what, double[] values, String note) {
    json.put(key, values == null ? null : values[0]);
    json.put(key + "_p90", values == null ? null : values[1]);
    if (values == null) {
      out.printf(Locale.ROOT, "  %-15s %-58s %9s %9s %9s %6s  %s%n", key, what, "-", "-", "-", "-", note);
    } else {
      out.printf(Locale.ROOT, "  %-15s %-58s %9.3f %9.3f %9.3f %6d%n", key, what, values[0], values[1], values[2],
          (int) values[3]);
    }
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
