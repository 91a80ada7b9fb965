package io.github.junitnetns.jupiter;

import io.github.junitnetns.NetNs;
import io.github.junitnetns.Network;
import io.github.junitnetns.internal.ns.Watchdog;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Test;
import org.junit.platform.testkit.engine.EngineExecutionResults;

/**
 * The child JVM of {@link CrashSafetyPrivilegedTest}. {@code crash STATE}: a failing test is kept
 * (keep-on-failure), then a test builds a topology with everything that could outlive the JVM and
 * writes what it made to STATE, and waits to be killed. {@code sweep}: one plain annotated test, so
 * that the stale pins of the killed JVM are swept.
 */
public final class CrashRun {
  static Path state;

  @IsolatedNetNs("kept")
  static class FailsAndIsKept {
    @Test
    void fails() {
      throw new AssertionError("kept for the post-mortem");
    }
  }

  @IsolatedNetNs({"a", "b"})
  @VethLink(left = "a", right = "b", subnet = "10.91.0.0/30")
  @VethLink(left = VethLink.HOST, right = "a", subnet = "10.91.1.0/30")
  @Bridge(name = "lan", members = {"a", "b"}, subnet = "10.91.2.0/29")
  static class KilledMidTest {
    @Test
    void waitsToBeKilled(Network net, @Ns("a") NetNs a, @Ns("b") NetNs b) throws Exception {
      Process sleeper = a.exec("sleep", "600");
      Process shell = b.exec("sh", "-c", "setsid sleep 600 >/dev/null 2>&1 & echo $!");
      String daemon = new String(shell.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
      a.threadFactory().newThread(() -> {
        try {
          new CountDownLatch(1).await(); // a thread inside, too
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }).start();
      List<String> lines = new ArrayList<>();
      lines.add("namespaces=" + a.id() + " " + b.id() + " " + net.bridge("lan").netNs().id());
      lines.add("pids=" + sleeper.pid() + " " + daemon + " " + watchdogPid());
      lines.add("hostLinkPrefix=jn" + Long.toString(ProcessHandle.current().pid(), 36) + "-");
      lines.add("captureDirectory=" + Watchdog.get().captureDirectory());
      Files.write(state.resolveSibling(state.getFileName() + ".tmp"), lines);
      Files.move(state.resolveSibling(state.getFileName() + ".tmp"), state);
      Thread.sleep(600_000);
    }
  }

  @IsolatedNetNs
  static class Plain {
    @Test
    void runs() {}
  }

  /** The JVM's exec watchdog: its child whose command line names it. */
  private static long watchdogPid() {
    return ProcessHandle.current().children()
        .filter(p -> p.info().arguments().map(List::of).orElse(List.of()).contains("junit-netns-watchdog"))
        .findFirst().orElseThrow(() -> new IllegalStateException("no exec watchdog among the JVM's children"))
        .pid();
  }

  public static void main(String[] args) throws IOException {
    if (args[0].equals("sweep")) {
      EngineExecutionResults results = EngineRuns.run(Plain.class);
      System.out.println("succeeded=" + results.testEvents().succeeded().count());
      return;
    }
    state = Path.of(args[1]);
    EngineRuns.run(FailsAndIsKept.class, NetNsConfiguration.KEEP_ON_FAILURE, "true");
    EngineRuns.run(KilledMidTest.class);
  }
}
