package io.github.junitnetns.jupiter;

import io.github.junitnetns.NetNs;
import io.github.junitnetns.internal.ns.Residents;
import io.github.junitnetns.internal.ns.Residents.Named;
import io.github.junitnetns.internal.ns.Residents.Resident;
import io.github.junitnetns.internal.ns.ThreadDump;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Threads of the JVM still inside a test's namespaces after they were closed: they keep the
 * namespaces alive and usually mean a server, executor or client was not stopped. Fails the test,
 * or with {@code junit.netns.threads-left-behind=warn} reports them (report entry and log). Threads
 * are named by their Java names, found by kernel thread id in a thread dump taken only when some
 * are found; a pool's thread gets the shared-pool advice ({@link SharedPools}).
 */
final class ThreadsLeftBehind extends IllegalStateException {
  private static final long serialVersionUID = 1L;
  /** How long threads inside may take to end after the test before they count as left behind. */
  private static final long GRACE_MILLIS = 500;
  private static final System.Logger LOG = System.getLogger(NetNsExtension.class.getName());

  private ThreadsLeftBehind(String message) {
    super(message);
  }

  /**
   * Checks the namespaces just {@code closed} by {@code what} ("Test X.y", "Test class X"). Threads
   * the JDK owns and the test cannot stop are mentioned in a report entry only; those that {@code
   * junit.netns.jvm-wide-threads} declares are noted once per JVM.
   */
  static void check(ExtensionContext context, Map<String, NetNs> closed, String what) {
    Map<String, String> labels = new LinkedHashMap<>();
    closed.values().forEach(ns -> labels.put(ns.id(), ns.label()));
    NetNsConfiguration configuration = NetNsConfiguration.of(context);
    ThreadNamePatterns declared = configuration.jvmWideThreads();
    List<Resident> residents = Residents.inside(labels.keySet());
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(GRACE_MILLIS);
    // Wait for threads that may still end; by the kernel's name, so that no dump is taken meanwhile.
    while (residents.stream().anyMatch(r -> !r.isJvmWide() && !declared.mayMatchKernelName(r.kernelName))
        && System.nanoTime() < deadline) {
      try {
        Thread.sleep(10); // a server stopping asynchronously: give its threads a moment to end
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        break;
      }
      residents = Residents.inside(labels.keySet());
    }
    Set<String> inhabited = residents.stream().map(r -> r.namespaceId).collect(Collectors.toSet());
    TestNamespaces.ended(closed.values(), inhabited);
    if (residents.isEmpty()) {
      return; // the usual case: no dump, nothing to say
    }
    List<Named> strays = new ArrayList<>();
    List<Named> jdk = new ArrayList<>();
    List<Named> jvmWide = new ArrayList<>();
    for (Named named : Residents.name(residents, ThreadDump.take())) {
      if (named.resident().isJvmWide()) {
        jdk.add(named);
      } else if (named.fullName() && declared.match(named.name()).isPresent()) {
        jvmWide.add(named);
      } else {
        strays.add(named);
      }
    }
    if (!jdk.isEmpty()) {
      context.publishReportEntry("junit-netns JDK threads inside", "JDK threads started from inside the closed"
          + " network namespaces, which keep them alive until they end:\n" + Residents.describe(jdk, labels)
          + "A \"process reaper\" comes from a process started from inside (NetNs.exec forks from outside);"
          + " an \"HttpClient-N-SelectorManager\" belongs to an HttpClient built inside, and ends when it is"
          + " closed (JDK 21+) or garbage-collected; common-pool workers end after a minute idle.");
    }
    if (!jvmWide.isEmpty()) {
      SharedPools.noteDeclared(context, jvmWide, labels, what, declared);
    }
    if (strays.isEmpty()) {
      return;
    }
    String message = what + " left " + strays.size() + (strays.size() == 1 ? " thread" : " threads")
        + " inside its network namespaces after it ended:\n" + Residents.describe(strays, labels)
        + SharedPools.leakAdvice(strays, labels)
        + "A thread inside keeps its namespace alive after the test, and usually means a server, executor or"
        + " client was not stopped: stop it in the test or in an @AfterEach method (e.g. server.close(),"
        + " executor.shutdownNow() and awaitTermination). Set " + NetNsConfiguration.THREADS_LEFT_BEHIND
        + "=warn to report this without failing.";
    if (configuration.failOnThreadsLeftBehind()) {
      throw new ThreadsLeftBehind(message);
    }
    context.publishReportEntry("junit-netns threads left behind", message);
    LOG.log(System.Logger.Level.WARNING, message);
  }
}
