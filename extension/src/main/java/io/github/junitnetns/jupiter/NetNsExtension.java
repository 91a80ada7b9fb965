package io.github.junitnetns.jupiter;

import io.github.junitnetns.NetNs;
import io.github.junitnetns.NetNsException;
import io.github.junitnetns.Network;
import io.github.junitnetns.internal.linux.Errno;
import io.github.junitnetns.internal.linux.ErrnoException;
import io.github.junitnetns.internal.linux.Syscalls;
import io.github.junitnetns.internal.ns.Carrier;
import io.github.junitnetns.internal.ns.NetNsAccess;
import io.github.junitnetns.internal.ns.Namespaces;
import io.github.junitnetns.internal.ns.Pins;
import io.github.junitnetns.internal.ns.Residents;
import io.github.junitnetns.internal.ns.SpareNamespaces;
import io.github.junitnetns.internal.ns.SpareNamespaces.Spare;
import io.github.junitnetns.internal.ns.VirtualThreads;
import io.github.junitnetns.jupiter.IsolatedNetNs.Scope;
import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.DynamicTestInvocationContext;
import org.junit.jupiter.api.extension.ExtensionConfigurationException;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ExtensionContext.Namespace;
import org.junit.jupiter.api.extension.InvocationInterceptor;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolutionException;
import org.junit.jupiter.api.extension.ParameterResolver;
import org.junit.jupiter.api.extension.ReflectiveInvocationContext;
import org.junit.jupiter.api.extension.TestExecutionExceptionHandler;
import org.junit.platform.commons.support.AnnotationSupport;
import org.opentest4j.TestAbortedException;

/**
 * The extension behind {@link IsolatedNetNs}: creates the namespaces before each test (or class),
 * runs the test's methods on a carrier thread inside the first one, resolves {@link NetNs}
 * parameters, attaches each namespace's state to a failure, and removes everything afterwards.
 * Registered by the annotation; users never name it.
 */
