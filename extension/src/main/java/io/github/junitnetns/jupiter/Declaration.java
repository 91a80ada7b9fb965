package io.github.junitnetns.jupiter;

import io.github.junitnetns.internal.topology.NamespaceSpec;
import io.github.junitnetns.internal.topology.TopologyValidator;
import io.github.junitnetns.jupiter.IsolatedNetNs.Scope;
import java.lang.annotation.Annotation;
import java.lang.reflect.AnnotatedElement;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.extension.ExtensionConfigurationException;
import org.junit.platform.commons.support.AnnotationSupport;

/**
 * One namespace a test asks for: its name, its scope, whether it forwards, and where it was
 * declared (the class or test method carrying the annotation: its context owns CLASS-scoped
 * namespaces, and messages name it). {@link #collect} finds them the JUnit way (meta-annotations,
 * inheritance, enclosing {@code @Nested} classes) and validates them all before anything is created.
 */
record Declaration(String name, Scope scope, boolean forwarding, AnnotatedElement declaredOn) {
  static final String UNNAMED = NamespaceSpec.UNNAMED;

  boolean isUnnamed() {
    return name.equals(UNNAMED);
  }

  /** How the name reads in messages. */
  String displayName() {
    return isUnnamed() ? "the unnamed namespace" : "\"" + name + "\"";
  }

  NamespaceSpec spec() {
    return new NamespaceSpec(name, forwarding);
  }

  /**
   * All declarations visible to a test class (and method, when given) in declaration order:
   * outermost enclosing class first, the method last.
   */
  static List<Declaration> collect(Class<?> testClass, Optional<Method> testMethod) {
    List<Declaration> all = new ArrayList<>();
    for (Map.Entry<IsolatedNetNs, AnnotatedElement> found : find(testClass, testMethod, IsolatedNetNs.class)) {
      if (found.getValue() instanceof Method && found.getKey().scope() == Scope.CLASS) {
        throw new ExtensionConfigurationException("@IsolatedNetNs(scope = CLASS) on method "
            + where(found.getValue()) + ": CLASS scope shares namespaces across a class's tests, so it"
            + " belongs on the class. Move the annotation to the class, or drop scope = CLASS.");
      }
      add(all, found.getKey(), found.getValue());
    }
    checkUnique(all);
    return List.copyOf(all);
  }

  /** All {@code A} annotations visible to a test, in the same order as {@link #collect}, each with where it was found. */
  static <A extends Annotation> List<Map.Entry<A, AnnotatedElement>> find(
      Class<?> testClass, Optional<Method> testMethod, Class<A> type) {
    List<Map.Entry<A, AnnotatedElement>> found = new ArrayList<>();
    for (Class<?> declaring : classChain(testClass)) {
      for (A annotation : AnnotationSupport.findRepeatableAnnotations(declaring, type)) {
        found.add(Map.entry(annotation, declaring));
      }
    }
    testMethod.ifPresent(method -> {
      for (A annotation : AnnotationSupport.findRepeatableAnnotations(method, type)) {
        found.add(Map.entry(annotation, method));
      }
    });
    return found;
  }

  /** The class and its enclosing classes ({@code @Nested} chain), outermost first. */
  static Deque<Class<?>> classChain(Class<?> testClass) {
    Deque<Class<?>> chain = new ArrayDeque<>();
    for (Class<?> type = testClass; type != null; ) {
      chain.addFirst(type);
      boolean inner = type.getEnclosingClass() != null && !Modifier.isStatic(type.getModifiers());
      type = inner ? type.getEnclosingClass() : null;
    }
    return chain;
  }

  private static void add(List<Declaration> all, IsolatedNetNs annotation, AnnotatedElement on) {
    if (annotation.value().length == 0) {
      all.add(new Declaration(UNNAMED, annotation.scope(), annotation.forwarding(), on));
      return;
    }
    for (String name : annotation.value()) {
      if (!TopologyValidator.isNamespaceName(name)) {
        throw new ExtensionConfigurationException("@IsolatedNetNs on " + where(on) + ": value contains \""
            + name + "\", which is not a usable namespace name. Use 1 to 32 letters, digits, '.', '_'"
            + " or '-', starting with a letter or digit (e.g. \"server\"), or leave value out for one"
            + " unnamed namespace.");
      }
      all.add(new Declaration(name, annotation.scope(), annotation.forwarding(), on));
    }
  }

  private static void checkUnique(List<Declaration> all) {
    Map<String, Declaration> seen = new HashMap<>();
    for (Declaration declaration : all) {
      Declaration earlier = seen.putIfAbsent(declaration.name, declaration);
      if (earlier != null) {
        String fix = declaration.isUnnamed()
            ? "Give them names, e.g. @IsolatedNetNs(\"client\") and @IsolatedNetNs(\"server\")."
            : "Give each namespace its own name.";
        throw new ExtensionConfigurationException("@IsolatedNetNs declares " + declaration.displayName()
            + " twice: on " + where(earlier.declaredOn) + " and on " + where(declaration.declaredOn)
            + ". " + fix);
      }
    }
  }

  /** E.g. {@code ClientTest} or {@code ClientTest.talks()}. */
  static String where(AnnotatedElement element) {
    if (element instanceof Method method) {
      return method.getDeclaringClass().getSimpleName() + "." + method.getName() + "()";
    }
    return element instanceof Class<?> type ? type.getSimpleName() : String.valueOf(element);
  }
}
