package io.github.junitnetns.jupiter;

import io.github.junitnetns.NetNs;
import io.github.junitnetns.Network;
import java.lang.reflect.Constructor;
import java.lang.reflect.Executable;
import java.lang.reflect.Method;
import java.lang.reflect.Parameter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolutionException;

/**
 * {@link NetNs} and {@link Network} parameters, one path for both: what exists where the parameter
 * is asked for (the test's topology, or in {@code @BeforeAll}/{@code @AfterAll} the class's
 * CLASS-scoped namespaces), then the namespace an {@link Ns} names, the first one, or all of it.
 */
final class Parameters {
  private Parameters() {}

  /** Any {@code @Ns} parameter too, so that one on a wrong type gets this extension's message, not silence. */
  static boolean supports(ParameterContext parameterContext) {
    Class<?> type = parameterContext.getParameter().getType();
    return type == NetNs.class || type == Network.class || parameterContext.isAnnotated(Ns.class);
  }

  static Object resolve(ParameterContext parameterContext, ExtensionContext context) {
    Class<?> type = parameterContext.getParameter().getType();
    String parameter = describe(parameterContext.getDeclaringExecutable(), parameterContext.getIndex());
    Optional<Ns> annotation = parameterContext.findAnnotation(Ns.class);
    annotation.ifPresent(ns -> checkNsType(ns, type, parameter));
    BuiltTopology test = Contexts.testTopology(context);
    Map<String, NetNs> available = test != null ? test.all()
        : isClassPhase(parameterContext, context) ? Contexts.classNamespaces(context)
        : Map.of();
    if (available.isEmpty()) {
      throw new ParameterResolutionException(type == Network.class
          ? "Cannot inject a Network into " + parameter + ": no namespace exists here. Network parameters work in"
              + " test and lifecycle methods of a test with @IsolatedNetNs, and in @BeforeAll/@AfterAll with"
              + " @IsolatedNetNs(scope = CLASS); not in constructors."
          : "Cannot inject a NetNs into " + parameter + ": no namespace exists here. NetNs parameters work in test"
              + " methods and @BeforeEach/@AfterEach methods of a test with @IsolatedNetNs, and in"
              + " @BeforeAll/@AfterAll with @IsolatedNetNs(scope = CLASS); not in constructors.");
    }
    if (type == Network.class) {
      return network(context, test);
    }
    if (annotation.isEmpty()) {
      return available.values().iterator().next();
    }
    String wanted = annotation.get().value();
    NetNs ns = wanted.isEmpty() ? null : available.get(wanted);
    if (ns == null) {
      List<String> names = new ArrayList<>(available.keySet());
      names.remove(Declaration.UNNAMED);
      throw unknownNs(wanted, parameter, names);
    }
    return ns;
  }

  /** A lifecycle method of the class ({@code @BeforeAll}, {@code @AfterAll}): not a test, not a constructor. */
  private static boolean isClassPhase(ParameterContext parameterContext, ExtensionContext context) {
    return context.getTestMethod().isEmpty() && context.getTestClass().isPresent()
        && !(parameterContext.getDeclaringExecutable() instanceof Constructor);
  }

  /**
   * The networks of the enclosing classes' topologies and the test's, as one: every namespace, veth
   * and bridge the test can reach. Namespaces of a level without a network (a single unnamed one)
   * cannot be linked, so a {@code Network} has nothing to say about them. One view per test (and
   * one per class for {@code @BeforeAll}/{@code @AfterAll}), whichever parameter asks: the faults
   * and shaping applied through it belong to that test or class, and are undone after it.
   */
  private static Network network(ExtensionContext context, BuiltTopology test) {
    Supplier<Network> make = () -> {
      List<Network> parts = new ArrayList<>();
      List<BuiltTopology> sources = Contexts.classTopologies(context);
      if (test != null) {
        sources.add(test);
      }
      for (BuiltTopology topology : sources) {
        if (topology.network() != null) {
          parts.add(topology.network());
        }
      }
      return LibraryInternals.combine(parts);
    };
    return test != null ? test.view(make) : Contexts.classView(context, make);
  }

  /** {@code @Ns("x")} parameters of the test method must name declared namespaces: checked before anything is made. */
  static void checkNsParameters(ExtensionContext context, List<Declaration> declarations) {
    Optional<Method> method = context.getTestMethod();
    if (method.isEmpty()) {
      return;
    }
    Parameter[] parameters = method.get().getParameters();
    for (int i = 0; i < parameters.length; i++) {
      Ns ns = parameters[i].getAnnotation(Ns.class);
      if (ns == null) {
        continue;
      }
      String where = describe(method.get(), i);
      checkNsType(ns, parameters[i].getType(), where);
      List<String> names = declarations.stream().filter(d -> !d.isUnnamed()).map(Declaration::name).toList();
      if (!names.contains(ns.value())) {
        throw unknownNs(ns.value(), where, names);
      }
    }
  }

  /** {@code @Ns} selects a {@link NetNs}; on any other type it would be ignored, or misread as a typo in the name. */
  private static void checkNsType(Ns ns, Class<?> type, String where) {
    if (type != NetNs.class) {
      throw new ParameterResolutionException("@Ns(\"" + ns.value() + "\") on " + where + " selects a NetNs, but the"
          + " parameter is a " + type.getSimpleName() + ". Declare it as NetNs, or drop @Ns"
          + (type == Network.class ? " (a Network is the whole topology; net.ns(\"" + ns.value() + "\") is one"
          + " namespace of it)." : "."));
    }
  }

  private static ParameterResolutionException unknownNs(String name, String where, List<String> declared) {
    String found = declared.isEmpty()
        ? "this test declares no named namespace. Name it, e.g. @IsolatedNetNs(\"" + name + "\")."
        : "declared here: " + declared + ". Add it to @IsolatedNetNs or fix the name.";
    return new ParameterResolutionException("@Ns(\"" + name + "\") on " + where + " names no namespace of this test; "
        + found);
  }

  /** E.g. {@code parameter 0 (server) of ClientTest.talks()}, or {@code ... of the constructor of ClientTest}. */
  private static String describe(Executable executable, int index) {
    String owner = executable.getDeclaringClass().getSimpleName();
    return "parameter " + index + " (" + executable.getParameters()[index].getName() + ") of "
        + (executable instanceof Constructor ? "the constructor of " + owner
            : owner + "." + executable.getName() + "()");
  }
}
