package io.github.junitnetns.internal.linux;

import com.sun.jna.LastErrorException;
import com.sun.jna.Memory;

/**
 * Checked wrappers over {@link LibC}: each failure becomes an {@link ErrnoException} that names
 * the call and the object it was made on.
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
  // sys/mount.h
  public static final long MS_BIND = 0x1000;
  public static final long MS_REC = 0x4000;
  public static final long MS_SLAVE = 1 << 19;
  public static final int MNT_DETACH = 2;

  private Syscalls() {}

  /** Moves the calling thread into a new, empty network namespace. */
  public static void unshareNet() throws ErrnoException {
    try {
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
      LibC.mount(null, target, null, MS_REC | MS_SLAVE, null);
    } catch (LastErrorException e) {
      throw new ErrnoException("mount --make-rslave", target, e.getErrorCode());
    }
  }

  /** Moves the calling thread into the network namespace behind {@code fd}. */
  public static void setnsNet(int fd, String what) throws ErrnoException {
    try {
      LibC.setns(fd, CLONE_NEWNET);
    } catch (LastErrorException e) {
      throw new ErrnoException("setns(CLONE_NEWNET)", what, e.getErrorCode());
    }
  }

  /** Opens {@code path} read-only with O_CLOEXEC, so child processes never inherit the descriptor. */
  public static int openReadOnly(String path) throws ErrnoException {
    try {
      return LibC.open(path, O_RDONLY | O_CLOEXEC);
    } catch (LastErrorException e) {
      throw new ErrnoException("open", path, e.getErrorCode());
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
}
