package io.github.junitnetns.benchmarks.soak;

import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

import io.github.junitnetns.benchmarks.soak.fixtures.BridgeTcpFixture;
import io.github.junitnetns.benchmarks.soak.fixtures.FailsAssertionFixture;
import io.github.junitnetns.benchmarks.soak.fixtures.LeavesThreadFixture;
import io.github.junitnetns.benchmarks.soak.fixtures.LeftRunningProcessFixture;
import io.github.junitnetns.benchmarks.soak.fixtures.SinglePortFixture;
import io.github.junitnetns.benchmarks.soak.fixtures.StressBridgeFixture;
import io.github.junitnetns.benchmarks.soak.fixtures.ThrowsExceptionFixture;
import io.github.junitnetns.benchmarks.soak.fixtures.TimeoutSameThreadFixture;
import io.github.junitnetns.benchmarks.soak.fixtures.TimeoutSeparateThreadFixture;
import io.github.junitnetns.benchmarks.soak.fixtures.VethTcpFixture;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.launcher.Launcher;
import org.junit.platform.launcher.LauncherDiscoveryRequest;
import org.junit.platform.launcher.TestExecutionListener;
import org.junit.platform.launcher.TestIdentifier;
import org.junit.platform.launcher.core.LauncherDiscoveryRequestBuilder;
import org.junit.platform.launcher.core.LauncherFactory;

/**
 * The Java half of {@code ./benchmarks/soak}: runs N annotated tests in this one JVM through the
 * JUnit Platform Launcher, sequentially, in blocks of 100 that mix the fixture classes of
 * {@code soak/fixtures} (each a {@code @RepeatedTest(5)}), and watches what the JVM holds.
 *
 * <pre>
 *   Soak pass [N]    N = 5000 by default: tests that pass (one namespace on a fixed port, a veth
 *                    with TCP, a 3-member bridge with TCP, a left-running {@code sleep 30})
 *   Soak mixed [N]   N = 1000 by default: 35% fail (assertions, exceptions, @Timeout in both thread
 *                    modes, asleep or blocked in accept()), 5% leave a thread in their namespace
 *   Soak stress [N]  N = 2000 by default: blocks of 16 tests run by JUnit's parallel mode on 4
 *                    threads, each a bridge of five with faults applied and healed in a loop; no
 *                    block may take over 2 minutes (a deadlock), no test over 10x the median
 * </pre>
 *
 * <p>After a warm-up of 200 tests, and at every tenth of the run, the JVM is sampled at a quiet
 * point (see {@link #settle()}): open descriptors, OS threads, Java threads, RSS, and network
 * namespaces. The table and, as the last line, one JSON object go to stdout; progress to stderr.
 * Exit status 0 only when every test ended as its fixture expects, no started process survived
 * its test, no namespace but the JVM's own is held at the end, and descriptors, threads and
 * namespaces are flat (see {@link Flatness}).
 */
public final class Soak {
  private static final int BLOCK = 100;
  private static final int WARMUP = 200;
  /** stress: the tests of one Launcher run, all concurrent on {@value #STRESS_THREADS} threads. */
  private static final int STRESS_BLOCK = 16;
  private static final int STRESS_THREADS = 4;
  private static final int STRESS_WARMUP = 160;
  private static final long STRESS_BLOCK_LIMIT_MILLIS = 120_000;
  /** stress: no test may take longer than this many times the median. */
  private static final double STRESS_SLOWEST = 10;
  private static final long SETTLE_STABLE_MILLIS = 1000;
  private static final long SETTLE_LIMIT_MILLIS = 15_000;

  /** Each class with how many of its runs (5 tests each) make one block of 100 tests. */
  private static final Map<Class<?>, Integer> PASS_MIX = mix(
      SinglePortFixture.class, 8, VethTcpFixture.class, 7, BridgeTcpFixture.class, 4,
      LeftRunningProcessFixture.class, 1);
  private static final Map<Class<?>, Integer> MIXED_MIX = mix(
      SinglePortFixture.class, 5, VethTcpFixture.class, 4, BridgeTcpFixture.class, 2,
      LeftRunningProcessFixture.class, 1, LeavesThreadFixture.class, 1,
      FailsAssertionFixture.class, 2, ThrowsExceptionFixture.class, 2,
      TimeoutSameThreadFixture.class, 1, TimeoutSeparateThreadFixture.class, 2);

