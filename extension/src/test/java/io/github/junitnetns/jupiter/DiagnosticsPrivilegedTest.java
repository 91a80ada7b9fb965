package io.github.junitnetns.jupiter;

import static io.github.junitnetns.jupiter.EngineRuns.onlyFailure;
import static io.github.junitnetns.jupiter.EngineRuns.run;
import static org.assertj.core.api.Assertions.assertThat;

import io.github.junitnetns.NetNs;
import io.github.junitnetns.internal.ns.NsHandle;
import io.github.junitnetns.internal.ns.Pins;
import io.github.junitnetns.testsupport.Kernel;
import io.github.junitnetns.testsupport.KeptPins;
import io.github.junitnetns.testsupport.OwnNames;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtensionConfigurationException;
import org.junit.jupiter.api.parallel.Isolated;
import org.junit.jupiter.api.parallel.ResourceLock;
import org.junit.platform.engine.reporting.ReportEntry;
import org.junit.platform.testkit.engine.EngineExecutionResults;

/**
 * What a test learns when something is left over or goes wrong: threads left inside, pins kept for
 * a post-mortem, processes' output in the report, bad settings refused before anything exists.
 */
@Tag("privileged")
class DiagnosticsPrivilegedTest {

  // ---------------------------------------------------------------- threads left behind

  @IsolatedNetNs("leaky")
  static class LeavesAServerThread {
    static final CountDownLatch RELEASE = new CountDownLatch(1);

    @Test
    void forgetsToStopItsServer(NetNs ns) throws InterruptedException {
      startBlockedThread(ns, "acceptor-9000", RELEASE);
    }
  }

