package io.github.junitnetns;

import io.github.junitnetns.internal.linux.Errno;
import io.github.junitnetns.internal.linux.ErrnoException;

/**
 * The kernel refused an operation on a namespace, link, address, route or rule. The message
 * says what was tried, on what, and why, e.g.
 * {@code RTM_NEWLINK veth eth0@client <-> eth0@server: EEXIST (File exists)}.
 *
 * <pre>{@code
 * try {
 *   NetNs.create("x");
 * } catch (NetNsException e) {
 *   if (e.errnoName().equals("EPERM")) { ... } // not privileged: run as root or under unshare -Urn
 * }
 * }</pre>
 */
public class NetNsException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final String operation;
  private final String object;
  private final int errno;
  private final String detail;

  /**
   * @param operation the system call or netlink message, e.g. {@code RTM_NEWLINK}
   * @param object what it was done to, e.g. {@code veth eth0@client <-> eth0@server}
   * @param errno the error number the kernel returned
   * @param detail extra words (the kernel's extended-ACK text, a hint), or empty
   */
  public NetNsException(String operation, String object, int errno, String detail) {
    super(operation + (object.isEmpty() ? "" : " " + object) + ": " + Errno.describe(errno)
        + (detail.isEmpty() ? "" : " - " + detail));
    this.operation = operation;
    this.object = object;
    this.errno = errno;
    this.detail = detail;
  }

  /** The extra words after the errno (kernel text, a hint), or empty; for adding a hint in the library. */
  String detail() {
    return detail;
  }

  /** The system call or netlink message that failed, e.g. {@code RTM_NEWLINK} or {@code setns}. */
  public String operation() {
    return operation;
  }

  /** What the operation was applied to, e.g. a link or a namespace. */
  public String object() {
    return object;
  }

  /** The errno the kernel returned, e.g. 17. */
  public int errno() {
    return errno;
  }

  /** The errno's symbolic name, e.g. {@code EEXIST}. */
  public String errnoName() {
    return Errno.name(errno);
  }

  /** What to do about EPERM. */
  static final String PRIVILEGES = "junit-netns needs CAP_SYS_ADMIN and CAP_NET_ADMIN: run as root, with sudo,"
      + " or rootless under `unshare --user --map-root-user --net` (unshare -Urn)";

  /** The public form of a failed system call: the kernel's words, and for EPERM how to run with privileges. */
  static NetNsException of(ErrnoException e) {
    String detail = e.detail().isEmpty() ? "" : "kernel says: " + e.detail();
    if (e.errno() == Errno.EPERM) {
      detail += (detail.isEmpty() ? "" : "; ") + PRIVILEGES;
    }
    return new NetNsException(e.operation(), e.object(), e.errno(), detail);
  }
}
