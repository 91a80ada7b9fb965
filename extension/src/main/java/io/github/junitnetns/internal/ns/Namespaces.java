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

  // /proc/self/ns/net is the thread-group leader's namespace: the one the JVM was started in,
  // since the launcher's primordial thread never calls setns. Read lazily, and retried after a
  // failure: a refused open (EMFILE, ENOMEM) must fail the one request that needed it, not every
  // use of the library for the rest of the JVM's life (as a failed class initialiser would).
  private static final Path INITIAL = Path.of("/proc/self/ns/net");
  private static volatile int initialFd = -1;
  private static volatile String initialId;

  /** A descriptor (O_CLOEXEC, never closed) for the namespace the JVM started in, opened on first use. */
  public static int initialFd() throws ErrnoException {
    int fd = initialFd;
    if (fd >= 0) {
      return fd;
    }
    synchronized (Namespaces.class) {
      if (initialFd < 0) {
        initialFd = Syscalls.openReadOnly(INITIAL.toString());
      }
      return initialFd;
    }
  }

  /** The identity of the namespace the JVM started in, e.g. {@code net:[4026531840]} (read without a descriptor). */
  public static String initialId() {
    String id = initialId;
    if (id == null) {
      id = readLink(INITIAL);
      initialId = id;
    }
    return id;
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
