package io.github.junitnetns.testsupport;

import java.util.concurrent.atomic.AtomicReference;
import org.junit.platform.testkit.engine.EngineExecutionResults;
import org.junit.platform.testkit.engine.EngineTestKit;

/**
 * Runs an engine test kit's engine on a thread of its own and waits for it.
 *
 * <p>Called straight from a worker of the suite's ForkJoinPool executor, {@code builder.execute()}
 * would wait for the nested engine's root task with {@code ForkJoinTask.get()}, and such a wait
 * makes the worker run other tasks of the suite's pool meanwhile, inside the waiting test and under
 * its resource locks. JUnit defers a task whose locks clash with the ones held, and re-forks
 * deferred tasks only after a container's join, so a task deferred in this wait can be left for
 * good: the suite then stops with no test running. On a plain thread the worker only blocks.
 */
public final class NestedEngine {
  private NestedEngine() {}

  public static EngineExecutionResults execute(EngineTestKit.Builder builder) {
    AtomicReference<EngineExecutionResults> results = new AtomicReference<>();
    AtomicReference<Throwable> failure = new AtomicReference<>();
    Thread thread = new Thread(() -> {
      try {
        results.set(builder.execute());
      } catch (Throwable t) {
        failure.set(t);
      }
    }, "nested engine of " + Thread.currentThread().getName());
    thread.start();
    boolean interrupted = false;
    while (true) {
      try {
        thread.join();
        break;
      } catch (InterruptedException e) {
        // The suite's timeout interrupts the test; the nested engine's own timeouts end its run.
        interrupted = true;
        thread.interrupt();
      }
    }
    if (interrupted) {
      Thread.currentThread().interrupt();
    }
    if (failure.get() instanceof RuntimeException e) {
      throw e;
    }
    if (failure.get() instanceof Error e) {
      throw e;
    }
    if (failure.get() != null) {
      throw new IllegalStateException(failure.get());
    }
    return results.get();
  }
}
