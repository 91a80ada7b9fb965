package io.github.junitnetns.jupiter;

import static io.github.junitnetns.jupiter.Contexts.label;
import static io.github.junitnetns.jupiter.Contexts.testName;

import io.github.junitnetns.NetNs;
import io.github.junitnetns.Network;
import io.github.junitnetns.internal.ns.Carrier;
import io.github.junitnetns.internal.topology.BridgePlan;
import io.github.junitnetns.internal.topology.VethPlan;
import io.github.junitnetns.internal.ns.SpareNamespaces;
import io.github.junitnetns.internal.ns.SpareNamespaces.Spare;
import io.github.junitnetns.jupiter.IsolatedNetNs.Scope;
import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import java.util.function.Predicate;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.platform.commons.annotation.Testable;
import org.junit.platform.commons.support.AnnotationSupport;
import org.junit.platform.commons.support.HierarchyTraversalMode;
import org.junit.platform.commons.support.ReflectionSupport;

/**
 * Creates a class's or a test's namespaces, veths and bridges from its plan before it runs, and
 * removes them after it, with the checks that follow a test: its worker thread, threads left
 * inside, and keeping the namespaces of a failed test.
 */
final class Lifecycle {
  private Lifecycle() {}

  // ---- class scope ----

  static void beforeAll(ExtensionContext context) {
    Class<?> testClass = context.getRequiredTestClass();
    Plan plan = Contexts.classPlan(context);
    NetNsConfiguration.of(context);
    List<Declaration> mine = plan.namespaces().stream()
        .filter(d -> d.scope() == Scope.CLASS && d.declaredOn() == testClass).toList();
    List<BuiltTopology> outer = Contexts.classTopologies(context);
    var veths = notBuiltYet(plan.veths(), plan::isClassWide, v -> v.id(), outer);
    var bridges = notBuiltYet(plan.bridges(), plan::isClassWide, b -> b.id(), outer);
    if (mine.isEmpty() && veths.isEmpty() && bridges.isEmpty()) {
      return;
    }
    // Validate first, build after: every test's own annotations are checked before the class's namespaces exist.
    for (Method method : ReflectionSupport.findMethods(testClass, m -> AnnotationSupport.isAnnotated(m, Testable.class),
        HierarchyTraversalMode.TOP_DOWN)) {
      Plan.of(testClass, Optional.of(method), true);
    }
    BuiltTopology topology = new BuiltTopology(mine.isEmpty() ? null : mine.get(0).name(), null, null);
    Contexts.putClassTopology(context, topology);
    Carrier carrier = Carrier.acquire();
    carrier.rename(testClass.getSimpleName());
    try {
      Creation.create(context, carrier, () -> {
        for (Declaration declaration : mine) {
          topology.own(declaration.name(), Creation.createHere(label(declaration, context)));
        }
        return null;
      }, () -> {}, plan.topology().descriptorsNeeded());
    } finally {
      carrier.release();
    }
    wire(topology, veths, bridges, Contexts.classNamespaces(context, plan.namespaces()), mine);
    TestNamespaces.started(context, "Test class " + testClass.getSimpleName(), topology.ownedWithBridges().values());
    topology.publishNames(outer);
  }

  static void afterAll(ExtensionContext context) {
    Network classView = Contexts.removeClassView(context);
    BuiltTopology topology = Contexts.removeClassTopology(context);
    if (classView != null) {
      // Faults and shaping of @BeforeAll/@AfterAll: an outer class's namespaces outlive this class.
      try {
        LibraryInternals.restore(classView);
      } catch (RuntimeException e) {
        if (topology != null) {
          topology.close();
        }
        throw e;
      }
    }
    if (topology == null) {
      return;
    }
    String testClass = context.getRequiredTestClass().getSimpleName();
    Map<String, NetNs> owned = topology.ownedWithBridges();
    if (topology.hasFailed() && NetNsConfiguration.of(context).keepOnFailure()) {
      FailureDiagnostics.keep(context, topology, owned, testClass);
    }
    topology.close();
    ThreadsLeftBehind.check(context, owned, "Test class " + testClass);
  }

