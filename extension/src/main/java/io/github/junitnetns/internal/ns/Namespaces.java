package io.github.junitnetns.internal.ns;

import io.github.junitnetns.internal.linux.ErrnoException;
import io.github.junitnetns.internal.linux.Syscalls;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Namespace identities: which namespace a thread or a descriptor refers to. */
public final class Namespaces {
  /** The calling thread's own view (not the process's: /proc/self follows the main thread). */
  public static final Path THREAD_SELF_NET = Path.of("/proc/thread-self/ns/net");

  private Namespaces() {}

  private static final class Initial {
    // /proc/self/ns/net is the thread-group leader's namespace: the one the JVM was started in,
    // since the launcher's primordial thread never calls setns.
    static final int FD = open();
    static final String ID = idOfFd(FD);

    private static int open() {
      try {
        return Syscalls.openReadOnly("/proc/self/ns/net");
      } catch (ErrnoException e) {
        throw new IllegalStateException("junit-netns needs /proc: " + e.getMessage(), e);
      }
    }
  }

  /** A descriptor (O_CLOEXEC, never closed) for the namespace the JVM started in. */
  public static int initialFd() {
    return Initial.FD;
  }

  /** The identity of the namespace the JVM started in, e.g. {@code net:[4026531840]}. */
  public static String initialId() {
    return Initial.ID;
  }

  /** The identity of the calling thread's current namespace, e.g. {@code net:[4026532301]}. */
  public static String currentThreadId() {
    return readLink(THREAD_SELF_NET);
  }

  /** The kernel's id of the calling thread (gettid(2), read from /proc: older glibc lacks the wrapper). */
  public static int currentTid() {
    String link = readLink(Path.of("/proc/thread-self")); // "<pid>/task/<tid>"
    return Integer.parseInt(link.substring(link.lastIndexOf('/') + 1));
  }

  /** The identity of the namespace a descriptor of this process refers to. */
  public static String idOfFd(int fd) {
    return readLink(Path.of("/proc/self/fd/" + fd));
  }

  /** The inode number inside an identity such as {@code net:[4026532301]}. */
  public static long inode(String id) {
    int open = id.indexOf('[');
    int close = id.indexOf(']');
    return Long.parseLong(id.substring(open + 1, close));
  }

  private static String readLink(Path path) {
    try {
      return Files.readSymbolicLink(path).toString();
    } catch (IOException e) {
      throw new UncheckedIOException("junit-netns: cannot read " + path, e);
    }
  }
}
