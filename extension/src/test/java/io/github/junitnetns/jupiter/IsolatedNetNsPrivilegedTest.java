package io.github.junitnetns.jupiter;

import static io.github.junitnetns.jupiter.EngineRuns.onlyFailure;
import static io.github.junitnetns.jupiter.EngineRuns.run;
import static org.assertj.core.api.Assertions.assertThat;

import io.github.junitnetns.NetNs;
import io.github.junitnetns.testsupport.Kernel;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.BeforeTestExecutionCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterResolutionException;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.platform.testkit.engine.EngineExecutionResults;

/** The extension driven through the Jupiter engine (EngineTestKit), parallel execution on. Needs CAP_SYS_ADMIN. */
@Tag("privileged")
class IsolatedNetNsPrivilegedTest {

  /**
   * Proves the calling thread's namespace is fresh by its state, not its id (the kernel reuses the
   * inode numbers of freed namespaces): the default TTL is untouched, and is then changed, so a
   * namespace handed out twice would show the change the second time.
   */
  static boolean freshNamespaceMarked() throws java.io.IOException {
    // One read with a large buffer: /proc/sys answers reads at an offset with end-of-file.
    java.nio.file.Path ttl = java.nio.file.Path.of("/proc/sys/net/ipv4/ip_default_ttl");
    byte[] buffer = new byte[64];
    int length;
    try (java.io.InputStream in = java.nio.file.Files.newInputStream(ttl)) {
      length = in.read(buffer);
    }
    boolean fresh = new String(buffer, 0, length, java.nio.charset.StandardCharsets.US_ASCII).trim().equals("64");
    try (java.io.OutputStream out = java.nio.file.Files.newOutputStream(ttl)) {
      out.write("99".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
    }
    return fresh;
  }

  // ---------------------------------------------------------------- a passing test

  @IsolatedNetNs
  static class Basic {
    static final Map<String, String> SEEN = new ConcurrentHashMap<>();

    @BeforeEach
    void before() {
      SEEN.put("before", Kernel.currentNetNs() + " " + Thread.currentThread().getName());
    }

    @Test
    void first() throws Exception {
      SEEN.put("first", Kernel.currentNetNs() + " " + Thread.currentThread().getName());
      SEEN.put("first fresh", String.valueOf(freshNamespaceMarked()));
    }

    @Test
    void second() throws Exception {
      SEEN.put("second", Kernel.currentNetNs());
      SEEN.put("second fresh", String.valueOf(freshNamespaceMarked()));
    }

    @AfterEach
    void after(NetNs ns) {
      SEEN.merge("after", ns.id() + "=" + Kernel.currentNetNs(), (a, b) -> a + ";" + b);
    }
  }

  @Test
  void eachTestRunsOnADedicatedThreadInsideAFreshNamespace() {
    Basic.SEEN.clear();
    run(Basic.class).testEvents().assertStatistics(s -> s.started(2).succeeded(2));
    String host = Kernel.currentNetNs();
    String first = Basic.SEEN.get("first").split(" ")[0];
    assertThat(first).startsWith("net:[").isNotEqualTo(host);
    assertThat(Basic.SEEN.get("second")).startsWith("net:[").isNotEqualTo(host);
    assertThat(Basic.SEEN).containsEntry("first fresh", "true").containsEntry("second fresh", "true");
    assertThat(Basic.SEEN.get("first").split(" ", 2)[1]).startsWith("junit-netns-carrier-").contains("[Basic.first]");
    // @AfterEach ran inside, and the injected NetNs is the one it ran in.
    for (String pair : Basic.SEEN.get("after").split(";")) {
      assertThat(pair.split("=")[0]).isEqualTo(pair.split("=")[1]);
    }
  }

  // ---------------------------------------------------------------- failures

  @IsolatedNetNs
  static class Failing {
    static final AssertionError BOOM = new AssertionError("boom");

    @Test
    void fails() {
      throw BOOM;
    }
  }

  @Test
  void aFailureReachesJUnitUnchangedWithTheNetworkStateAttached() {
    EngineExecutionResults results = run(Failing.class);
    Throwable thrown = onlyFailure(results.testEvents());
    assertThat(thrown).isSameAs(Failing.BOOM);
    assertThat(thrown.getSuppressed()).hasSize(1);
    assertThat(thrown.getSuppressed()[0].getMessage())
        .contains("netns Failing.fails net:[")
        .contains("1: lo: <LOOPBACK,UP,LOWER_UP>");
    // One entry per namespace, and the recording of its traffic (junit.netns.capture=on-failure, the default).
    assertThat(results.allEvents().reportingEntryPublished().stream()
        .flatMap(e -> e.getRequiredPayload(org.junit.platform.engine.reporting.ReportEntry.class).getKeyValuePairs()
            .keySet().stream()))
        .containsExactly("junit-netns Failing.fails", "junit-netns capture");
  }

  // ---------------------------------------------------------------- @Timeout

  @IsolatedNetNs
  static class TimingOut {
    static volatile boolean interrupted;
    static volatile Duration slept;

    @Test
    @Timeout(value = 300, unit = TimeUnit.MILLISECONDS)
    void sleepsTooLong() {
      long start = System.nanoTime();
      try {
        Thread.sleep(30_000);
      } catch (InterruptedException e) {
        interrupted = true;
      }
      slept = Duration.ofNanos(System.nanoTime() - start);
    }
  }

  @Test
  void aTimeoutInterruptsTheBodyInsideTheNamespace() {
    TimingOut.interrupted = false;
    TimingOut.slept = null;
    Throwable thrown = onlyFailure(run(TimingOut.class).testEvents());
    // The body's own sleep, not the run's wall clock: setting up and closing may be slow on a loaded machine.
    assertThat(TimingOut.slept).isLessThan(Duration.ofSeconds(20));
    assertThat(thrown).isInstanceOf(TimeoutException.class).hasMessageContaining("timed out after 300 milliseconds");
    assertThat(TimingOut.interrupted).isTrue();
  }

  // ---------------------------------------------------------------- CLASS scope

  @IsolatedNetNs(scope = IsolatedNetNs.Scope.CLASS)
  static class ClassScoped {
    static final List<String> SEEN = new CopyOnWriteArrayList<>();

    @BeforeAll
    static void beforeAll(NetNs ns) {
      SEEN.add(Kernel.currentNetNs());
      SEEN.add(ns.id());
    }

    @Test
    void one() {
      SEEN.add(Kernel.currentNetNs());
    }

    @Test
    @IsolatedNetNs("extra")
    void two(@Ns("extra") NetNs extra) {
      SEEN.add(Kernel.currentNetNs());
      SEEN.add("extra " + extra.id());
    }

    @AfterAll
    static void afterAll() {
      SEEN.add(Kernel.currentNetNs());
    }
  }

  @Test
  void classScopeSharesOneNamespaceWithBeforeAllAndAfterAllInside() {
    ClassScoped.SEEN.clear();
    run(ClassScoped.class).testEvents().assertStatistics(s -> s.started(2).succeeded(2));
    List<String> shared = ClassScoped.SEEN.stream().filter(s -> !s.startsWith("extra")).toList();
    assertThat(shared).hasSize(5);
    assertThat(shared.stream().distinct()).hasSize(1);
    assertThat(shared.get(0)).isNotEqualTo(Kernel.currentNetNs());
    String extra = ClassScoped.SEEN.stream().filter(s -> s.startsWith("extra")).findFirst().orElseThrow();
    assertThat(extra).doesNotContain(shared.get(0));
  }

  // ---------------------------------------------------------------- parameters, names, nesting

  @IsolatedNetNs({"client", "server"})
  static class Named {
    static final Map<String, Boolean> CHECKS = new ConcurrentHashMap<>();

    @Test
    void resolvesByName(NetNs here, @Ns("client") NetNs client, @Ns("server") NetNs server) throws Exception {
      CHECKS.put("body runs in the first", here.equals(client) && Kernel.currentNetNs().equals(client.id()));
      CHECKS.put("server is another", !server.equals(client));
      // A server bound in "server" is not reachable from "client": they are not linked.
      try (ServerSocket socket = server.call(() -> new ServerSocket(9000, 50, InetAddress.getLoopbackAddress()))) {
        CHECKS.put("isolated", !portOpen(socket.getLocalPort()));
        CHECKS.put("reachable inside", server.call(() -> portOpen(socket.getLocalPort())));
      }
    }

    @Test
    void unknownName(@Ns("nope") NetNs nope) {}

    static boolean portOpen(int port) {
      try (java.net.Socket s = new java.net.Socket()) {
        s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 1000);
        return true;
      } catch (java.io.IOException e) {
        return false;
      }
    }
  }