  // ---- test scope ----

  public static final java.util.concurrent.ConcurrentHashMap<String, java.util.concurrent.atomic.LongAdder> T = new java.util.concurrent.ConcurrentHashMap<>();
  static void t(String k, long t0) { T.computeIfAbsent(k, x -> new java.util.concurrent.atomic.LongAdder()).add(System.nanoTime() - t0); }
  static void beforeEach(ExtensionContext context) {
    long b0 = System.nanoTime();
    try { beforeEach0(context); } finally { t("beforeEach", b0); }
  }
  static void beforeEach0(ExtensionContext context) {
    Plan plan = Contexts.testPlan(context);
    List<Declaration> declarations = plan.namespaces();
    if (declarations.isEmpty()) {
      return; // a @VethLink/@Bridge without namespaces was refused by the plan: it names unknown ones
    }
    NetNsConfiguration.of(context);
    CaptureConfiguration.of(context); // refuses a bad capture setting before anything exists
    WorkerThread.refuseVirtual(context);
    Parameters.checkNsParameters(context, declarations);
    Map<String, NetNs> shared = Contexts.classNamespaces(context, declarations);
    List<BuiltTopology> classTopologies = Contexts.classTopologies(context);
    Declaration primary = declarations.get(0);
    String workerNamespace = WorkerThread.currentNamespace();
    long p0 = System.nanoTime();
    BuiltTopology prebuilt = Prebuild.take(context, plan, workerNamespace);
    t("take", p0);
    if (prebuilt != null) {
      Contexts.putTestTopology(context, prebuilt);
      long n0 = System.nanoTime();
      Prebuild.next(context, plan);
      t("next", n0);
      TestNamespaces.started(context, "Test " + testName(context), prebuilt.ownedWithBridges().values());
      long c0 = System.nanoTime();
      TestCaptures.start(context, prebuilt); // every link exists; no test code has run yet
      t("capstart", c0);
      prebuilt.publishNames(classTopologies);
      return;
    }
    // Spares: fresh namespaces made in the background while earlier tests ran (SpareNamespaces).
    // The body's comes with a carrier already inside it, which then runs the test.
    Spare spare = primary.scope() == Scope.TEST ? SpareNamespaces.take(label(primary, context)) : null;
    Carrier runner = spare != null ? spare.carrier : Carrier.acquire();
    runner.rename(testName(context));
    BuiltTopology topology = new BuiltTopology(primary.name(), runner, workerNamespace);
    // In the store first, so that JUnit closes whatever was made even if creation fails halfway.
    Contexts.putTestTopology(context, topology);
    Map<String, NetNs> fresh = new LinkedHashMap<>();
    if (spare != null) {
      fresh.put(primary.name(), LibraryInternals.wrap(spare.ns));
    }
    List<Declaration> toMake = new ArrayList<>();
    for (Declaration declaration : declarations) {
      if (declaration.scope() == Scope.TEST && declaration != primary) {
        Spare other = SpareNamespaces.take(label(declaration, context));
        if (other != null) {
          fresh.put(declaration.name(), LibraryInternals.wrap(other.ns));
          other.carrier.release(); // the namespace is held by its descriptor; the carrier goes home
        } else {
          toMake.add(declaration);
        }
      }
    }
    if (spare == null || !toMake.isEmpty()) {
      Creation.create(context, runner, () -> {
        // unshare(2) moves the runner into each new namespace; make the body's namespace last so
        // that the runner ends up inside it without a setns (which only a spare for it needs).
        for (Declaration declaration : toMake) {
          fresh.put(declaration.name(), Creation.createHere(label(declaration, context)));
        }
        if (spare != null) {
          spare.ns.enterOnCurrentThread();
        } else if (primary.scope() == Scope.TEST) {
          fresh.put(primary.name(), Creation.createHere(label(primary, context)));
        } else {
          LibraryInternals.handle(shared.get(primary.name())).enterOnCurrentThread();
        }
        return null;
      }, () -> fresh.forEach(topology::own), // whatever was made before a failure is closed with the test
          plan.topology().descriptorsNeeded());
    }
    List<Declaration> own = new ArrayList<>();
    for (Declaration declaration : declarations) {
      if (declaration.scope() == Scope.TEST) {
        topology.own(declaration.name(), fresh.get(declaration.name()));
        own.add(declaration);
      } else {
        topology.borrow(declaration.name(), shared.get(declaration.name()));
      }
    }
    wire(topology, notBuiltYet(plan.veths(), v -> true, v -> v.id(), classTopologies),
        notBuiltYet(plan.bridges(), b -> true, b -> b.id(), classTopologies), topology.all(), own);
    Prebuild.next(context, plan);
    TestNamespaces.started(context, "Test " + testName(context), topology.ownedWithBridges().values());
    TestCaptures.start(context, topology); // every link exists; no test code has run yet
    topology.publishNames(classTopologies);
  }

