package io.github.junitnetns.internal.ns;

import io.github.junitnetns.internal.linux.ErrnoException;
import io.github.junitnetns.internal.linux.Syscalls;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A pooled platform thread that does work inside other network namespaces, so that the threads
 * of callers never change namespace (namespace membership is per OS thread: setns(2)).
 *
 * <p>The discipline, after Go's {@code netns.Do}: a carrier is {@linkplain #acquire() leased},
 * moved into a namespace and given work; {@link #release()} moves it back to the namespace the JVM
 * started in, and only if that succeeds does it return to the pool. A carrier that cannot go home
 * ends instead of serving anyone else, and fails the work still queued for it rather than leave
 * its callers waiting.
 */
public final class Carrier {
  private static final int MAX_IDLE = 64;
  private static final ConcurrentLinkedDeque<Carrier> IDLE = new ConcurrentLinkedDeque<>();
  private static final AtomicInteger COUNT = new AtomicInteger();

  /** Work for a carrier: any code, whose exception (of any kind) reaches the caller unchanged. */
  @FunctionalInterface
  public interface Task<T> {
    T run() throws Throwable;
  }

  /** One queued piece of work; {@code task == null} means "end of lease". */
  private static final class Job {
    final Task<?> task;
    final CompletableFuture<Object> result = new CompletableFuture<>();

    Job(Task<?> task) {
      this.task = task;
    }
  }

  private final LinkedBlockingQueue<Job> work = new LinkedBlockingQueue<>();
  private final Thread thread;
  private final String baseName;
  private volatile String deathCause;

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
  @SuppressWarnings("unchecked")
  public <T> T call(Task<T> task) throws Throwable {
    if (Thread.currentThread() == thread) {
      return task.run();
    }
    Job job = new Job(task);
    work.add(job);
    if (deathCause != null) {
      failQueuedWork(); // it died before taking our job: never wait for it
    }
    boolean interrupted = false;
    try {
      while (true) {
        try {
          return (T) job.result.get();
        } catch (InterruptedException e) {
          interrupted = true;
          if (!job.result.isDone()) {
            thread.interrupt();
          }
        } catch (ExecutionException e) {
          throw e.getCause();
        }
      }
    } finally {
      if (interrupted) {
        Thread.currentThread().interrupt();
      }
    }
  }

  /**
   * Ends the lease without waiting: the carrier moves home and rejoins the pool, or ends if it
   * cannot move home. Callers must not use it afterwards.
   */
  public void release() {
    thread.setName(baseName);
    work.add(new Job(null));
  }

  private void loop() {
    try {
      goHome();
      while (true) {
        Job next = work.take();
        Thread.interrupted(); // an interrupt meant for the previous task must not reach this one
        if (next.task == null) {
          goHome();
          if (IDLE.size() >= MAX_IDLE) {
            return;
          }
          IDLE.addFirst(this);
          continue;
        }
        try {
          next.result.complete(next.task.run());
        } catch (Throwable t) {
          next.result.completeExceptionally(t);
        }
      }
    } catch (ErrnoException e) {
      // Could not return to the initial namespace: this thread must never serve anyone again.
      deathCause = "junit-netns: thread " + thread.getName() + " could not return to the JVM's initial"
          + " network namespace and was retired: " + e.getMessage();
      failQueuedWork();
    } catch (InterruptedException e) {
      deathCause = "junit-netns: thread " + thread.getName() + " was stopped";
      failQueuedWork();
    }
  }

  private void failQueuedWork() {
    for (Job job; (job = work.poll()) != null; ) {
      job.result.completeExceptionally(new IllegalStateException(deathCause));
    }
  }

  /**
   * Moves the thread back to the JVM's initial namespace. A thread already there is left alone:
   * setns needs CAP_SYS_ADMIN even for a no-op, and an unprivileged JVM must get a clear EPERM from
   * the work it asked for, not a dead thread.
   */
  private void goHome() throws ErrnoException {
    if (!Namespaces.currentThreadId().equals(Namespaces.initialId())) {
      Syscalls.setnsNet(Namespaces.initialFd(), "the JVM's initial network namespace");
    }
  }
}