  @Test
  void parametersAreResolvedByName() {
    Named.CHECKS.clear();
    EngineExecutionResults results = run(Named.class);
    assertThat(Named.CHECKS).containsOnly(
        Map.entry("body runs in the first", true), Map.entry("server is another", true),
        Map.entry("isolated", true), Map.entry("reachable inside", true));
    assertThat(onlyFailure(results.testEvents()))
        .isInstanceOf(ParameterResolutionException.class)
        .hasMessageContaining("@Ns(\"nope\")")
        .hasMessageContaining("[client, server]");
  }

  @IsolatedNetNs("outer")
  static class Outer {
    static final Map<String, String> SEEN = new ConcurrentHashMap<>();

    @Nested
    @IsolatedNetNs("inner")
    class Inner {
      @Test
      void runsInTheOuterOne(@Ns("outer") NetNs outer, @Ns("inner") NetNs inner) {
        SEEN.put("current", Kernel.currentNetNs());
        SEEN.put("outer", outer.id());
        SEEN.put("inner", inner.id());
      }
    }
  }

  @Test
  void nestedClassesSeeTheEnclosingDeclarationsFirst() {
    Outer.SEEN.clear();
    run(Outer.class).testEvents().assertStatistics(s -> s.started(1).succeeded(1));
    assertThat(Outer.SEEN.get("current")).isEqualTo(Outer.SEEN.get("outer")).isNotEqualTo(Outer.SEEN.get("inner"));
  }

