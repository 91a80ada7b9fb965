package io.github.junitnetns.testsupport;

import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.lang.management.LockInfo;
import java.lang.management.ManagementFactory;
import java.lang.management.MonitorInfo;
import java.lang.management.ThreadInfo;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.Comparator;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.launcher.TestExecutionListener;
import org.junit.platform.launcher.TestIdentifier;
import org.junit.platform.launcher.TestPlan;

/**
 * The suite's stall alarm: when a test plan is running and no test or container has started or
 * finished for {@code junitnetns.suite.stall-seconds} (default 300, longer than the suite's 2-minute
 * test timeout), it prints every thread's whole stack to the build log and to
 * {@code target/junit-netns-stall-PID.txt}, and ends the test JVM with exit status 70, so that the
 * build fails within minutes and says where everything stood, instead of waiting for CI's limit.
 *
 * <p>Why: twice in CI a run stopped for good inside JUnit's ForkJoinPool executor, with no test
 * running (a worker parked joining a class task that no worker ran; the others had retired idle).
 * A test that hangs is ended by the 2-minute timeout; this catches what that timeout cannot.
 *
 * <p>Registered for the suite's launcher in {@code META-INF/services}. Launchers started by tests
 * (the engine test kit's runs) report to the same clock, so any progress counts.
 */
public final class StallWatchdog implements TestExecutionListener {
  static final String PROPERTY = "junitnetns.suite.stall-seconds";
  private static final AtomicLong LAST_PROGRESS = new AtomicLong(System.nanoTime());
  private static final AtomicInteger RUNNING_PLANS = new AtomicInteger();
  private static final Object START = new Object();
  private static Thread watcher;

  @Override
  public void testPlanExecutionStarted(TestPlan testPlan) {
    progress();
    RUNNING_PLANS.incrementAndGet();
    synchronized (START) {
      if (watcher == null) {
        Duration limit = Duration.ofSeconds(Long.getLong(PROPERTY, 300));
        watcher = new Thread(() -> watch(limit), "junit-netns suite stall watchdog");
        watcher.setDaemon(true);
        watcher.start();
      }
    }
  }

  @Override
  public void testPlanExecutionFinished(TestPlan testPlan) {
    RUNNING_PLANS.decrementAndGet();
    progress();
  }

  @Override
  public void executionStarted(TestIdentifier testIdentifier) {
    progress();
  }

  @Override
  public void executionFinished(TestIdentifier testIdentifier, TestExecutionResult testExecutionResult) {
    progress();
  }

  @Override
  public void executionSkipped(TestIdentifier testIdentifier, String reason) {
    progress();
  }

  private static void progress() {
    LAST_PROGRESS.set(System.nanoTime());
  }

  /** Whether a plan runs and nothing moved for {@code limit}, as of {@code now} (System.nanoTime). */
  static boolean stalled(long now, Duration limit) {
    return RUNNING_PLANS.get() > 0 && now - LAST_PROGRESS.get() >= limit.toNanos();
  }

  private static void watch(Duration limit) {
    long step = Math.max(1, Math.min(10_000, limit.toMillis() / 4));
    while (true) {
      try {
        Thread.sleep(step);
      } catch (InterruptedException e) {
        return;
      }
      if (stalled(System.nanoTime(), limit)) {
        report(limit);
        Runtime.getRuntime().halt(70);
      }
    }
  }

  private static void report(Duration limit) {
    String dump = dump("junit-netns suite stall watchdog: no test started or finished for " + limit.toSeconds()
        + " s while the test plan runs (" + PROPERTY + "); every thread at " + Instant.now() + ":");
    Path file = Path.of("target", "junit-netns-stall-" + ProcessHandle.current().pid() + ".txt").toAbsolutePath();
    try {
      Files.createDirectories(file.getParent());
      Files.writeString(file, dump);
    } catch (IOException e) {
      file = null;
    }
    // Straight to the JVM's standard error: what goes through System.err belongs to the test that
    // never ends, and Surefire would never print it.
    PrintStream err = new PrintStream(new FileOutputStream(FileDescriptor.err), true, StandardCharsets.UTF_8);
    err.println(dump);
    err.println("junit-netns suite stall watchdog: the dump is also in " + file + "; ending this test JVM (exit 70)");
    err.flush();
  }

  /** {@code title}, then every live thread with its whole stack and the locks it holds or waits for. */
  static String dump(String title) {
    StringBuilder text = new StringBuilder(title).append('\n');
    ThreadInfo[] threads = ManagementFactory.getThreadMXBean().dumpAllThreads(true, true);
    Arrays.sort(threads, Comparator.comparing(ThreadInfo::getThreadName));
    for (ThreadInfo thread : threads) {
      text.append('\n').append('"').append(thread.getThreadName()).append("\" #").append(thread.getThreadId())
          .append(thread.isDaemon() ? " daemon " : " ").append(thread.getThreadState());
      if (thread.getLockName() != null) {
        text.append(" on ").append(thread.getLockName());
      }
      if (thread.getLockOwnerName() != null) {
        text.append(" owned by \"").append(thread.getLockOwnerName()).append("\" #").append(thread.getLockOwnerId());
      }
      text.append('\n');
      StackTraceElement[] stack = thread.getStackTrace();
      for (int i = 0; i < stack.length; i++) {
        text.append("\tat ").append(stack[i]).append('\n');
        for (MonitorInfo monitor : thread.getLockedMonitors()) {
          if (monitor.getLockedStackDepth() == i) {
            text.append("\t- locked ").append(monitor).append('\n');
          }
        }
      }
      for (LockInfo lock : thread.getLockedSynchronizers()) {
        text.append("\t- holds ").append(lock).append('\n');
      }
    }
    return text.toString();
  }
}
