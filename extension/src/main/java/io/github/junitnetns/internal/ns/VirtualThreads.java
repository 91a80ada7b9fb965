package io.github.junitnetns.internal.ns;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;

/** Virtual threads (Java 21+), seen from code compiled for Java 17. */
public final class VirtualThreads {
  private static final MethodHandle IS_VIRTUAL = find();

  private VirtualThreads() {}

  private static MethodHandle find() {
    try {
      return MethodHandles.publicLookup().findVirtual(Thread.class, "isVirtual", MethodType.methodType(boolean.class));
    } catch (ReflectiveOperationException e) {
      return null; // Java 17 to 20: no virtual threads
    }
  }

  public static boolean isVirtual(Thread thread) {
    if (IS_VIRTUAL == null) {
      return false;
    }
    try {
      return (boolean) IS_VIRTUAL.invokeExact(thread);
    } catch (Throwable t) {
      return false;
    }
  }

  /**
   * Refuses to move a virtual thread into a namespace: a virtual thread runs on a different OS
   * thread after every blocking call, so it cannot stay inside one.
   */
  public static void refuse(String what) {
    if (isVirtual(Thread.currentThread())) {
      throw new IllegalStateException(what + " on virtual thread " + Thread.currentThread()
          + ": a virtual thread moves between OS threads, and namespace membership belongs to the OS"
          + " thread, so it cannot stay inside a namespace. Use a platform thread, e.g. NetNs.run(...) or"
          + " an executor built with NetNs.threadFactory().");
    }
  }
}
