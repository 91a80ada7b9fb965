package io.github.junitnetns.jupiter;

import static io.github.junitnetns.jupiter.EngineRuns.run;
import static org.assertj.core.api.Assertions.assertThat;

import io.github.junitnetns.NetNs;
import io.github.junitnetns.testsupport.Kernel;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.parallel.Execution;
import org.junit.jupiter.api.parallel.ExecutionMode;
import org.junit.jupiter.api.parallel.ResourceLock;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.platform.testkit.engine.EngineExecutionResults;

/**
 * What JUnit 6.1 adds, with namespaces: {@code @ParameterizedClass}, the worker-thread-pool
 * executor, and a dynamic test's own execution mode. Compiled and run only with
 * {@code -Djunit.version=6.1.3} (the junit6 profile adds this source directory). Needs CAP_SYS_ADMIN.
 */
@Tag("privileged")
class Junit6PrivilegedTest {

  // ---------------------------------------------------------------- @ParameterizedClass

  @ParameterizedClass
  @ValueSource(strings = {"alpha", "bravo"})
  @IsolatedNetNs(value = "shared", scope = IsolatedNetNs.Scope.CLASS)
  @Execution(ExecutionMode.SAME_THREAD) // alpha, then bravo; first, then second: each finds the mark before it
  @TestMethodOrder(MethodOrderer.MethodName.class)
  static class Parameterized {
    static final Map<String, String> SEEN = new ConcurrentHashMap<>();

    @Parameter
    String name;

    /**
     * Marks the shared namespace as this invocation's (a TTL of its own) and records what it
     * found: the default, or this invocation's mark. Namespace ids alone cannot tell, since the
     * kernel reuses the id of a namespace that is gone.
     */
    private void mark(String test, NetNs shared) {
      String ttl = name.equals("alpha") ? "70" : "80";
      SEEN.put(name + " " + test + " found ttl", shared.sysctl("net.ipv4.ip_default_ttl").equals("64") ? "default"
          : shared.sysctl("net.ipv4.ip_default_ttl").equals(ttl) ? "own" : "other invocation's");
      shared.setSysctl("net.ipv4.ip_default_ttl", ttl);
      SEEN.put(name + " " + test, shared.id());
    }

    @Test
    void first(NetNs shared) {
      mark("first", shared);
      SEEN.put(name + " first runs in", Kernel.currentNetNs());
    }

    @Test
    @IsolatedNetNs("own")
    void second(@Ns("shared") NetNs shared, @Ns("own") NetNs own) {
      mark("second", shared);
      SEEN.put(name + " second own", own.id());
    }
  }

  /**
   * JUnit runs a class template's {@code @BeforeAll} (and BeforeAllCallback) once for all its
   * invocations, so CLASS-scoped namespaces are made once and shared by every invocation, like
   * state set up in {@code @BeforeAll}; TEST-scoped ones are fresh for every test of every invocation.
   */
  @Test
  void theInvocationsOfAParameterizedClassShareItsClassNamespacesLikeBeforeAllState() {
    Parameterized.SEEN.clear();
    run(Parameterized.class).testEvents().assertStatistics(s -> s.started(4).succeeded(4));
    Map<String, String> seen = Parameterized.SEEN;
    assertThat(seen.get("alpha first")).isEqualTo(seen.get("alpha second")).isEqualTo(seen.get("alpha first runs in"))
        .isEqualTo(seen.get("bravo first")).isEqualTo(seen.get("bravo second")).isNotEqualTo(Kernel.currentNetNs());
    // One namespace throughout: alpha's first test found it fresh, every later test the mark before it.
    assertThat(seen).containsEntry("alpha first found ttl", "default").containsEntry("alpha second found ttl", "own")
        .containsEntry("bravo first found ttl", "other invocation's").containsEntry("bravo second found ttl", "own");
    assertThat(seen.get("alpha second own")).isNotEqualTo(seen.get("alpha second"))
        .isNotEqualTo(seen.get("bravo second own"));
  }

  // ---------------------------------------------------------------- the worker-thread-pool executor

  @Test
  @ResourceLock("SharedNamespacesPrivilegedTest.ConcurrentFaults") // its statics: one run at a time
  void onTheWorkerThreadPoolExecutorConcurrentTestsKeepTheirOwnFaults() {
    SharedNamespacesPrivilegedTest.ConcurrentFaults.bothCut = new CyclicBarrier(2);
    SharedNamespacesPrivilegedTest.ConcurrentFaults.aChecked = new CyclicBarrier(2);
    SharedNamespacesPrivilegedTest.ConcurrentFaults.bEnded = new CountDownLatch(1);
    SharedNamespacesPrivilegedTest.ConcurrentFaults.SEEN.clear();
    SharedNamespacesPrivilegedTest.ConcurrentFaults.WORKERS.clear();
    EngineExecutionResults results = run(SharedNamespacesPrivilegedTest.ConcurrentFaults.class,
        "junit.jupiter.execution.parallel.config.executor-service", "WORKER_THREAD_POOL");
    results.testEvents().assertStatistics(s -> s.started(2).succeeded(2));
    // The new executor's threads (the ForkJoinPool's are called ForkJoinPool-N-worker-M).
    assertThat(SharedNamespacesPrivilegedTest.ConcurrentFaults.WORKERS).hasSize(2)
        .allSatisfy(name -> assertThat(name).matches("junit-[0-9]+-worker-[0-9]+"));
    assertThat(SharedNamespacesPrivilegedTest.ConcurrentFaults.SEEN).hasSize(6).containsValues(true)
        .doesNotContainValue(false);
  }

  // ---------------------------------------------------------------- a dynamic test's execution mode

  @IsolatedNetNs
  static class ConcurrentByConfiguration {
    static volatile CyclicBarrier together;
    static final List<String> SEEN = new CopyOnWriteArrayList<>();

    @TestFactory
    Stream<DynamicTest> both(NetNs ns) {
      SEEN.add("factory " + ns.id());
      return Stream.of("one", "two").map(name -> DynamicTest.dynamicTest(test -> test.displayName(name)
          .executionMode(ExecutionMode.CONCURRENT)
          .executable(() -> {
            together.await(30, TimeUnit.SECONDS);
            SEEN.add(name + " " + Kernel.currentNetNs());
          })));
    }
  }

  @Test
  void dynamicTestsMadeConcurrentByTheirOwnModeRunAtOnceInsideTheFactorysNamespace() {
    ConcurrentByConfiguration.together = new CyclicBarrier(2);
    ConcurrentByConfiguration.SEEN.clear();
    // Everything else same-thread: only the dynamic tests' own mode makes them concurrent.
    EngineExecutionResults results = run(ConcurrentByConfiguration.class,
        "junit.jupiter.execution.parallel.mode.default", "same_thread",
        "junit.jupiter.execution.parallel.mode.classes.default", "same_thread");
    results.testEvents().assertStatistics(s -> s.started(2).succeeded(2));
    String ns = ConcurrentByConfiguration.SEEN.get(0).substring("factory ".length());
    assertThat(ConcurrentByConfiguration.SEEN).containsExactlyInAnyOrder("factory " + ns, "one " + ns, "two " + ns);
  }
}
