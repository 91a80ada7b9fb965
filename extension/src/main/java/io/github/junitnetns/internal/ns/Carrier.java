package io.github.junitnetns.internal.ns;

import io.github.junitnetns.internal.linux.ErrnoException;
import io.github.junitnetns.internal.linux.Syscalls;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A pooled platform thread that does work inside other network namespaces, so that the threads
 * of callers never change namespace (namespace membership is per OS thread: setns(2)).
 *
 * <p>The discipline, after Go's {@code netns.Do}: a carrier is {@linkplain #acquire() leased},
 * moved into a namespace and given work; {@link #release()} moves it back to the namespace the JVM
 * started in, and only if that succeeds does it return to the pool. A carrier that cannot go home
 * ends instead of serving anyone else.
 */
public final class Carrier {
  private static final int MAX_IDLE = 64;
  private static final ConcurrentLinkedDeque<Carrier> IDLE = new ConcurrentLinkedDeque<>();
  private static final AtomicInteger COUNT = new AtomicInteger();
  private static final Runnable RETIRE = () -> {};

  private final LinkedBlockingQueue<Runnable> work = new LinkedBlockingQueue<>();
  private final Thread thread;
  private final String baseName;

  private Carrier() {
    baseName = "junit-netns-carrier-" + COUNT.incrementAndGet();
    thread = new Thread(this::loop, baseName);
    thread.setDaemon(true);
    thread.start();
  }

  /** A carrier in the JVM's initial namespace, from the pool or new; give it back with {@link #release()}. */
  public static Carrier acquire() {
    Carrier idle = IDLE.pollFirst();
    return idle != null ? idle : new Carrier();
  }

  /** The thread that runs this carrier's work. */
  public Thread thread() {
    return thread;
  }

  /** Names the thread for thread dumps while it serves one lease, e.g. after the test it runs. */
  public void rename(String purpose) {
    thread.setName(baseName + " [" + purpose + "]");
  }

  /**
   * Runs {@code task} on this carrier and waits. Its exception, checked or not, is rethrown
   * unchanged. An interrupt of the waiting thread is passed on to the carrier (so JUnit's
   * {@code @Timeout} reaches a namespaced test body), the wait goes on until the task ends, and the
   * caller's interrupt flag is set again afterwards.
   */
  public <T> T call(Task<T> task) throws Throwable {
    if (Thread.currentThread() == thread) {
      return task.run();
    }
    FutureTask<T> future = new FutureTask<>(() -> {
      try {
        return task.run();
      } catch (Exception | Error e) {
        throw e;
      } catch (Throwable t) {
        throw new OtherThrowable(t);
      }
    });
    work.add(future);
    boolean interrupted = false;
    try {
      while (true) {
        try {
          return future.get();
        } catch (InterruptedException e) {
          interrupted = true;
          if (!future.isDone()) {
            thread.interrupt();
          }
        } catch (ExecutionException e) {
          Throwable cause = e.getCause();
          throw cause instanceof OtherThrowable ? cause.getCause() : cause;
        }
      }
    } finally {
      if (interrupted) {
        Thread.currentThread().interrupt();
      }
    }
  }

  /** Work for a carrier: any code, whose exception (of any kind) reaches the caller unchanged. */
  @FunctionalInterface
  public interface Task<T> {
    T run() throws Throwable;
  }

  /** Carries a Throwable that is neither an Exception nor an Error through FutureTask. */
  private static final class OtherThrowable extends Exception {
    private static final long serialVersionUID = 1L;

    OtherThrowable(Throwable cause) {
      super(cause);
    }
  }

  /**
   * Ends the lease without waiting: the carrier moves home and rejoins the pool, or ends if it
   * cannot move home. Callers must not use it afterwards.
   */
  public void release() {
    thread.setName(baseName);
    work.add(RETIRE);
  }

  private void loop() {
    try {
      goHome();
      while (true) {
        Runnable next = work.take();
        Thread.interrupted(); // an interrupt meant for the previous task must not reach this one
        if (next == RETIRE) {
          goHome();
          if (IDLE.size() >= MAX_IDLE) {
            return;
          }
          IDLE.addFirst(this);
        } else {
          next.run();
        }
      }
    } catch (ErrnoException e) {
      // Could not return to the initial namespace: this thread must never serve anyone again.
      System.err.println("junit-netns: retiring thread " + thread.getName() + ": " + e.getMessage());
    } catch (InterruptedException e) {
      // Only reached when the JVM shuts down daemon threads; nothing to clean up.
    }
  }

  private void goHome() throws ErrnoException {
    Syscalls.setnsNet(Namespaces.initialFd(), "the JVM's initial network namespace");
  }
}
