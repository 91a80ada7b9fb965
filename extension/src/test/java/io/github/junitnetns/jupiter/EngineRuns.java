package io.github.junitnetns.jupiter;

import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

import io.github.junitnetns.testsupport.NestedEngine;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.testkit.engine.EngineExecutionResults;
import org.junit.platform.testkit.engine.EngineTestKit;
import org.junit.platform.testkit.engine.Event;
import org.junit.platform.testkit.engine.Events;

/** Runs fixture classes through the Jupiter engine with parallel execution forced on, off the suite's pool (NestedEngine). */
final class EngineRuns {
  private EngineRuns() {}

  static EngineExecutionResults run(Class<?> fixture, String... keyValues) {
    EngineTestKit.Builder builder = EngineTestKit.engine("junit-jupiter")
        .selectors(selectClass(fixture))
        .configurationParameter("junit.jupiter.execution.parallel.enabled", "true")
        .configurationParameter("junit.jupiter.execution.parallel.mode.default", "concurrent")
        .configurationParameter("junit.jupiter.execution.parallel.mode.classes.default", "concurrent");
    for (int i = 0; i < keyValues.length; i += 2) {
      builder.configurationParameter(keyValues[i], keyValues[i + 1]);
    }
    return NestedEngine.execute(builder);
  }

  static Throwable onlyFailure(Events events) {
    List<Event> failed = events.failed().list();
    if (failed.size() != 1) {
      throw new AssertionError("expected one failure, got " + failed.size() + ": " + describe(events));
    }
    return failed.get(0).getRequiredPayload(TestExecutionResult.class).getThrowable().orElseThrow();
  }

  static String describe(Events events) {
    return events.list().stream()
        .filter(e -> e.getPayload(TestExecutionResult.class).isPresent())
        .map(e -> e.getTestDescriptor().getDisplayName() + " " + e.getRequiredPayload(TestExecutionResult.class))
        .collect(Collectors.joining("\n"));
  }
}