  private final String mode;
  private final int tests;
  private final List<Class<?>> block;
  private final int blockSize;
  private final boolean stress;
  private final Launcher launcher = LauncherFactory.create();
  /** stress: each test's wall time, from its started to its finished event, in ms. */
  private final WallTimes wallTimes = new WallTimes();

  private Soak(String mode, int tests, Map<Class<?>, Integer> mix) {
    this.mode = mode;
    this.tests = tests;
    this.stress = mode.equals("stress");
    this.block = stress ? List.of(StressBridgeFixture.class) : interleave(mix);
    this.blockSize = stress ? STRESS_BLOCK : BLOCK;
  }

  public static void main(String[] args) throws Exception {
    if (args.length < 1 || args.length > 2 || !List.of("pass", "mixed", "stress").contains(args[0])) {
      usage("give the mode, pass, mixed or stress, and optionally the number of tests");
    }
    String mode = args[0];
    int tests = mode.equals("pass") ? 5000 : mode.equals("stress") ? 2000 : 1000;
    int block = mode.equals("stress") ? STRESS_BLOCK : BLOCK;
    if (args.length == 2) {
      try {
        tests = Integer.parseInt(args[1]);
      } catch (NumberFormatException e) {
        usage("N is \"" + args[1] + "\", not a number");
      }
    }
    if (tests < block || tests % block != 0) {
      usage("N is " + tests + "; the tests run in blocks of " + block + " (one block is the mix), so give a"
          + " positive multiple of " + block + ", e.g. " + (mode.equals("stress") ? "2000" : "5000"));
    }
    boolean ok = new Soak(mode, tests, mode.equals("pass") ? PASS_MIX : MIXED_MIX).run(System.out);
    System.exit(ok ? 0 : 1);
  }

  private static void usage(String problem) {
    System.err.println("soak: " + problem + ".\nusage: soak pass [N=5000] | soak mixed [N=1000] | soak stress [N=2000]");
    System.exit(2);
  }

