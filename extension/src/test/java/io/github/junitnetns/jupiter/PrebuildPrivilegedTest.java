package io.github.junitnetns.jupiter;

import static io.github.junitnetns.jupiter.EngineRuns.run;
import static io.github.junitnetns.jupiter.IsolatedNetNsPrivilegedTest.freshNamespaceMarked;
import static org.assertj.core.api.Assertions.assertThat;

import io.github.junitnetns.Link;
import io.github.junitnetns.NetNs;
import io.github.junitnetns.Network;
import io.github.junitnetns.Shaping;
import io.github.junitnetns.internal.capture.CaptureSession;
import io.github.junitnetns.testsupport.Kernel;
import io.github.junitnetns.testsupport.NestedEngine;
import io.github.junitnetns.testsupport.Tshark;
import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.RepetitionInfo;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.api.parallel.Execution;
import org.junit.jupiter.api.parallel.ExecutionMode;
import org.junit.jupiter.api.parallel.Isolated;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.platform.engine.discovery.DiscoverySelectors;
import org.junit.platform.testkit.engine.EngineTestKit;

/**
 * Topologies built ahead of the next test (Prebuild): repetitions receive them, a plan that
 * changes mid-class or a class that ends discards them without leaving anything behind, a topology
 * received is as fresh as one built for the test, it is on by default and
 * {@code junit.netns.prebuild=false} turns it off; the fixtures set it explicitly. {@code @Isolated}:
 * the counters are the JVM's, and no other test builds ahead meanwhile.
 */
@Isolated
@Tag("privileged")
class PrebuildPrivilegedTest {

  /** The spare namespaces are made once the first test asks for one: start them, so that "before" counts them too. */
  @BeforeAll
  static void startTheSpares() {
    run(Repeated.class, NetNsConfiguration.PREBUILD, "false").testEvents().assertStatistics(s -> s.succeeded(5));
  }

  // ---------------------------------------------------------------- repetitions

  @IsolatedNetNs({"a", "b"})
  @VethLink(left = "a", right = "b", subnet = "10.0.77.0/24")
  @Execution(ExecutionMode.SAME_THREAD)
  static class Repeated {
    static final List<String> IDS = new CopyOnWriteArrayList<>();
    static final List<String> PROBLEMS = new CopyOnWriteArrayList<>();

    @RepeatedTest(5)
    void test(@Ns("a") NetNs a, @Ns("b") NetNs b, RepetitionInfo repetition) throws Exception {
      IDS.add(a.id());
      IDS.add(b.id());
      if (!freshNamespaceMarked() || !b.call(IsolatedNetNsPrivilegedTest::freshNamespaceMarked)) {
        PROBLEMS.add("repetition " + repetition.getCurrentRepetition() + " was not fresh");
      }
      if (!a.label().equals("a") || !b.label().equals("b")) {
        PROBLEMS.add("repetition " + repetition.getCurrentRepetition() + ": labels " + a.label() + ", " + b.label());
      }
      if (!eth0(a).addresses().toString().contains("10.0.77.1/24")) {
        PROBLEMS.add("repetition " + repetition.getCurrentRepetition() + ": a has " + a.links());
      }
      Thread.sleep(50); // a body that takes a while, as a test's does: room to build the next topology
    }
  }

  @Test
  void repetitionsReceiveTheTopologyBuiltWhileTheTestBeforeRan() {
    clear();
    long handed = Prebuild.handedOver();
    long discarded = Prebuild.discarded();
    run(Repeated.class, NetNsConfiguration.PREBUILD, "true").testEvents().assertStatistics(s -> s.started(5).succeeded(5));
    assertThat(Repeated.PROBLEMS).isEmpty();
    assertThat(Repeated.IDS).hasSize(10); // never handed out twice: each was fresh (the kernel may reuse a closed one's id)
    assertThat(Prebuild.handedOver() - handed).as("tests that received a topology built ahead").isEqualTo(4);
    assertThat(Prebuild.discarded() - discarded).as("built for no test: the 5th is the last").isZero();
  }

