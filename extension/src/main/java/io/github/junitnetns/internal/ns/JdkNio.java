package io.github.junitnetns.internal.ns;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Makes the JDK's one lifelong NIO socket on the host. The first file channel or socket of a JVM
 * makes the JDK create a socketpair whose end it keeps until exit (sun.nio.ch's "pre-close"
 * descriptor, dup2'd over descriptors being closed). A socket belongs to the network namespace of
 * the thread that creates it and keeps that namespace alive (man 7 network_namespaces), so a JVM
 * whose first NIO use happens inside a test's namespace (a {@code setSysctl}, a {@code new
 * ServerSocket(8080)} in the first test) never lets that namespace go. Measured on this project's
 * JDKs: 17 keeps it for a file channel or a socket, 25 for a socket. One of each, opened and closed
 * on the host before any thread enters a namespace, settles it there. The JVM-wide threads that
 * live for ever once started are started there too ({@link Residents#startJvmWideThreadsHere()}).
 */
public final class JdkNio {
  private JdkNio() {}

  /** Opens and closes a file channel and a socket in the JVM's initial namespace; best effort. */
  public static void settleOnHost() {
    if (Namespaces.currentThreadId().equals(Namespaces.initialId())) {
      openAndClose();
      return;
    }
    Carrier carrier = Carrier.acquire(); // a carrier starts its work at home
    try {
      carrier.call(() -> {
        openAndClose();
        return null;
      });
    } catch (Throwable t) {
      // Cannot reach the host (no CAP_SYS_ADMIN): only that namespace may be kept alive, as before.
    } finally {
      carrier.release();
    }
  }

  private static void openAndClose() {
    try {
      FileChannel.open(Path.of("/dev/null"), StandardOpenOption.READ).close();
      SocketChannel.open().close();
      Residents.startJvmWideThreadsHere();
    } catch (IOException | RuntimeException e) {
      // No /dev/null or no sockets here: then there is no NIO state to settle either.
    }
  }
}