  private boolean run(PrintStream out) {
    List<Class<?>> fixtures = new ArrayList<>(new java.util.LinkedHashSet<>(block));
    Outcomes warmup = new Outcomes(fixtures);
    Outcomes outcomes = new Outcomes(fixtures);

    int warmupTests = stress ? STRESS_WARMUP : WARMUP;
    progress("warm-up: %d tests", warmupTests);
    for (int i = 0; i < warmupTests / blockSize; i++) {
      runBlock(warmup);
    }
    wallTimes.clear();
    List<Sample> samples = new ArrayList<>();
    long start = System.nanoTime();
    samples.add(new Sample("start", 0, 0, Probe.take(), settle()));
    progress("start: %s", samples.get(0).probe);

    int blocks = tests / blockSize;
    int every = Math.max(1, blocks / 10);
    for (int b = 1; b <= blocks; b++) {
      runBlock(outcomes);
      if (b % every == 0 || b == blocks) {
        double seconds = (System.nanoTime() - start) / 1e9;
        Probe inFlight = Probe.take();
        Probe probe = settle();
        String label = b == blocks ? "end" : String.format(Locale.ROOT, "%d%%", Math.round(100.0 * b / blocks));
        samples.add(new Sample(label, b * blockSize, seconds, inFlight, probe));
        progress("%s: %d tests, %.0f s: %s", label, b * blockSize, seconds, probe);
      }
    }
    double seconds = samples.get(samples.size() - 1).seconds;

    List<Long> survivors = LeftRunningProcessFixture.STARTED.stream()
        .filter(pid -> ProcessHandle.of(pid).filter(ProcessHandle::isAlive)
            .flatMap(p -> p.info().command()).filter(c -> c.endsWith("sleep")).isPresent())
        .toList();
    // The one lifelong child is the watchdog that NetNs.exec starts (it kills what is inside if the JVM dies).
    long children = ProcessHandle.current().descendants()
        .filter(p -> !p.info().arguments().map(a -> java.util.Arrays.asList(a).contains("junit-netns-watchdog")).orElse(false))
        .count();
    // The library keeps up to two spare namespaces ready for the next tests, each with a carrier
    // waiting inside (thread "junit-netns-carrier-N [spare]", kernel name "junit-netns-car"):
    // they are not left over from a test.
    long spares = Thread.getAllStackTraces().keySet().stream().filter(t -> t.getName().endsWith(" [spare]")).count();
    Map<String, Integer> outside = Probe.threadsOutsideHome();
    long unaccounted = spares;
    for (String key : new java.util.ArrayList<>(outside.keySet())) {
      if (key.startsWith("junit-netns-car ") && unaccounted > 0) {
        long taken = Math.min(unaccounted, outside.get(key));
        unaccounted -= taken;
        outside.compute(key, (k, n) -> n - (int) taken == 0 ? null : n - (int) taken);
      }
    }
    List<Flatness> verdicts = Flatness.judge(samples);
    // At a quiet point every test namespace is closed: only the JVM's own and the spares should be held.
    long heldAtEnd = samples.get(samples.size() - 1).probe().netnsJvm() - 1 - spares;
    out.printf(java.util.Locale.ROOT, "  spare namespaces ready for the next test (not counted as held): %d%n", spares);

    boolean slowestOk = true;
    if (stress) {
      List<Double> times = wallTimes.sorted();
      double median = times.get(times.size() / 2);
      double slowest = times.get(times.size() - 1);
      slowestOk = slowest <= STRESS_SLOWEST * median;
      out.printf(Locale.ROOT, "  test wall time (%d tests, %d at a time on %d threads): median %.0f ms, p99 %.0f ms,"
          + " max %.0f ms = %.1fx the median (at most %.0fx): %s%n", times.size(), STRESS_BLOCK, STRESS_THREADS,
          median, times.get((int) Math.min(times.size() - 1, Math.round(times.size() * 0.99))), slowest,
          slowest / median, STRESS_SLOWEST, slowestOk ? "ok" : "TOO SLOW");
    }
    new SoakReport(mode, tests, stress ? STRESS_WARMUP : WARMUP, seconds, samples, outcomes, warmup, verdicts,
        LeftRunningProcessFixture.STARTED.size(), survivors, children, outside, heldAtEnd).print(out);
    return slowestOk && verdicts.stream().allMatch(Flatness::ok) && outcomes.unexpectedCount() == 0
        && warmup.unexpectedCount() == 0 && survivors.isEmpty() && children == 0 && heldAtEnd == 0;
  }

  /** One block: each fixture class of the mix run through the Launcher as often as the mix says. */
  private void runBlock(Outcomes listener) {
    if (stress) {
      runStressBlock(listener);
      return;
    }
    for (Class<?> fixture : block) {
      LauncherDiscoveryRequest request = LauncherDiscoveryRequestBuilder.request()
          .selectors(selectClass(fixture))
          // One test at a time, whatever a properties file may say: the samples are then quiet points.
          .configurationParameter("junit.jupiter.execution.parallel.enabled", "false")
          // Without privileges every test must fail loudly, not be skipped.
          .configurationParameter("junit.netns.unprivileged", "fail")
          .build();
      launcher.execute(request, listener);
    }
  }

  /**
   * stress: the fixture's 16 tests at once through JUnit's parallel mode on a fixed pool of 4
   * threads. A block that has not ended after 2 minutes is a deadlock: every thread's stack goes to
   * stderr and the JVM exits 1.
   */
  private void runStressBlock(Outcomes listener) {
    LauncherDiscoveryRequest request = LauncherDiscoveryRequestBuilder.request()
        .selectors(selectClass(StressBridgeFixture.class))
        .configurationParameter("junit.jupiter.execution.parallel.enabled", "true")
        .configurationParameter("junit.jupiter.execution.parallel.mode.default", "concurrent")
        .configurationParameter("junit.jupiter.execution.parallel.mode.classes.default", "concurrent")
        .configurationParameter("junit.jupiter.execution.parallel.config.strategy", "fixed")
        .configurationParameter("junit.jupiter.execution.parallel.config.fixed.parallelism",
            Integer.toString(STRESS_THREADS))
        .configurationParameter("junit.netns.unprivileged", "fail")
        .build();
    Thread main = Thread.currentThread();
    Thread watchdog = new Thread(() -> {
      try {
        Thread.sleep(STRESS_BLOCK_LIMIT_MILLIS);
      } catch (InterruptedException e) {
        return; // the block ended in time
      }
      System.err.printf(Locale.ROOT, "soak: DEADLOCK? a block of %d tests has run for %d s; every thread:%n",
          STRESS_BLOCK, STRESS_BLOCK_LIMIT_MILLIS / 1000);
      Thread.getAllStackTraces().forEach((t, stack) -> {
        System.err.println("\"" + t.getName() + "\" " + t.getState());
        for (StackTraceElement frame : stack) {
          System.err.println("    at " + frame);
        }
      });
      System.err.println("soak: main thread " + main.getName() + " was still in the block");
      Runtime.getRuntime().halt(1);
    }, "soak-deadlock-watchdog");
    watchdog.setDaemon(true);
    watchdog.start();
    try {
      launcher.execute(request, listener, wallTimes);
    } finally {
      watchdog.interrupt();
    }
  }

