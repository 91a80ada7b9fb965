package io.github.junitnetns.internal.ns;

import io.github.junitnetns.internal.linux.ErrnoException;
import io.github.junitnetns.internal.linux.Syscalls;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A mount namespace in which {@code /etc/hosts} is a file of our own, as {@code ip netns exec}
 * arranges with {@code /etc/netns/NAME/hosts}: a copy of the JVM's mount namespace, its mounts
 * slaves of the original (so nothing made here reaches the host, while later host mounts still
 * arrive), with the file bind-mounted over {@code /etc/hosts}. It is held by an O_CLOEXEC
 * descriptor, which {@code nsenter --mount=/proc/PID/fd/N} enters; the file itself is deleted as
 * soon as it is mounted, so the host keeps nothing, and the namespace goes when its last process
 * and this descriptor are gone. The host's {@code /etc/hosts} is never written.
 */
public final class HostsMount implements AutoCloseable {
  private static final AtomicInteger COUNT = new AtomicInteger();
  private final int fd;

  private HostsMount(int fd) {
    this.fd = fd;
  }

  /** A mount namespace whose /etc/hosts reads {@code content}. Made on a short-lived thread of its own. */
  public static HostsMount create(String content, Path hosts) throws ErrnoException, IOException {
    Path file = Files.createTempFile("junit-netns-hosts-", "",
        PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-r--r--")));
    try {
      Files.writeString(file, content, StandardCharsets.UTF_8);
      // Readable by services that drop privileges (dnsmasq runs as nobody): createTempFile's umask may narrow it.
      Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r--r--"));
      int[] result = new int[] {-1};
      ErrnoException[] failure = new ErrnoException[1];
      // unshare(CLONE_NEWNS) changes this thread for good (its own mount namespace, root and working
      // directory): a thread of its own, which ends here, never a carrier or the caller.
      Thread maker = new Thread(() -> {
        try {
          Syscalls.unshareMount();
          Syscalls.makeSlaveRecursive("/");
          Syscalls.bindMount(file.toString(), hosts.toString());
          result[0] = Syscalls.openReadOnly("/proc/thread-self/ns/mnt");
        } catch (ErrnoException e) {
          failure[0] = e;
        }
      }, "junit-netns-hosts-" + COUNT.incrementAndGet());
      maker.setDaemon(true);
      maker.start();
      try {
        maker.join();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        try {
          maker.join(); // a few system calls: it ends at once, and its descriptor must not leak
        } catch (InterruptedException again) {
          Thread.currentThread().interrupt();
        }
      }
      if (failure[0] != null) {
        throw failure[0];
      }
      return new HostsMount(result[0]);
    } finally {
      Files.deleteIfExists(file);
    }
  }

  /** The descriptor, for {@code /proc/PID/fd/N}. */
  public int fd() {
    return fd;
  }

  @Override
  public void close() {
    Syscalls.closeQuietly(fd);
  }
}
