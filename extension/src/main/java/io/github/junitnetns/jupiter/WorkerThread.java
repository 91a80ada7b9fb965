package io.github.junitnetns.jupiter;

import io.github.junitnetns.internal.linux.ErrnoException;
import io.github.junitnetns.internal.linux.Syscalls;
import io.github.junitnetns.internal.ns.Namespaces;
import io.github.junitnetns.internal.ns.VirtualThreads;
import org.junit.jupiter.api.extension.ExtensionConfigurationException;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * JUnit's own thread never enters a test's namespaces (the test runs on a carrier): these checks
 * keep it that way, and refuse a virtual thread, on which they would mean nothing.
 */
final class WorkerThread {
  private WorkerThread() {}

  /** The network namespace of the calling thread, as an id to compare. */
  static String currentNamespace() {
    return Namespaces.currentThreadId();
  }

  /**
   * The body runs on a platform thread anyway, but the after-test check that JUnit's thread is
   * still in its own namespace means nothing on a virtual thread (it reports its carrier's).
   */
  static void refuseVirtual(ExtensionContext context) {
    if (VirtualThreads.isVirtual(Thread.currentThread())) {
      throw new ExtensionConfigurationException("@IsolatedNetNs test " + Contexts.testName(context) + " is executed"
          + " on virtual thread " + Thread.currentThread() + ". Network namespace membership belongs to OS"
          + " threads, which a virtual thread keeps changing, so junit-netns cannot keep its guarantees on it."
          + " Run the tests on JUnit's default platform threads.");
    }
  }

  /**
   * Fails the test when JUnit's thread ends it in another namespace than it started in (something
   * called setns on it), after moving it back to the JVM's initial namespace when that is where it
   * started: the next test on this thread must not run inside a namespace that is gone.
   */
  static void check(ExtensionContext context, String before) {
    String now = Namespaces.currentThreadId();
    if (now.equals(before)) {
      return;
    }
    String repaired = "";
    if (before.equals(Namespaces.initialId())) {
      try {
        Syscalls.setnsNet(Namespaces.initialFd(), "the JVM's initial network namespace");
        repaired = " junit-netns moved it back.";
      } catch (ErrnoException e) {
        repaired = " Moving it back failed: " + e.getMessage() + ".";
      }
    }
    throw new IllegalStateException("JUnit thread " + Thread.currentThread().getName() + " ended "
        + Contexts.testName(context) + " in network namespace " + now + " instead of " + before
        + ", where it started: code in an extension or callback moved it (setns on a JUnit thread)."
        + " Use NetNs.run/call instead, which leave the calling thread alone." + repaired);
  }
}
