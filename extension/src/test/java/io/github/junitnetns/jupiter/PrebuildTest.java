package io.github.junitnetns.jupiter;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.junitnetns.jupiter.IsolatedNetNs.Scope;
import java.util.Optional;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/**
 * Which plans get their topology built ahead of the next test (Prebuild): only fresh namespaces
 * that something links, never a CLASS-scoped one (the running test sees it) nor the host.
 */
class PrebuildTest {

  @IsolatedNetNs({"a", "b"})
  @VethLink(left = "a", right = "b", subnet = "10.0.0.0/24")
  static class Veth {
    @Test void test() {}
  }

  @IsolatedNetNs({"n1", "n2", "n3"})
  @Bridge(name = "lan", members = {"n1", "n2", "n3"}, subnet = "10.0.1.0/24")
  static class Lan {
    @Test void test() {}
  }

  @IsolatedNetNs({"a", "b"})
  static class TwoUnlinked {
    @Test void test() {}
  }

  @IsolatedNetNs
  static class Single {
    @Test void test() {}
  }

  @IsolatedNetNs("server")
  static class SingleNamed {
    @Test void test() {}
  }

  @IsolatedNetNs(value = "shared", scope = Scope.CLASS)
  @IsolatedNetNs("mine")
  @VethLink(left = "shared", right = "mine", subnet = "10.0.0.0/24")
  static class LinkedToClassScoped {
    @Test void test() {}
  }

  @IsolatedNetNs({"a", "b"})
  @VethLink(left = VethLink.HOST, right = "a", subnet = "10.0.0.0/24")
  static class LinkedToTheHost {
    @Test void test() {}
  }

  @IsolatedNetNs("outer")
  static class Outer {
    @Nested
    @IsolatedNetNs("inner")
    @VethLink(left = "outer", right = "inner", subnet = "10.0.0.0/24")
    class Inner {
      @Test void test() {}
    }
  }

  @IsolatedNetNs(value = "outer", scope = Scope.CLASS)
  static class OuterShared {
    @Nested
    @IsolatedNetNs({"a", "b"})
    @VethLink(left = "a", right = "b", subnet = "10.0.0.0/24")
    class Inner {
      @Test void test() {}
    }
  }

  @Test
  void freshNamespacesThatSomethingLinksAreBuiltAhead() {
    assertThat(qualifies(Veth.class)).isTrue();
    assertThat(qualifies(Lan.class)).isTrue();
    assertThat(qualifies(TwoUnlinked.class)).isTrue();
    assertThat(qualifies(Outer.Inner.class)).as("@Nested, every namespace fresh per test").isTrue();
  }

  @Test
  void aLoneNamespaceIsLeftToTheSpares() {
    assertThat(qualifies(Single.class)).isFalse();
    assertThat(qualifies(SingleNamed.class)).isFalse();
  }

  @Test
  void nothingThatTheRunningTestSeesOrTheHostIsBuiltAhead() {
    assertThat(qualifies(LinkedToClassScoped.class)).isFalse();
    assertThat(qualifies(OuterShared.Inner.class)).as("a CLASS-scoped namespace of the enclosing class").isFalse();
    assertThat(qualifies(LinkedToTheHost.class)).isFalse();
  }

  @IsolatedNetNs({"a", "b"})
  @VethLink(left = "a", right = "b", subnet = "10.0.0.0/24")
  static class Siblings {
    @Test void one() {}

    @Test void two() {}

    @Test @IsolatedNetNs("c") void three() {}
  }

  @Test
  void siblingsWithTheClassesAnnotationsHaveEqualPlansAndAnyDifferenceTells() {
    assertThat(plan(Siblings.class, "one")).isEqualTo(plan(Siblings.class, "two"));
    assertThat(plan(Siblings.class, "one")).isNotEqualTo(plan(Siblings.class, "three"));
    assertThat(plan(Veth.class, "test")).isNotEqualTo(plan(TwoUnlinked.class, "test"));
  }

  private static boolean qualifies(Class<?> fixture) {
    return Prebuild.qualifies(plan(fixture, "test"));
  }

  private static Plan plan(Class<?> fixture, String method) {
    try {
      return Plan.of(fixture, Optional.of(fixture.getDeclaredMethod(method)), true);
    } catch (NoSuchMethodException e) {
      throw new AssertionError(e);
    }
  }
}