  @Test
  void onByDefault() {
    clear();
    long handed = Prebuild.handedOver();
    run(Repeated.class).testEvents().assertStatistics(s -> s.started(5).succeeded(5));
    assertThat(Repeated.PROBLEMS).isEmpty();
    assertThat(Prebuild.handedOver() - handed).isEqualTo(4);
  }

  @Test
  void offEveryTestBuildsItsOwnWhenItStarts() {
    clear();
    long handed = Prebuild.handedOver();
    long discarded = Prebuild.discarded();
    run(Repeated.class, NetNsConfiguration.PREBUILD, "false").testEvents().assertStatistics(s -> s.started(5).succeeded(5));
    assertThat(Repeated.PROBLEMS).isEmpty();
    assertThat(Repeated.IDS).hasSize(10);
    assertThat(Prebuild.handedOver() - handed).isZero();
    assertThat(Prebuild.discarded() - discarded).isZero();
  }

  /** Bodies that take next to no time, as the back-to-back benchmark's: no room to build in. */
  @IsolatedNetNs({"a", "b"})
  @VethLink(left = "a", right = "b", subnet = "10.0.85.0/24")
  @Execution(ExecutionMode.SAME_THREAD)
  static class Quick {
    @RepeatedTest(8)
    void test() {
      // nothing: the next test starts at once
    }
  }

  @Test
  void testsWhoseBodiesLeaveNoRoomBuildTheirOwn() {
    long handed = Prebuild.handedOver();
    long discarded = Prebuild.discarded();
    run(Quick.class, NetNsConfiguration.PREBUILD, "true").testEvents().assertStatistics(s -> s.started(8).succeeded(8));
    // Built for the 2nd while the 1st started, before any body's length was known; then only after a
    // body that took 1 ms or more (its trip to the carrier and back included), which on a loaded
    // machine even an empty one may. Each test but the first would receive one if every body left room.
    assertThat(Prebuild.handedOver() - handed).isBetween(1L, 6L);
    assertThat(Prebuild.discarded() - discarded).isZero();
  }

  // ---------------------------------------------------------------- freshness

  /** The first test leaves traffic, a fault, shaping and a process; the second must see none of them. */
  @IsolatedNetNs({"a", "b"})
  @VethLink(left = "a", right = "b", subnet = "10.0.78.0/24")
  @Execution(ExecutionMode.SAME_THREAD)
  static class Dirty {
    static final Map<String, String> SEEN = new ConcurrentHashMap<>();
    static final int PACKETS = 200;

    @RepeatedTest(2)
    void test(@Ns("a") NetNs a, @Ns("b") NetNs b, Network net, RepetitionInfo repetition) throws Exception {
      if (repetition.getCurrentRepetition() == 1) {
        try (DatagramSocket socket = new DatagramSocket()) { // in "a": the body runs there
          for (int i = 0; i < PACKETS; i++) {
            socket.send(new DatagramPacket(new byte[64], 64, new InetSocketAddress("10.0.78.2", 9)));
          }
        }
        Thread.sleep(100);
        SEEN.put("first rx", String.valueOf(eth0(b).rxPackets()));
        net.shape("a", "b", Shaping.rate("1mbit"));
        net.cut("a", "b");
        a.exec("sleep", "30");
        SEEN.put("first ids", a.id() + " " + b.id());
        SEEN.put("first describe", a.describe() + b.describe());
        Thread.sleep(50);
        return;
      }
      SEEN.put("second ids", a.id() + " " + b.id());
      SEEN.put("second describe", a.describe() + b.describe());
      SEEN.put("second rx", String.valueOf(eth0(b).rxPackets()));
      SEEN.put("second tx", String.valueOf(eth0(a).txPackets()));
      SEEN.put("second links", Stream.concat(a.links().stream(), b.links().stream()).map(Link::name)
          .sorted().collect(Collectors.joining(" ")));
      SEEN.put("second processes", LibraryInternals.processReport(a) + LibraryInternals.processReport(b));
      SEEN.put("second fresh", freshNamespaceMarked() + " " + b.call(IsolatedNetNsPrivilegedTest::freshNamespaceMarked));
    }
  }