  /** Each test's wall time, from its started to its finished event. */
  private static final class WallTimes implements TestExecutionListener {
    private final Map<String, Long> started = new java.util.concurrent.ConcurrentHashMap<>();
    private final List<Double> millis = java.util.Collections.synchronizedList(new ArrayList<>());

    @Override
    public void executionStarted(TestIdentifier test) {
      if (test.isTest()) {
        started.put(test.getUniqueId(), System.nanoTime());
      }
    }

    @Override
    public void executionFinished(TestIdentifier test, TestExecutionResult result) {
      Long start = test.isTest() ? started.remove(test.getUniqueId()) : null;
      if (start != null) {
        millis.add((System.nanoTime() - start) / 1e6);
      }
    }

    void clear() {
      millis.clear();
    }

    List<Double> sorted() {
      List<Double> copy = new ArrayList<>(millis);
      java.util.Collections.sort(copy);
      return copy;
    }
  }

  /**
   * Waits for a quiet point before a sample: until the OS thread count has held still for a
   * second (threads left behind by tests end by themselves), at most 15 s; then collects garbage
   * twice, so that sockets a test never closed are closed by their cleaners, as they would be in
   * any long run.
   */
  private static Probe settle() {
    return Probe.settled(SETTLE_STABLE_MILLIS, SETTLE_LIMIT_MILLIS, 100, 200);
  }

  private static void progress(String format, Object... args) {
    System.err.println("soak: " + String.format(Locale.ROOT, format, args));
  }

  /** The block's sequence: the classes interleaved round-robin, each as many times as the mix says. */
  private static List<Class<?>> interleave(Map<Class<?>, Integer> mix) {
    Map<Class<?>, Integer> left = new LinkedHashMap<>(mix);
    List<Class<?>> sequence = new ArrayList<>();
    while (!left.isEmpty()) {
      for (Class<?> fixture : new ArrayList<>(left.keySet())) {
        sequence.add(fixture);
        left.computeIfPresent(fixture, (k, n) -> n == 1 ? null : n - 1);
      }
    }
    int count = sequence.stream().mapToInt(Soak::repetitions).sum();
    if (count != BLOCK) {
      throw new IllegalStateException("a block has " + count + " tests, not " + BLOCK + "; fix the mix");
    }
    return sequence;
  }

  private static int repetitions(Class<?> fixture) {
    for (java.lang.reflect.Method method : fixture.getDeclaredMethods()) {
      org.junit.jupiter.api.RepeatedTest repeated = method.getAnnotation(org.junit.jupiter.api.RepeatedTest.class);
      if (repeated != null) {
        return repeated.value();
      }
    }
    throw new IllegalArgumentException(fixture + " has no @RepeatedTest method");
  }

  private static Map<Class<?>, Integer> mix(Object... classAndRuns) {
    Map<Class<?>, Integer> mix = new LinkedHashMap<>();
    for (int i = 0; i < classAndRuns.length; i += 2) {
      mix.put((Class<?>) classAndRuns[i], (Integer) classAndRuns[i + 1]);
    }
    return mix;
  }

  /**
   * One sample: after how many tests, how many seconds after the start sample, what the JVM held
   * right after the last test ({@code inFlight}: threads left behind still running, sockets not yet
   * collected) and at the quiet point after {@link #settle()} ({@code probe}, the one judged).
   */
  record Sample(String label, int tests, double seconds, Probe inFlight, Probe probe) {}
}
