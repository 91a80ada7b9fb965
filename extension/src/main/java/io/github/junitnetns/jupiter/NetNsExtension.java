package io.github.junitnetns.jupiter;

import io.github.junitnetns.NetNs;
import io.github.junitnetns.Network;
import java.lang.reflect.Method;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.DynamicTestInvocationContext;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.InvocationInterceptor;
import org.junit.jupiter.api.extension.LifecycleMethodExecutionExceptionHandler;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;
import org.junit.jupiter.api.extension.ReflectiveInvocationContext;
import org.junit.jupiter.api.extension.TestExecutionExceptionHandler;

/**
 * The extension behind {@link IsolatedNetNs}, {@link VethLink} and {@link Bridge}: registered by the
 * annotations, never named by users. It only says which part handles each callback:
 * <ul>
 *   <li>{@link NetNsConfiguration}: the {@code junit.netns.*} parameters, read once per run;
 *   <li>{@link Plan}: the annotations read and checked, once per class and per test;
 *   <li>{@link Lifecycle}: namespaces, veths and bridges made before a class or test, removed after it;
 *   <li>{@link Invocations}: test and lifecycle methods run on a carrier thread inside the namespaces;
 *   <li>{@link Parameters}: {@link NetNs} and {@link Network} parameters;
 *   <li>{@link FailureDiagnostics}, {@link ThreadsLeftBehind}, {@link WorkerThread}: what a failed
 *       or leaky test reports, and the pins kept for a post-mortem.
 * </ul>
 */
final class NetNsExtension
    implements BeforeAllCallback, AfterAllCallback, BeforeEachCallback, AfterEachCallback,
        InvocationInterceptor, ParameterResolver, TestExecutionExceptionHandler,
        LifecycleMethodExecutionExceptionHandler {

  // ---- lifecycle ----

  @Override
  public void beforeAll(ExtensionContext context) {
    Lifecycle.beforeAll(context);
  }

  @Override
  public void afterAll(ExtensionContext context) {
    Lifecycle.afterAll(context);
  }

  @Override
  public void beforeEach(ExtensionContext context) {
    Lifecycle.beforeEach(context);
  }

  @Override
  public void afterEach(ExtensionContext context) {
    Lifecycle.afterEach(context);
  }

  // ---- invocations ----

  @Override
  public void interceptBeforeAllMethod(Invocation<Void> invocation,
      ReflectiveInvocationContext<Method> invocationContext, ExtensionContext context) throws Throwable {
    Invocations.runInClassNamespace(invocation, context);
  }

  @Override
  public void interceptAfterAllMethod(Invocation<Void> invocation,
      ReflectiveInvocationContext<Method> invocationContext, ExtensionContext context) throws Throwable {
    Invocations.runInClassNamespace(invocation, context);
  }

  @Override
  public void interceptBeforeEachMethod(Invocation<Void> invocation,
      ReflectiveInvocationContext<Method> invocationContext, ExtensionContext context) throws Throwable {
    Invocations.runInside(invocation, context);
  }

  @Override
  public void interceptTestMethod(Invocation<Void> invocation,
      ReflectiveInvocationContext<Method> invocationContext, ExtensionContext context) throws Throwable {
    Invocations.runBody(invocation, context);
  }

  @Override
  public void interceptTestTemplateMethod(Invocation<Void> invocation,
      ReflectiveInvocationContext<Method> invocationContext, ExtensionContext context) throws Throwable {
    Invocations.runBody(invocation, context);
  }

  @Override
  public <T> T interceptTestFactoryMethod(Invocation<T> invocation,
      ReflectiveInvocationContext<Method> invocationContext, ExtensionContext context) throws Throwable {
    return Invocations.runInside(invocation, context);
  }

  @Override
  public void interceptDynamicTest(Invocation<Void> invocation,
      DynamicTestInvocationContext invocationContext, ExtensionContext context) throws Throwable {
    Invocations.runDynamic(invocation, context);
  }

  @Override
  public void interceptAfterEachMethod(Invocation<Void> invocation,
      ReflectiveInvocationContext<Method> invocationContext, ExtensionContext context) throws Throwable {
    Invocations.runInside(invocation, context);
  }

  // ---- parameters ----

  @Override
  public boolean supportsParameter(ParameterContext parameterContext, ExtensionContext extensionContext) {
    return Parameters.supports(parameterContext);
  }

  @Override
  public Object resolveParameter(ParameterContext parameterContext, ExtensionContext extensionContext) {
    return Parameters.resolve(parameterContext, extensionContext);
  }

  // ---- failures ----

  @Override
  public void handleTestExecutionException(ExtensionContext context, Throwable throwable) throws Throwable {
    FailureDiagnostics.handle(context, throwable);
  }

  @Override
  public void handleBeforeAllMethodExecutionException(ExtensionContext context, Throwable throwable) throws Throwable {
    FailureDiagnostics.abortWithoutNetem(context, throwable);
    throw throwable;
  }

  @Override
  public void handleBeforeEachMethodExecutionException(ExtensionContext context, Throwable throwable)
      throws Throwable {
    FailureDiagnostics.abortWithoutNetem(context, throwable);
    throw throwable;
  }
}
