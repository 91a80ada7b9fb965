package io.github.junitnetns.jupiter;

import static io.github.junitnetns.jupiter.EngineRuns.run;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.github.junitnetns.NetNs;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.engine.reporting.ReportEntry;
import org.junit.platform.testkit.engine.EngineExecutionResults;
import org.junit.platform.testkit.engine.Event;

/**
 * The shared-pool trap, reproduced with nothing but the JDK: two tests run at the same time, each
 * with its own server on 127.0.0.1:8080 in its own namespace, and ask it through one executor that
 * the first of them happens to create. Its one thread is born in that test's namespace, so the
 * other test's question reaches the first test's server. junit-netns names the pool's thread, the
 * namespace it is stuck in and the fix, on both tests; with a pool per test (NetNs.threadFactory())
 * both pass.
 */
@Tag("privileged")
class SharedPoolsPrivilegedTest {

  /** Both tests' servers are up, then both have their answer: the first test's server outlives the other's question. */
  static final class Rendezvous {
    final CyclicBarrier serversUp = new CyclicBarrier(2);
    final CyclicBarrier answered = new CyclicBarrier(2);
  }

  /** Serves {@code me} to every connection on 127.0.0.1:8080 of the calling thread's namespace while {@code task} runs. */
  static void serveWhile(String me, Rendezvous rendezvous, Task task) throws Exception {
    try (ServerSocket server = new ServerSocket(8080, 50, InetAddress.getLoopbackAddress())) {
      Thread acceptor = new Thread(() -> {
        while (true) {
          try (Socket client = server.accept()) {
            new PrintWriter(client.getOutputStream(), true, StandardCharsets.UTF_8).println(me);
          } catch (IOException closed) {
            return;
          }
        }
      }, "acceptor-" + me);
      acceptor.start();
      try {
        rendezvous.serversUp.await(30, TimeUnit.SECONDS);
        task.run();
      } finally {
        server.close();
        acceptor.join();
      }
    }
  }

  interface Task {
    void run() throws Exception;
  }

