package io.github.junitnetns.benchmarks;

import io.github.junitnetns.benchmarks.fixtures.Bridge20Fixture;
import io.github.junitnetns.benchmarks.fixtures.Bridge3Fixture;
import io.github.junitnetns.benchmarks.fixtures.SingleNsFixture;
import io.github.junitnetns.benchmarks.fixtures.VethFixture;
import java.util.List;
import java.util.Optional;

/**
 * One topology measured through the JUnit Platform Launcher: its JSON key, what it is, and the
 * fixture class that declares it (none yet where the annotations do not exist: the key is then
 * reported as null).
 *
 * @param name the JSON key without {@code _ms}; also names the samples file {@code junit_NAME.txt}
 *     and the C figure it is held against, {@code c_NAME}, which is measured by running
 *     {@code nsbench NAME} (benchmarks/c/nsbench.c knows single, veth and bridgeN)
 */
record Scenario(String name, String description, Optional<Class<?>> fixture) {
  /** Every topology, in report order. Adding one is a fixture class and a line here. */
  static final List<Scenario> ALL = List.of(
      measured("single", "@IsolatedNetNs: one namespace, lo up", SingleNsFixture.class),
      measured("veth", "two namespaces + @VethLink, addresses", VethFixture.class),
      measured("bridge3", "@Bridge with 3 members, addresses", Bridge3Fixture.class),
      measured("bridge20", "@Bridge with 20 members, addresses", Bridge20Fixture.class));

  static Scenario measured(String name, String description, Class<?> fixture) {
    return new Scenario(name, description, Optional.of(fixture));
  }

  /** A topology whose annotations do not exist yet: its keys are reported as null. */
  static Scenario pending(String name, String description) {
    return new Scenario(name, description, Optional.empty());
  }

  String key() {
    return name + "_ms";
  }

  String samplesFile() {
    return "junit_" + name + ".txt";
  }

  /** The samples file of the same topology in C, the physical limit. */
  String referenceSamplesFile() {
    return "c_" + name + ".txt";
  }
}
