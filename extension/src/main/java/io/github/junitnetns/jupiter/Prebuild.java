package io.github.junitnetns.jupiter;

import io.github.junitnetns.internal.ns.Namespaces;
import io.github.junitnetns.internal.topology.VethPlan;
import io.github.junitnetns.jupiter.IsolatedNetNs.Scope;
import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Disabled;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ExtensionContext.Namespace;
import org.junit.platform.commons.annotation.Testable;
import org.junit.platform.commons.support.AnnotationSupport;
import org.junit.platform.commons.support.HierarchyTraversalMode;
import org.junit.platform.commons.support.ReflectionSupport;

/**
 * Takes building a test's topology off its critical path: while a test runs, the next test of its
 * class with the same {@link Plan} (a repetition, a parameterized invocation, a sibling method with
 * the same annotations) gets its topology built in the background ({@link Prebuilt}); when that
 * test starts, it receives it if its plan is exactly the same, and otherwise it is discarded.
 *
 * <p>What is never built ahead: CLASS-scoped namespaces and the links to them (the class's tests
 * see those namespaces, so a link made early would show up in the running test), veths to the host
 * ({@code VethLink.HOST}: the host is touched only while the test that asks for it runs), and a
 * single namespace with nothing to link (the spare namespaces already make those ahead). At most
 * one topology per test class is built ahead at a time; one that no test receives is closed when
 * its class ends. Every test still gets namespaces nobody has used: a topology goes to at most
 * one test and is never reused. A class builds ahead only while its last body took at least
 * {@link #ROOM_NANOS} ns. On by default; {@code junit.netns.prebuild=false} turns it off.
 */
final class Prebuild {
  private static final Namespace NAMESPACE = Namespace.create(Prebuild.class);
  /** The id of a template invocation ({@code @RepeatedTest}, {@code @ParameterizedTest}): its number, from 1. */
  private static final Pattern INVOCATION = Pattern.compile("\\[test-template-invocation:#(\\d+)]$");
  private static final AtomicLong HANDED_OVER = new AtomicLong();
  /**
   * A body shorter than this leaves no room to build the next topology in: the next test would wait
   * for the build instead, and the hand-over costs two thread switches. A veth takes 1.5-2 ms to
   * build on a 2-core VM, a bridge of 3 about 5.
   */
  static final long ROOM_NANOS = 1_000_000;
  /**
   * With the fault-injection switch set, the N-th kernel request must be the same in every run: no
   * kernel work in the background (as for the spare namespaces).
   */
  private static final boolean FAILPOINTS = System.getProperty("junitnetns.failpoint") != null;

  private Prebuild() {}

  /** The key of a class context's slot. */
  private record Key(Class<?> testClass) {}

  /** How many tests received a topology built ahead of them (a statistic, and for tests). */
  static long handedOver() {
    return HANDED_OVER.get();
  }

  /** How many topologies built ahead went to no test: a plan that changed, a class that ended, a failed build. */
  static long discarded() {
    return Prebuilt.discarded();
  }

  /**
   * The topology built ahead for this test, named for it and with its carrier inside its first
   * namespace, if one was built (or is being built) for exactly {@code plan}; null otherwise, and
   * one built for another plan is discarded.
   */
  static BuiltTopology take(ExtensionContext context, Plan plan, String workerNamespace) {
    if (!NetNsConfiguration.of(context).prebuild()) {
      return null;
    }
    Slot slot = slot(context);
    slot.started.add(context.getRequiredTestMethod());
    Prebuilt pending = slot.claim();
    if (pending == null) {
      return null;
    }
    if (!pending.plan.equals(plan) || !workerNamespace.equals(Namespaces.initialId())) {
      slot.retire(pending);
      return null;
    }
    BuiltTopology topology = pending.await();
    if (topology == null) {
      if (pending.failed()) {
        slot.stop();
      }
      return null;
    }
    for (Declaration declaration : plan.namespaces()) {
      LibraryInternals.handle(topology.get(declaration.name())).adopt(Contexts.label(declaration, context));
    }
    topology.runner().rename(Contexts.testName(context));
    HANDED_OVER.incrementAndGet();
    return topology;
  }

  /**
   * Once this test's topology is ready: starts building the next test's, when the plan qualifies,
   * nothing is being built ahead for this class already, and another test with this plan is still
   * to come (a later repetition or invocation, or a sibling method that has not started).
   */
  static void next(ExtensionContext context, Plan plan) {
    if (FAILPOINTS || !qualifies(plan) || !NetNsConfiguration.of(context).prebuild()
        || !WorkerThread.currentNamespace().equals(Namespaces.initialId())) {
      return;
    }
    Slot slot = slot(context);
    if (slot.isIdle() && slot.roomToBuild() && anotherExpected(context, plan, slot)) {
      slot.offer(plan, Contexts.testName(context), CaptureConfiguration.of(context).mode != CaptureConfiguration.Mode.OFF);
    }
  }

  /**
   * Notes how long a test's body took: when the last body of a class took less than
   * {@link #ROOM_NANOS} (tests back to back with nearly empty bodies), the class's next tests build
   * their own topologies, as they would with this off.
   */
  static void bodyTook(ExtensionContext context, long nanos) {
    if (NetNsConfiguration.of(context).prebuild()) {
      slot(context).lastBodyNanos = nanos;
    }
  }

