package io.github.junitnetns.internal.linux;

import com.sun.jna.LastErrorException;
import com.sun.jna.Memory;
import com.sun.jna.Platform;
import com.sun.jna.Pointer;
import java.nio.charset.StandardCharsets;

/**
 * Checked wrappers over {@link LibC}: each failure becomes an {@link ErrnoException} that names
 * the call and the object it was made on.
 *
 * <p>{@code unshare}, {@code setns}, {@code open}, {@code socket} and {@code send} are where the
 * {@link Failpoint} counts kernel requests: new system calls that create or change kernel state
 * belong here, each with the same one-line hook, so that fault injection reaches them too.
 */
public final class Syscalls {
  // sched.h
  public static final int CLONE_NEWNET = 0x40000000;
  public static final int CLONE_NEWNS = 0x00020000;
  // fcntl.h
  public static final int O_RDONLY = 0;
  public static final int O_CLOEXEC = 0x80000;
  // sys/socket.h, linux/netlink.h
  public static final int AF_NETLINK = 16;
  public static final int SOCK_RAW = 3;
  public static final int SOCK_CLOEXEC = 0x80000;
  public static final int SOL_SOCKET = 1;
  public static final int SO_SNDBUF = 7;
  public static final int SO_RCVBUF = 8;
  public static final int SOL_NETLINK = 270;
  public static final int MSG_TRUNC = 0x20;
  public static final int MSG_DONTWAIT = 0x40;
  // linux/if_packet.h, linux/if_ether.h, asm-generic/socket.h, sys/epoll.h
  public static final int AF_PACKET = 17;
  public static final int ETH_P_ALL = 0x0003;
  public static final int SOL_PACKET = 263;
  public static final int PACKET_STATISTICS = 6;
  public static final int PACKET_RX_RING = 5;
  public static final int PACKET_VERSION = 10;
  public static final int TPACKET_V3 = 2;
  public static final int SO_ATTACH_FILTER = 26;
  private static final int PROT_READ = 0x1;
  private static final int PROT_WRITE = 0x2;
  private static final int MAP_SHARED = 0x01;
  public static final int SO_TIMESTAMPNS = 35;
  public static final int SO_RCVBUFFORCE = 33;
  public static final int EPOLLIN = 0x001;
  private static final int EPOLL_CLOEXEC = 0x80000;
  private static final int EPOLL_CTL_ADD = 1;
  private static final int EPOLL_CTL_DEL = 2;
  /** struct epoll_event is packed on x86_64 (12 bytes: events, then the 64-bit data) and 16 bytes elsewhere. */
  public static final int EPOLL_EVENT_SIZE = Platform.isIntel() && Platform.is64Bit() ? 12 : 16;
  /** Offset of epoll_event.data. */
  public static final int EPOLL_DATA_OFFSET = EPOLL_EVENT_SIZE == 12 ? 4 : 8;
  // sys/mount.h
  public static final long MS_BIND = 0x1000;
  public static final long MS_REC = 0x4000;
  public static final long MS_SLAVE = 1 << 19;
  public static final int MNT_DETACH = 2;

  static {
    // The error path must not need a class loaded when descriptors have run out (EMFILE): loading
    // a class from a directory, or from a jar not yet open, needs one. Errno's table is built now.
    Errno.describe(Errno.EMFILE);
    ErrnoException.class.getName();
  }

  private Syscalls() {}

  /** Moves the calling thread into a new, empty network namespace. */
  public static void unshareNet() throws ErrnoException {
    try {
      if (Failpoint.ACTIVE) {
        Failpoint.hit("unshare(CLONE_NEWNET)", "");
      }
      LibC.unshare(CLONE_NEWNET);
    } catch (LastErrorException e) {
      throw new ErrnoException("unshare(CLONE_NEWNET)", "", e.getErrorCode());
    }
  }

