package io.github.junitnetns.jupiter;

import static io.github.junitnetns.jupiter.EngineRuns.run;
import static org.assertj.core.api.Assertions.assertThat;

import io.github.junitnetns.internal.ns.NetNsAccess;
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
 * Bad declarations are reported as ExtensionConfigurationException naming the annotation, the
 * attribute, the value and the fix, and nothing is created. {@code @Isolated}: nothing else runs
 * meanwhile, so the library's creation counter proves "nothing".
 */
@Isolated
@Tag("privileged")
class ValidationPrivilegedTest {

  @IsolatedNetNs({"a", "a"})
  static class DuplicateInOne {
    @Test void test() {}
  }

  @IsolatedNetNs("a")
  static class DuplicateAcrossLevels {
    @Test @IsolatedNetNs({"b", "a"}) void test() {}
  }

  @IsolatedNetNs
  static class UnnamedTwice {
    @Test @IsolatedNetNs void test() {}
  }

  static class ClassScopeOnMethod {
    @Test @IsolatedNetNs(scope = IsolatedNetNs.Scope.CLASS) void test() {}
  }

  @IsolatedNetNs("has space")
  static class BadName {
    @Test void test() {}
  }

  @IsolatedNetNs({"ok", ""})
  static class EmptyName {
    @Test void test() {}
  }

  @IsolatedNetNs("abcdefghijklmnopqrstuvwxyz0123456")
  static class NameTooLong {
    @Test void test() {}
  }

  @IsolatedNetNs(value = {"x", "x"}, scope = IsolatedNetNs.Scope.CLASS)
  static class DuplicateClassScoped {
    @Test void test() {}
  }

  @IsolatedNetNs
  static class BadConfiguration {
    @Test void test() {}
  }

  static Stream<Arguments> badDeclarations() {
    return Stream.of(
        Arguments.of(DuplicateInOne.class, "@IsolatedNetNs declares \"a\" twice: on DuplicateInOne and on DuplicateInOne. Give each namespace its own name."),
        Arguments.of(DuplicateAcrossLevels.class, "@IsolatedNetNs declares \"a\" twice: on DuplicateAcrossLevels and on DuplicateAcrossLevels.test()"),
        Arguments.of(UnnamedTwice.class, "declares the unnamed namespace twice: on UnnamedTwice and on UnnamedTwice.test(). Give them names"),
        Arguments.of(ClassScopeOnMethod.class, "@IsolatedNetNs(scope = CLASS) on method ClassScopeOnMethod.test(): CLASS scope shares namespaces across a class's tests, so it belongs on the class"),
        Arguments.of(BadName.class, "@IsolatedNetNs on BadName: value contains \"has space\", which is not a usable namespace name"),
        Arguments.of(EmptyName.class, "@IsolatedNetNs on EmptyName: value contains \"\""),
        Arguments.of(NameTooLong.class, "value contains \"abcdefghijklmnopqrstuvwxyz0123456\""),
        Arguments.of(DuplicateClassScoped.class, "@IsolatedNetNs declares \"x\" twice"));
  }

  @ParameterizedTest
  @MethodSource("badDeclarations")
  void isRefusedBeforeAnythingIsCreated(Class<?> fixture, String message) {
    long created = NetNsAccess.createdCount();
    EngineExecutionResults results = run(fixture);
    assertThat(failures(results)).singleElement().satisfies(thrown -> assertThat(thrown)
        .isInstanceOf(ExtensionConfigurationException.class)
        .hasMessageContaining(message));
    assertThat(NetNsAccess.createdCount()).as("namespaces created").isEqualTo(created);
  }

  @Test
  void anUnknownUnprivilegedModeIsRefused() {
    long created = NetNsAccess.createdCount();
    EngineExecutionResults results = run(BadConfiguration.class, "junit.netns.unprivileged", "maybe");
    assertThat(failures(results)).singleElement().satisfies(thrown -> assertThat(thrown)
        .isInstanceOf(ExtensionConfigurationException.class)
        .hasMessage("Configuration parameter junit.netns.unprivileged is \"maybe\"; use \"abort\" (skip tests"
            + " without privileges, the default) or \"fail\"."));
    assertThat(NetNsAccess.createdCount()).isEqualTo(created);
  }

  /** Failures of tests and of containers (a CLASS-scoped declaration fails the class). */
  private static java.util.List<Throwable> failures(EngineExecutionResults results) {
    return results.allEvents().failed().stream()
        .map((Event e) -> e.getRequiredPayload(TestExecutionResult.class).getThrowable().orElseThrow())
        .toList();
  }
}
