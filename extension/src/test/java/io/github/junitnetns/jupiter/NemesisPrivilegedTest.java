package io.github.junitnetns.jupiter;

import static io.github.junitnetns.jupiter.EngineRuns.onlyFailure;
import static io.github.junitnetns.jupiter.EngineRuns.run;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.github.junitnetns.Nemesis;
import io.github.junitnetns.Network;
import io.github.junitnetns.internal.ns.Namespaces;
import java.net.InetAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.platform.engine.reporting.ReportEntry;
import org.junit.platform.testkit.engine.EngineExecutionResults;

/** A seeded nemesis on a real bridge: repeatable, really applied, healing only its own faults. Needs CAP_SYS_ADMIN. */
@Tag("privileged")
class NemesisPrivilegedTest {

  private static List<String> descriptions(Nemesis nemesis) {
    List<String> out = new ArrayList<>();
    nemesis.timeline().forEach(event -> out.add(event.description()));
    return out;
  }

  /** Whether {@code from} reaches {@code to} with ICMP within {@code millis}. */
  private static boolean reaches(Network net, String from, String to, int millis) throws Exception {
    InetAddress target = net.address(to);
    return net.ns(from).call(() -> target.isReachable(millis));
  }

  @Nested
  @IsolatedNetNs({"n1", "n2", "n3"})
  @Bridge(name = "lan", members = {"n1", "n2", "n3"}, subnet = "10.0.1.0/24")
  class ThreeOnABridge {

    /** Runs a fast nemesis with {@code seed} until it has {@code events} events, then closes it. */
    private List<String> run(Network net, long seed, int events) {
      try (Nemesis nemesis = Nemesis.on(net).seed(seed).every(Duration.ofMillis(20))
          .faults(Nemesis.isolateRandomNode(), Nemesis.partitionHalves(), Nemesis.partitionMajoritiesRing(),
              Nemesis.partitionBridge())
          .start()) {
        await().atMost(Duration.ofSeconds(30)).until(() -> nemesis.timeline().size() >= events);
        return descriptions(nemesis);
      }
    }

    @Test
    void theSameSeedGivesTheSameDescriptions(Network net) {
      List<String> first = run(net, 42, 12).subList(0, 12);
      List<String> second = run(net, 42, 12).subList(0, 12);
      assertThat(second).isEqualTo(first);
      assertThat(first).containsExactly("majorities ring [n3, n2, n1]: nothing to cut", "heal", "isolate n1", "heal",
          "bridge n2 between [n1] | [n3]", "heal", "majorities ring [n1, n2, n3]: nothing to cut", "heal",
          "partition [n2] | [n1, n3]", "heal", "partition [n2] | [n1, n3]", "heal");
      assertThat(run(net, 7, 12).subList(0, 12)).isNotEqualTo(first);
      assertThat(net.isCut("n1", "n2") || net.isCut("n2", "n3") || net.isCut("n3", "n1")).isFalse();
    }

    @Test
    void itsFaultsAreInForceUntilItsCloseWhichLeavesTheTestsOwn(Network net) throws Exception {
      net.cut("n1", "n2"); // the test's own fault
      String isolated;
      try (Nemesis nemesis = Nemesis.on(net).seed(42).every(Duration.ofSeconds(3))
          .faults(Nemesis.isolateRandomNode()).start()) {
        await().atMost(Duration.ofSeconds(20)).until(() -> !nemesis.timeline().isEmpty());
        String description = nemesis.timeline().get(0).description();
        assertThat(description).matches("isolate n[123]");
        isolated = description.substring("isolate ".length());
        // In force for three seconds: a probe from each peer finds the isolated node silent.
        for (String other : net.names()) {
          if (!other.equals(isolated)) {
            assertThat(net.isCut(other, isolated)).as(other + " -> " + isolated).isTrue();
            assertThat(net.isCut(isolated, other)).as(isolated + " -> " + other).isTrue();
            assertThat(reaches(net, other, isolated, 300)).as(other + " reaches " + isolated).isFalse();
          }
        }
        assertThat(nemesis.timeline()).hasSize(1);
      }
      // Healed by close(), except the test's own cut, which the nemesis also made when it isolated n1 or n2.
      assertThat(net.isCut("n1", "n2")).isTrue();
      assertThat(net.isCut("n2", "n1")).isTrue();
      for (String[] pair : new String[][] {{"n1", "n3"}, {"n2", "n3"}}) {
        assertThat(net.isCut(pair[0], pair[1]) || net.isCut(pair[1], pair[0])).as(String.join("-", pair)).isFalse();
        await().atMost(Duration.ofSeconds(10)).until(() -> reaches(net, pair[0], pair[1], 500));
      }
      assertThat(reaches(net, "n1", "n2", 300)).isFalse();
      net.heal();
      await().atMost(Duration.ofSeconds(10)).until(() -> reaches(net, "n1", "n2", 500));
    }

