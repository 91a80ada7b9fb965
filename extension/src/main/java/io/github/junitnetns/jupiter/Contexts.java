package io.github.junitnetns.jupiter;

import io.github.junitnetns.NetNs;
import io.github.junitnetns.Network;
import io.github.junitnetns.jupiter.IsolatedNetNs.Scope;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ExtensionContext.Namespace;

/**
 * What the extension keeps in JUnit's stores, and how it names a context in messages. A test's
 * plan and topology live in the test's store; a class's, keyed by the class, in the class's store,
 * where the contexts of its tests and of its {@code @Nested} classes find them.
 */
final class Contexts {
  private static final Namespace NAMESPACE = Namespace.create(NetNsExtension.class);
  private static final String TEST_PLAN = "test-plan";
  private static final String TEST_TOPOLOGY = "test-topology";

  /** The key of a class's plan; its topology is kept under the class itself. */
  private record ClassPlan(Class<?> testClass) {}

  /** The key of the {@code Network} view of a class's {@code @BeforeAll}/{@code @AfterAll} methods. */
  private record ClassView(Class<?> testClass) {}

  private Contexts() {}

  private static ExtensionContext.Store store(ExtensionContext context) {
    return context.getStore(NAMESPACE);
  }

  /**
   * The plan of a test (checked strictly: every link must name declared namespaces), made once per
   * test context. A dynamic test finds its factory's.
   */
  static Plan testPlan(ExtensionContext context) {
    Plan plan = store(context).get(TEST_PLAN, Plan.class);
    if (plan == null) {
      plan = Plan.of(context.getRequiredTestClass(), context.getTestMethod(), true);
      store(context).put(TEST_PLAN, plan);
    }
    return plan;
  }

  /** The plan of the class of {@code context} without any test method's annotations, made once per class context. */
  static Plan classPlan(ExtensionContext context) {
    ClassPlan key = new ClassPlan(context.getRequiredTestClass());
    Plan plan = store(context).get(key, Plan.class);
    if (plan == null) {
      plan = Plan.of(key.testClass(), Optional.empty(), false);
      store(context).put(key, plan);
    }
    return plan;
  }

  /** The topology of the current test (or of the test whose dynamic tests run), or null. */
  static BuiltTopology testTopology(ExtensionContext context) {
    return store(context).get(TEST_TOPOLOGY, BuiltTopology.class);
  }

  static void putTestTopology(ExtensionContext context, BuiltTopology topology) {
    store(context).put(TEST_TOPOLOGY, topology);
  }

  static BuiltTopology removeTestTopology(ExtensionContext context) {
    return store(context).remove(TEST_TOPOLOGY, BuiltTopology.class);
  }

  static void putClassTopology(ExtensionContext context, BuiltTopology topology) {
    store(context).put(context.getRequiredTestClass(), topology);
  }

  static BuiltTopology removeClassTopology(ExtensionContext context) {
    return store(context).remove(context.getRequiredTestClass(), BuiltTopology.class);
  }

  /** The one {@code Network} view of this class context's lifecycle methods, made by {@code make} at first. */
  static Network classView(ExtensionContext context, Supplier<Network> make) {
    ClassView key = new ClassView(context.getRequiredTestClass());
    synchronized (Contexts.class) {
      Network view = store(context).get(key, Network.class);
      if (view == null) {
        view = make.get();
        store(context).put(key, view);
      }
      return view;
    }
  }

  /** Removes and returns this class context's view, or null if no parameter asked for it. */
  static Network removeClassView(ExtensionContext context) {
    return store(context).remove(new ClassView(context.getRequiredTestClass()), Network.class);
  }

  /** The topologies of the enclosing class contexts, outermost first. */
  static List<BuiltTopology> classTopologies(ExtensionContext context) {
    List<BuiltTopology> found = new ArrayList<>();
    for (Class<?> type : Declaration.classChain(context.getRequiredTestClass())) {
      BuiltTopology topology = store(context).get(type, BuiltTopology.class);
      if (topology != null) {
        found.add(topology);
      }
    }
    return found;
  }

  /** The CLASS-scoped namespaces among {@code declarations}, which their classes' contexts made, in declaration order. */
  static Map<String, NetNs> classNamespaces(ExtensionContext context, List<Declaration> declarations) {
    Map<String, NetNs> shared = new LinkedHashMap<>();
    for (Declaration declaration : declarations) {
      if (declaration.scope() != Scope.CLASS) {
        continue;
      }
      BuiltTopology owner = store(context).get(declaration.declaredOn(), BuiltTopology.class);
      NetNs ns = owner == null ? null : owner.get(declaration.name());
      if (ns == null) {
        throw new IllegalStateException("junit-netns: the CLASS-scoped namespace " + declaration.displayName()
            + " of " + Declaration.where(declaration.declaredOn()) + " does not exist (was its @BeforeAll phase"
            + " skipped?)");
      }
      shared.put(declaration.name(), ns);
    }
    return shared;
  }

  /** The CLASS-scoped namespaces visible in a class context (for @BeforeAll and @AfterAll methods). */
  static Map<String, NetNs> classNamespaces(ExtensionContext context) {
    return classNamespaces(context, classPlan(context).namespaces());
  }

  /** E.g. {@code ServerTest.bindsTheRealPort}; a dynamic test's context has no class: its display name then. */
  static String testName(ExtensionContext context) {
    return context.getTestClass().map(Class::getSimpleName).orElse(context.getDisplayName())
        + context.getTestMethod().map(m -> "." + m.getName()).orElse("");
  }

  /** The label of a namespace in messages and pins: its name, or for the unnamed one its class's or test's. */
  static String label(Declaration declaration, ExtensionContext context) {
    if (!declaration.isUnnamed()) {
      return declaration.name();
    }
    return declaration.scope() == Scope.CLASS ? context.getRequiredTestClass().getSimpleName() : testName(context);
  }
}
