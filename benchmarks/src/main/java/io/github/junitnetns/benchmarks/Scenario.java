package io.github.junitnetns.benchmarks;

import io.github.junitnetns.benchmarks.fixtures.Bridge20Fixture;
import io.github.junitnetns.benchmarks.fixtures.Bridge3Fixture;
import io.github.junitnetns.benchmarks.fixtures.SingleNsFixture;
import io.github.junitnetns.benchmarks.fixtures.VethFixture;
import java.util.List;

/**
 * One topology measured through the JUnit Platform Launcher: its JSON key, what it is, the
 * fixture class that declares it, and how many threads run the fixture's tests.
 *
 * @param name the JSON key without {@code _ms}; also names the samples file {@code junit_NAME.txt}
 *     and, for a sequential scenario, the C figure it is held against, {@code c_NAME}, which is
 *     measured by running {@code nsbench NAME} (benchmarks/c/nsbench.c knows single, veth and
 *     bridgeN)
 * @param threads 1: one test at a time, held against C; more: JUnit's parallel execution with
 *     that many threads (the spare namespaces' background thread competes for the same cores),
 *     held against {@code PlainFixture} run with as many threads, and not against C
 */
record Scenario(String name, String description, Class<?> fixture, int threads) {
  /** Threads of the parallel scenarios. */
  static final int PARALLEL_THREADS = 4;

  /** Every scenario, in report order. Adding one is a fixture class and a line here. */
  static final List<Scenario> ALL = List.of(
      new Scenario("single", "@IsolatedNetNs: one namespace, lo up", SingleNsFixture.class, 1),
      new Scenario("veth", "two namespaces + @VethLink, addresses", VethFixture.class, 1),
      new Scenario("bridge3", "@Bridge with 3 members, addresses", Bridge3Fixture.class, 1),
      new Scenario("bridge20", "@Bridge with 20 members, addresses", Bridge20Fixture.class, 1),
      new Scenario("par4_single", "@IsolatedNetNs, 4 threads in parallel", SingleNsFixture.class, PARALLEL_THREADS),
      new Scenario("par4_veth", "@VethLink, 4 threads in parallel", VethFixture.class, PARALLEL_THREADS));

  boolean parallel() {
    return threads > 1;
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

  /** The baseline's samples: the plain fixture run the same way (sequentially, or with as many threads). */
  String plainSamplesFile() {
    return parallel() ? "junit_plain_par" + threads + ".txt" : LauncherBench.PLAIN_SAMPLES;
  }

  String plainWallSamplesFile() {
    return "junit_plain_par" + threads + "_wall.txt";
  }

  /** The samples file of the same topology in C, the physical limit (sequential scenarios only). */
  String referenceSamplesFile() {
    return "c_" + name + ".txt";
  }
}