  @Test
  void aTopologyReceivedShowsNothingOfTheTestBefore() {
    Dirty.SEEN.clear();
    long handed = Prebuild.handedOver();
    run(Dirty.class, NetNsConfiguration.PREBUILD, "true").testEvents().assertStatistics(s -> s.started(2).succeeded(2));
    assertThat(Prebuild.handedOver() - handed).as("the second test received a topology built ahead").isEqualTo(1);
    // The first test's state was real ...
    assertThat(Long.parseLong(Dirty.SEEN.get("first rx"))).isGreaterThanOrEqualTo(Dirty.PACKETS / 2);
    assertThat(Dirty.SEEN.get("first describe")).contains("faults: drops packets from 10.0.78.1").contains("kind ifb");
    // ... and none of it reached the second.
    assertThat(Dirty.SEEN.get("second ids")).isNotEqualTo(Dirty.SEEN.get("first ids"));
    assertThat(Dirty.SEEN.get("second describe")).doesNotContain("faults:").doesNotContain("ifb");
    assertThat(Dirty.SEEN.get("second links")).isEqualTo("eth0 eth0 lo lo");
    assertThat(Long.parseLong(Dirty.SEEN.get("second rx"))).as("b's eth0: the kernel's own packets at most")
        .isLessThan(Dirty.PACKETS / 4);
    assertThat(Long.parseLong(Dirty.SEEN.get("second tx"))).isLessThan(Dirty.PACKETS / 4);
    assertThat(Dirty.SEEN.get("second processes")).isEmpty();
    assertThat(Dirty.SEEN.get("second fresh")).isEqualTo("true true");
  }

  // ---------------------------------------------------------------- discarded

  /** The first and third tests share a plan; the second has another, so what was built for it is discarded. */
  @IsolatedNetNs({"a", "b"})
  @VethLink(left = "a", right = "b", subnet = "10.0.79.0/24")
  @Execution(ExecutionMode.SAME_THREAD)
  @TestMethodOrder(MethodOrderer.OrderAnnotation.class)
  static class PlanChanges {
    static final List<String> SEEN = new CopyOnWriteArrayList<>();

    @Test
    @Order(1)
    void first(@Ns("a") NetNs a) throws Exception {
      SEEN.add("first " + a.links().size());
      Thread.sleep(50);
    }

    @Test
    @Order(2)
    @IsolatedNetNs("c")
    @VethLink(left = "b", right = "c", subnet = "10.0.80.0/24")
    void second(@Ns("b") NetNs b, @Ns("c") NetNs c) throws Exception {
      SEEN.add("second " + b.links().size() + " " + c.label() + " " + freshNamespaceMarked());
      Thread.sleep(50);
    }

    @Test
    @Order(3)
    void third(@Ns("a") NetNs a) throws Exception {
      SEEN.add("third " + a.links().size());
    }
  }

  @Test
  void aPlanThatChangesMidClassDiscardsWhatWasBuiltAheadAndLeavesNothing() throws Exception {
    PlanChanges.SEEN.clear();
    Held before = Held.settled();
    long handed = Prebuild.handedOver();
    long discarded = Prebuild.discarded();
    run(PlanChanges.class, NetNsConfiguration.PREBUILD, "true").testEvents().assertStatistics(s -> s.started(3).succeeded(3));
    assertThat(PlanChanges.SEEN).containsExactly("first 2", "second 3 c true", "third 2");
    assertThat(Prebuild.discarded() - discarded).as("built for the third, discarded when the second started").isEqualTo(1);
    assertThat(Prebuild.handedOver() - handed).isZero(); // the second's plan has no other test: nothing built for the third
    assertThat(Held.settled()).isEqualTo(before);
  }

  @IsolatedNetNs({"a", "b"})
  @VethLink(left = "a", right = "b", subnet = "10.0.81.0/24")
  @Execution(ExecutionMode.SAME_THREAD)
  static class Parameterized {
    static final List<String> PROBLEMS = new CopyOnWriteArrayList<>();