  /**
   * Gives the calling thread a mount namespace of its own, a copy of its current one (and, as
   * CLONE_NEWNS implies CLONE_FS, its own root and working directory; unshare(2)).
   */
  public static void unshareMount() throws ErrnoException {
    try {
      if (Failpoint.ACTIVE) {
        Failpoint.hit("unshare(CLONE_NEWNS)", "");
      }
      LibC.unshare(CLONE_NEWNS);
    } catch (LastErrorException e) {
      throw new ErrnoException("unshare(CLONE_NEWNS)", "", e.getErrorCode());
    }
  }

  /**
   * Makes every mount under {@code target} a slave, like {@code mount --make-rslave}: mounts made
   * here no longer propagate back to the namespace it was copied from (mount_namespaces(7)).
   */
  public static void makeSlaveRecursive(String target) throws ErrnoException {
    try {
      if (Failpoint.ACTIVE) {
        Failpoint.hit("mount --make-rslave", target);
      }
      LibC.mount(null, target, null, MS_REC | MS_SLAVE, null);
    } catch (LastErrorException e) {
      throw new ErrnoException("mount --make-rslave", target, e.getErrorCode());
    }
  }

  /** Moves the calling thread into the network namespace behind {@code fd}. */
  public static void setnsNet(int fd, String what) throws ErrnoException {
    try {
      if (Failpoint.ACTIVE) {
        Failpoint.hit("setns(CLONE_NEWNET)", what);
      }
      LibC.setns(fd, CLONE_NEWNET);
    } catch (LastErrorException e) {
      throw new ErrnoException("setns(CLONE_NEWNET)", what, e.getErrorCode());
    }
  }

  /** Opens {@code path} read-only with O_CLOEXEC, so child processes never inherit the descriptor. */
  public static int openReadOnly(String path) throws ErrnoException {
    try {
      if (Failpoint.ACTIVE) {
        Failpoint.hit("open", path);
      }
      return LibC.open(path, O_RDONLY | O_CLOEXEC);
    } catch (LastErrorException e) {
      throw new ErrnoException("open", path, e.getErrorCode());
    }
  }

  /** Opens the directory {@code path} read-only with O_CLOEXEC, for {@link #readLinkAt}. */
  public static int openDirectory(String path) throws ErrnoException {
    try {
      return LibC.open(path, O_RDONLY | O_CLOEXEC);
    } catch (LastErrorException e) {
      throw new ErrnoException("open", path, e.getErrorCode());
    }
  }

  /**
   * Reads the symbolic link {@code path} (NUL-terminated ASCII) below the directory {@code dirfd}
   * into {@code buffer} and returns its length, or -1 when it is gone (ENOENT, ESRCH: the thread
   * whose {@code /proc} entry it was has ended). Not counted as a failpoint: it only reads
   * {@code /proc}, as a lookup of a namespace's identity does.
   */
  public static int readLinkAt(int dirfd, byte[] path, byte[] buffer) throws ErrnoException {
    try {
      return (int) LibC.readlinkat(dirfd, path, buffer, buffer.length);
    } catch (LastErrorException e) {
      if (e.getErrorCode() == Errno.ENOENT || e.getErrorCode() == Errno.ESRCH) {
        return -1;
      }
      throw new ErrnoException("readlinkat", new String(path, 0, path.length - 1, StandardCharsets.US_ASCII),
          e.getErrorCode());
    }
  }

  /** Closes {@code fd}; EBADF and friends are ignored, as there is nothing a caller could do. */
  public static void closeQuietly(int fd) {
    if (fd < 0) {
      return;
    }
    try {
      LibC.close(fd);
    } catch (LastErrorException ignored) {
      // close(2): the descriptor is released even when close reports an error.
    }
  }

  /** Bind-mounts {@code source} on {@code target} (an existing file), like {@code mount --bind}. */
  public static void bindMount(String source, String target) throws ErrnoException {
    try {
      LibC.mount(source, target, null, MS_BIND, null);
    } catch (LastErrorException e) {
      throw new ErrnoException("mount --bind", source + " on " + target, e.getErrorCode());
    }
  }