  /** Asks whoever listens on 127.0.0.1:8080 of the calling thread's namespace for its name. */
  static String ask() throws IOException {
    try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), 8080)) {
      return new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8)).readLine();
    }
  }

  // ---------------------------------------------------------------- the trap

  @IsolatedNetNs
  static class SharesALazyPool {
    static final Rendezvous RENDEZVOUS = new Rendezvous();
    private static ExecutorService pool;

    /** Created by whichever test needs it first, as libraries create their shared pools. */
    static synchronized ExecutorService pool() {
      if (pool == null) {
        pool = Executors.newSingleThreadExecutor();
      }
      return pool;
    }

    static synchronized void shutDown() throws InterruptedException {
      if (pool != null) {
        pool.shutdownNow();
        pool.awaitTermination(10, TimeUnit.SECONDS);
      }
    }

    @Test
    void alpha() throws Exception {
      asksItsOwnServer("alpha");
    }

    @Test
    void beta() throws Exception {
      asksItsOwnServer("beta");
    }

    static void asksItsOwnServer(String me) throws Exception {
      serveWhile(me, RENDEZVOUS, () -> {
        String answer = pool().submit(SharedPoolsPrivilegedTest::ask).get(30, TimeUnit.SECONDS);
        RENDEZVOUS.answered.await(30, TimeUnit.SECONDS);
        assertEquals(me, answer, "the name of the server on 127.0.0.1:8080");
      });
    }
  }

  @Test
  void aPoolStartedByOneTestCarriesTheOtherTestsTrafficAndBothAreTold() throws Exception {
    EngineExecutionResults results;
    try {
      results = run(SharesALazyPool.class);
    } finally {
      SharesALazyPool.shutDown();
    }
    List<Event> failed = results.testEvents().failed().list();
    assertThat(failed).as(EngineRuns.describe(results.testEvents())).hasSize(2);
    // The test whose question went through the other test's namespace got the other server's answer...
    Throwable wrong = failed.stream().map(SharedPoolsPrivilegedTest::throwable)
        .filter(t -> t instanceof AssertionError).findFirst().orElseThrow();
    String first = wrong.getMessage().contains("expected: <alpha>") ? "beta" : "alpha";
    String second = first.equals("alpha") ? "beta" : "alpha";
    assertThat(wrong).hasMessage("the name of the server on 127.0.0.1:8080 ==> expected: <" + second + "> but was: <"
        + first + ">");
    // ...and is told which pool thread lives in which test's namespace, and what to do.
    String report = Arrays.stream(wrong.getSuppressed()).filter(s -> s instanceof SharedPools.SharedPoolReport)
        .map(Throwable::getMessage).findFirst().orElseThrow(() -> new AssertionError("no shared-pool report on "
            + Arrays.toString(wrong.getSuppressed())));
    assertThat(report)
        .startsWith("junit-netns: this test may have used a pool whose threads live in another test's network"
            + " namespace:\n  - \"pool-")
        .containsPattern("-thread-1\" \\(tid \\d+, in netns \"SharesALazyPool\\." + first + "\" of Test SharesALazyPool\\."
            + first + ", (still running|which has ended), WAITING\\)\n")
        .contains("        at java.util.concurrent.ThreadPoolExecutor.getTask(ThreadPoolExecutor.java:")
        .contains("Work this test gave such a thread ran in that namespace, not in this test's: connects fail, or reach"
            + " the other test's server on the same port, which answers instead of this test's.")
        .endsWith(SharedPools.FIX);
    // The test that started the pool's thread leaves it behind, in its namespace, after it ended.
    Throwable leak = failed.stream().map(SharedPoolsPrivilegedTest::throwable)
        .filter(t -> t instanceof ThreadsLeftBehind).findFirst().orElseThrow();
    assertThat(leak.getMessage())
        .startsWith("Test SharesALazyPool." + first + " left 1 thread inside its network namespaces after it ended:\n"
            + "  - \"pool-")
        .contains("Shared pools: \"pool-")
        .contains("-thread-1\" is a worker of a thread pool, which other tests use when it is kept in a static field"
            + " or by a library. A pool's thread stays in the network namespace of the test that happened to start it,"
            + " here netns \"SharesALazyPool." + first + "\" of this test, which has ended. Work that later tests give"
            + " the pool runs in that dead namespace, not in theirs: their connects fail, or reach another test's server"
            + " on the same port. " + SharedPools.FIX + "\n")
        .endsWith("Set junit.netns.threads-left-behind=warn to report this without failing.");
  }

  // ---------------------------------------------------------------- the fix

  @IsolatedNetNs
  static class OwnPoolPerTest {
    static final Rendezvous RENDEZVOUS = new Rendezvous();

    @Test
    void alpha(NetNs ns) throws Exception {
      asksItsOwnServer(ns, "alpha");
    }

    @Test
    void beta(NetNs ns) throws Exception {
      asksItsOwnServer(ns, "beta");
    }

    static void asksItsOwnServer(NetNs ns, String me) throws Exception {
      ExecutorService pool = Executors.newSingleThreadExecutor(ns.threadFactory());
      try {
        serveWhile(me, RENDEZVOUS, () -> {
          String answer = pool.submit(SharedPoolsPrivilegedTest::ask).get(30, TimeUnit.SECONDS);
          RENDEZVOUS.answered.await(30, TimeUnit.SECONDS);
          assertEquals(me, answer, "the name of the server on 127.0.0.1:8080");
        });
      } finally {
        pool.shutdownNow();
        pool.awaitTermination(10, TimeUnit.SECONDS);
      }
    }
  }

  @Test
  void aPoolPerTestMadeWithItsThreadFactoryReachesEachTestsOwnServer() {
    EngineExecutionResults results = run(OwnPoolPerTest.class);
    assertThat(results.testEvents().succeeded().count()).as(EngineRuns.describe(results.testEvents())).isEqualTo(2);
  }

  // ---------------------------------------------------------------- a known library's thread

  @IsolatedNetNs("client")
  static class LeavesALibrarysThread {
    static final ExecutorService TASK_RUNNER = Executors.newCachedThreadPool(r -> new Thread(r, "OkHttp TaskRunner"));

    @Test
    void usesIt() throws Exception {
      TASK_RUNNER.submit(() -> {}).get(); // its thread is born here, and idles on for a minute
    }
  }

  @Test
  void aKnownLibrarysThreadGetsItsRecipe() throws Exception {
    EngineExecutionResults results;
    try {
      results = run(LeavesALibrarysThread.class);
    } finally {
      LeavesALibrarysThread.TASK_RUNNER.shutdownNow();
      LeavesALibrarysThread.TASK_RUNNER.awaitTermination(10, TimeUnit.SECONDS);
    }
    Throwable failure = EngineRuns.onlyFailure(results.testEvents());
    assertThat(failure).isInstanceOf(ThreadsLeftBehind.class);
    assertThat(failure.getMessage())
        .startsWith("Test LeavesALibrarysThread.usesIt left 1 thread inside its network namespaces after it ended:\n"
            + "  - \"OkHttp TaskRunner\" (tid ")
        .contains("Shared pools: \"OkHttp TaskRunner\" belongs to OkHttp's TaskRunner (connection pool cleanup,"
            + " fast-fallback connects), which every OkHttpClient of the JVM shares. A pool's thread stays in the network"
            + " namespace of the test that happened to start it, here netns \"client\" of this test, which has ended.")
        .contains(SharedPools.FIX + "\nRecipes: OkHttp: docs/libraries.md#okhttp.\n");
  }

  // ---------------------------------------------------------------- Java names, by kernel thread id

  @IsolatedNetNs("workers")
  static class LeavesTwoThreadsWithTheSameKernelName {
    static final CountDownLatch RELEASE = new CountDownLatch(1);

    @Test
    void leaves(NetNs ns) throws InterruptedException {
      DiagnosticsPrivilegedTest.startBlockedThread(ns, "Long thread name number one", RELEASE);
      DiagnosticsPrivilegedTest.startBlockedThread(ns, "Long thread name number two", RELEASE);
    }
  }

  /** The kernel knows both as "Long thread nam"; the report names each by its Java name, with its stack. */
  @Test
  void threadsAreNamedByTheirJavaNamesFoundByKernelThreadId() {
    try {
      Throwable failure = EngineRuns.onlyFailure(run(LeavesTwoThreadsWithTheSameKernelName.class).testEvents());
      assertThat(failure.getMessage())
          .containsPattern("  - \"Long thread name number one\" \\(tid \\d+, in netns workers, WAITING\\)\n"
              + "        at jdk\\.internal\\.misc\\.Unsafe\\.park\\(Native Method\\)\n")
          .containsPattern("  - \"Long thread name number two\" \\(tid \\d+, in netns workers, WAITING\\)\n")
          .contains("        at java.util.concurrent.CountDownLatch.await(CountDownLatch.java:")
          .doesNotContain("\"Long thread nam\"")
          .doesNotContain("Shared pools");
    } finally {
      LeavesTwoThreadsWithTheSameKernelName.RELEASE.countDown();
    }
  }

  // ---------------------------------------------------------------- junit.netns.jvm-wide-threads

  @IsolatedNetNs
  static class LeavesDeclaredThreads {
    static final CountDownLatch RELEASE = new CountDownLatch(1);

    @Test
    void first(NetNs ns) throws InterruptedException {
      DiagnosticsPrivilegedTest.startBlockedThread(ns, "Declared housekeeper of the JVM 1", RELEASE);
    }

    @Test
    void second(NetNs ns) throws InterruptedException {
      DiagnosticsPrivilegedTest.startBlockedThread(ns, "Declared housekeeper of the JVM 2", RELEASE);
    }
  }

  @Test
  void declaredJvmWideThreadsAreNotedOnceInsteadOfFailingEachTest() {
    try (LogCapture log = LogCapture.of("Declared housekeeper")) {
      EngineExecutionResults results = run(LeavesDeclaredThreads.class,
          NetNsConfiguration.JVM_WIDE_THREADS, "Declared housekeeper of the JVM*, Okio Watchdog");
      assertThat(results.testEvents().succeeded().count()).as(EngineRuns.describe(results.testEvents())).isEqualTo(2);
      List<String> notes = log.messages(Level.INFO);
      assertThat(notes).singleElement().satisfies(note -> assertThat(note)
          .startsWith("junit-netns: Test LeavesDeclaredThreads.")
          .contains(" left threads that junit.netns.jvm-wide-threads declares JVM-wide inside its network namespaces,"
              + " which they keep alive; threads matching \"Declared housekeeper of the JVM*\" are not reported again in"
              + " this JVM:\n  - \"Declared housekeeper of the JVM ")
          .endsWith("Work that other tests give these threads runs in the namespace they are in: if tests see failed"
              + " connects or another test's answers, give each test its own pool, or start it on the host"
              + " (NetNs.host()). See docs/diagnostics.md#shared-pools."));
      List<String> entries = results.allEvents().reportingEntryPublished().stream()
          .map(e -> e.getRequiredPayload(ReportEntry.class).getKeyValuePairs())
          .flatMap(pairs -> pairs.keySet().stream()).collect(Collectors.toList());
      assertThat(entries).containsOnlyOnce("junit-netns JVM-wide threads").doesNotContain("junit-netns threads left behind");
    } finally {
      LeavesDeclaredThreads.RELEASE.countDown();
    }
  }

  private static Throwable throwable(Event event) {
    return event.getRequiredPayload(TestExecutionResult.class).getThrowable().orElseThrow();
  }
}