    @ParameterizedTest
    @ValueSource(ints = {1, 2, 3})
    void test(int value, @Ns("b") NetNs b) throws Exception {
      if (!freshNamespaceMarked() || !b.call(IsolatedNetNsPrivilegedTest::freshNamespaceMarked)) {
        PROBLEMS.add("invocation " + value + " was not fresh");
      }
      Thread.sleep(50);
    }
  }

  @Test
  void whatWasBuiltForAnInvocationThatNeverCameIsDiscardedWhenTheClassEnds() throws Exception {
    Parameterized.PROBLEMS.clear();
    Held before = Held.settled();
    long handed = Prebuild.handedOver();
    long discarded = Prebuild.discarded();
    run(Parameterized.class, NetNsConfiguration.PREBUILD, "true").testEvents().assertStatistics(s -> s.started(3).succeeded(3));
    assertThat(Parameterized.PROBLEMS).isEmpty();
    assertThat(Prebuild.handedOver() - handed).isEqualTo(2);
    // How many invocations a parameterized test has is not known ahead: one more was built, for nothing.
    assertThat(Prebuild.discarded() - discarded).isEqualTo(1);
    assertThat(Held.settled()).isEqualTo(before);
  }

  // ---------------------------------------------------------------- recorded

  /**
   * Each repetition sends one datagram across the bridge to a port of its own, and b receives it
   * before the test ends (however long finding b's MAC address took); recorded always, so every
   * repetition leaves its file. Built ahead, the namespaces (the bridge's hidden one too) come with
   * their capture sockets open.
   */
  @IsolatedNetNs({"a", "b"})
  @Bridge(name = "lan", members = {"a", "b"}, subnet = "10.0.84.0/24")
  @Execution(ExecutionMode.SAME_THREAD)
  static class Recorded {
    @RepeatedTest(3)
    void test(RepetitionInfo repetition, @Ns("b") NetNs b) throws Exception {
      int port = 7000 + repetition.getCurrentRepetition();
      try (DatagramSocket receiver = b.call(() -> new DatagramSocket(new InetSocketAddress("10.0.84.2", port)))) {
        receiver.setSoTimeout(5000);
        CapturePrivilegedTest.sendUdp("10.0.84.2", port);
        receiver.receive(new DatagramPacket(new byte[16], 16));
      }
    }
  }

  @Test
  void aTopologyBuiltAheadIsRecordedOnEveryInterfaceFromItsFirstPacket(@TempDir Path dir) throws Exception {
    Tshark.assumeInstalled();
    Held before = Held.settled();
    long handed = Prebuild.handedOver();
    long opened = CaptureSession.openedAtStart();
    run(Recorded.class, NetNsConfiguration.PREBUILD, "true", CaptureConfiguration.CAPTURE, "always",
        CaptureConfiguration.DIR, dir.toString()).testEvents().assertStatistics(s -> s.started(3).succeeded(3));
    assertThat(Prebuild.handedOver() - handed).as("the 2nd and 3rd received a topology built ahead").isEqualTo(2);
    // Only the first test's recording may have had to open sockets (a, b and the bridge's namespace) as it started.
    assertThat(CaptureSession.openedAtStart() - opened).as("sockets opened on the critical path").isLessThanOrEqualTo(3);
    for (int repetition = 1; repetition <= 3; repetition++) {
      Path file = dir.resolve(Recorded.class.getName() + ".test-" + repetition + ".pcapng");
      List<String> seenOn = Tshark.fields(file, "udp.dstport==" + (7000 + repetition), "frame.interface_name")
          .stream().map(row -> row.get(0)).toList();
      // Sent on a's eth0, through the bridge's two ports, received on b's eth0: four sightings.
      assertThat(seenOn).as(() -> "the datagram in " + file + ", which holds:\n" + Tshark.everyFrame(file))
          .contains("eth0@a", "eth0@b")
          .anyMatch(name -> name.endsWith("@bridge-lan")).hasSize(4);
    }
    assertThat(Held.settled()).isEqualTo(before);
  }

  // ---------------------------------------------------------------- parallel classes

