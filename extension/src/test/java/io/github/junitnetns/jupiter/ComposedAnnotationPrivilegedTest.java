package io.github.junitnetns.jupiter;

import static io.github.junitnetns.jupiter.EngineRuns.run;
import static org.assertj.core.api.Assertions.assertThat;

import io.github.junitnetns.Network;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** A user's own annotation composed of ours works like writing them out. Needs CAP_SYS_ADMIN. */
@Tag("privileged")
class ComposedAnnotationPrivilegedTest {

  /** What a user would write once and put on many test classes. */
  @Target({ElementType.TYPE, ElementType.METHOD})
  @Retention(RetentionPolicy.RUNTIME)
  @IsolatedNetNs({"n1", "n2", "n3"})
  @Bridge(name = "lan", members = {"n1", "n2", "n3"}, subnet = "10.0.3.0/24")
  @interface ThreeNodeLan {}

  @ThreeNodeLan
  static class Fixture {
    static final Map<String, Object> SEEN = new ConcurrentHashMap<>();

    @Test
    void test(Network net) throws Exception {
      SEEN.put("names", net.names().toString());
      SEEN.put("n3", net.address("n3").getHostAddress());
      SEEN.put("reachable", net.ns("n1").call(() -> net.address("n3").isReachable(2000)));
    }
  }

  @Test
  void aComposedAnnotationDeclaresTheWholeTopology() {
    Fixture.SEEN.clear();
    run(Fixture.class).testEvents().assertStatistics(s -> s.started(1).succeeded(1));
    assertThat(Fixture.SEEN).containsEntry("names", "[n1, n2, n3]").containsEntry("n3", "10.0.3.3")
        .containsEntry("reachable", true);
  }
}
