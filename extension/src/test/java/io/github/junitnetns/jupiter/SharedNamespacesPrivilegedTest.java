package io.github.junitnetns.jupiter;

import static io.github.junitnetns.jupiter.EngineRuns.run;
import static org.assertj.core.api.Assertions.assertThat;

import io.github.junitnetns.NetNs;
import io.github.junitnetns.Network;
import io.github.junitnetns.internal.ns.Pins;
import io.github.junitnetns.testsupport.Kernel;
import io.github.junitnetns.testsupport.KeptPins;
import io.github.junitnetns.testsupport.OwnNames;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.TestWatcher;
import org.junit.jupiter.api.parallel.ResourceLock;
import org.junit.platform.testkit.engine.EngineExecutionResults;

/**
 * Namespaces of {@code @IsolatedNetNs(scope = CLASS)} shared by tests that run at the same time:
 * each test's faults are its own, healed when it ends and not before; the same in {@code @Nested}
 * classes and for faults applied in {@code @BeforeAll}; a failed class keeps its namespaces with
 * keep-on-failure. Needs CAP_SYS_ADMIN.
 */
@Tag("privileged")
class SharedNamespacesPrivilegedTest {

  /**
   * Whether a UDP datagram from {@code from} reaches {@code to}'s {@code address}: up to five tries
   * of 300 ms each (after a heal, neighbours may have to resolve again first).
   */
  static boolean udpArrives(NetNs from, NetNs to, String address) throws Exception {
    return udpArrives(from, to, address, 5);
  }

  /** Whether a UDP datagram from {@code from} reaches {@code to}'s {@code address} in {@code attempts} tries of 300 ms. */
  static boolean udpArrives(NetNs from, NetNs to, String address, int attempts) throws Exception {
    try (DatagramSocket receiver = to.call(() -> new DatagramSocket(new InetSocketAddress(address, 0)));
        DatagramSocket sender = from.call(DatagramSocket::new)) {
      receiver.setSoTimeout(300);
      byte[] hello = "hello".getBytes(StandardCharsets.UTF_8);
      for (int attempt = 0; attempt < attempts; attempt++) {
        sender.send(new DatagramPacket(hello, hello.length, new InetSocketAddress(address, receiver.getLocalPort())));
        try {
          receiver.receive(new DatagramPacket(new byte[16], 16));
          return true;
        } catch (SocketTimeoutException e) {
          // not (yet): try again
        }
      }
      return false;
    }
  }

  // ---------------------------------------------------------------- two tests at once

  /** Counts down when test {@code b} has ended: JUnit calls watchers after the afterEach callbacks. */
  static final class WhenBEnds implements TestWatcher {
    @Override
    public void testSuccessful(ExtensionContext context) {
      ended(context);
    }

    @Override
    public void testFailed(ExtensionContext context, Throwable cause) {
      ended(context);
    }

    private static void ended(ExtensionContext context) {
      ConcurrentFaults.WORKERS.add(Thread.currentThread().getName());
      if (context.getRequiredTestMethod().getName().equals("b")) {
        ConcurrentFaults.bEnded.countDown();
      }
    }
  }

  @IsolatedNetNs(value = {"x", "y", "z"}, scope = IsolatedNetNs.Scope.CLASS)
  @VethLink(left = "x", right = "y", subnet = "10.0.61.0/24")
  @VethLink(left = "x", right = "z", subnet = "10.0.62.0/24")
  @ExtendWith(WhenBEnds.class)
  static class ConcurrentFaults {
    static volatile CyclicBarrier bothCut;
    static volatile CyclicBarrier aChecked;
    static volatile CountDownLatch bEnded;
    static final Map<String, Boolean> SEEN = new ConcurrentHashMap<>();
    /** The JUnit threads that ended the tests (TestWatcher callbacks run on them). */
    static final List<String> WORKERS = new CopyOnWriteArrayList<>();

