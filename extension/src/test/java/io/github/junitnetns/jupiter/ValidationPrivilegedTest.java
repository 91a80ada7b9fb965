package io.github.junitnetns.jupiter;

import static io.github.junitnetns.jupiter.EngineRuns.run;
import static org.assertj.core.api.Assertions.assertThat;

import io.github.junitnetns.internal.ns.NsHandle;
import java.util.stream.Stream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtensionConfigurationException;
import org.junit.jupiter.api.parallel.Isolated;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.testkit.engine.EngineExecutionResults;
import org.junit.platform.testkit.engine.Event;

/**
 * Through the engine: bad declarations and settings are reported as ExtensionConfigurationException
 * naming the annotation or parameter, the value and the fix, and nothing is created (every bad
 * declaration and its message is in the unprivileged {@link PlanTest}). {@code @Isolated}: nothing
 * else runs meanwhile, so the library's creation counter proves "nothing".
 */
@Isolated
@Tag("privileged")
class ValidationPrivilegedTest {

  @IsolatedNetNs
  static class BadConfiguration {
    @Test void test() {}
  }

  /** Two of {@link PlanTest}'s bad declarations: one on a test method, one CLASS-scoped (which fails the class). */
  static Stream<Arguments> badDeclarations() {
    return Stream.of(
        Arguments.of(PlanTest.DuplicateAcrossLevels.class, "@IsolatedNetNs declares \"a\" twice: on DuplicateAcrossLevels and on DuplicateAcrossLevels.test()"),
        Arguments.of(PlanTest.DuplicateClassScoped.class, "@IsolatedNetNs declares \"x\" twice"));
  }

  @ParameterizedTest
  @MethodSource("badDeclarations")
  void isRefusedBeforeAnythingIsCreated(Class<?> fixture, String message) {
    long created = NsHandle.createdCount();
    EngineExecutionResults results = run(fixture);
    assertThat(failures(results)).singleElement().satisfies(thrown -> assertThat(thrown)
        .isInstanceOf(ExtensionConfigurationException.class)
        .hasMessageContaining(message));
    assertThat(NsHandle.createdCount()).as("namespaces created").isEqualTo(created);
  }

  @Test
  void anUnknownUnprivilegedModeIsRefused() {
    long created = NsHandle.createdCount();
    EngineExecutionResults results = run(BadConfiguration.class, "junit.netns.unprivileged", "maybe");
    assertThat(failures(results)).singleElement().satisfies(thrown -> assertThat(thrown)
        .isInstanceOf(ExtensionConfigurationException.class)
        .hasMessage("Configuration parameter junit.netns.unprivileged is \"maybe\"; use \"abort\" (skip tests"
            + " without privileges, the default) or \"fail\" (the default when the environment variable CI is true)."));
    assertThat(NsHandle.createdCount()).isEqualTo(created);
  }

  @Test
  void anUnknownNetemModeIsRefused() {
    long created = NsHandle.createdCount();
    EngineExecutionResults results = run(BadConfiguration.class, "junit.netns.netem", "fail");
    assertThat(failures(results)).singleElement().satisfies(thrown -> assertThat(thrown)
        .isInstanceOf(ExtensionConfigurationException.class)
        .hasMessage("Configuration parameter junit.netns.netem is \"fail\"; use \"abort\" (the default: a test that"
            + " needs netem where the kernel has none is skipped) or \"require\" (it fails)."));
    assertThat(NsHandle.createdCount()).isEqualTo(created);
  }

  /** Failures of tests and of containers (a CLASS-scoped declaration fails the class). */
  private static java.util.List<Throwable> failures(EngineExecutionResults results) {
    return results.allEvents().failed().stream()
        .map((Event e) -> e.getRequiredPayload(TestExecutionResult.class).getThrowable().orElseThrow())
        .toList();
  }
}