  static void afterEach(ExtensionContext context) {
    long a0 = System.nanoTime();
    try { afterEach0(context); } finally { t("afterEach", a0); }
  }
  static void afterEach0(ExtensionContext context) {
    long c0 = System.nanoTime();
    TestCaptures.afterEach(context); // first: the namespaces are still there to name interfaces
    t("capafter", c0);
    BuiltTopology topology = Contexts.removeTestTopology(context);
    if (topology == null) {
      return;
    }
    Map<String, NetNs> owned = topology.ownedWithBridges();
    if ((context.getExecutionException().isPresent() || topology.hasFailed())
        && NetNsConfiguration.of(context).keepOnFailure()) {
      FailureDiagnostics.keep(context, topology, owned, testName(context));
    }
    if (!topology.borrowed().isEmpty() && topology.view() != null) {
      // Namespaces shared by the class outlive the test: its faults and shaping must not reach the
      // next test. Only its own: a test running at the same time keeps its faults until it ends.
      try {
        LibraryInternals.restore(topology.view());
      } catch (RuntimeException e) {
        topology.close();
        throw e;
      }
    }
    long x0 = System.nanoTime();
    topology.close();
    t("close", x0);
    WorkerThread.check(context, topology.workerNamespace());
    ThreadsLeftBehind.check(context, owned, "Test " + testName(context));
  }

  /**
   * Builds this level's veths and bridges between {@code namespaces} with {@link Wiring}, forwarding
   * on in those of {@code own} that ask for it. A level with nothing named and nothing to build (a
   * test in one unnamed namespace) needs no network.
   */
  static void wire(BuiltTopology topology, List<VethPlan> veths, List<BridgePlan> bridges,
      Map<String, NetNs> namespaces, List<Declaration> own) {
    Set<String> forwarding = new LinkedHashSet<>();
    for (Declaration declaration : own) {
      if (declaration.forwarding() && declaration.isUnnamed()) {
        Wiring.enableForwarding(namespaces.get(Declaration.UNNAMED)); // nothing links to it: no network needed
      } else if (declaration.forwarding()) {
        forwarding.add(declaration.name());
      }
    }
    if (veths.isEmpty() && bridges.isEmpty() && namespaces.keySet().stream().allMatch(Declaration.UNNAMED::equals)) {
      return;
    }
    topology.built(Wiring.build(veths, bridges, namespaces, forwarding), veths, bridges);
  }

  /** The planned veths or bridges that qualify and that no enclosing class context has built already. */
  private static <T> List<T> notBuiltYet(List<T> planned, Predicate<T> qualifies, Function<T, String> id,
      List<BuiltTopology> builders) {
    List<T> todo = new ArrayList<>();
    for (T item : planned) {
      if (qualifies.test(item) && builders.stream().noneMatch(t -> t.hasBuilt(id.apply(item)))) {
        todo.add(item);
      }
    }
    return todo;
  }
}