    @Test
    void a(Network net) throws Exception {
      net.cut("x", "y");
      bothCut.await(30, TimeUnit.SECONDS); // b has cut too: both run now, in the same namespaces
      SEEN.put("a: x-y cut while both run", net.isCut("x", "y") && net.isCut("y", "x"));
      SEEN.put("a: x-z cut by b while both run", net.isCut("x", "z"));
      aChecked.await(30, TimeUnit.SECONDS); // now b may end
      assertThat(bEnded.await(30, TimeUnit.SECONDS)).as("b ended").isTrue();
      // b's teardown healed b's faults: its x-z cut is gone, and its x-y cut, which a made too, stays for a.
      SEEN.put("a: x-y still cut after b ended", net.isCut("x", "y") && net.isCut("y", "x"));
      SEEN.put("a: y's packets still dropped at x", !udpArrives(net.ns("y"), net.ns("x"), "10.0.61.1"));
      SEEN.put("a: x-z healed by b's teardown", !net.isCut("x", "z") && !net.isCut("z", "x"));
      SEEN.put("a: z's packets reach x again", udpArrives(net.ns("z"), net.ns("x"), "10.0.62.1"));
    }

    @Test
    void b(Network net) throws Exception {
      net.cut("x", "y"); // the same drop rules as a's: one kernel rule, two holders
      net.cut("x", "z");
      bothCut.await(30, TimeUnit.SECONDS);
      aChecked.await(30, TimeUnit.SECONDS);
    }
  }

  @Test
  @ResourceLock("SharedNamespacesPrivilegedTest.ConcurrentFaults") // its statics: one run at a time
  void aTestsFaultsOnSharedNamespacesLastUntilItEndsWhateverTheOthersDo() {
    ConcurrentFaults.bothCut = new CyclicBarrier(2);
    ConcurrentFaults.aChecked = new CyclicBarrier(2);
    ConcurrentFaults.bEnded = new CountDownLatch(1);
    ConcurrentFaults.SEEN.clear();
    ConcurrentFaults.WORKERS.clear();
    EngineExecutionResults results = run(ConcurrentFaults.class);
    results.testEvents().assertStatistics(s -> s.started(2).succeeded(2));
    assertThat(ConcurrentFaults.SEEN).containsOnly(
        Map.entry("a: x-y cut while both run", true),
        Map.entry("a: x-z cut by b while both run", true),
        Map.entry("a: x-y still cut after b ended", true),
        Map.entry("a: y's packets still dropped at x", true),
        Map.entry("a: x-z healed by b's teardown", true),
        Map.entry("a: z's packets reach x again", true));
  }

  // ---------------------------------------------------------------- @Nested, @BeforeAll faults

  @IsolatedNetNs(value = {"o1", "o2"}, scope = IsolatedNetNs.Scope.CLASS)
  @VethLink(left = "o1", right = "o2", subnet = "10.0.63.0/24")
  static class Outer {
    static final Map<String, Object> SEEN = new ConcurrentHashMap<>();

    @Test
    void outerTest(@Ns("o1") NetNs o1) {
      SEEN.put("outer test o1", o1.id());
    }

    @AfterAll
    static void afterAll(Network net) throws Exception {
      // After the nested class: its @BeforeAll cut is gone, and o2 reaches o1 again.
      SEEN.put("o1-o2 cut after the nested class", net.isCut("o2", "o1") || net.isCut("o1", "o2"));
      SEEN.put("o2 reaches o1 after the nested class", udpArrives(net.ns("o2"), net.ns("o1"), "10.0.63.1"));
    }

    @Nested
    @IsolatedNetNs(value = "i", scope = IsolatedNetNs.Scope.CLASS)
    @VethLink(left = "o1", right = "i", subnet = "10.0.64.0/24")
    class Inner {
      @BeforeAll
      static void cutForTheWholeClass(Network net) {
        net.cut("o1", "o2"); // the nested class's fault, for all its tests
      }

      @Test
      void first(Network net, @Ns("o1") NetNs o1, @Ns("i") NetNs i) throws Exception {
        seen("first", net, o1, i);
      }

