package io.github.junitnetns.internal.ns;

import io.github.junitnetns.internal.linux.ErrnoException;
import io.github.junitnetns.internal.linux.Syscalls;
import io.github.junitnetns.internal.netlink.NetlinkSocket;
import io.github.junitnetns.internal.netlink.Requests;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.ReadWriteLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * The core of a namespace handle: the O_CLOEXEC descriptor, the kernel's identity, the label, the
 * namespace's rtnetlink socket, and the lock that keeps {@code setns(fd)} and {@code close(fd)}
 * apart (a closed descriptor number may be reused at once). The public {@code NetNs} wraps one.
 */
public final class NsHandle {
  /** Work that uses the descriptor while the handle is held open. */
  @FunctionalInterface
  public interface FdTask<T, X extends Exception> {
    T apply(int fd) throws X;
  }

  // Final but for a spare namespace, which is labelled once when it is handed out (see adopt).
  private volatile String label;
  private final int fd;
  private final String id;
  /** Created by this library (not opened): everything inside is ours to kill. */
  private final boolean owned;
  private final ReadWriteLock fdLock = new ReentrantReadWriteLock();
  private final AtomicBoolean closing = new AtomicBoolean();
  private volatile boolean closed;
  private NetlinkSocket netlink; // guarded by this
  /** An AF_PACKET socket opened inside when the namespace was made ahead of need, for a capture; -1 if none. */
  private final java.util.concurrent.atomic.AtomicInteger packetSocket = new java.util.concurrent.atomic.AtomicInteger(-1);

  private NsHandle(String label, int fd, String id, NetlinkSocket netlink, boolean owned) {
    this.label = label;
    this.fd = fd;
    this.id = id;
    this.netlink = netlink;
    this.owned = owned;
  }

  /** The label of a namespace made ahead of need, until {@link #adopt} names it. */
  public static final String SPARE = "spare";
  private static final AtomicLong CREATED = new AtomicLong();

  /**
   * How many namespaces this library has created in this JVM (spares, and the namespaces of a
   * topology built ahead of a test, once handed out): a statistic
   * for diagnostics, and for tests that prove a bad declaration created nothing.
   */
  public static long createdCount() {
    return CREATED.get();
  }

  /** A new namespace with {@code lo} up, created by a carrier: the calling thread stays where it is. */
  public static NsHandle create(String label) throws ErrnoException {
    Carrier carrier = Carrier.acquire();
    try {
      return carrier.call(() -> createOnCurrentThread(label));
    } catch (ErrnoException | RuntimeException | Error e) {
      throw e;
    } catch (Throwable t) {
      throw new IllegalStateException(t);
    } finally {
      carrier.release();
    }
  }

  /**
   * Moves the calling thread into a new namespace with {@code lo} up and returns its handle.
   * Virtual threads are refused: they move between OS threads, and namespace membership belongs
   * to the OS thread.
   */
  public static NsHandle createOnCurrentThread(String label) throws ErrnoException {
    VirtualThreads.refuse("Creating network namespace " + label);
    Syscalls.unshareNet();
    int fd = Syscalls.openReadOnly(Namespaces.THREAD_SELF_NET.toString());
    NetlinkSocket netlink = null;
    try {
      netlink = NetlinkSocket.open(label);
      // A new namespace has only lo, and it is down (man 7 network_namespaces). Its index is 1.
      netlink.execute(Requests.linkUp(1, "lo@" + label));
      NsHandle handle = new NsHandle(label, fd, Namespaces.idOfFd(fd), netlink, true);
      if (!label.equals(SPARE)) {
        CREATED.incrementAndGet();
      }
      return handle;
    } catch (ErrnoException | RuntimeException e) {
      if (netlink != null) {
        netlink.close();
      }
      Syscalls.closeQuietly(fd);
      throw e;
    }
  }

  /** Opens {@code path} (a pin, or /proc/PID/ns/net), labelled by it; check {@link #id()} is a network namespace. */
  public static NsHandle open(Path path) throws ErrnoException {
    int fd = Syscalls.openReadOnly(path.toString());
    return new NsHandle(path.toString(), fd, Namespaces.idOfFd(fd), null, false);
  }

  /** The namespace the JVM started in, labelled "host". */
  public static NsHandle openInitial() throws ErrnoException {
    int fd = Syscalls.openReadOnly("/proc/self/ns/net");
    return new NsHandle("host", fd, Namespaces.idOfFd(fd), null, false);
  }

  public String label() {
    return label;
  }

  /** The kernel's identity, e.g. {@code net:[4026532301]}. */
  public String id() {
    return id;
  }

  /** Created by this library, not opened: what runs inside is ours to kill. */
  public boolean owned() {
    return owned;
  }