  /** Starts a thread inside {@code ns} that waits for {@code release}; returns once it is inside. */
  static void startBlockedThread(NetNs ns, String name, CountDownLatch release) throws InterruptedException {
    CountDownLatch inside = new CountDownLatch(1);
    Thread thread = ns.threadFactory().newThread(() -> {
      inside.countDown();
      try {
        release.await();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    });
    if (name != null) {
      thread.setName(name);
    }
    thread.start();
    inside.await();
  }

  @Test
  void aThreadLeftInsideFailsTheTestNamingItWithItsStack() {
    try {
      Throwable failure = onlyFailure(run(LeavesAServerThread.class).testEvents());
      assertThat(failure).isInstanceOf(ThreadsLeftBehind.class);
      assertThat(failure.getMessage())
          .startsWith("Test LeavesAServerThread.forgetsToStopItsServer left 1 thread inside its network namespaces"
              + " after it ended:\n  - \"acceptor-9000\" (tid ")
          .contains(", in netns leaky, WAITING)")
          .contains("        at java.util.concurrent.CountDownLatch.await(CountDownLatch.java:")
          .contains("usually means a server, executor or client was not stopped")
          .endsWith("Set junit.netns.threads-left-behind=warn to report this without failing.");
    } finally {
      LeavesAServerThread.RELEASE.countDown();
    }
  }

  @IsolatedNetNs
  static class LeavesAThreadButOnlyWarns {
    static final CountDownLatch RELEASE = new CountDownLatch(1);

    @Test
    void passesAnyway(NetNs ns) throws InterruptedException {
      startBlockedThread(ns, null, RELEASE);
    }
  }

  @Test
  void withWarnTheTestPassesAndTheThreadIsReportedAndLogged() {
    try (LogCapture log = LogCapture.of("LeavesAThreadButOnlyWarns")) {
      EngineExecutionResults results = run(LeavesAThreadButOnlyWarns.class, NetNsConfiguration.THREADS_LEFT_BEHIND, "warn");
      assertThat(results.testEvents().succeeded().count()).isEqualTo(1);
      assertThat(reportEntries(results)).anySatisfy(entry -> assertThat(entry)
          .startsWith("junit-netns threads left behind=Test LeavesAThreadButOnlyWarns.passesAnyway left 1 thread")
          .contains("-thread-1\" (tid "));
      assertThat(log.messages(Level.WARNING)).singleElement().satisfies(message -> assertThat(message)
          .startsWith("Test LeavesAThreadButOnlyWarns.passesAnyway left 1 thread")
          .endsWith("Set junit.netns.threads-left-behind=warn to report this without failing."));
    } finally {
      LeavesAThreadButOnlyWarns.RELEASE.countDown();
    }
  }

  @IsolatedNetNs
  static class StopsItsServerAsynchronously {
    @Test
    void threadEndsShortlyAfterTheTest(NetNs ns) throws InterruptedException {
      CountDownLatch inside = new CountDownLatch(1);
      ns.threadFactory().newThread(() -> {
        inside.countDown();
        try {
          Thread.sleep(100); // a server that takes a moment to shut down after stop()
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }).start();
      inside.await();
    }
  }

  @Test
  void aThreadThatEndsWithinTheGracePeriodIsFine() {
    assertThat(run(StopsItsServerAsynchronously.class).testEvents().succeeded().count()).isEqualTo(1);
  }

  @IsolatedNetNs
  static class UsesAServerProperly {
    @Test
    void stopsIt(NetNs ns) throws Exception {
      java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(2, ns.threadFactory());
      try (ServerSocket server = new ServerSocket(8080, 50, InetAddress.getLoopbackAddress())) {
        pool.submit(() -> server.accept());
        new java.net.Socket(InetAddress.getLoopbackAddress(), 8080).close();
      } finally {
        pool.shutdownNow();
        pool.awaitTermination(5, TimeUnit.SECONDS);
      }
    }
  }

  @Test
  void aTestThatStopsItsThreadsPasses() {
    EngineExecutionResults results = run(UsesAServerProperly.class);
    assertThat(results.testEvents().succeeded().count()).as(EngineRuns.describe(results.testEvents())).isEqualTo(1);
  }

  // ---------------------------------------------------------------- keep-on-failure

  @IsolatedNetNs({"client", "server"})
  @VethLink(left = "client", right = "server", subnet = "10.77.0.0/30")
  static class FailsWithATopology {
    @Test
    void fails() {
      throw new AssertionError("boom");
    }

    @Test
    void passes() {}
  }

  @Test
  @ResourceLock("/run/netns")
  void keepOnFailurePinsTheFailedTestsNamespacesForIpNetnsExec() throws Exception {
    long pid = OwnNames.PID;
    try (KeptPins kept = new KeptPins(); LogCapture log = LogCapture.of("FailsWithATopology")) {
      EngineExecutionResults results = run(FailsWithATopology.class, NetNsConfiguration.KEEP_ON_FAILURE, "true");
      assertThat(results.testEvents().failed().count()).isEqualTo(1);
      List<String> pins = kept.added();
      if (!Kernel.canPin()) {
        // Rootless: the JVM cannot mount in the host's mount namespace; it says so, and the test result stands.
        assertThat(pins).isEmpty();
        assertThat(reportEntries(results)).anySatisfy(entry -> assertThat(entry)
            .startsWith("junit-netns kept=junit-netns could not keep these namespaces of failed FailsWithATopology.fails:\n"
                + "  client: ")
            // root in a user namespace may not mount; an unprivileged user may not even write /run/netns
            .containsPattern("mount --bind /proc/self/fd/[0-9]+ on /run/netns/.*: EPERM \\(Operation not permitted\\)"
                + "|cannot create a file in /run/netns: java.nio.file.AccessDeniedException")
            .contains("Pinning needs root in the host's mount namespace"));
        assertThat(log.messages(Level.WARNING)).singleElement().asString()
            .startsWith("junit-netns could not keep these namespaces of failed FailsWithATopology.fails:");
        return;
      }
      assertThat(pins).containsExactly("junit-netns-" + pid + "-FailsWithATopology.fails-client",
          "junit-netns-" + pid + "-FailsWithATopology.fails-server");
      // ip(8) enters the kept namespace and finds the test's veth with its address: a real post-mortem.
      String links = Kernel.run("ip", "netns", "exec", "junit-netns-" + pid + "-FailsWithATopology.fails-server",
          "ip", "-o", "addr", "show", "dev", "eth0");
      assertThat(links).contains("inet 10.77.0.2/30");
      assertThat(reportEntries(results)).anySatisfy(entry -> assertThat(entry)
          .startsWith("junit-netns kept=junit-netns kept the network namespaces of failed FailsWithATopology.fails"
              + " (junit.netns.keep-on-failure=true); enter them with:\n"
              + "  client: ip netns exec junit-netns-" + pid + "-FailsWithATopology.fails-client ip addr\n")
          .contains("Remove them with `ip netns delete NAME`"));
      // Logged too, for build tools that do not show report entries.
      assertThat(log.messages(Level.INFO)).singleElement().asString()
          .startsWith("junit-netns kept the network namespaces of failed FailsWithATopology.fails")
          .contains("  server: ip netns exec junit-netns-" + pid + "-FailsWithATopology.fails-server ip addr");

      // The sweep leaves pins of live JVMs alone, and removes those whose JVM has ended.
      assertThat(Pins.sweep(Pins.RUN_NETNS, p -> true)).isEmpty();
      assertThat(Pins.sweep(Pins.RUN_NETNS, p -> p != pid)).containsExactlyInAnyOrderElementsOf(pins);
      assertThat(OwnNames.pins(pid)).isEqualTo(kept.before());
    }
  }

  @Test
  @ResourceLock("/run/netns")
  void withoutKeepOnFailureNothingIsPinned() throws Exception {
    List<String> before = OwnNames.pins(OwnNames.PID);
    assertThat(run(FailsWithATopology.class).testEvents().failed().count()).isEqualTo(1);
    assertThat(OwnNames.pins(OwnNames.PID)).as("this JVM's pins").isEqualTo(before);
  }

  // ---------------------------------------------------------------- process output in the report

  @IsolatedNetNs
  static class FailsWhileAProcessRuns {
    @Test
    void fails(NetNs ns) throws Exception {
      Process server = ns.exec("sh", "-c", "echo 'listening on 8000'; echo 'warning: no index' >&2; sleep 60");
      org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(10))
          .until(() -> ns.output(server).contains("no index"));
      throw new AssertionError("the client got 404");
    }
  }

  @Test
  void theFailureReportShowsEachProcessWithTheEndOfItsOutput() {
    EngineExecutionResults results = run(FailsWhileAProcessRuns.class);
    Throwable failure = onlyFailure(results.testEvents());
    assertThat(failure).hasMessage("the client got 404");
    String report = Arrays.stream(failure.getSuppressed()).map(Throwable::getMessage).collect(Collectors.joining());
    assertThat(report).containsPattern("processes started by exec in netns FailsWhileAProcessRuns\\.fails:\n"
        + "  pid [0-9]+: sh -c echo 'listening on 8000'; echo 'warning: no index' >&2; sleep 60 \\(running\\)\n"
        + "    \\| listening on 8000\n"
        + "    \\| --- stderr ---\n"
        + "    \\| warning: no index\n");
    assertThat(reportEntries(results)).anySatisfy(entry -> assertThat(entry).contains("| listening on 8000"));
  }

  // ---------------------------------------------------------------- processes of a test that times out

  static class TimesOutWithProcesses {
    static final Map<String, Long> PIDS = new ConcurrentHashMap<>();

    @Test
    @IsolatedNetNs
    @org.junit.jupiter.api.Timeout(value = 300, unit = TimeUnit.MILLISECONDS)
    void sameThread(NetNs ns) throws Exception {
      PIDS.put("sameThread", ns.exec("sleep", "600").pid());
      Thread.sleep(60_000);
    }

    @Test
    @IsolatedNetNs
    @org.junit.jupiter.api.Timeout(value = 300, unit = TimeUnit.MILLISECONDS,
        threadMode = org.junit.jupiter.api.Timeout.ThreadMode.SEPARATE_THREAD)
    void separateThread(NetNs ns) throws Exception {
      PIDS.put("separateThread", ns.exec("sh", "-c", "trap '' TERM; sleep 600").pid());
      Thread.sleep(60_000);
    }
  }

  @Test
  void processesOfATestThatTimesOutAreKilledAndReaped() {
    EngineExecutionResults results = run(TimesOutWithProcesses.class);
    assertThat(results.testEvents().failed().count()).as(EngineRuns.describe(results.testEvents())).isEqualTo(2);
    assertThat(TimesOutWithProcesses.PIDS).hasSize(2);
    // Reaped, not just killed: a zombie would still have a handle.
    org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(10)).until(() ->
        TimesOutWithProcesses.PIDS.values().stream().noneMatch(pid -> Files.exists(Path.of("/proc/" + pid))));
  }

