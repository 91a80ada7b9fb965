package io.github.junitnetns.jupiter;

import io.github.junitnetns.NetNs;
import io.github.junitnetns.internal.ns.Residents;
import io.github.junitnetns.internal.ns.Residents.Named;
import io.github.junitnetns.internal.ns.Residents.Resident;
import io.github.junitnetns.internal.ns.ThreadDump;
import java.lang.System.Logger.Level;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * The shared-pool trap: a pool (an executor, an event loop, a library's housekeeping threads) that
 * several tests use gets its threads from whichever test uses it first, and each thread stays in
 * that test's namespace. Later tests' work on it then runs in a namespace that is not theirs:
 * connects fail, or reach another test's server on the same port. Found two ways: a pool's thread
 * left inside a test's namespace after the test ({@link #leakAdvice}, part of the
 * threads-left-behind failure), and, when a test fails, the pools' threads that live in other
 * tests' namespaces ({@link #diagnoseFailure}).
 */
final class SharedPools {
  private static final System.Logger LOG = System.getLogger(NetNsExtension.class.getName());
  /** The jvm-wide-threads patterns already noted in this JVM. */
  private static final Set<String> NOTED = ConcurrentHashMap.newKeySet();

  static final String FIX = "Give each test its own pool, created inside the test with NetNs.threadFactory()"
      + " (e.g. Executors.newFixedThreadPool(2, ns.threadFactory())) and shut down at its end; or start the pool's"
      + " threads on the host before the tests (NetNs.host().threadFactory(), or NetNs.host().run(...) around a"
      + " library's start-up); or, for threads a library keeps for the whole JVM, list their names in "
      + NetNsConfiguration.JVM_WIDE_THREADS + " to be told once instead of failing each test (that moves no thread)."
      + " See docs/diagnostics.md#shared-pools.";

  private SharedPools() {}

  /** The report attached to a failed test whose pools have threads in other tests' namespaces. */
  static final class SharedPoolReport extends RuntimeException {
    private static final long serialVersionUID = 1L;

    SharedPoolReport(String text) {
      super(text, null, false, false);
    }
  }

  /**
   * What to add to the threads-left-behind failure when some of {@code strays} are a pool's
   * threads, which other tests may use after this one: empty if none is. Threads of a namespace's
   * own {@code NetNs.threadFactory()} (named after its label) are the test's own, not shared.
   */
  static String leakAdvice(List<Named> strays, Map<String, String> labels) {
    StringBuilder what = new StringBuilder();
    Set<String> where = new LinkedHashSet<>();
    Set<String> recipes = new LinkedHashSet<>();
    for (Named thread : strays) {
      String label = labels.getOrDefault(thread.resident().namespaceId, thread.resident().namespaceId);
      Optional<String> description = describePool(thread, label);
      if (description.isEmpty()) {
        continue;
      }
      what.append(description.get()).append(' ');
      where.add("\"" + label + "\"");
      LibraryThreads.of(thread.name()).ifPresent(p -> recipes.add(p.library() + ": " + p.recipe()));
    }
    if (what.length() == 0) {
      return "";
    }
    return "Shared pools: " + what + "A pool's thread stays in the network namespace of the test that happened to"
        + " start it, here netns " + String.join(", ", where) + " of this test, which has ended. Work that later tests"
        + " give the pool runs in that dead namespace, not in theirs: their connects fail, or reach another test's"
        + " server on the same port. " + FIX + "\n" + recipes(recipes);
  }

  /** What a pool's thread is, or empty if it is no pool's (a server's acceptor, a thread of the test's own). */
  private static Optional<String> describePool(Named thread, String label) {
    Optional<LibraryThreads.Pool> pool = LibraryThreads.of(thread.name());
    if (pool.isPresent()) {
      return Optional.of("\"" + thread.name() + "\" belongs to " + pool.get().what()
          + (pool.get().jvmWide() ? "." : ", which other tests use when it is kept in a static field."));
    }
    if (thread.name().startsWith(label + "-thread-") || !LibraryThreads.isPoolWorker(thread)) {
      return Optional.empty(); // from NetNs.threadFactory() of this very namespace, or no pool's at all
    }
    return Optional.of("\"" + thread.name() + "\" is a worker of a thread pool, which other tests use when it is"
        + " kept in a static field or by a library.");
  }

  private static String recipes(Set<String> recipes) {
    return recipes.isEmpty() ? "" : "Recipes: " + String.join("; ", recipes) + ".\n";
  }