  public boolean isClosed() {
    return closed;
  }

  /** Gives a spare namespace, which nobody has seen yet, its label; from now on it counts as created. */
  public void adopt(String newLabel) {
    CREATED.incrementAndGet();
    label = newLabel;
    synchronized (this) {
      if (netlink != null) {
        netlink.rename(newLabel);
      }
    }
  }

  /** Refuses use after close; {@code action} completes "cannot ...", e.g. "list its links". */
  public void checkOpen(String action) {
    if (closed) {
      throw new IllegalStateException("netns " + label + " " + id + " is closed; cannot " + action + "."
          + " Close a namespace only after its last use (an @IsolatedNetNs test's namespaces are closed when"
          + " the test ends), or create a new one with NetNs.create().");
    }
  }

  /** Runs {@code task} with the descriptor, which stays open meanwhile; refuses (naming {@code action}) once closed. */
  public <T, X extends Exception> T withFd(String action, FdTask<T, X> task) throws X {
    fdLock.readLock().lock();
    try {
      checkOpen(action);
      return task.apply(fd);
    } finally {
      fdLock.readLock().unlock();
    }
  }

  /** Moves the calling thread into this namespace. */
  public void enterOnCurrentThread() throws ErrnoException {
    VirtualThreads.refuse("Entering netns " + label);
    withFd("enter it", fd -> {
      Syscalls.setnsNet(fd, "netns " + label);
      return null;
    });
  }

  /**
   * Moves the calling thread into this namespace unless it is inside already: setns needs
   * CAP_SYS_ADMIN even when it changes nothing.
   */
  public void enterUnlessInside() throws ErrnoException {
    if (!Namespaces.currentThreadId().equals(id)) {
      enterOnCurrentThread();
    }
  }

  /**
   * Runs {@code task} on a thread inside and returns its result; right here when the calling
   * thread is inside already. Its exception reaches the caller unchanged.
   */
  public <T> T call(Carrier.Task<T> task) throws Throwable {
    checkOpen("run code in it");
    if (Namespaces.currentThreadId().equals(id)) {
      return task.run();
    }
    Carrier carrier = Carrier.acquire();
    carrier.rename(label);
    try {
      return carrier.call(() -> {
        enterOnCurrentThread();
        return task.run();
      });
    } finally {
      carrier.release();
    }
  }

  /** Bind-mounts this namespace on the existing file {@code target}, so that it outlives this JVM (a pin). */
  public void bindMount(Path target) throws ErrnoException {
    withFd("pin it", fd -> {
      Syscalls.bindMount("/proc/self/fd/" + fd, target.toString());
      return null;
    });
  }

  /** The namespace's rtnetlink socket, opened from inside on first use; refuses (naming {@code action}) once closed. */
  public NetlinkSocket socket(String action) throws ErrnoException {
    checkOpen(action);
    synchronized (this) {
      if (netlink != null) {
        return netlink;
      }
    }
    // A netlink socket acts on the namespace it was created in: open it from inside. Not under
    // this object's lock: the carrier needs the descriptor's read lock, which release() holds
    // exclusively while it waits for this lock.
    NetlinkSocket opened;
    try {
      opened = call(() -> NetlinkSocket.open(label));
    } catch (ErrnoException | RuntimeException | Error e) {
      throw e;
    } catch (Throwable t) {
      throw new IllegalStateException(t);
    }
    synchronized (this) {
      if (netlink == null && !closed) {
        netlink = opened;
        return opened;
      }
    }
    opened.close();
    checkOpen("use it");
    return netlink;
  }

  /** Keeps {@code fd}, an AF_PACKET socket opened inside this namespace, for {@link #takePacketSocket}. */
  public void keepPacketSocket(int fd) {
    Syscalls.closeQuietly(packetSocket.getAndSet(fd));
  }

  /** The AF_PACKET socket opened inside when this namespace was made, once; -1 if there is none. */
  public int takePacketSocket() {
    return packetSocket.getAndSet(-1);
  }

  /** Marks the handle closed; true for the one caller that is to {@link #release} it. */
  public boolean beginClose() {
    if (!closing.compareAndSet(false, true)) {
      return false; // closed already, or by another thread right now: the descriptor is closed exactly once
    }
    closed = true;
    return true;
  }

  /** Closes the socket and the descriptor, once nothing uses the descriptor any more. */
  public void release() {
    fdLock.writeLock().lock();
    try {
      synchronized (this) {
        if (netlink != null) {
          netlink.close();
        }
      }
      Syscalls.closeQuietly(fd);
      Syscalls.closeQuietly(packetSocket.getAndSet(-1)); // nobody took it (a test that failed to start)
    } finally {
      fdLock.writeLock().unlock();
    }
  }
}
