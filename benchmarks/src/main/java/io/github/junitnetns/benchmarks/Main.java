package io.github.junitnetns.benchmarks;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Entry point of the Java half of {@code ./benchmarks/run}, which also runs the C and ip(8)
 * measurements and writes their samples next to these.
 *
 * <pre>
 *   Main measure SAMPLES_DIR   the JUnit Launcher fixtures, then library diagnostics; progress on stderr
 *   Main report SAMPLES_DIR    the table and, as the last line, the JSON object, on stdout
 * </pre>
 *
 * System properties: {@code jnb.launcher.warmup} and {@code jnb.launcher.rounds} (fixture runs of
 * {@value io.github.junitnetns.benchmarks.fixtures.Fixtures#REPETITIONS} tests each),
 * {@code jnb.launcher.settleMillis} (pause before each fixture run), {@code jnb.nsbench} (path of
 * the compiled nsbench.c: the C figure of each measured topology is then taken round by round,
 * interleaved with the Launcher runs),
 * {@code jnb.library.warmup} and {@code jnb.library.iterations}.
 */
public final class Main {
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
    } else {
      new Report(dir, System.out).print();
    }
  }
}
