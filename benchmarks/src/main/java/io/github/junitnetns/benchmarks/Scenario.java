package io.github.junitnetns.benchmarks;

import io.github.junitnetns.benchmarks.fixtures.Bridge20Fixture;
import io.github.junitnetns.benchmarks.fixtures.Bridge3Fixture;
import io.github.junitnetns.benchmarks.fixtures.BusyBridge20Fixture;
import io.github.junitnetns.benchmarks.fixtures.BusyBridge3Fixture;
import io.github.junitnetns.benchmarks.fixtures.BusyPlainFixture;
import io.github.junitnetns.benchmarks.fixtures.BusySingleNsFixture;
import io.github.junitnetns.benchmarks.fixtures.BusyVethFixture;
import io.github.junitnetns.benchmarks.fixtures.PlainFixture;
import io.github.junitnetns.benchmarks.fixtures.SingleNsFixture;
import io.github.junitnetns.benchmarks.fixtures.VethFixture;
import java.util.List;

/**
 * One topology measured through the JUnit Platform Launcher: its JSON key, what it is, the
 * fixture class that declares it, how many threads run the fixture's tests, the C topology it is
 * held against, and the fixture that is its baseline.
 *
 * @param name the JSON key without {@code _ms}; also names the samples file {@code junit_NAME.txt}
 * @param threads 1: one test at a time, held against C; more: JUnit's parallel execution with
 *     that many threads (the spare namespaces' background thread competes for the same cores),
 *     held against the baseline run with as many threads, and not against C
 * @param reference the C figure a sequential scenario is held against, {@code c_REFERENCE}, measured
 *     by running {@code nsbench REFERENCE} (benchmarks/c/nsbench.c knows single, veth and bridgeN)
 *     in every measured round; null for the parallel ones
 * @param baseline what the scenario's fixture costs without the extension: an empty test, or for
 *     the busy scenarios a test whose body takes as long as theirs
 */
record Scenario(String name, String description, Class<?> fixture, int threads, String reference, Class<?> baseline) {
  /** Threads of the parallel scenarios. */
  static final int PARALLEL_THREADS = 4;

  /** Every scenario, in report order. Adding one is a fixture class and a line here. */
  static final List<Scenario> ALL = List.of(
      new Scenario("single", "@IsolatedNetNs: one namespace, lo up", SingleNsFixture.class, 1, "single", PlainFixture.class),
      new Scenario("veth", "two namespaces + @VethLink, addresses", VethFixture.class, 1, "veth", PlainFixture.class),
      new Scenario("bridge3", "@Bridge with 3 members, addresses", Bridge3Fixture.class, 1, "bridge3", PlainFixture.class),
      new Scenario("bridge20", "@Bridge with 20 members, addresses", Bridge20Fixture.class, 1, "bridge20", PlainFixture.class),
      new Scenario("busy_single", "as single_ms, with a 5 ms body", BusySingleNsFixture.class, 1, "single", BusyPlainFixture.class),
      new Scenario("busy_veth", "as veth_ms, with a 5 ms body", BusyVethFixture.class, 1, "veth", BusyPlainFixture.class),
      new Scenario("busy_bridge3", "as bridge3_ms, with a 5 ms body", BusyBridge3Fixture.class, 1, "bridge3", BusyPlainFixture.class),
      new Scenario("busy_bridge20", "as bridge20_ms, with a 5 ms body", BusyBridge20Fixture.class, 1, "bridge20", BusyPlainFixture.class),
      new Scenario("par4_single", "@IsolatedNetNs, 4 threads in parallel", SingleNsFixture.class, PARALLEL_THREADS, null, PlainFixture.class),
      new Scenario("par4_veth", "@VethLink, 4 threads in parallel", VethFixture.class, PARALLEL_THREADS, null, PlainFixture.class));

  boolean parallel() {
    return threads > 1;
  }

  /** A fixture whose body takes {@value io.github.junitnetns.benchmarks.fixtures.Fixtures#BODY_MILLIS} ms: its overhead is the critical path's. */
  boolean busy() {
    return baseline == BusyPlainFixture.class;
  }

  String key() {
    return name + "_ms";
  }

  /** One wall time per test (executionStarted to executionFinished). */
  String samplesFile() {
    return "junit_" + name + ".txt";
  }

  /** Parallel scenarios: one figure per fixture run, its elapsed time divided by its number of tests. */
  String wallSamplesFile() {
    return "junit_" + name + "_wall.txt";
  }

  /** The baseline's samples: its fixture run the same way (sequentially, or with as many threads). */
  String plainSamplesFile() {
    if (parallel()) {
      return "junit_plain_par" + threads + ".txt";
    }
    return busy() ? "junit_plain_busy.txt" : LauncherBench.PLAIN_SAMPLES;
  }

  String plainWallSamplesFile() {
    return "junit_plain_par" + threads + "_wall.txt";
  }

  /** The samples file of the same topology in C, the physical limit (sequential scenarios only). */
  String referenceSamplesFile() {
    return "c_" + reference + ".txt";
  }
}
