package io.github.junitnetns.benchmarks;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * Entry point of the Java half of {@code ./benchmarks/run}, which also runs the C and ip(8)
 * measurements and writes their samples next to these.
 *
 * <pre>
 *   Main measure SAMPLES_DIR   the JUnit Launcher fixtures, then library diagnostics; progress on stderr
 *   Main report SAMPLES_DIR    the table and, as the last line, the JSON object, on stdout; exits
 *                              with {@value #OVER_THE_BAR} when a figure is over the bar
 * </pre>
 *
 * System properties: {@code jnb.launcher.warmup} and {@code jnb.launcher.rounds} (fixture runs of
 * {@value io.github.junitnetns.benchmarks.fixtures.Fixtures#REPETITIONS} tests each),
 * {@code jnb.launcher.settleMillis} (pause before each fixture run), {@code jnb.nsbench} (path of
 * the compiled nsbench.c: the C figure of each measured topology is then taken round by round,
 * interleaved with the Launcher runs),
 * {@code jnb.library.warmup} and {@code jnb.library.iterations}, {@code jnb.reportOnly} ({@code true}:
 * exit 0 even when a figure is over the bar).
 */
public final class Main {
  /** The exit status of {@code report} when a figure is over the bar (and {@code jnb.reportOnly} is not set). */
  public static final int OVER_THE_BAR = 3;

  private Main() {}

  public static void main(String[] args) throws Exception {
    if (args.length != 2 || !(args[0].equals("measure") || args[0].equals("report"))) {
      System.err.println("usage: Main measure|report SAMPLES_DIR");
      System.exit(2);
    }
    Path dir = Path.of(args[1]);
    if (args[0].equals("measure")) {
      Files.createDirectories(dir);
      new LauncherBench(Integer.getInteger("jnb.launcher.warmup", 8), Integer.getInteger("jnb.launcher.rounds", 12),
          Long.getLong("jnb.launcher.settleMillis", 200),
          Optional.ofNullable(System.getProperty("jnb.nsbench")).map(Path::of)).run(dir);
      new LibraryBench(Integer.getInteger("jnb.library.warmup", 500), Integer.getInteger("jnb.library.iterations", 2000))
          .run(dir);
      new HeldBench().run(dir);
    } else {
      List<String> over = new Report(dir, System.out).print();
      if (!over.isEmpty() && !Boolean.getBoolean("jnb.reportOnly")) {
        System.out.flush();
        System.err.println("benchmarks: over the bar (" + String.join(", ", over) + "); exit status " + OVER_THE_BAR
            + ". To only report: ./benchmarks/run --report-only (or JNB_REPORT_ONLY=1)");
        System.exit(OVER_THE_BAR);
      }
    }
  }
}