      @Test
      void second(Network net, @Ns("o1") NetNs o1, @Ns("i") NetNs i) throws Exception {
        seen("second", net, o1, i);
        net.cutOneWay("o2", "i"); // this test's own, healed after it; first probes o1 to i only
      }

      private void seen(String test, Network net, NetNs o1, NetNs i) throws Exception {
        SEEN.put(test + " o1", o1.id());
        SEEN.put(test + " i", i.id());
        SEEN.put(test + " sees the class's cut", net.isCut("o1", "o2") && net.isCut("o2", "o1"));
        SEEN.put(test + " o1 reaches i", udpArrives(o1, i, "10.0.64.2"));
      }
    }
  }

  @Test
  void nestedClassScopeSharesTheOuterNamespacesAndHealsItsClassFaultsWhenItEnds() {
    Outer.SEEN.clear();
    run(Outer.class).testEvents().assertStatistics(s -> s.started(3).succeeded(3));
    Map<String, Object> seen = Outer.SEEN;
    assertThat(seen.get("first o1")).isEqualTo(seen.get("outer test o1")).isEqualTo(seen.get("second o1"));
    assertThat(seen.get("first i")).isEqualTo(seen.get("second i")).isNotEqualTo(seen.get("first o1"));
    assertThat(seen).contains(Map.entry("first sees the class's cut", true),
        Map.entry("second sees the class's cut", true), Map.entry("first o1 reaches i", true),
        Map.entry("second o1 reaches i", true), Map.entry("o1-o2 cut after the nested class", false),
        Map.entry("o2 reaches o1 after the nested class", true));
  }

  // ---------------------------------------------------------------- keep-on-failure, CLASS scope

  @IsolatedNetNs(value = {"kept1", "kept2"}, scope = IsolatedNetNs.Scope.CLASS)
  @VethLink(left = "kept1", right = "kept2", subnet = "10.0.65.0/30")
  static class ClassFails {
    @Test
    void fails() {
      throw new AssertionError("boom");
    }

    @Test
    void passes() {}
  }

  @Test
  @ResourceLock("/run/netns")
  void keepOnFailurePinsAFailedClassesSharedNamespacesAfterTheClass() throws Exception {
    long pid = OwnNames.PID;
    try (KeptPins kept = new KeptPins(); LogCapture log = LogCapture.of("ClassFails")) {
      EngineExecutionResults results = run(ClassFails.class, NetNsConfiguration.KEEP_ON_FAILURE, "true");
      results.testEvents().assertStatistics(s -> s.failed(1).succeeded(1));
      String mine = "junit-netns-" + pid + "-ClassFails";
      List<String> pins = kept.added();
      if (!Kernel.canPin()) {
        assertThat(pins).isEmpty();
        assertThat(log.messages(java.util.logging.Level.WARNING)).singleElement().asString()
            .startsWith("junit-netns could not keep these namespaces of failed ClassFails:");
        return;
      }
      // Pinned once, for the class, when the class ends: the test's own teardown does not pin shared namespaces.
      assertThat(pins).containsExactly("junit-netns-" + pid + "-ClassFails-kept1", "junit-netns-" + pid + "-ClassFails-kept2");
      String addresses = Kernel.run("ip", "netns", "exec", "junit-netns-" + pid + "-ClassFails-kept2",
          "ip", "-o", "addr", "show", "dev", "eth0");
      assertThat(addresses).contains("inet 10.0.65.2/30");
      assertThat(log.messages(java.util.logging.Level.INFO)).singleElement().asString()
          .startsWith("junit-netns kept the network namespaces of failed ClassFails (junit.netns.keep-on-failure=true)");
      assertThat(Pins.sweep(Pins.RUN_NETNS, p -> p != pid)).containsAll(pins);
      assertThat(Kernel.runNetnsEntries()).noneMatch(n -> n.startsWith(mine));
    }
  }
}