final class NetNsExtension
    implements BeforeAllCallback, AfterAllCallback, BeforeEachCallback, AfterEachCallback,
        InvocationInterceptor, ParameterResolver, TestExecutionExceptionHandler {

  static final String UNPRIVILEGED = "junit.netns.unprivileged";
  static final String THREADS_LEFT_BEHIND = "junit.netns.threads-left-behind";
  static final String KEEP_ON_FAILURE = "junit.netns.keep-on-failure";
  /** How long threads inside may take to end after the test before they count as left behind. */
  private static final long RESIDENT_GRACE_MILLIS = 500;
  private static final Namespace NAMESPACE = Namespace.create(NetNsExtension.class);
  private static final String TEST_TOPOLOGY = "test-topology";

  // ---- class scope ----

  @Override
  public void beforeAll(ExtensionContext context) {
    Class<?> testClass = context.getRequiredTestClass();
    Plan plan = Plan.of(testClass, Optional.empty(), false);
    checkConfiguration(context);
    List<Declaration> mine = new ArrayList<>();
    for (Declaration declaration : plan.namespaces) {
      if (declaration.scope == Scope.CLASS && declaration.declaredOn == testClass) {
        mine.add(declaration);
      }
    }
    List<Topology> outer = classTopologies(context);
    List<Plan.Wire> wires = notBuiltYet(plan.wires, w -> plan.isClassWide(w), w -> w.id, outer);
    List<Plan.Lan> lans = notBuiltYet(plan.lans, l -> plan.isClassWide(l), l -> l.id, outer);
    if (mine.isEmpty() && wires.isEmpty() && lans.isEmpty()) {
      return;
    }
    // Validate first (house rule 5): every test's own annotations before the class's namespaces exist.
    for (Method method : org.junit.platform.commons.support.ReflectionSupport.findMethods(testClass,
        m -> AnnotationSupport.isAnnotated(m, org.junit.platform.commons.annotation.Testable.class),
        org.junit.platform.commons.support.HierarchyTraversalMode.TOP_DOWN)) {
      Plan.of(testClass, Optional.of(method), true);
    }
    Topology topology = new Topology(mine.isEmpty() ? null : mine.get(0).name, null, null);
    context.getStore(NAMESPACE).put(testClass, topology);
    Carrier carrier = Carrier.acquire();
    carrier.rename(testClass.getSimpleName());
    try {
      create(context, carrier, () -> {
        for (Declaration declaration : mine) {
          topology.own(declaration.name, createHere(label(declaration, context)));
        }
        return null;
      }, () -> {});
    } finally {
      carrier.release();
    }
    for (Declaration declaration : mine) {
      if (declaration.forwarding) {
        Wiring.enableForwarding(topology.get(declaration.name));
      }
    }
    Wiring.build(wires, lans, classNamespaces(context, plan.namespaces), topology);
  }

  @Override
  public void afterAll(ExtensionContext context) {
    Topology topology = context.getStore(NAMESPACE).remove(context.getRequiredTestClass(), Topology.class);
    if (topology != null) {
      String what = "Test class " + context.getRequiredTestClass().getSimpleName();
      Map<String, NetNs> owned = topology.ownedWithBridges();
      if (topology.hasFailed() && keepOnFailure(context)) {
        keep(context, topology, owned, context.getRequiredTestClass().getSimpleName());
      }
      topology.close();
      checkResidents(context, owned, what);
    }
  }

  @Override
  public void interceptBeforeAllMethod(Invocation<Void> invocation,
      ReflectiveInvocationContext<Method> invocationContext, ExtensionContext context) throws Throwable {
    runInClassNamespace(invocation, context);
  }

  @Override
  public void interceptAfterAllMethod(Invocation<Void> invocation,
      ReflectiveInvocationContext<Method> invocationContext, ExtensionContext context) throws Throwable {
    runInClassNamespace(invocation, context);
  }

  private void runInClassNamespace(Invocation<Void> invocation, ExtensionContext context) throws Throwable {
    Map<String, NetNs> shared = classNamespaces(context, Declaration.collect(context.getRequiredTestClass(), Optional.empty()));
    if (shared.isEmpty()) {
      invocation.proceed();
      return;
    }
    runOnLeasedCarrier(shared.values().iterator().next(), context.getRequiredTestClass().getSimpleName(), invocation);
  }

  /** Runs one invocation on a carrier leased for it, inside {@code ns}. */
  private static <T> T runOnLeasedCarrier(NetNs ns, String purpose, Invocation<T> invocation) throws Throwable {
    Carrier carrier = Carrier.acquire();
    carrier.rename(purpose);
    try {
      return carrier.call(() -> {
        NetNsAccess.get().enterOnCurrentThread(ns);
        return invocation.proceed();
      });
    } finally {
      carrier.release();
    }
  }

  /**
   * Runs namespace creation on {@code carrier}. On failure, {@code onFailure} hands what was made
   * to the store's topology first; a missing privilege becomes the skip (or failure) users expect.
   */
  private static void create(ExtensionContext context, Carrier carrier, Carrier.Task<?> work, Runnable onFailure) {
    sweepStalePins();
    try {
      carrier.call(work);
    } catch (ErrnoException e) {
      onFailure.run();
      throw failedToCreate(context, e);
    } catch (RuntimeException | Error e) {
      onFailure.run();
      throw e;
    } catch (Throwable t) {
      onFailure.run();
      throw new IllegalStateException(t);
    }
  }

  // ---- test scope ----

  @Override
  public void beforeEach(ExtensionContext context) {
    Plan plan = Plan.of(context.getRequiredTestClass(), context.getTestMethod(), true);
    List<Declaration> declarations = plan.namespaces;
    if (declarations.isEmpty()) {
      return; // a @VethLink/@Bridge without namespaces was refused by Plan: it names unknown ones
    }
    checkConfiguration(context);
    refuseVirtualWorker(context);
    checkNsParameters(context, declarations);
    Map<String, NetNs> shared = classNamespaces(context, declarations);
    List<Topology> classTopologies = classTopologies(context);
    Declaration primary = declarations.get(0);
    String workerNamespace = Namespaces.currentThreadId();
    // Spares: fresh namespaces made in the background while earlier tests ran (SpareNamespaces).
    // The body's comes with a carrier already inside it, which then runs the test.
    Spare spare = primary.scope == Scope.TEST ? SpareNamespaces.take(label(primary, context)) : null;
    Carrier runner = spare != null ? spare.carrier : Carrier.acquire();
    runner.rename(testName(context));
    Topology topology = new Topology(primary.name, runner, workerNamespace);
    // In the store first, so that JUnit closes whatever was made even if creation fails halfway.
    context.getStore(NAMESPACE).put(TEST_TOPOLOGY, topology);
    Map<String, NetNs> fresh = new LinkedHashMap<>();
    if (spare != null) {
      fresh.put(primary.name, spare.ns);
    }
    List<Declaration> toMake = new ArrayList<>();
    for (Declaration declaration : declarations) {
      if (declaration.scope == Scope.TEST && declaration != primary) {
        Spare other = SpareNamespaces.take(label(declaration, context));
        if (other != null) {
          fresh.put(declaration.name, other.ns);
          other.carrier.release(); // the namespace is held by its descriptor; the carrier goes home
        } else {
          toMake.add(declaration);
        }
      }
    }
    if (spare == null || !toMake.isEmpty()) {
      create(context, runner, () -> {
        // unshare(2) moves the runner into each new namespace; make the body's namespace last so
        // that the runner ends up inside it without a setns (which only a spare for it needs).
        for (Declaration declaration : toMake) {
          fresh.put(declaration.name, createHere(label(declaration, context)));
        }
        if (spare != null) {
          NetNsAccess.get().enterOnCurrentThread(spare.ns);
        } else if (primary.scope == Scope.TEST) {
          fresh.put(primary.name, createHere(label(primary, context)));
        } else {
          NetNsAccess.get().enterOnCurrentThread(shared.get(primary.name));
        }
        return null;
      }, () -> fresh.forEach(topology::own)); // whatever was made before a failure is closed with the test
    }
    for (Declaration declaration : declarations) {
      if (declaration.scope == Scope.TEST) {
        topology.own(declaration.name, fresh.get(declaration.name));
        if (declaration.forwarding) {
          Wiring.enableForwarding(fresh.get(declaration.name));
        }
      } else {
        topology.borrow(declaration.name, shared.get(declaration.name));
      }
    }
    Wiring.build(notBuiltYet(plan.wires, w -> true, w -> w.id, classTopologies),
        notBuiltYet(plan.lans, l -> true, l -> l.id, classTopologies), topology.all(), topology);
  }

  /** {@code @Ns("x")} parameters of the test method must name declared namespaces: checked before anything is made. */
  private static void checkNsParameters(ExtensionContext context, List<Declaration> declarations) {
    Optional<Method> method = context.getTestMethod();
    if (method.isEmpty()) {
      return;
    }
    java.lang.reflect.Parameter[] parameters = method.get().getParameters();
    for (int i = 0; i < parameters.length; i++) {
      Ns ns = parameters[i].getAnnotation(Ns.class);
      if (ns == null) {
        continue;
      }
      String where = describe(method.get(), i);
      checkNsType(ns, parameters[i].getType(), where);
      if (declarations.stream().noneMatch(d -> d.name.equals(ns.value()) && !d.isUnnamed())) {
        List<String> names = new ArrayList<>();
        declarations.stream().filter(d -> !d.isUnnamed()).forEach(d -> names.add(d.name));
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
  private static String describe(java.lang.reflect.Executable executable, int index) {
    String owner = executable.getDeclaringClass().getSimpleName();
    return "parameter " + index + " (" + executable.getParameters()[index].getName() + ") of "
        + (executable instanceof java.lang.reflect.Constructor ? "the constructor of " + owner
            : owner + "." + executable.getName() + "()");
  }

  /** The cables or LANs that qualify and that no enclosing class context has built already. */
  private static <T> List<T> notBuiltYet(List<T> planned, java.util.function.Predicate<T> qualifies,
      java.util.function.Function<T, String> id, List<Topology> builders) {
    List<T> todo = new ArrayList<>();
    for (T item : planned) {
      if (qualifies.test(item) && builders.stream().noneMatch(t -> t.hasBuilt(id.apply(item)))) {
        todo.add(item);
      }
    }
    return todo;
  }

  /** The topologies of the enclosing class contexts, outermost first. */
  private static List<Topology> classTopologies(ExtensionContext context) {
    List<Topology> found = new ArrayList<>();
    for (Class<?> type : Declaration.classChain(context.getRequiredTestClass())) {
      Topology topology = context.getStore(NAMESPACE).get(type, Topology.class);
      if (topology != null) {
        found.add(topology);
      }
    }
    return found;
  }

  @Override
  public void afterEach(ExtensionContext context) {
    Topology topology = context.getStore(NAMESPACE).remove(TEST_TOPOLOGY, Topology.class);
    if (topology == null) {
      return;
    }
    Map<String, NetNs> owned = topology.ownedWithBridges();
    if ((context.getExecutionException().isPresent() || topology.hasFailed()) && keepOnFailure(context)) {
      keep(context, topology, owned, testName(context));
    }
    if (!topology.borrowed().isEmpty()) {
      // Namespaces shared by the class outlive the test: its partitions must not reach the next test.
      try {
        NetNsAccess.get().newNetwork(topology.borrowed(), Map.of(), List.of()).heal();
      } catch (RuntimeException e) {
        topology.close();
        throw e;
      }
    }
    topology.close();
    checkWorkerThread(context, topology.workerNamespace());
    checkResidents(context, owned, "Test " + testName(context));
  }

  @Override
  public void interceptBeforeEachMethod(Invocation<Void> invocation,
      ReflectiveInvocationContext<Method> invocationContext, ExtensionContext context) throws Throwable {
    runInside(invocation, context);
  }

  @Override
  public void interceptTestMethod(Invocation<Void> invocation,
      ReflectiveInvocationContext<Method> invocationContext, ExtensionContext context) throws Throwable {
    runInside(invocation, context);
  }

  @Override
  public void interceptTestTemplateMethod(Invocation<Void> invocation,
      ReflectiveInvocationContext<Method> invocationContext, ExtensionContext context) throws Throwable {
    runInside(invocation, context);
  }

  @Override
  public <T> T interceptTestFactoryMethod(Invocation<T> invocation,
      ReflectiveInvocationContext<Method> invocationContext, ExtensionContext context) throws Throwable {
    return runInside(invocation, context);
  }

  @Override
  public void interceptDynamicTest(Invocation<Void> invocation,
      DynamicTestInvocationContext invocationContext, ExtensionContext context) throws Throwable {
    runInside(invocation, context);
  }

  @Override
  public void interceptAfterEachMethod(Invocation<Void> invocation,
      ReflectiveInvocationContext<Method> invocationContext, ExtensionContext context) throws Throwable {
    runInside(invocation, context);
  }

  private static <T> T runInside(Invocation<T> invocation, ExtensionContext context) throws Throwable {
    Topology topology = context.getStore(NAMESPACE).get(TEST_TOPOLOGY, Topology.class);
    if (topology == null) {
      return invocation.proceed();
    }
    Carrier runner = topology.runner();
    if (!runner.isBusy()) {
      return runner.call(invocation::proceed);
    }
    // JUnit gave up on an earlier method that still runs (@Timeout(threadMode = SEPARATE_THREAD)):
    // run this one on another thread inside the same namespace instead of queueing behind it.
    return runOnLeasedCarrier(topology.primary(), testName(context), invocation);
  }

  // ---- failures ----

  @Override
  public void handleTestExecutionException(ExtensionContext context, Throwable throwable) throws Throwable {
    if (throwable instanceof io.github.junitnetns.Shaping.NetemUnavailableException) {
      // The kernel lacks a feature, not the code under test: skipped, with the fix in the message.
      throw new TestAbortedException(throwable.getMessage(), throwable);
    }
    Topology topology = context.getStore(NAMESPACE).get(TEST_TOPOLOGY, Topology.class);
    if (topology != null && !(throwable instanceof TestAbortedException)) {
      topology.failed();
      if (!topology.borrowed().isEmpty()) {
        classTopologies(context).forEach(Topology::failed);
      }
      StringBuilder report = new StringBuilder("Network namespaces when the test failed:\n");
      for (Map.Entry<String, NetNs> entry : topology.all().entrySet()) {
        String text;
        try {
          text = entry.getValue().describe() + NetNsAccess.get().processReport(entry.getValue());
        } catch (RuntimeException e) {
          text = "netns " + entry.getValue().label() + ": cannot describe: " + e.getMessage() + "\n";
        }
        context.publishReportEntry("junit-netns " + entry.getValue().label(), text);
        report.append(text);
      }
      throwable.addSuppressed(new NetworkReport(report.toString()));
    }
    throw throwable;
  }

  /** The namespaces' state at failure, attached to the test's exception so it shows in every report. */
  static final class NetworkReport extends RuntimeException {
    private static final long serialVersionUID = 1L;

    NetworkReport(String text) {
      super(text, null, false, false);
    }
  }

  // ---- after the test: threads left inside, keep-on-failure ----

  /**
   * Fails (or warns, per {@value #THREADS_LEFT_BEHIND}) when threads of the JVM are still inside the
   * namespaces that were just closed: they keep them alive and usually mean a server was not stopped.
   * Threads the JDK owns and the test cannot stop are mentioned in a report entry only.
   */
  private static void checkResidents(ExtensionContext context, Map<String, NetNs> closed, String what) {
    Map<String, String> labels = new LinkedHashMap<>();
    closed.values().forEach(ns -> labels.put(ns.id(), ns.label()));
    boolean fail = threadsLeftBehindFails(context);
    List<Residents.Resident> residents = Residents.inside(labels.keySet());
    long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.MILLISECONDS.toNanos(RESIDENT_GRACE_MILLIS);
    while (residents.stream().anyMatch(r -> !r.isJvmWide()) && System.nanoTime() < deadline) {
      try {
        Thread.sleep(10); // a server stopping asynchronously: give its threads a moment to end
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        break;
      }
      residents = Residents.inside(labels.keySet());
    }
    List<Residents.Resident> strays = new ArrayList<>();
    List<Residents.Resident> jdk = new ArrayList<>();
    residents.forEach(r -> (r.isJvmWide() ? jdk : strays).add(r));
    if (!jdk.isEmpty()) {
      context.publishReportEntry("junit-netns JDK threads inside", "JDK threads started from inside the closed"
          + " network namespaces, which keep them alive until they end:\n" + Residents.describe(jdk, labels)
          + "A \"process reaper\" comes from a process started from inside (NetNs.exec forks from outside);"
          + " an \"HttpClient-N-SelectorManager\" belongs to an HttpClient built inside, and ends when it is"
          + " closed (JDK 21+) or garbage-collected; common-pool workers end after a minute idle.");
    }
    if (strays.isEmpty()) {
      return;
    }
    String message = what + " left " + strays.size() + (strays.size() == 1 ? " thread" : " threads")
        + " inside its network namespaces after it ended:\n" + Residents.describe(strays, labels)
        + "A thread inside keeps its namespace alive after the test, and usually means a server, executor or"
        + " client was not stopped: stop it in the test or in an @AfterEach method (e.g. server.close(),"
        + " executor.shutdownNow() and awaitTermination). Set " + THREADS_LEFT_BEHIND
        + "=warn to report this without failing.";
    if (fail) {
      throw new ThreadsLeftBehind(message);
    }
    context.publishReportEntry("junit-netns threads left behind", message);
    System.err.println("junit-netns warning: " + message);
  }

  /** Threads were left inside a test's namespaces after it ended. */
  static final class ThreadsLeftBehind extends IllegalStateException {
    private static final long serialVersionUID = 1L;

    ThreadsLeftBehind(String message) {
      super(message);
    }
  }

  /**
   * Pins the failed test's namespaces under /run/netns so that {@code ip netns exec} can enter them
   * after the JVM has moved on, and says how; a pin that cannot be made is reported, never fatal.
   */
  private static void keep(ExtensionContext context, Topology topology, Map<String, NetNs> owned, String test) {
    long pid = ProcessHandle.current().pid();
    StringBuilder pinned = new StringBuilder();
    StringBuilder failures = new StringBuilder();
    for (Map.Entry<String, NetNs> entry : owned.entrySet()) {
      String name = entry.getKey().equals(Declaration.UNNAMED) ? "ns" : entry.getKey();
      try {
        String pin = Pins.pin(entry.getValue(), Pins.RUN_NETNS, Pins.name(pid, test, name));
        pinned.append("  ").append(name).append(": ip netns exec ").append(pin).append(" ip addr\n");
      } catch (ErrnoException e) {
        failures.append("  ").append(name).append(": ").append(e.getMessage()).append('\n');
      } catch (java.io.IOException e) {
        failures.append("  ").append(name).append(": cannot create a file in ").append(Pins.RUN_NETNS).append(": ")
            .append(e).append('\n');
      }
    }
    StringBuilder message = new StringBuilder();
    if (pinned.length() > 0) {
      topology.keepHostLinks();
      message.append("junit-netns kept the network namespaces of failed ").append(test).append(" (")
          .append(KEEP_ON_FAILURE).append("=true); enter them with:\n").append(pinned);
      if (!topology.hostLinks().isEmpty()) {
        message.append("The host's ends of its cables stay too: ").append(String.join(", ", topology.hostLinks()))
            .append(".\n");
      }
      message.append("Remove them with `ip netns delete NAME`; otherwise the first test JVM that starts after this"
          + " one has ended removes them.\n");
    }
    if (failures.length() > 0) {
      message.append("junit-netns could not keep these namespaces of failed ").append(test).append(":\n")
          .append(failures).append("Pinning needs root in the host's mount namespace (CAP_SYS_ADMIN over it) and a"
              + " writable ").append(Pins.RUN_NETNS).append("; a rootless JVM cannot pin.\n");
    }
    context.publishReportEntry("junit-netns kept", message.toString());
    System.err.print(message);
  }

  /** Once per JVM: removes pins left under /run/netns by test JVMs that have ended. */
  private static void sweepStalePins() {
    try {
      List<String> removed = Pins.sweepOnce();
      if (!removed.isEmpty()) {
        System.err.println("junit-netns: removed " + removed.size() + " pins of ended test JVMs from "
            + Pins.RUN_NETNS + ": " + String.join(", ", removed));
      }
    } catch (RuntimeException e) {
      System.err.println("junit-netns: could not look for stale pins in " + Pins.RUN_NETNS + ": " + e.getMessage());
    }
  }

  // ---- parameters ----

  @Override
  public boolean supportsParameter(ParameterContext parameterContext, ExtensionContext extensionContext) {
    Class<?> type = parameterContext.getParameter().getType();
    // Any @Ns parameter too, so that one on a wrong type gets this extension's message, not silence.
    return type == NetNs.class || type == Network.class || parameterContext.isAnnotated(Ns.class);
  }

  @Override
  public Object resolveParameter(ParameterContext parameterContext, ExtensionContext context) {
    String parameter = describe(parameterContext.getDeclaringExecutable(), parameterContext.getIndex());
    Optional<Ns> annotation = parameterContext.findAnnotation(Ns.class);
    if (annotation.isPresent()) {
      checkNsType(annotation.get(), parameterContext.getParameter().getType(), parameter);
    }
    if (parameterContext.getParameter().getType() == Network.class) {
      return network(parameterContext, context);
    }
    Optional<String> wanted = annotation.map(Ns::value);
    Map<String, NetNs> available;
    Topology topology = context.getStore(NAMESPACE).get(TEST_TOPOLOGY, Topology.class);
    if (topology != null) {
      available = topology.all();
    } else if (context.getTestMethod().isEmpty() && context.getTestClass().isPresent()
        && !(parameterContext.getDeclaringExecutable() instanceof java.lang.reflect.Constructor)) {
      available = classNamespaces(context, Declaration.collect(context.getRequiredTestClass(), Optional.empty()));
    } else {
      available = Map.of();
    }
    if (available.isEmpty()) {
      throw new ParameterResolutionException("Cannot inject a NetNs into " + parameter + ": no namespace exists here."
          + " NetNs parameters work in test methods and @BeforeEach/@AfterEach methods of a test with"
          + " @IsolatedNetNs, and in @BeforeAll/@AfterAll with @IsolatedNetNs(scope = CLASS); not in constructors.");
    }
    if (wanted.isEmpty()) {
      return available.values().iterator().next();
    }
    NetNs ns = wanted.get().isEmpty() ? null : available.get(wanted.get());
    if (ns == null) {
      List<String> names = new ArrayList<>(available.keySet());
      names.remove(Declaration.UNNAMED);
      throw unknownNs(wanted.get(), parameter, names);
    }
    return ns;
  }

  private static Network network(ParameterContext parameterContext, ExtensionContext context) {
    Topology test = context.getStore(NAMESPACE).get(TEST_TOPOLOGY, Topology.class);
    boolean classPhase = test == null && context.getTestMethod().isEmpty() && context.getTestClass().isPresent()
        && !(parameterContext.getDeclaringExecutable() instanceof java.lang.reflect.Constructor);
    Map<String, NetNs> namespaces = test != null ? test.all()
        : classPhase ? classNamespaces(context, Declaration.collect(context.getRequiredTestClass(), Optional.empty()))
        : Map.of();
    if (namespaces.isEmpty()) {
      throw new ParameterResolutionException("Cannot inject a Network into "
          + describe(parameterContext.getDeclaringExecutable(), parameterContext.getIndex()) + ": no namespace exists"
          + " here. Network parameters work in test and lifecycle methods of a test with @IsolatedNetNs, and in"
          + " @BeforeAll/@AfterAll with @IsolatedNetNs(scope = CLASS); not in constructors.");
    }
    Map<String, io.github.junitnetns.Bridge> bridges = new LinkedHashMap<>();
    List<io.github.junitnetns.internal.ns.Attachment> attachments = new ArrayList<>();
    List<Topology> sources = classTopologies(context);
    if (test != null) {
      sources.add(test);
    }
    for (Topology topology : sources) {
      bridges.putAll(topology.bridges());
      attachments.addAll(topology.attachments());
    }
    return NetNsAccess.get().newNetwork(namespaces, bridges, attachments);
  }

  // ---- helpers ----

  private static NetNs createHere(String label) throws ErrnoException {
    return NetNsAccess.get().createOnCurrentThread(label);
  }

  /** The CLASS-scoped namespaces visible from a context, in declaration order. */
  private static Map<String, NetNs> classNamespaces(ExtensionContext context, List<Declaration> declarations) {
    Map<String, NetNs> shared = new LinkedHashMap<>();
    for (Declaration declaration : declarations) {
      if (declaration.scope != Scope.CLASS) {
        continue;
      }
      Topology owner = context.getStore(NAMESPACE).get(declaration.declaredOn, Topology.class);
      NetNs ns = owner == null ? null : owner.get(declaration.name);
      if (ns == null) {
        throw new IllegalStateException("junit-netns: the CLASS-scoped namespace " + declaration.displayName()
            + " of " + Declaration.where(declaration.declaredOn) + " does not exist (was its @BeforeAll phase skipped?)");
      }
      shared.put(declaration.name, ns);
    }
    return shared;
  }

  private static RuntimeException failedToCreate(ExtensionContext context, ErrnoException e) {
    if (e.errno() != Errno.EPERM) {
      return NetNsAccess.get().toPublic(e);
    }
    String how = "junit-netns needs CAP_SYS_ADMIN to create network namespaces (" + e.getMessage() + "):"
        + " run the tests as root, with sudo, or rootless under `unshare --user --map-root-user --net`"
        + " (unshare -Urn).";
    return unprivilegedMode(context)
        ? new TestAbortedException(how + " Skipped; set " + UNPRIVILEGED + "=fail to fail instead.")
        : new NetNsException(e.operation(), e.object(), e.errno(), how);
  }

  /** Whether a missing privilege aborts (true) or fails (false) the test; checked before anything is created. */
  private static boolean unprivilegedMode(ExtensionContext context) {
    return choice(context, UNPRIVILEGED, "abort", "fail", true,
        "\"abort\" (skip tests without privileges, the default) or \"fail\"");
  }

  /** A two-valued configuration parameter: true for {@code yes}, false for {@code no}; anything else is refused. */
  private static boolean choice(ExtensionContext context, String key, String yes, String no, boolean byDefault,
      String use) {
    String value = context.getConfigurationParameter(key).orElse(byDefault ? yes : no).trim();
    if (value.equals(yes) || value.equals(no)) {
      return value.equals(yes);
    }
    throw new ExtensionConfigurationException("Configuration parameter " + key + " is \"" + value + "\"; use " + use + ".");
  }

  /** Every configuration parameter is checked before anything is created. */
  private static void checkConfiguration(ExtensionContext context) {
    unprivilegedMode(context);
    threadsLeftBehindFails(context);
    keepOnFailure(context);
  }

  private static boolean threadsLeftBehindFails(ExtensionContext context) {
    return choice(context, THREADS_LEFT_BEHIND, "fail", "warn", true, "\"fail\" (the default: a test that leaves"
        + " threads inside its namespaces fails) or \"warn\" (report them only)");
  }

  private static boolean keepOnFailure(ExtensionContext context) {
    return choice(context, KEEP_ON_FAILURE, "true", "false", false,
        "\"true\" (pin a failed test's namespaces under /run/netns) or \"false\" (the default)");
  }

  /**
   * The body runs on a platform thread anyway, but the after-test check that JUnit's thread is
   * still in its own namespace means nothing on a virtual thread (it reports its carrier's).
   */
  private static void refuseVirtualWorker(ExtensionContext context) {
    if (VirtualThreads.isVirtual(Thread.currentThread())) {
      throw new ExtensionConfigurationException("@IsolatedNetNs test " + testName(context) + " is executed"
          + " on virtual thread " + Thread.currentThread() + ". Network namespace membership belongs to OS"
          + " threads, which a virtual thread keeps changing, so junit-netns cannot keep its guarantees on it."
          + " Run the tests on JUnit's default platform threads.");
    }
  }

  private static void checkWorkerThread(ExtensionContext context, String before) {
    String now = Namespaces.currentThreadId();
    if (now.equals(before)) {
      return;
    }
    String repaired = "";
    if (before.equals(Namespaces.initialId())) {
      try {
        Syscalls.setnsNet(Namespaces.initialFd(), "the JVM's initial network namespace");
        repaired = " junit-netns moved it back.";
      } catch (ErrnoException e) {
        repaired = " Moving it back failed: " + e.getMessage() + ".";
      }
    }
    throw new IllegalStateException("JUnit thread " + Thread.currentThread().getName() + " ended "
        + testName(context) + " in network namespace " + now + " instead of " + before
        + ", where it started: code in an extension or callback moved it (setns on a JUnit thread)."
        + " Use NetNs.run/call instead, which leave the calling thread alone." + repaired);
  }

  private static String label(Declaration declaration, ExtensionContext context) {
    if (!declaration.isUnnamed()) {
      return declaration.name;
    }
    return declaration.scope == Scope.CLASS ? context.getRequiredTestClass().getSimpleName() : testName(context);
  }

  /** E.g. {@code ServerTest.bindsTheRealPort}; a dynamic test's context has no class: its display name then. */
  private static String testName(ExtensionContext context) {
    return context.getTestClass().map(Class::getSimpleName).orElse(context.getDisplayName())
        + context.getTestMethod().map(m -> "." + m.getName()).orElse("");
  }
}
