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
      Thread caller = new Thread(() -> {
        try {
          outcome.set(carrier.call(() -> {
            running.countDown();
            try {
              Thread.sleep(30_000);
              return "slept";
            } catch (InterruptedException e) {
              return "interrupted";
            }
          }));
        } catch (Throwable t) {
          outcome.set(t);
        }
      }, "carrier-test-caller");
      caller.start();
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
      Thread second = new Thread(() -> {
        try {
          seen.set(carrier.call(() -> {
            try {
              Thread.sleep(20_000);
              return "slept";
            } catch (InterruptedException e) {
              return "interrupted";
            }
          }));
        } catch (Throwable t) {
          seen.set(t);
        }
      }, "carrier-test-second");
      second.start();
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
}
