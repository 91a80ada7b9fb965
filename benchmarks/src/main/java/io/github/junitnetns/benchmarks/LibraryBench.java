package io.github.junitnetns.benchmarks;

import io.github.junitnetns.NetNs;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Diagnostics: the library alone, no JUnit, from the calling thread as a user's {@code main}
 * would. Tells how much of the per-test overhead is the namespace itself and how much is the
 * extension and the JUnit callbacks around it.
 */
final class LibraryBench {
  static final String CREATE_CLOSE = "lib_create_close.txt";
  static final String CREATE_RUN_CLOSE = "lib_create_run_close.txt";
  static final String RUN = "lib_run.txt";

  private final int warmup;
  private final int iterations;

  LibraryBench(int warmup, int iterations) {
    this.warmup = warmup;
    this.iterations = iterations;
  }

  void run(Path samplesDir) throws IOException {
    measure(samplesDir.resolve(CREATE_CLOSE), () -> NetNs.create("bench").close());
    measure(samplesDir.resolve(CREATE_RUN_CLOSE), () -> {
      try (NetNs ns = NetNs.create("bench")) {
        ns.run(() -> {});
      }
    });
    try (NetNs ns = NetNs.create("bench")) {
      measure(samplesDir.resolve(RUN), () -> ns.run(() -> {}));
    }
  }

  private void measure(Path file, Runnable action) throws IOException {
    for (int i = 0; i < warmup; i++) {
      action.run();
    }
    List<Double> samples = new ArrayList<>(iterations);
    for (int i = 0; i < iterations; i++) {
      long start = System.nanoTime();
      action.run();
      samples.add((System.nanoTime() - start) / 1e6);
    }
    Stats.write(file, samples);
    System.err.printf(java.util.Locale.ROOT, "  library %s: median %.3f ms%n", file.getFileName(),
        new Stats(samples).median());
  }
}