  /** Detaches the mount at {@code target} lazily, like {@code umount -l}. */
  public static void unmountDetach(String target) throws ErrnoException {
    try {
      LibC.umount2(target, MNT_DETACH);
    } catch (LastErrorException e) {
      throw new ErrnoException("umount2(MNT_DETACH)", target, e.getErrorCode());
    }
  }

  public static int socket(int domain, int type, int protocol) throws ErrnoException {
    try {
      if (Failpoint.ACTIVE) {
        Failpoint.hit("socket", "family " + domain);
      }
      return LibC.socket(domain, type | SOCK_CLOEXEC, protocol);
    } catch (LastErrorException e) {
      throw new ErrnoException("socket", "family " + domain, e.getErrorCode());
    }
  }

  public static void setsockoptInt(int fd, int level, int name, int value, String what)
      throws ErrnoException {
    try {
      LibC.setsockopt(fd, level, name, new int[] {value}, 4);
    } catch (LastErrorException e) {
      throw new ErrnoException("setsockopt", what, e.getErrorCode());
    }
  }

  public static void send(int fd, byte[] buffer, int length, String what) throws ErrnoException {
    while (true) {
      try {
        if (Failpoint.ACTIVE) {
          Failpoint.hit("send", what);
        }
        long sent = LibC.send(fd, buffer, length, 0);
        if (sent != length) {
          throw new ErrnoException("send", what + " (short write " + sent + "/" + length + ")", Errno.EMSGSIZE);
        }
        return;
      } catch (LastErrorException e) {
        if (e.getErrorCode() != Errno.EINTR) {
          throw new ErrnoException("send", what, e.getErrorCode());
        }
      }
    }
  }

  /** Receives one datagram; returns its full length (MSG_TRUNC), which may exceed the buffer. */
  public static int recv(int fd, Memory buffer, String what) throws ErrnoException {
    while (true) {
      try {
        return (int) LibC.recv(fd, buffer, buffer.size(), MSG_TRUNC);
      } catch (LastErrorException e) {
        if (e.getErrorCode() != Errno.EINTR) {
          throw new ErrnoException("recv", what, e.getErrorCode());
        }
      }
    }
  }