  @IsolatedNetNs
  static class Templates {
    static final List<String> PARAMETERIZED = new CopyOnWriteArrayList<>();
    static final List<String> DYNAMIC = new CopyOnWriteArrayList<>();

    @ParameterizedTest
    @ValueSource(ints = {1, 2, 3})
    void parameterized(int ignored) throws Exception {
      PARAMETERIZED.add(freshNamespaceMarked() + " " + !Kernel.currentNetNs().equals(HOST));
    }

    static final String HOST = Kernel.currentNetNs();

    @TestFactory
    Stream<DynamicTest> dynamic(NetNs ns) {
      DYNAMIC.add(ns.id());
      return Stream.of("a", "b").map(n -> DynamicTest.dynamicTest(n, () -> DYNAMIC.add(Kernel.currentNetNs())));
    }
  }

  @Test
  void parameterizedInvocationsGetFreshNamespacesAndDynamicTestsRunInTheFactorys() {
    Templates.PARAMETERIZED.clear();
    Templates.DYNAMIC.clear();
    EngineExecutionResults results = run(Templates.class);
    assertThat(results.testEvents().failed().count()).as(EngineRuns.describe(results.testEvents())).isZero();
    results.testEvents().assertStatistics(s -> s.started(5).succeeded(5));
    assertThat(Templates.PARAMETERIZED).containsExactly("true true", "true true", "true true");
    assertThat(Templates.DYNAMIC).hasSize(3).containsOnly(Templates.DYNAMIC.get(0));
  }

  // ---------------------------------------------------------------- eight tests on port 8080 at once

  @IsolatedNetNs
  static class SamePort {
    static final CyclicBarrier ALL_BOUND = new CyclicBarrier(8);

    static void holdPort8080() throws Exception {
      try (ServerSocket socket = new ServerSocket()) {
        socket.bind(new InetSocketAddress("0.0.0.0", 8080));
        ALL_BOUND.await(60, TimeUnit.SECONDS); // all eight hold 0.0.0.0:8080 at this moment
      }
    }

    @Test void t1() throws Exception { holdPort8080(); }
    @Test void t2() throws Exception { holdPort8080(); }
    @Test void t3() throws Exception { holdPort8080(); }
    @Test void t4() throws Exception { holdPort8080(); }
    @Test void t5() throws Exception { holdPort8080(); }
    @Test void t6() throws Exception { holdPort8080(); }
    @Test void t7() throws Exception { holdPort8080(); }
    @Test void t8() throws Exception { holdPort8080(); }
  }

  @Test
  void eightTestsHoldTheSamePortAtTheSameMoment() {
    SamePort.ALL_BOUND.reset();
    EngineExecutionResults results = run(SamePort.class,
        "junit.jupiter.execution.parallel.config.strategy", "fixed",
        "junit.jupiter.execution.parallel.config.fixed.parallelism", "8");
    results.testEvents().assertStatistics(s -> s.started(8).succeeded(8));
  }

  // ---------------------------------------------------------------- the JUnit thread must end where it started

  @IsolatedNetNs
  static class MovesTheWorker {
    static final NetNs ELSEWHERE = NetNs.create("elsewhere");

    @RegisterExtension
    static final BeforeTestExecutionCallback MOVER = (ExtensionContext context) ->
        LibraryInternals.handle(ELSEWHERE).enterOnCurrentThread();

    @Test
    void innocent() {}
  }

  @Test
  void aJUnitThreadLeftInAnotherNamespaceFailsTheTestAndIsMovedBack() {
    try {
      Throwable thrown = onlyFailure(run(MovesTheWorker.class).testEvents());
      assertThat(thrown).isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("ended MovesTheWorker.innocent in network namespace " + MovesTheWorker.ELSEWHERE.id())
          .hasMessageContaining("junit-netns moved it back");
    } finally {
      MovesTheWorker.ELSEWHERE.close();
    }
  }

  // ---------------------------------------------------------------- regressions from review

  @IsolatedNetNs
  static class RestoresInterrupt {
    static volatile boolean afterRan;

    @Test
    void swallowsAndRestores() {
      try {
        Thread.currentThread().interrupt();
        Thread.sleep(10); // throws at once: the flag is set
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt(); // the standard idiom: leave the flag set
      }
    }

