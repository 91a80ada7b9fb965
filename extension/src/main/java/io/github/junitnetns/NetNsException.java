package io.github.junitnetns;

import io.github.junitnetns.internal.linux.Errno;
import io.github.junitnetns.internal.linux.ErrnoException;
import io.github.junitnetns.internal.ns.Privileges;
import java.util.Map;
import java.util.TreeMap;

/**
 * The kernel refused an operation on a namespace, link, address, route or rule. The message
 * says what was tried, on what, and why, e.g.
 * {@code RTM_NEWLINK veth eth0@client <-> eth0@server: EEXIST (File exists)}.
 *
 * <pre>{@code
 * try {
 *   NetNs.create("x");
 * } catch (NetNsException e) {
 *   if (e.is("EPERM")) { ... } // not privileged: the message says how to run with privileges
 *   throw e;
 * }
 * }</pre>
 */
public class NetNsException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /** The largest errno of Linux (EHWPOISON, asm-generic/errno.h). */
  private static final int MAX_ERRNO = 133;

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

  /** The errno's symbolic name, e.g. {@code EEXIST}; to test for one, use {@link #is(String)}. */
  public String errnoName() {
    return Errno.name(errno);
  }

  /**
   * Whether the kernel returned the errno called {@code errnoName}, e.g. {@code e.is("EEXIST")}.
   * The name is checked, so a misspelt one fails loudly instead of never matching.
   *
   * <pre>{@code
   * try {
   *   VethPair.create(a, "eth0", b, "eth0");
   * } catch (NetNsException e) {
   *   if (!e.is("EEXIST")) {
   *     throw e;
   *   }
   *   // a name is taken: NetNs.links() lists the ones in use
   * }
   * }</pre>
   *
   * @param errnoName a Linux errno name in capitals, as {@link #errnoName()} gives it, e.g.
   *     {@code EPERM}, {@code ENOENT}, {@code EEXIST}, {@code ENODEV}, {@code EBUSY}
   * @throws IllegalArgumentException if {@code errnoName} is not an errno name junit-netns knows
   *     (for others, compare {@link #errno()} with the number)
   */
  public boolean is(String errnoName) {
    Integer number = errnoName == null ? null : ERRNOS.get(errnoName);
    if (number == null) {
      throw new IllegalArgumentException("NetNsException.is(" + (errnoName == null ? "null" : "\"" + errnoName + "\"")
          + "): not an errno name junit-netns knows; give one of " + String.join(", ", ERRNOS.keySet())
          + ", or compare errno() with the number");
    }
    return errno == number;
  }

  /** The errno numbers by name, of every errno {@link Errno} names. */
  private static final Map<String, Integer> ERRNOS = new TreeMap<>();

  static {
    for (int errno = 1; errno <= MAX_ERRNO; errno++) {
      String name = Errno.name(errno);
      if (!name.equals("errno " + errno)) {
        ERRNOS.put(name, errno);
      }
    }
  }

  /** What to do about EPERM, for the build tool that started this JVM. */
  static String privileges() {
    return "junit-netns needs CAP_SYS_ADMIN and CAP_NET_ADMIN: " + Privileges.advice();
  }

  /** The public form of a failed system call: the kernel's words, and for EPERM how to run with privileges. */
  static NetNsException of(ErrnoException e) {
    String detail = e.detail().isEmpty() ? "" : "kernel says: " + e.detail();
    if (e.errno() == Errno.EPERM) {
      detail += (detail.isEmpty() ? "" : "; ") + privileges();
    }
    return new NetNsException(e.operation(), e.object(), e.errno(), detail);
  }
}