  /** Only fresh namespaces, no veth to the host, and more than a lone namespace (spares make those). */
  static boolean qualifies(Plan plan) {
    List<Declaration> namespaces = plan.namespaces();
    return !namespaces.isEmpty()
        && namespaces.stream().allMatch(d -> d.scope() == Scope.TEST)
        && plan.veths().stream().noneMatch(VethPlan::touchesHost)
        && (namespaces.size() > 1 || !plan.veths().isEmpty() || !plan.bridges().isEmpty());
  }

  private static boolean anotherExpected(ExtensionContext context, Plan plan, Slot slot) {
    Method method = context.getRequiredTestMethod();
    boolean invocation = context.getParent().flatMap(ExtensionContext::getTestMethod).isPresent();
    if (invocation && moreInvocations(context, method)) {
      return true;
    }
    for (Method sibling : slot.testMethods()) {
      if (!slot.started.contains(sibling) && !AnnotationSupport.isAnnotated(sibling, Disabled.class)
          && slot.planOf(sibling).filter(plan::equals).isPresent()) {
        return true;
      }
    }
    return false;
  }

  /** A {@code @RepeatedTest} knows its count; other templates (parameterized tests) may always have another. */
  private static boolean moreInvocations(ExtensionContext context, Method method) {
    Optional<RepeatedTest> repeated = AnnotationSupport.findAnnotation(method, RepeatedTest.class);
    if (repeated.isEmpty()) {
      return true;
    }
    Matcher number = INVOCATION.matcher(context.getUniqueId());
    return !number.find() || Integer.parseInt(number.group(1)) < repeated.get().value();
  }

  /** The slot of the test's class context: a test template's invocations and dynamic tests belong to it too. */
  private static Slot slot(ExtensionContext context) {
    ExtensionContext owner = context;
    while (owner.getTestMethod().isPresent() && owner.getParent().isPresent()) {
      owner = owner.getParent().get();
    }
    Key key = new Key(owner.getRequiredTestClass());
    ExtensionContext.Store store = owner.getStore(NAMESPACE);
    synchronized (Prebuild.class) {
      Slot slot = store.get(key, Slot.class);
      if (slot == null) {
        slot = new Slot(key.testClass());
        store.put(key, slot);
      }
      return slot;
    }
  }

  /**
   * A test class's place for its one topology built ahead, kept in its context's store: JUnit
   * closes it when the class ends, which discards a topology no test received.
   */
  @SuppressWarnings("deprecation") // CloseableResource: deprecated in JUnit 6; the store cleanup JUnit 5.10 knows
  private static final class Slot implements AutoCloseable, ExtensionContext.Store.CloseableResource {
    private final Class<?> testClass;
    /** The methods whose tests have started: a sibling that started is not the next one. */
    final Set<Method> started = ConcurrentHashMap.newKeySet();
    private final Map<Method, Optional<Plan>> plans = new ConcurrentHashMap<>();
    private volatile List<Method> testMethods;
    private Prebuilt pending; // guarded by this
    /** Discarded while still being built: closed when their build ends, which the class's end waits for. */
    private final List<Prebuilt> retired = new ArrayList<>(); // guarded by this
    private boolean closed; // guarded by this
    private boolean stopped; // guarded by this
    /** How long the class's last test body took; -1 before the first ends. */
    volatile long lastBodyNanos = -1;

    Slot(Class<?> testClass) {
      this.testClass = testClass;
    }

    synchronized Prebuilt claim() {
      Prebuilt claimed = pending;
      pending = null;
      return claimed;
    }

    synchronized boolean isIdle() {
      return pending == null && !closed && !stopped;
    }

    /** Whether the last body was long enough to build in, or none has ended yet. */
    boolean roomToBuild() {
      long last = lastBodyNanos;
      return last < 0 || last >= ROOM_NANOS;
    }

    /** Starts building for {@code plan} unless something is being built ahead already: at most one per class. */
    void offer(Plan plan, String purpose, boolean packetSockets) {
      synchronized (this) {
        if (pending != null || closed || stopped) {
          return;
        }
        pending = Prebuilt.start(plan, purpose, packetSockets);
      }
    }

    /** Discards {@code prebuilt} without waiting for a build under way, which closes it when it ends. */
    void retire(Prebuilt prebuilt) {
      prebuilt.discard(false);
      synchronized (this) {
        retired.removeIf(Prebuilt::isSettled);
        if (!prebuilt.isSettled()) {
          retired.add(prebuilt);
        }
      }
    }

    /** A build failed: the class's later tests build their own, as they would without this. */
    synchronized void stop() {
      stopped = true;
    }

    List<Method> testMethods() {
      if (testMethods == null) {
        testMethods = ReflectionSupport.findMethods(testClass,
            m -> AnnotationSupport.isAnnotated(m, Testable.class), HierarchyTraversalMode.TOP_DOWN);
      }
      return testMethods;
    }

    /** The plan of a sibling test method, or empty if its annotations are refused (it reports that itself). */
    Optional<Plan> planOf(Method method) {
      return plans.computeIfAbsent(method, m -> {
        try {
          return Optional.of(Plan.of(testClass, Optional.of(m), true));
        } catch (RuntimeException e) {
          return Optional.empty();
        }
      });
    }

    @Override
    public void close() {
      List<Prebuilt> left;
      synchronized (this) {
        closed = true;
        left = new ArrayList<>(retired);
        retired.clear();
        if (pending != null) {
          left.add(pending);
          pending = null;
        }
      }
      for (Prebuilt prebuilt : left) {
        prebuilt.discard(true);
      }
    }
  }
}