    @AfterEach
    void after() {
      afterRan = true;
    }
  }

  @Test
  void aBodyThatLeavesItsInterruptFlagSetDoesNotBreakTheNextStep() {
    RestoresInterrupt.afterRan = false;
    run(RestoresInterrupt.class).testEvents().assertStatistics(s -> s.started(1).succeeded(1));
    assertThat(RestoresInterrupt.afterRan).isTrue();
  }

  @IsolatedNetNs
  static class SeparateThreadTimeout {
    static volatile String afterRanIn;
    static volatile boolean bodyRunning;
    static volatile boolean bodyEnded;
    static volatile Boolean bodyStillRunning;
    static volatile Boolean bodyHadEnded;
    static volatile CountDownLatch release = new CountDownLatch(1);

    @Test
    @Timeout(value = 200, unit = TimeUnit.MILLISECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void ignoresInterruptsUntilReleased() {
      bodyRunning = true;
      try {
        awaitIgnoringInterrupts(release, Duration.ofSeconds(30));
      } finally {
        bodyRunning = false;
        bodyEnded = true;
      }
    }

    /**
     * Deaf to interrupts, like a blocking accept(), but idle (a busy loop would take a core from
     * the tests running in parallel): returns when @AfterEach releases it, or after {@code limit}
     * if @AfterEach cannot run before the body ends.
     */
    private static void awaitIgnoringInterrupts(CountDownLatch latch, Duration limit) {
      long end = System.nanoTime() + limit.toNanos();
      boolean interrupted = false;
      for (long left = limit.toNanos(); latch.getCount() > 0 && left > 0; left = end - System.nanoTime()) {
        try {
          latch.await(left, TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
          interrupted = true;
        }
      }
      if (interrupted) {
        Thread.currentThread().interrupt();
      }
    }

    @AfterEach
    void after() {
      afterRanIn = Kernel.currentNetNs();
      bodyStillRunning = bodyRunning;
      bodyHadEnded = bodyEnded;
      release.countDown();
    }
  }

  @Test
  void aSeparateThreadTimeoutDoesNotQueueAfterEachBehindTheAbandonedBody() {
    Throwable thrown = null;
    // On a loaded machine JUnit's timeout may fire before the body's thread has started, and then
    // the body never runs: that run proves nothing either way, and is made again.
    for (int attempt = 1; attempt <= 5; attempt++) {
      SeparateThreadTimeout.afterRanIn = null;
      SeparateThreadTimeout.bodyRunning = false;
      SeparateThreadTimeout.bodyEnded = false;
      SeparateThreadTimeout.bodyStillRunning = null;
      SeparateThreadTimeout.bodyHadEnded = null;
      SeparateThreadTimeout.release = new CountDownLatch(1);
      thrown = onlyFailure(run(SeparateThreadTimeout.class).testEvents());
      if (!Boolean.FALSE.equals(SeparateThreadTimeout.bodyStillRunning)
          || !Boolean.FALSE.equals(SeparateThreadTimeout.bodyHadEnded)) {
        break;
      }
    }
    assertThat(thrown).isInstanceOf(TimeoutException.class);
    assertThat(SeparateThreadTimeout.afterRanIn).isNotNull().isNotEqualTo(Kernel.currentNetNs());
    // JUnit (5.10 and 6.1 alike) moves on to @AfterEach while the abandoned body still runs: the
    // body waits for @AfterEach to release it. Had @AfterEach been queued on the body's thread, it
    // could only have run after the body gave up waiting (30 s), and would have seen it ended.
    assertThat(SeparateThreadTimeout.bodyStillRunning).as("the body still ran when @AfterEach did").isTrue();
  }

  @IsolatedNetNs
  static class CountsConcurrency {
    static final java.util.concurrent.atomic.AtomicInteger RUNNING = new java.util.concurrent.atomic.AtomicInteger();
    static final java.util.concurrent.atomic.AtomicInteger MAX = new java.util.concurrent.atomic.AtomicInteger();

    @ParameterizedTest
    @ValueSource(ints = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16})
    void body(int ignored) throws InterruptedException {
      MAX.accumulateAndGet(RUNNING.incrementAndGet(), Math::max);
      Thread.sleep(30);
      RUNNING.decrementAndGet();
    }
  }

  @Test
  void waitingForTheNamespacedThreadDoesNotMakeJUnitRunMoreTestsThanConfigured() {
    CountsConcurrency.MAX.set(0);
    run(CountsConcurrency.class,
        "junit.jupiter.execution.parallel.config.strategy", "fixed",
        "junit.jupiter.execution.parallel.config.fixed.parallelism", "2")
        .testEvents().assertStatistics(s -> s.started(16).succeeded(16));
    assertThat(CountsConcurrency.MAX.get()).isBetween(1, 2);
  }
}
