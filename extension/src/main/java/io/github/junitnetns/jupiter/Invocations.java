package io.github.junitnetns.jupiter;

import io.github.junitnetns.NetNs;
import io.github.junitnetns.internal.ns.Carrier;
import java.util.Map;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.InvocationInterceptor.Invocation;

/**
 * Runs a test's methods inside its namespaces: each invocation goes to a carrier thread that is
 * inside the namespace and returns its result or rethrows its exception unchanged. JUnit's own
 * thread never enters a namespace.
 */
final class Invocations {
  private Invocations() {}

  /**
   * A test's body: as {@link #runInside}, and how long it took goes to {@link Prebuild}, which builds
   * the next test's topology during a body only when the last one left room for it.
   */
  static void runBody(Invocation<Void> invocation, ExtensionContext context) throws Throwable {
    long start = System.nanoTime();
    try {
      runInside(invocation, context);
    } finally {
      Prebuild.bodyTook(context, System.nanoTime() - start);
    }
  }

  /** A test method or a lifecycle method of a test: on the test's carrier, inside its first namespace. */
  static <T> T runInside(Invocation<T> invocation, ExtensionContext context) throws Throwable {
    BuiltTopology topology = Contexts.testTopology(context);
    if (topology == null) {
      return invocation.proceed();
    }
    Carrier runner = topology.runner();
    if (!runner.isBusy()) {
      return runner.call(invocation::proceed);
    }
    // JUnit gave up on an earlier method that still runs (@Timeout(threadMode = SEPARATE_THREAD)):
    // run this one on another thread inside the same namespace instead of queueing behind it.
    return onLeasedCarrier(topology.primary(), Contexts.testName(context), invocation);
  }

  /**
   * A dynamic test: on a carrier leased for it, inside its factory's first namespace. Not on the
   * factory's own carrier: dynamic tests may run at the same time (CONCURRENT), and one carrier
   * would run them one after the other.
   */
  static void runDynamic(Invocation<Void> invocation, ExtensionContext context) throws Throwable {
    BuiltTopology topology = Contexts.testTopology(context);
    if (topology == null) {
      invocation.proceed();
      return;
    }
    onLeasedCarrier(topology.primary(), Contexts.testName(context), invocation);
  }

  /** A @BeforeAll or @AfterAll method: inside the first CLASS-scoped namespace, when the class has one. */
  static void runInClassNamespace(Invocation<Void> invocation, ExtensionContext context) throws Throwable {
    Map<String, NetNs> shared = Contexts.classNamespaces(context);
    if (shared.isEmpty()) {
      invocation.proceed();
      return;
    }
    onLeasedCarrier(shared.values().iterator().next(), context.getRequiredTestClass().getSimpleName(), invocation);
  }

  /** Runs one invocation on a carrier leased for it, inside {@code ns}. */
  private static <T> T onLeasedCarrier(NetNs ns, String purpose, Invocation<T> invocation) throws Throwable {
    Carrier carrier = Carrier.acquire();
    carrier.rename(purpose);
    try {
      return carrier.call(() -> {
        LibraryInternals.handle(ns).enterOnCurrentThread();
        return invocation.proceed();
      });
    } finally {
      carrier.release();
    }
  }
}