  @IsolatedNetNs({"x", "y"})
  @Bridge(name = "lan", members = {"x", "y"}, subnet = "10.0.82.0/24")
  static class ParallelOne {
    @RepeatedTest(12)
    void test(@Ns("x") NetNs x, @Ns("y") NetNs y) throws Exception {
      Parallel.record(x, y);
    }
  }

  @IsolatedNetNs({"x", "y"})
  @VethLink(left = "x", right = "y", subnet = "10.0.83.0/24")
  static class ParallelTwo {
    @RepeatedTest(12)
    void test(@Ns("x") NetNs x, @Ns("y") NetNs y) throws Exception {
      Parallel.record(x, y);
    }
  }

  static final class Parallel {
    static final List<String> IDS = new CopyOnWriteArrayList<>();
    static final List<String> PROBLEMS = new CopyOnWriteArrayList<>();

    static void record(NetNs x, NetNs y) throws Exception {
      IDS.add(x.id());
      IDS.add(y.id());
      if (!freshNamespaceMarked() || !y.call(IsolatedNetNsPrivilegedTest::freshNamespaceMarked)) {
        PROBLEMS.add("not fresh: " + x.id() + " " + y.id());
      }
      if (!x.label().equals("x") || !y.label().equals("y") || x.links().size() != 2) {
        PROBLEMS.add("labels " + x.label() + ", " + y.label() + ", links " + x.links());
      }
      Thread.sleep(20);
    }
  }

  @Test
  void classesRunningInParallelEachGetFreshTopologiesNoneTwice() throws Exception {
    Parallel.IDS.clear();
    Parallel.PROBLEMS.clear();
    Held before = Held.settled();
    long handed = Prebuild.handedOver();
    NestedEngine.execute(EngineTestKit.engine("junit-jupiter")
        .selectors(DiscoverySelectors.selectClass(ParallelOne.class), DiscoverySelectors.selectClass(ParallelTwo.class))
        .configurationParameter("junit.jupiter.execution.parallel.enabled", "true")
        .configurationParameter("junit.jupiter.execution.parallel.mode.default", "concurrent")
        .configurationParameter("junit.jupiter.execution.parallel.mode.classes.default", "concurrent")
        .configurationParameter(NetNsConfiguration.PREBUILD, "true"))
        .testEvents().assertStatistics(s -> s.started(24).succeeded(24));
    assertThat(Parallel.PROBLEMS).isEmpty();
    assertThat(Parallel.IDS).hasSize(48);
    assertThat(Prebuild.handedOver() - handed).as("tests that received a topology built ahead").isPositive();
    assertThat(Held.settled()).isEqualTo(before);
  }

  // ---------------------------------------------------------------- helpers

  static Link eth0(NetNs ns) {
    return ns.links().stream().filter(l -> l.name().equals("eth0")).findFirst().orElseThrow();
  }

  private static void clear() {
    Repeated.IDS.clear();
    Repeated.PROBLEMS.clear();
  }

  /**
   * What this JVM holds of network namespaces: descriptors, and the namespaces its threads are in,
   * once the background work (spares refilling, carriers going home) has settled: two reads agree.
   */
  record Held(long descriptors, long threadsElsewhere) {
    static Held settled() throws Exception {
      Held last = now();
      for (int i = 0; i < 100; i++) {
        Thread.sleep(50);
        Held again = now();
        if (again.equals(last)) {
          return again;
        }
        last = again;
      }
      return last;
    }

    static Held now() throws IOException {
      List<String> namespaces = new ArrayList<>();
      try (Stream<Path> tasks = Files.list(Path.of("/proc/self/task"))) {
        for (Path task : (Iterable<Path>) tasks::iterator) {
          try {
            namespaces.add(Files.readSymbolicLink(task.resolve("ns/net")).toString());
          } catch (IOException e) {
            // the thread ended while listing
          }
        }
      }
      String home = Kernel.currentNetNs();
      // Threads elsewhere than the JVM's namespace: carriers of spares, and anything left behind.
      long away = namespaces.stream().filter(ns -> !ns.equals(home)).count();
      return new Held(Kernel.openNetNsDescriptors(), away);
    }
  }
}