    @Test
    void itsStepsRunOnADaemonThreadOfTheJvmsOwnNamespace(Network net) {
      List<String> where = new CopyOnWriteArrayList<>();
      Nemesis.Disruption spy = (view, nodes, random) -> {
        where.add(Namespaces.currentThreadId() + (Thread.currentThread().isDaemon() ? " daemon" : " user"));
        return "nothing, nodes " + nodes;
      };
      // The test body runs inside n1; the nemesis's thread must not.
      assertThat(Namespaces.currentThreadId()).isNotEqualTo(Namespaces.initialId());
      try (Nemesis nemesis = Nemesis.on(net).seed(1).every(Duration.ofMillis(10)).faults(spy).start()) {
        await().atMost(Duration.ofSeconds(20)).until(() -> nemesis.timeline().size() >= 3);
        assertThat(nemesis.timeline().get(0).description()).isEqualTo("nothing, nodes [n1, n2, n3]");
        assertThat(nemesis.timeline().get(1).description()).isEqualTo("heal");
        assertThat(nemesis.timeline().get(1).offset()).isGreaterThan(nemesis.timeline().get(0).offset());
      }
      assertThat(where).isNotEmpty().allSatisfy(w -> assertThat(w).isEqualTo(Namespaces.initialId() + " daemon"));
    }
  }

  // ---------------------------------------------------------------- the extension

  @IsolatedNetNs({"n1", "n2", "n3"})
  @Bridge(name = "lan", members = {"n1", "n2", "n3"}, subnet = "10.0.2.0/24")
  static class FailsAfterANemesis {
    @Test
    void losesAWrite(Network net) {
      try (Nemesis nemesis = Nemesis.on(net).seed(42).every(Duration.ofMillis(30))
          .faults(Nemesis.isolateRandomNode()).start()) {
        await().atMost(Duration.ofSeconds(20)).until(() -> nemesis.timeline().size() >= 3);
      }
      throw new AssertionError("the workload lost a write");
    }
  }

  @Test
  void aFailedTestsReportListsItsNemesisTimeline() {
    EngineExecutionResults results = run(FailsAfterANemesis.class);
    Throwable failure = onlyFailure(results.testEvents());
    assertThat(failure).hasMessage("the workload lost a write");
    String report = failure.getSuppressed()[0].getMessage();
    assertThat(report).startsWith("Network namespaces when the test failed:\n")
        .containsPattern("\nNemesis seed 42, every 30 ms, faults \\[isolateRandomNode], stopped at \\+\\d+\\.\\d{3} s:\n"
            + "  \\+\\d+\\.\\d{3} s isolate n[123]\n  \\+\\d+\\.\\d{3} s heal\n  \\+\\d+\\.\\d{3} s isolate n[123]\n");
    assertThat(results.allEvents().reportingEntryPublished().stream()
        .map(event -> event.getRequiredPayload(ReportEntry.class).getKeyValuePairs()))
        .anySatisfy(entry -> assertThat(entry).containsKey("junit-netns nemesis"));
  }

  @IsolatedNetNs({"n1", "n2", "n3"})
  @Bridge(name = "lan", members = {"n1", "n2", "n3"}, subnet = "10.0.3.0/24")
  static class LeavesANemesisRunning {
    static final AtomicReference<Nemesis> LEFT = new AtomicReference<>();

    @Test
    void forgetsToCloseIt(Network net) {
      Nemesis nemesis = Nemesis.on(net).seed(3).every(Duration.ofMillis(20)).faults(Nemesis.partitionHalves()).start();
      LEFT.set(nemesis);
      await().atMost(Duration.ofSeconds(20)).until(() -> nemesis.timeline().size() >= 1);
    }
  }

  @Test
  void aNemesisLeftRunningIsStoppedAndHealedAfterItsTest() throws Exception {
    EngineExecutionResults results = run(LeavesANemesisRunning.class);
    assertThat(results.testEvents().succeeded().count()).as(EngineRuns.describe(results.testEvents())).isEqualTo(1);
    Nemesis nemesis = LeavesANemesisRunning.LEFT.get();
    assertThat(nemesis.describe()).contains(", stopped at +");
    List<Nemesis.Event> timeline = nemesis.timeline();
    Thread.sleep(100); // stopped: nothing more happens
    assertThat(nemesis.timeline()).isEqualTo(timeline);
    assertThat(timeline.get(timeline.size() - 1).description()).isEqualTo("heal");
  }

  @Test
  void closingABuiltNetworkStopsItsNemesisFirstAndDescribeShowsIt() {
    AtomicReference<Nemesis> started = new AtomicReference<>();
    try (Network net = Network.builder().namespace("a").namespace("b").veth("a", "b", "10.0.9.0/30").build()) {
      Nemesis nemesis = Nemesis.on(net).seed(5).every(Duration.ofMillis(10)).faults(Nemesis.isolateRandomNode()).start();
      started.set(nemesis);
      await().atMost(Duration.ofSeconds(20)).until(() -> nemesis.timeline().size() >= 2);
      assertThat(net.describe()).contains("\nNemesis seed 5, every 10 ms, faults [isolateRandomNode], running:\n  +");
    }
    assertThat(started.get().describe()).contains(", stopped at +");
    assertThat(started.get().timeline()).last().extracting(Nemesis.Event::description).isEqualTo("heal");
  }
}
