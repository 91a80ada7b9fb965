package io.github.junitnetns.benchmarks;

import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

import io.github.junitnetns.benchmarks.fixtures.Fixtures;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.launcher.Launcher;
import org.junit.platform.launcher.LauncherDiscoveryRequest;
import org.junit.platform.launcher.TestExecutionListener;
import org.junit.platform.launcher.TestIdentifier;
import org.junit.platform.launcher.core.LauncherDiscoveryRequestBuilder;
import org.junit.platform.launcher.core.LauncherFactory;

/**
 * Runs the fixture classes through the JUnit Platform Launcher and records the wall time of every
 * test (executionStarted to executionFinished): the per-test cost as a user's build sees it,
 * before/after-each callbacks included. Most scenarios run one test at a time; the parallel ones
 * run the fixture with JUnit's parallel execution on a fixed pool of threads, every test
 * concurrent, and also record each run's elapsed time (what a parallel suite pays). Rounds of the
 * fixtures are interleaved (plain, then each scenario) so that drift of the machine hits all of
 * them alike; warm-up rounds first, for the JIT. Within a fixture run the tests follow each other
 * back to back, as in a suite.
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
    // What runs in each round, in order: every scenario, each run as its scenario says (one test at
    // a time, or in parallel), each baseline (the plain fixture, or the busy one, run the same way)
    // before the first scenario that needs it, so that drift hits all of them alike.
    List<Run> runs = new ArrayList<>();
    java.util.Set<String> baselines = new java.util.HashSet<>();
    for (Scenario s : Scenario.ALL) {
      if (baselines.add(s.plainSamplesFile())) {
        String label = s.baseline().getSimpleName() + (s.parallel() ? " x" + s.threads() : "");
        runs.add(new Run(label, s.baseline(), s.threads(), s.plainSamplesFile(),
            s.parallel() ? s.plainWallSamplesFile() : null));
      }
      runs.add(new Run(s.fixture().getSimpleName() + (s.parallel() ? " x" + s.threads() : ""), s.fixture(),
          s.threads(), s.samplesFile(), s.parallel() ? s.wallSamplesFile() : null));
    }

    Map<String, List<Double>> samples = new LinkedHashMap<>();
    for (Run run : runs) {
      samples.put(run.samplesFile, new ArrayList<>());
      if (run.wallSamplesFile != null) {
        samples.put(run.wallSamplesFile, new ArrayList<>());
      }
    }
    // The C references, one per topology, as many rounds as its back-to-back fixture has tests.
    List<Scenario> references = new ArrayList<>();
    if (nsbench.isPresent()) {
      for (Scenario s : Scenario.ALL) {
        if (!s.parallel() && samples.putIfAbsent(s.referenceSamplesFile(), new ArrayList<>()) == null) {
          references.add(s);
        }
      }
    }

    for (int round = 0; round < warmupRounds + rounds; round++) {
      boolean warmup = round < warmupRounds;
      StringBuilder line = new StringBuilder(String.format(Locale.ROOT, "  launcher %s round %d/%d:",
          warmup ? "warm-up" : "measured", warmup ? round + 1 : round - warmupRounds + 1,
          warmup ? warmupRounds : rounds));
      for (Run run : runs) {
        settle();
        Result result = runOnce(run.fixture, run.threads);
        if (run.threads > 1 && result.maxInFlight < 2) {
          throw new IllegalStateException(run.label + ": at most " + result.maxInFlight + " test at a time ran;"
              + " JUnit's parallel execution did not take effect, so this is no parallel measurement");
        }
        if (!warmup) {
          samples.get(run.samplesFile).addAll(result.times);
          if (run.wallSamplesFile != null) {
            samples.get(run.wallSamplesFile).add(result.wallMillis / result.times.size());
          }
        }
        line.append(String.format(Locale.ROOT, " %s %.3f ms", run.label, new Stats(result.times).median()));
        if (run.threads > 1) {
          line.append(String.format(Locale.ROOT, " (%.3f ms/test elapsed, up to %d at once)",
              result.wallMillis / result.times.size(), result.maxInFlight));
        }
      }
      if (!warmup) {
        for (Scenario reference : references) {
          settle();
          List<Double> times = runC(reference.reference(), Fixtures.repetitions(reference.fixture()));
          samples.get(reference.referenceSamplesFile()).addAll(times);
          line.append(String.format(Locale.ROOT, " | nsbench %s %.3f ms", reference.reference(), new Stats(times).median()));
        }
      }
      System.err.println(line);
    }
    for (Map.Entry<String, List<Double>> entry : samples.entrySet()) {
      Stats.write(samplesDir.resolve(entry.getKey()), entry.getValue());
    }
  }

  /** A fixture run of each round: what, with how many threads, and where its samples go. */
  private record Run(String label, Class<?> fixture, int threads, String samplesFile, String wallSamplesFile) {}

  /** One Launcher run: the wall time of each test, of the whole run, and the most tests seen running at once. */
  private record Result(List<Double> times, double wallMillis, int maxInFlight) {}

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

  /**
   * One Launcher run of {@code fixture}: one test at a time ({@code threads} 1), or JUnit's
   * parallel execution with a fixed pool of {@code threads}, every test concurrent.
   */
  private Result runOnce(Class<?> fixture, int threads) {
    LauncherDiscoveryRequestBuilder builder = LauncherDiscoveryRequestBuilder.request()
        .selectors(selectClass(fixture))
        // A run without privileges must fail, not report skipped tests as fast ones.
        .configurationParameter("junit.netns.unprivileged", "fail");
    if (threads == 1) {
      // Latency, not throughput: one test at a time, whatever a properties file may say.
      builder.configurationParameter("junit.jupiter.execution.parallel.enabled", "false");
    } else {
      builder.configurationParameter("junit.jupiter.execution.parallel.enabled", "true")
          .configurationParameter("junit.jupiter.execution.parallel.mode.default", "concurrent")
          .configurationParameter("junit.jupiter.execution.parallel.mode.classes.default", "concurrent")
          .configurationParameter("junit.jupiter.execution.parallel.config.strategy", "fixed")
          .configurationParameter("junit.jupiter.execution.parallel.config.fixed.parallelism", String.valueOf(threads))
          .configurationParameter("junit.jupiter.execution.parallel.config.fixed.max-pool-size", String.valueOf(threads));
    }
    LauncherDiscoveryRequest request = builder.build();
    TimingListener listener = new TimingListener();
    long start = System.nanoTime();
    launcher.execute(request, listener);
    double wallMillis = (System.nanoTime() - start) / 1e6;
    if (!listener.problems.isEmpty()) {
      throw new IllegalStateException("fixture " + fixture.getName() + " did not pass, so its times mean nothing:\n"
          + String.join("\n", listener.problems));
    }
    if (listener.times.size() != Fixtures.repetitions(fixture)) {
      throw new IllegalStateException("fixture " + fixture.getName() + " ran " + listener.times.size()
          + " tests, expected " + Fixtures.repetitions(fixture));
    }
    return new Result(List.copyOf(listener.times), wallMillis, listener.maxInFlight.get());
  }

  /**
   * Wall time from executionStarted to executionFinished of each test, and the most tests running at
   * once; any non-success is a problem. Called from JUnit's worker threads in a parallel run.
   */
  private static final class TimingListener implements TestExecutionListener {
    final List<Double> times = Collections.synchronizedList(new ArrayList<>(Fixtures.REPETITIONS));
    final List<String> problems = Collections.synchronizedList(new ArrayList<>());
    final AtomicInteger maxInFlight = new AtomicInteger();
    private final AtomicInteger inFlight = new AtomicInteger();
    private final Map<String, Long> started = new ConcurrentHashMap<>();

    @Override
    public void executionStarted(TestIdentifier test) {
      if (test.isTest()) {
        maxInFlight.accumulateAndGet(inFlight.incrementAndGet(), Math::max);
        started.put(test.getUniqueId(), System.nanoTime());
      }
    }

    @Override
    public void executionFinished(TestIdentifier test, TestExecutionResult result) {
      long finished = System.nanoTime();
      if (test.isTest()) {
        inFlight.decrementAndGet();
        times.add((finished - started.remove(test.getUniqueId())) / 1e6);
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
