package io.github.junitnetns.benchmarks.failpoints;

import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

import io.github.junitnetns.benchmarks.soak.Probe;
import io.github.junitnetns.internal.linux.Failpoint;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.launcher.Launcher;
import org.junit.platform.launcher.TestExecutionListener;
import org.junit.platform.launcher.TestIdentifier;
import org.junit.platform.launcher.core.LauncherDiscoveryRequestBuilder;
import org.junit.platform.launcher.core.LauncherFactory;

/**
 * One run of the fault loop, in a JVM of its own started with {@code -Djunitnetns.failpoint}: a
 * warm-up (the topology and the next test once each, so that the library's lifelong threads and
 * descriptors exist), a quiet-point probe, the topology test (where the N-th request is meant to
 * fail), a probe, the next test, a probe. Writes what it saw as a properties file (the argument)
 * for {@link FaultLoop}.
 */
public final class FaultChild {
  private FaultChild() {}

  public static void main(String[] args) throws Exception {
    Path out = Path.of(args[0]);
    Launcher launcher = LauncherFactory.create();
    Properties result = new Properties();
    Outcome warmTopology = run(launcher, EverythingFixture.class);
    Outcome warmNext = run(launcher, NextTestFixture.class);
    result.setProperty("warmup", warmTopology.status + "/" + warmNext.status);
    if (Failpoint.injected() != null) {
      result.setProperty("injected.early", Failpoint.injected());
    }
    Probe before = settle();
    List<Long> sleepersBefore = sleepers();
    result.setProperty("c0", Long.toString(Failpoint.count()));
    Outcome topology = run(launcher, EverythingFixture.class);
    result.setProperty("c1", Long.toString(Failpoint.count()));
    Probe after = settle();
    Outcome next = run(launcher, NextTestFixture.class);
    Probe afterNext = settle();
    put(result, "before", before);
    put(result, "after", after);
    put(result, "afterNext", afterNext);
    topology.put(result, "test");
    next.put(result, "next");
    List<Long> sleepersAfter = sleepers();
    sleepersAfter.removeAll(sleepersBefore);
    result.setProperty("sleepers.left", Integer.toString(sleepersAfter.size()));
    result.setProperty("injected", String.valueOf(Failpoint.injected()));
    try (OutputStream stream = Files.newOutputStream(out)) {
      result.store(stream, "junit-netns fault loop child");
    }
    System.exit(0);
  }

  /** The processes called sleep among this JVM's children: a left-over exec. */
  private static List<Long> sleepers() {
    List<Long> found = new ArrayList<>();
    ProcessHandle.current().descendants()
        .filter(p -> p.info().command().map(c -> c.endsWith("/sleep")).orElse(false))
        .forEach(p -> found.add(p.pid()));
    return found;
  }

  private static void put(Properties result, String prefix, Probe probe) {
    result.setProperty(prefix + ".fds", Long.toString(probe.fds()));
    result.setProperty(prefix + ".tasks", Long.toString(probe.tasks()));
    result.setProperty(prefix + ".netns", Long.toString(probe.netnsJvm()));
    result.setProperty(prefix + ".outside", Probe.threadsOutsideHome().toString());
    // Idle carriers wait in a pool (at most 64) for the next test: how many depends on the path taken.
    result.setProperty(prefix + ".carriers", Long.toString(Thread.getAllStackTraces().keySet().stream()
        .filter(t -> t.getName().startsWith("junit-netns-carrier-")).count()));
    // The other Java threads by name (the OS count also has the JIT's compiler threads, which come and go).
    result.setProperty(prefix + ".threads", String.join(",", Thread.getAllStackTraces().keySet().stream()
        .map(Thread::getName).filter(n -> !n.startsWith("junit-netns-carrier-")).sorted().toList()));
  }

  /** How one test class ended: its one test's status and, if it failed, the exception. */
  static final class Outcome implements TestExecutionListener {
    String status = "not run";
    Throwable failure;

    @Override
    public void executionFinished(TestIdentifier id, TestExecutionResult result) {
      if (id.isTest()) {
        status = result.getStatus().toString();
        failure = result.getThrowable().orElse(null);
      } else if (result.getStatus() != TestExecutionResult.Status.SUCCESSFUL && failure == null) {
        status = result.getStatus() + " (class)";
        failure = result.getThrowable().orElse(null);
      }
    }

    @Override
    public void executionSkipped(TestIdentifier id, String reason) {
      status = "SKIPPED: " + reason;
    }

    void put(Properties result, String prefix) {
      result.setProperty(prefix + ".status", status);
      if (failure != null) {
        result.setProperty(prefix + ".class", failure.getClass().getName());
        result.setProperty(prefix + ".message", String.valueOf(failure.getMessage()));
        StringBuilder chain = new StringBuilder();
        for (Throwable t = failure.getCause(); t != null; t = t.getCause()) {
          chain.append(chain.length() == 0 ? "" : " <- ").append(t.getClass().getName()).append(": ")
              .append(t.getMessage());
        }
        result.setProperty(prefix + ".causes", chain.toString());
        StringBuilder suppressed = new StringBuilder();
        for (Throwable t : failure.getSuppressed()) {
          suppressed.append(suppressed.length() == 0 ? "" : " | ").append(t.getClass().getName()).append(": ")
              .append(t.getMessage());
        }
        result.setProperty(prefix + ".suppressed", suppressed.toString());
      }
    }
  }

  private static Outcome run(Launcher launcher, Class<?> fixture) {
    Outcome outcome = new Outcome();
    launcher.execute(LauncherDiscoveryRequestBuilder.request()
        .selectors(selectClass(fixture))
        .configurationParameter("junit.jupiter.execution.parallel.enabled", "false")
        .configurationParameter("junit.netns.unprivileged", "fail")
        .build(), outcome);
    return outcome;
  }

  /** A quiet point: the OS thread count unchanged for 300 ms (at most 10 s), then two collections. */
  private static Probe settle() {
    return Probe.settled(300, 10_000, 50, 100);
  }

}