  // ---------------------------------------------------------------- settings

  /** Isolated: the count of namespaces created is the JVM's, and no other test may add to it meanwhile. */
  @Nested
  @Isolated
  class Settings {
    @Test
    void badSettingsAreRefusedBeforeAnythingIsCreated() {
      long created = NsHandle.createdCount();
      Throwable keep = onlyFailure(run(UsesAServerProperly.class, NetNsConfiguration.KEEP_ON_FAILURE, "yes").allEvents());
      assertThat(keep).isInstanceOf(ExtensionConfigurationException.class).hasMessage(
          "Configuration parameter junit.netns.keep-on-failure is \"yes\"; use \"true\" (pin a failed test's namespaces"
              + " under /run/netns) or \"false\" (the default).");
      Throwable threads = onlyFailure(run(UsesAServerProperly.class, NetNsConfiguration.THREADS_LEFT_BEHIND, "ignore").allEvents());
      assertThat(threads).isInstanceOf(ExtensionConfigurationException.class).hasMessage(
          "Configuration parameter junit.netns.threads-left-behind is \"ignore\"; use \"fail\" (the default: a test that"
              + " leaves threads inside its namespaces fails) or \"warn\" (report them only).");
      assertThat(NsHandle.createdCount()).isEqualTo(created);
    }
  }

  // ---------------------------------------------------------------- helpers

  private static List<String> reportEntries(EngineExecutionResults results) {
    return results.allEvents().reportingEntryPublished().stream()
        .map(e -> e.getRequiredPayload(ReportEntry.class))
        .flatMap(entry -> entry.getKeyValuePairs().entrySet().stream())
        .map(kv -> kv.getKey() + "=" + kv.getValue())
        .collect(Collectors.toList());
  }
}
