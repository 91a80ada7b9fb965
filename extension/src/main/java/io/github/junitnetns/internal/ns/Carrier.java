package io.github.junitnetns.internal.ns;

import io.github.junitnetns.internal.linux.ErrnoException;
import io.github.junitnetns.internal.linux.Syscalls;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
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
 *
 * <p>Waiting uses a latch, not a Future: a JUnit ForkJoin worker blocked in {@code Future.get}
 * would make the pool add compensation threads and run more tests at once than configured.
 */
public final class Carrier {
  private static final int MAX_IDLE = 64;
  private static final ConcurrentLinkedDeque<Carrier> IDLE = new ConcurrentLinkedDeque<>();
  private static final AtomicInteger COUNT = new AtomicInteger();
  /** The kernel thread ids of live carriers: they enter namespaces on purpose, so the leak check skips them. */
  private static final Set<Integer> TIDS = ConcurrentHashMap.newKeySet();

  /** Work for a carrier: any code, whose exception (of any kind) reaches the caller unchanged. */
  @FunctionalInterface
  public interface Task<T> {
    T run() throws Throwable;
  }

  /** One queued piece of work; {@code task == null} means "end of lease". */
  private static final class Job {
    final Task<?> task;
    final ClassLoader contextClassLoader;
    final CountDownLatch done = new CountDownLatch(1);
    volatile Object result;
    volatile Throwable failure;
    boolean interruptRequested; // guarded by the carrier's interruptLock: the caller was interrupted before the task began

    Job(Task<?> task, ClassLoader contextClassLoader) {
      this.task = task;
      this.contextClassLoader = contextClassLoader;
    }

    void fail(Throwable t) {
      failure = t;
      done.countDown();
    }
  }

  private final LinkedBlockingQueue<Job> work = new LinkedBlockingQueue<>();
  private final Thread thread;
  private final String baseName;
  private final Object interruptLock = new Object();
  private Job current; // guarded by interruptLock: the job running now, the only one an interrupt may reach
  private volatile String deathCause;
  /** Why it could not go home, when that was a refused system call: what queued work fails with. */
  private volatile ErrnoException refusal;

  private Carrier() {
    baseName = "junit-netns-carrier-" + COUNT.incrementAndGet();
    thread = new Thread(this::loop, baseName);
    thread.setDaemon(true);
    thread.setContextClassLoader(null);
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

  /** Whether the kernel thread {@code tid} of this JVM is a carrier. */
  public static boolean isCarrier(int tid) {
    return TIDS.contains(tid);
  }

  /** Names the thread for thread dumps while it serves one lease, e.g. after the test it runs. */
  public void rename(String purpose) {
    thread.setName(baseName + " [" + purpose + "]");
  }

  /** Whether work is running or queued: a caller that gave up on a task (a timeout) may find it still busy. */
  public boolean isBusy() {
    synchronized (interruptLock) {
      return current != null || !work.isEmpty();
    }
  }

  /**
   * Runs {@code task} on this carrier and waits. Its exception, checked or not, is rethrown
   * unchanged. The task runs with the caller's context class loader. An interrupt of the waiting
   * thread is passed on to the task while it runs (so JUnit's {@code @Timeout} reaches a namespaced
   * test body), the wait goes on until the task ends, and the caller's interrupt flag is set again
   * afterwards.
   */
  @SuppressWarnings("unchecked")
  public <T> T call(Task<T> task) throws Throwable {
    if (Thread.currentThread() == thread) {
      return task.run();
    }
    Job job = new Job(task, Thread.currentThread().getContextClassLoader());
    work.add(job);
    boolean interrupted = false;
    try {
      while (true) {
        try {
          if (job.done.await(1, TimeUnit.SECONDS)) {
            break;
          }
          if (!thread.isAlive()) {
            failQueuedWork(); // it died without taking our job: never wait for it
          }
        } catch (InterruptedException e) {
          interrupted = true;
          synchronized (interruptLock) {
            if (current == job) {
              thread.interrupt();
            } else {
              job.interruptRequested = true; // still queued: the task starts interrupted
            }
          }
        }
      }
    } finally {
      if (interrupted) {
        Thread.currentThread().interrupt();
      }
    }
    if (job.failure != null) {
      throw job.failure;
    }
    return (T) job.result;
  }

  /**
   * Ends the lease without waiting: the carrier moves home and rejoins the pool, or ends if it
   * cannot move home. Callers must not use it afterwards.
   */
  public void release() {
    thread.setName(baseName);
    work.add(new Job(null, null));
  }

  private void loop() {
    int tid = Namespaces.currentTid();
    TIDS.add(tid);
    try {
      goHome();
      while (true) {
        Job next = take();
        if (next.task == null) {
          goHome();
          if (IDLE.size() >= MAX_IDLE) {
            return;
          }
          IDLE.addFirst(this);
          continue;
        }
        run(next);
      }
    } catch (Throwable t) {
      // Could not return to the initial namespace (or worse): never serve anyone again. Work
      // queued for it fails with the kernel's refusal itself (the path every refusal takes), so a
      // caller whose fresh carrier could not leave the caller's namespace reads what failed.
      if (t instanceof ErrnoException) {
        refusal = (ErrnoException) t;
      }
      deathCause = "junit-netns: thread " + thread.getName() + " could not return to the JVM's initial"
          + " network namespace and was retired: " + t;
    } finally {
      TIDS.remove(tid);
      if (deathCause == null) {
        deathCause = "junit-netns: thread " + thread.getName() + " was retired from the pool";
      }
      failQueuedWork();
    }
  }

  /** The next job; an interrupt meant for an earlier task never ends the carrier. */
  private Job take() {
    while (true) {
      try {
        return work.take();
      } catch (InterruptedException e) {
        // a stray interrupt: the flag is now clear; wait on
      }
    }
  }

  private void run(Job job) {
    synchronized (interruptLock) {
      current = job;
      if (job.interruptRequested) {
        thread.interrupt(); // the caller gave up (JUnit's @Timeout) before this task began
      }
    }
    thread.setContextClassLoader(job.contextClassLoader);
    try {
      job.result = job.task.run();
    } catch (Throwable t) {
      job.failure = t;
    } finally {
      thread.setContextClassLoader(null);
      synchronized (interruptLock) {
        current = null;
        Thread.interrupted(); // from here on no interrupt is sent; drop any that came late
      }
      job.done.countDown();
    }
  }

  private void failQueuedWork() {
    String cause = deathCause != null ? deathCause : "junit-netns: thread " + thread.getName() + " ended";
    for (Job job; (job = work.poll()) != null; ) {
      job.fail(refusal != null && job.task != null ? refusal : new IllegalStateException(cause));
    }
  }

  /**
   * Moves the thread back to the JVM's initial namespace. A thread already there is left alone:
   * setns needs CAP_SYS_ADMIN even for a no-op, and an unprivileged JVM must get a clear EPERM from
   * the work it asked for, not a dead thread.
   */
  private void goHome() throws Exception {
    if (!Namespaces.currentThreadId().equals(Namespaces.initialId())) {
      Syscalls.setnsNet(Namespaces.initialFd(), "the JVM's initial network namespace");
    }
  }
}