  /**
   * An AF_PACKET socket that receives every frame of every interface of the calling thread's
   * namespace ({@code ETH_P_ALL}, unbound), interfaces added later included, set up for a capture
   * read with {@code recvmmsg} ({@link #configurePacketSocket}). Needs CAP_NET_RAW over the
   * namespace's owning user namespace. Whoever makes one ahead of need (a spare namespace, a
   * topology built ahead) so sets it up in the background, not on a test's way.
   */
  public static int packetSocket(String what) throws ErrnoException {
    int fd;
    try {
      fd = LibC.socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, htons(ETH_P_ALL));
    } catch (LastErrorException e) {
      throw new ErrnoException("socket(AF_PACKET, SOCK_RAW, ETH_P_ALL)", what, e.getErrorCode());
    }
    try {
      configurePacketSocket(fd, what);
    } catch (ErrnoException | RuntimeException e) {
      closeQuietly(fd);
      throw e;
    }
    return fd;
  }

  /**
   * The receive buffer a capture socket asks for: a burst of bulk traffic while its reader sleeps,
   * or waits for a core, until a ring takes over; each frame is charged as a whole GSO segment
   * (about 64 KiB), so 8 MiB held only about 120. Memory is charged only while frames wait.
   */
  public static final int PACKET_RECEIVE_BUFFER = 32 << 20;
  private static volatile boolean receiveBufferCapped;

  /**
   * Sets a capture socket up: the kernel's receive timestamps ({@code SO_TIMESTAMPNS}) and a
   * receive buffer of {@link #PACKET_RECEIVE_BUFFER}, forced past {@code net.core.rmem_max} where
   * CAP_NET_ADMIN over the host allows it ({@code SO_RCVBUFFORCE}), else as large as that allows.
   */
  public static void configurePacketSocket(int fd, String what) throws ErrnoException {
    setsockoptInt(fd, SOL_SOCKET, SO_TIMESTAMPNS, 1, "AF_PACKET socket of " + what);
    if (!trySetsockoptInt(fd, SOL_SOCKET, SO_RCVBUFFORCE, PACKET_RECEIVE_BUFFER)) {
      receiveBufferCapped = true; // no CAP_NET_ADMIN over the host: the same for every socket of the JVM
      trySetsockoptInt(fd, SOL_SOCKET, SO_RCVBUF, PACKET_RECEIVE_BUFFER); // capped at net.core.rmem_max
    }
  }

  /**
   * The receive buffer the kernel granted a socket set up by {@link #configurePacketSocket}, in bytes
   * as {@code SO_RCVBUF} reads (twice what it lets queue as data): asked of the kernel only where it
   * capped a socket's buffer before.
   */
  public static int packetReceiveBuffer(int fd, String what) throws ErrnoException {
    if (!receiveBufferCapped) {
      return 2 * PACKET_RECEIVE_BUFFER; // what SO_RCVBUFFORCE sets: the kernel doubles it for its bookkeeping
    }
    Memory value = new Memory(4);
    getsockopt(fd, SOL_SOCKET, SO_RCVBUF, value, "AF_PACKET socket of " + what);
    return value.getInt(0);
  }

  /**
   * An AF_PACKET socket like {@link #packetSocket} that receives nothing yet (protocol 0): it starts
   * with {@link #bindPacketAll}, once its receive ring is set up.
   */
  public static int packetSocketUnbound(String what) throws ErrnoException {
    try {
      if (Failpoint.ACTIVE) {
        Failpoint.hit("socket(AF_PACKET, SOCK_RAW, 0)", what);
      }
      return LibC.socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, 0);
    } catch (LastErrorException e) {
      throw new ErrnoException("socket(AF_PACKET, SOCK_RAW, 0)", what, e.getErrorCode());
    }
  }

  /** Binds an AF_PACKET socket to every frame ({@code ETH_P_ALL}) of every interface of its namespace. */
  public static void bindPacketAll(int fd, String what) throws ErrnoException {
    Memory address = new Memory(20); // struct sockaddr_ll
    address.clear();
    address.setShort(0, (short) AF_PACKET); // sll_family
    address.setShort(2, (short) htons(ETH_P_ALL)); // sll_protocol, network order; sll_ifindex 0: every interface
    try {
      if (Failpoint.ACTIVE) {
        Failpoint.hit("bind(AF_PACKET, ETH_P_ALL)", what);
      }
      LibC.bind(fd, address, (int) address.size());
    } catch (LastErrorException e) {
      throw new ErrnoException("bind(AF_PACKET, ETH_P_ALL)", what, e.getErrorCode());
    }
  }

  /** setsockopt with a struct value ({@code value.size()} bytes); {@code name} names the option in the error. */
  public static void setsockopt(int fd, int level, int option, Memory value, String name, String what)
      throws ErrnoException {
    try {
      if (Failpoint.ACTIVE) {
        Failpoint.hit("setsockopt(" + name + ")", what);
      }
      LibC.setsockopt(fd, level, option, value, (int) value.size());
    } catch (LastErrorException e) {
      throw new ErrnoException("setsockopt(" + name + ")", what, e.getErrorCode());
    }
  }

  /** Maps {@code length} bytes of {@code fd} (a socket's ring) shared, readable and writable. */
  public static Pointer mmapShared(int fd, long length, String what) throws ErrnoException {
    try {
      if (Failpoint.ACTIVE) {
        Failpoint.hit("mmap", what);
      }
      Pointer mapped = LibC.mmap(null, length, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
      if (mapped == null || Pointer.nativeValue(mapped) == -1L) {
        throw new ErrnoException("mmap", what, Errno.EINVAL);
      }
      return mapped;
    } catch (LastErrorException e) {
      throw new ErrnoException("mmap", what, e.getErrorCode());
    }
  }

  /** Unmaps what {@link #mmapShared} mapped; an error is ignored, as there is nothing a caller could do. */
  public static void munmapQuietly(Pointer address, long length) {
    try {
      LibC.munmap(address, length);
    } catch (LastErrorException ignored) {
      // munmap fails only for an address that was not mapped
    }
  }

  private static int htons(int value) {
    return ((value & 0xff) << 8) | ((value >> 8) & 0xff);
  }

  /**
   * Receives up to {@code count} datagrams without waiting into the {@code struct mmsghdr} array at
   * {@code messages}; 0 when none is queued.
   */
  public static int recvmmsg(int fd, Pointer messages, int count, int flags, String what) throws ErrnoException {
    while (true) {
      try {
        return LibC.recvmmsg(fd, messages, count, flags | MSG_DONTWAIT, null);
      } catch (LastErrorException e) {
        if (e.getErrorCode() == Errno.EAGAIN) {
          return 0;
        }
        if (e.getErrorCode() != Errno.EINTR) {
          throw new ErrnoException("recvmmsg", what, e.getErrorCode());
        }
      }
    }
  }

  /** getsockopt into {@code value}; returns the length the kernel wrote. */
  public static int getsockopt(int fd, int level, int name, Memory value, String what) throws ErrnoException {
    int[] length = {(int) value.size()};
    try {
      LibC.getsockopt(fd, level, name, value, length);
      return length[0];
    } catch (LastErrorException e) {
      throw new ErrnoException("getsockopt", what, e.getErrorCode());
    }
  }

  private static final ThreadLocal<Memory> EPOLL_EVENT = ThreadLocal.withInitial(() -> new Memory(EPOLL_EVENT_SIZE));

  public static int epollCreate() throws ErrnoException {
    try {
      return LibC.epoll_create1(EPOLL_CLOEXEC);
    } catch (LastErrorException e) {
      throw new ErrnoException("epoll_create1", "", e.getErrorCode());
    }
  }

  /** Watches {@code fd} for input; {@code token} comes back in the event's data. */
  public static void epollAdd(int epfd, int fd, long token, String what) throws ErrnoException {
    Memory event = EPOLL_EVENT.get(); // a struct epoll_event per thread: a recording starts without a malloc
    event.clear();
    event.setInt(0, EPOLLIN);
    event.setLong(EPOLL_DATA_OFFSET, token);
    try {
      LibC.epoll_ctl(epfd, EPOLL_CTL_ADD, fd, event);
    } catch (LastErrorException e) {
      throw new ErrnoException("epoll_ctl(EPOLL_CTL_ADD)", what, e.getErrorCode());
    }
  }

  public static void epollDelete(int epfd, int fd, String what) throws ErrnoException {
    try {
      LibC.epoll_ctl(epfd, EPOLL_CTL_DEL, fd, null); // the event is ignored since Linux 2.6.9
    } catch (LastErrorException e) {
      throw new ErrnoException("epoll_ctl(EPOLL_CTL_DEL)", what, e.getErrorCode());
    }
  }

  /** Waits up to {@code timeoutMillis} for events; 0 on timeout or interruption by a signal. */
  public static int epollWait(int epfd, Memory events, int timeoutMillis) throws ErrnoException {
    try {
      return LibC.epoll_wait(epfd, events, (int) (events.size() / EPOLL_EVENT_SIZE), timeoutMillis);
    } catch (LastErrorException e) {
      if (e.getErrorCode() == Errno.EINTR) {
        return 0;
      }
      throw new ErrnoException("epoll_wait", "", e.getErrorCode());
    }
  }

  /** setsockopt with an int value, quietly: false when refused (e.g. SO_RCVBUFFORCE without CAP_NET_ADMIN). */
  public static boolean trySetsockoptInt(int fd, int level, int name, int value) {
    try {
      LibC.setsockopt(fd, level, name, new int[] {value}, 4);
      return true;
    } catch (LastErrorException e) {
      return false;
    }
  }
}
