package io.github.junitnetns.internal.ns;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * How an interrupt of the waiting caller reaches the task on the carrier: JUnit's {@code @Timeout}
 * interrupts the test's thread, and the body runs on a carrier. Runs in the JVM's own namespace, so
 * no privilege is needed (a carrier already at home does not call setns).
 */
class CarrierTest {

  @Test
  void anInterruptWhileTheTaskRunsReachesIt() throws Throwable {
    Carrier carrier = Carrier.acquire();
    try {
      CountDownLatch running = new CountDownLatch(1);
      AtomicReference<Object> outcome = new AtomicReference<>();
      Thread caller = callOnThread(carrier, () -> {
        running.countDown();
        return sleepUnlessInterrupted(30_000);
      }, outcome, "carrier-test-caller");
      running.await();
      caller.interrupt();
      caller.join(Duration.ofSeconds(20).toMillis());
      assertThat(outcome).hasValue("interrupted");
    } finally {
      carrier.release();
    }
  }

  /** The race the timeout test once lost under load: the caller gave up before its task began. */
  @Test
  void anInterruptWhileTheTaskIsStillQueuedMakesItStartInterrupted() throws Throwable {
    Carrier carrier = Carrier.acquire();
    try {
      CountDownLatch blockerRunning = new CountDownLatch(1);
      CountDownLatch releaseBlocker = new CountDownLatch(1);
      Thread first = new Thread(() -> {
        try {
          carrier.call(() -> {
            blockerRunning.countDown();
            releaseBlocker.await();
            return null;
          });
        } catch (Throwable t) {
          throw new AssertionError(t);
        }
      }, "carrier-test-first");
      first.start();
      blockerRunning.await();

      AtomicReference<Object> seen = new AtomicReference<>();
      Thread second = callOnThread(carrier, () -> sleepUnlessInterrupted(20_000), seen, "carrier-test-second");
      await().atMost(Duration.ofSeconds(10)).until(() -> second.getState() == Thread.State.TIMED_WAITING);
      second.interrupt(); // its task is queued behind the first one's: nothing runs it yet
      // The caller has taken the interrupt (its flag is cleared) and waits again: only now may the task begin.
      await().atMost(Duration.ofSeconds(10)).until(() -> !second.isInterrupted());
      await().atMost(Duration.ofSeconds(10)).until(() -> second.getState() == Thread.State.TIMED_WAITING);
      releaseBlocker.countDown();
      second.join(Duration.ofSeconds(30).toMillis());
      first.join(Duration.ofSeconds(30).toMillis());

      assertThat(seen).hasValue("interrupted");
    } finally {
      carrier.release();
    }
  }

  /** Starts a thread that runs {@code task} on {@code carrier} and puts its result, or what it threw, in {@code outcome}. */
  private static Thread callOnThread(Carrier carrier, Carrier.Task<Object> task, AtomicReference<Object> outcome,
      String name) {
    Thread thread = new Thread(() -> {
      try {
        outcome.set(carrier.call(task));
      } catch (Throwable t) {
        outcome.set(t);
      }
    }, name);
    thread.start();
    return thread;
  }

  private static String sleepUnlessInterrupted(long millis) {
    try {
      Thread.sleep(millis);
      return "slept";
    } catch (InterruptedException e) {
      return "interrupted";
    }
  }
}
