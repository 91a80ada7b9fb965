package io.github.junitnetns.benchmarks;

import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

import io.github.junitnetns.benchmarks.fixtures.Held;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import org.junit.platform.launcher.Launcher;
import org.junit.platform.launcher.core.LauncherDiscoveryRequestBuilder;
import org.junit.platform.launcher.core.LauncherFactory;
import org.junit.platform.launcher.listeners.SummaryGeneratingListener;

/**
 * Diagnostics: what a topology built ahead of the next test holds while a test runs. Each
 * {@link Held} fixture runs with {@code junit.netns.prebuild=false} and {@code true}, a few times
 * each, and the difference of the counts its second test took (descriptors, OS threads, both once
 * the background work has ended) is what the topology built ahead holds. The background thread
 * that builds (one per JVM, idle between builds) exists in both runs after the first one with
 * prebuild on, so it is not in the difference.
 */
final class HeldBench {
  static final String FILE = "held.txt";
  private static final int RUNS = 3;

  private final Launcher launcher = LauncherFactory.create();

  void run(Path samplesDir) throws IOException {
    StringBuilder out = new StringBuilder();
    for (Class<?> fixture : List.of(Held.Veth.class, Held.Bridge3.class, Held.Bridge20.class)) {
      long[] off = counts(fixture, "false");
      long[] on = counts(fixture, "true");
      String line = String.format(Locale.ROOT, "%s %d %d", fixture.getSimpleName().toLowerCase(Locale.ROOT),
          on[0] - off[0], on[1] - off[1]);
      System.err.println("  held by the topology built ahead (descriptors, threads): " + line);
      out.append(line).append('\n');
    }
    Files.writeString(samplesDir.resolve(FILE), out);
  }

  /** The smallest counts (descriptors, threads) over a few runs with {@code junit.netns.prebuild} set to {@code prebuild}. */
  private long[] counts(Class<?> fixture, String prebuild) {
    long[] least = {Long.MAX_VALUE, Long.MAX_VALUE};
    for (int i = 0; i < RUNS; i++) {
      Held.COUNTS.clear();
      SummaryGeneratingListener summary = new SummaryGeneratingListener();
      launcher.execute(LauncherDiscoveryRequestBuilder.request()
          .selectors(selectClass(fixture))
          .configurationParameter("junit.netns.unprivileged", "fail")
          .configurationParameter("junit.netns.prebuild", prebuild)
          .configurationParameter("junit.jupiter.execution.parallel.enabled", "false")
          .build(), summary);
      if (summary.getSummary().getTotalFailureCount() > 0 || Held.COUNTS.size() != 1) {
        throw new IllegalStateException(fixture.getName() + " did not pass: " + summary.getSummary().getFailures());
      }
      least[0] = Math.min(least[0], Held.COUNTS.get(0)[0]);
      least[1] = Math.min(least[1], Held.COUNTS.get(0)[1]);
    }
    return least;
  }
}
