package io.github.junitnetns.benchmarks;

import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

import io.github.junitnetns.benchmarks.fixtures.Fixtures;
import io.github.junitnetns.benchmarks.fixtures.PlainFixture;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.launcher.Launcher;
import org.junit.platform.launcher.LauncherDiscoveryRequest;
import org.junit.platform.launcher.TestExecutionListener;
import org.junit.platform.launcher.TestIdentifier;
import org.junit.platform.launcher.core.LauncherDiscoveryRequestBuilder;
import org.junit.platform.launcher.core.LauncherFactory;

/**
 * Runs the fixture classes through the JUnit Platform Launcher, sequentially, and records the wall
 * time of every test (executionStarted to executionFinished): the per-test cost as a user's build
 * sees it, before/after-each callbacks included. Rounds of the fixtures are interleaved (plain,
 * then each topology) so that drift of the machine hits all of them alike; warm-up rounds first,
 * for the JIT. Within a fixture run the tests follow each other back to back, as in a suite.
 */
final class LauncherBench {
  static final String PLAIN_SAMPLES = "junit_plain.txt";

  private final Launcher launcher = LauncherFactory.create();
  private final int warmupRounds;
  private final int rounds;
  private final long settleMillis;
  private final Optional<Path> nsbench;

  /**
   * @param nsbench the compiled benchmarks/c/nsbench.c, if any: then every measured round also
   *     runs it for each measured topology, so that the C reference and the extension are measured
   *     under the same conditions (this 2-core VM drifts by 10-20% over tens of seconds)
   */
  LauncherBench(int warmupRounds, int rounds, long settleMillis, Optional<Path> nsbench) {
    this.warmupRounds = warmupRounds;
    this.rounds = rounds;
    this.settleMillis = settleMillis;
    this.nsbench = nsbench;
  }

  void run(Path samplesDir) throws IOException {
    Map<String, Class<?>> fixtures = new LinkedHashMap<>();
    fixtures.put(PLAIN_SAMPLES, PlainFixture.class);
    for (Scenario scenario : Scenario.ALL) {
      scenario.fixture().ifPresent(fixture -> fixtures.put(scenario.samplesFile(), fixture));
    }
    Map<String, List<Double>> samples = new LinkedHashMap<>();
    fixtures.keySet().forEach(file -> samples.put(file, new ArrayList<>()));
    List<Scenario> references = new ArrayList<>();
    if (nsbench.isPresent()) {
      Scenario.ALL.stream().filter(s -> s.fixture().isPresent()).forEach(references::add);
      references.forEach(s -> samples.put(s.referenceSamplesFile(), new ArrayList<>()));
    }

    for (int round = 0; round < warmupRounds + rounds; round++) {
      boolean warmup = round < warmupRounds;
      StringBuilder line = new StringBuilder(String.format(Locale.ROOT, "  launcher %s round %d/%d:",
          warmup ? "warm-up" : "measured", warmup ? round + 1 : round - warmupRounds + 1,
          warmup ? warmupRounds : rounds));
      for (Map.Entry<String, Class<?>> fixture : fixtures.entrySet()) {
        settle();
        List<Double> times = runOnce(fixture.getValue());
        if (!warmup) {
          samples.get(fixture.getKey()).addAll(times);
        }
        line.append(String.format(Locale.ROOT, " %s %.3f ms", fixture.getValue().getSimpleName(),
            new Stats(times).median()));
      }
      if (!warmup) {
        for (Scenario reference : references) {
          settle();
          List<Double> times = runC(reference.name(), Fixtures.repetitions(reference.fixture().orElseThrow()));
          samples.get(reference.referenceSamplesFile()).addAll(times);
          line.append(String.format(Locale.ROOT, " | nsbench %s %.3f ms", reference.name(), new Stats(times).median()));
        }
      }
      System.err.println(line);
    }
    for (Map.Entry<String, List<Double>> entry : samples.entrySet()) {
      Stats.write(samplesDir.resolve(entry.getKey()), entry.getValue());
    }
  }

  /**
   * A pause before each fixture run: the kernel reclaims the previous run's namespaces in the
   * background (holding the RTNL lock at times), which would otherwise be charged to the next
   * fixture, the plain baseline included.
   */
  private void settle() {
    try {
      Thread.sleep(settleMillis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
  }

  /** One run of nsbench: as many C rounds of {@code topology} as a fixture has tests, after a warm-up. */
  private List<Double> runC(String topology, int count) throws IOException {
    Process process = new ProcessBuilder(nsbench.orElseThrow().toString(), topology, String.valueOf(Math.min(50, count)),
        String.valueOf(count)).redirectError(ProcessBuilder.Redirect.INHERIT).start();
    List<Double> times = new ArrayList<>(count);
    try (BufferedReader reader = new BufferedReader(
        new InputStreamReader(process.getInputStream(), StandardCharsets.US_ASCII))) {
      for (String line = reader.readLine(); line != null; line = reader.readLine()) {
        if (!line.isBlank()) {
          times.add(Double.valueOf(line.trim()));
        }
      }
    }
    try {
      int status = process.waitFor();
      if (status != 0 || times.size() != count) {
        throw new IllegalStateException(nsbench.get() + " " + topology + " failed: exit status " + status
            + ", " + times.size() + " samples");
      }
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
    return times;
  }

  /** One Launcher run of {@code fixture}: the wall time of each of its tests, in milliseconds. */
  private List<Double> runOnce(Class<?> fixture) {
    LauncherDiscoveryRequest request = LauncherDiscoveryRequestBuilder.request()
        .selectors(selectClass(fixture))
        // Latency, not throughput: one test at a time, whatever a properties file may say.
        .configurationParameter("junit.jupiter.execution.parallel.enabled", "false")
        // A run without privileges must fail, not report skipped tests as fast ones.
        .configurationParameter("junit.netns.unprivileged", "fail")
        .build();
    TimingListener listener = new TimingListener();
    launcher.execute(request, listener);
    if (!listener.problems.isEmpty()) {
      throw new IllegalStateException("fixture " + fixture.getName() + " did not pass, so its times mean nothing:\n"
          + String.join("\n", listener.problems));
    }
    if (listener.times.size() != Fixtures.repetitions(fixture)) {
      throw new IllegalStateException("fixture " + fixture.getName() + " ran " + listener.times.size()
          + " tests, expected " + Fixtures.repetitions(fixture));
    }
    return listener.times;
  }

  /** Wall time from executionStarted to executionFinished of each test; any non-success is a problem. */
  private static final class TimingListener implements TestExecutionListener {
    final List<Double> times = new ArrayList<>(Fixtures.REPETITIONS);
    final List<String> problems = new ArrayList<>();
    private long started;

    @Override
    public void executionStarted(TestIdentifier test) {
      if (test.isTest()) {
        started = System.nanoTime();
      }
    }

    @Override
    public void executionFinished(TestIdentifier test, TestExecutionResult result) {
      long finished = System.nanoTime();
      if (test.isTest()) {
        times.add((finished - started) / 1e6);
      }
      if (result.getStatus() != TestExecutionResult.Status.SUCCESSFUL) {
        StringWriter trace = new StringWriter();
        result.getThrowable().ifPresent(t -> t.printStackTrace(new PrintWriter(trace)));
        problems.add(test.getDisplayName() + " " + result.getStatus() + "\n" + trace);
      }
    }

    @Override
    public void executionSkipped(TestIdentifier test, String reason) {
      problems.add(test.getDisplayName() + " SKIPPED: " + reason);
    }
  }
}
