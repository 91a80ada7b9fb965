package io.github.junitnetns.benchmarks.soak;

import io.github.junitnetns.benchmarks.soak.fixtures.Expect;
import io.github.junitnetns.benchmarks.soak.fixtures.TeardownClock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.engine.support.descriptor.MethodSource;
import org.junit.platform.launcher.TestExecutionListener;
import org.junit.platform.launcher.TestIdentifier;

/**
 * Counts how the tests of each fixture category ended, against the fixture's {@link Expect}, and
 * how long each test took from the end of its body to its finished event: the after-each phase,
 * junit-netns's teardown included.
 */
final class Outcomes implements TestExecutionListener {
  /** One category's counts. */
  static final class Counts {
    final Expect expect;
    int tests;
    int succeeded;
    int failed;
    int aborted;
    int unexpected;
    final List<Double> teardownMillis = new ArrayList<>();

    Counts(Expect expect) {
      this.expect = expect;
    }
  }

  private final Map<String, Counts> byKey = new LinkedHashMap<>();
  private final List<String> unexpected = new ArrayList<>();
  private final List<Double> teardownMillis = new ArrayList<>();

  Outcomes(List<Class<?>> fixtures) {
    for (Class<?> fixture : fixtures) {
      Expect expect = expectOf(fixture);
      byKey.putIfAbsent(expect.key(), new Counts(expect));
    }
  }

  static Expect expectOf(Class<?> fixture) {
    Expect expect = fixture.getAnnotation(Expect.class);
    if (expect == null) {
      throw new IllegalArgumentException(fixture.getName() + " has no @Expect; every soak fixture says how its tests end");
    }
    return expect;
  }

  Map<String, Counts> byKey() {
    return byKey;
  }

  List<Double> teardownMillis() {
    return teardownMillis;
  }

  int unexpectedCount() {
    return unexpected.size();
  }

  /** The first few unexpected endings, for the report. */
  List<String> unexpectedExamples() {
    return unexpected.subList(0, Math.min(5, unexpected.size()));
  }

  // Synchronized: in the stress mode, JUnit's parallel workers report their tests at the same time.
  @Override
  public synchronized void executionFinished(TestIdentifier test, TestExecutionResult result) {
    long finished = System.nanoTime();
    if (!test.isTest()) {
      if (result.getStatus() != TestExecutionResult.Status.SUCCESSFUL) {
        unexpected.add(test.getDisplayName() + " (a container) " + describe(result));
      }
      return;
    }
    Optional<Class<?>> fixture = test.getSource().filter(MethodSource.class::isInstance)
        .map(s -> ((MethodSource) s).getJavaClass());
    Counts counts = fixture.map(f -> byKey.get(expectOf(f).key())).orElse(null);
    if (counts == null) {
      unexpected.add(test.getUniqueId() + ": not a soak fixture of this run");
      return;
    }
    counts.tests++;
    Long bodyEnded = TeardownClock.bodyEnded(test.getUniqueId());
    if (bodyEnded != null) {
      double millis = (finished - bodyEnded) / 1e6;
      counts.teardownMillis.add(millis);
      teardownMillis.add(millis);
    }
    switch (result.getStatus()) {
      case SUCCESSFUL:
        counts.succeeded++;
        break;
      case FAILED:
        counts.failed++;
        break;
      default:
        counts.aborted++;
        break;
    }
    if (!asExpected(counts.expect, result)) {
      counts.unexpected++;
      unexpected.add(counts.expect.key() + " " + test.getDisplayName() + ": " + describe(result));
    }
  }

  @Override
  public synchronized void executionSkipped(TestIdentifier test, String reason) {
    unexpected.add(test.getDisplayName() + " skipped: " + reason);
  }

  private static boolean asExpected(Expect expect, TestExecutionResult result) {
    switch (expect.value()) {
      case PASS:
        return result.getStatus() == TestExecutionResult.Status.SUCCESSFUL;
      case PASS_OR_FAIL:
        return result.getStatus() != TestExecutionResult.Status.ABORTED;
      default:
        return result.getStatus() == TestExecutionResult.Status.FAILED
            && result.getThrowable().map(t -> causedBy(t, expect.failure())).orElse(false);
    }
  }

  private static boolean causedBy(Throwable t, Class<? extends Throwable> type) {
    for (Throwable c = t; c != null; c = c.getCause()) {
      if (type.isInstance(c)) {
        return true;
      }
    }
    return false;
  }

  private static String describe(TestExecutionResult result) {
    return result.getStatus() + result.getThrowable().map(t -> " " + t).orElse("");
  }
}