  /**
   * Notes, once per pattern and JVM (log at INFO and report entry), threads that {@code
   * junit.netns.jvm-wide-threads} declares JVM-wide and that {@code what} left inside its
   * namespaces.
   */
  static void noteDeclared(ExtensionContext context, List<Named> declared, Map<String, String> labels, String what,
      ThreadNamePatterns patterns) {
    List<Named> first = new ArrayList<>();
    Set<String> newPatterns = new LinkedHashSet<>();
    for (Named thread : declared) {
      String pattern = patterns.match(thread.name()).map(ThreadNamePatterns.Glob::text).orElse("?");
      if (newPatterns.contains(pattern) || NOTED.add(pattern)) {
        newPatterns.add(pattern);
        first.add(thread);
      }
    }
    if (first.isEmpty()) {
      return;
    }
    String message = "junit-netns: " + what + " left threads that " + NetNsConfiguration.JVM_WIDE_THREADS
        + " declares JVM-wide inside its network namespaces, which they keep alive; threads matching "
        + newPatterns.stream().map(p -> "\"" + p + "\"").collect(Collectors.joining(", "))
        + " are not reported again in this JVM:\n" + Residents.describe(first, labels)
        + "Work that other tests give these threads runs in the namespace they are in: if tests see failed connects"
        + " or another test's answers, give each test its own pool, or start it on the host (NetNs.host()). See"
        + " docs/diagnostics.md#shared-pools.";
    context.publishReportEntry("junit-netns JVM-wide threads", message);
    LOG.log(Level.INFO, message);
  }

  /**
   * When a test fails: the threads of pools that live in the namespaces of other tests of this JVM
   * (running or ended), which may have carried this test's work there. Attached to the failure and
   * published as a report entry; nothing when there are none. Costs a /proc scan, and a thread dump
   * only when a thread is found.
   */
  static void diagnoseFailure(ExtensionContext context, BuiltTopology topology, Throwable throwable) {
    Set<String> mine = topology.all().values().stream().map(NetNs::id).collect(Collectors.toSet());
    Map<String, TestNamespaces.Owner> others = TestNamespaces.others(context, mine);
    if (others.isEmpty()) {
      return;
    }
    List<Resident> residents = Residents.inside(others.keySet());
    Set<String> inhabited = residents.stream().map(r -> r.namespaceId).collect(Collectors.toSet());
    others.keySet().stream().filter(id -> !inhabited.contains(id)).forEach(TestNamespaces::forget);
    residents.removeIf(Resident::isJvmWide); // the JDK's own: not a pool the test gave work to
    if (residents.isEmpty()) {
      return;
    }
    ThreadNamePatterns declared = NetNsConfiguration.of(context).jvmWideThreads();
    Map<String, String> labels = new HashMap<>();
    others.forEach((id, owner) -> labels.put(id, "\"" + owner.label() + "\""));
    List<Named> suspects = new ArrayList<>();
    Set<String> recipes = new LinkedHashSet<>();
    for (Named thread : Residents.name(residents, ThreadDump.take())) {
      TestNamespaces.Owner owner = others.get(thread.resident().namespaceId);
      Optional<LibraryThreads.Pool> pool = LibraryThreads.of(thread.name());
      boolean own = thread.name().startsWith(owner.label() + "-thread-"); // that test's NetNs.threadFactory()
      if (pool.isPresent() || declared.match(thread.name()).isPresent()
          || (!own && LibraryThreads.isPoolWorker(thread))) {
        suspects.add(thread);
        pool.ifPresent(p -> recipes.add(p.library() + ": " + p.recipe()));
      }
    }
    if (suspects.isEmpty()) {
      return;
    }
    String text = "junit-netns: this test may have used a pool whose threads live in another test's network"
        + " namespace:\n" + Residents.describe(suspects, labels, thread -> {
          TestNamespaces.Owner owner = others.get(thread.resident().namespaceId);
          return " of " + owner.test() + (owner.ended() ? ", which has ended" : ", still running");
        })
        + "Work this test gave such a thread ran in that namespace, not in this test's: connects fail, or reach the"
        + " other test's server on the same port, which answers instead of this test's. A pool's thread stays in the"
        + " namespace of the test that happened to start it. " + FIX + "\n" + recipes(recipes);
    context.publishReportEntry("junit-netns shared pools", text);
    throwable.addSuppressed(new SharedPoolReport(text.stripTrailing()));
  }
}
