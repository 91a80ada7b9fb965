package io.github.junitnetns.internal.linux;

/** A failed system call: which call, on what, and the errno. Translated to the public exception at the API edge. */
public final class ErrnoException extends Exception {
  private static final long serialVersionUID = 1L;

  private final String operation;
  private final String object;
  private final int errno;
  private final String detail;

  public ErrnoException(String operation, String object, int errno) {
    this(operation, object, errno, "");
  }

  /** {@code detail} is extra text from the kernel (netlink extended ACK), or empty. */
  public ErrnoException(String operation, String object, int errno, String detail) {
    super(operation + (object.isEmpty() ? "" : " " + object) + ": " + Errno.describe(errno)
        + (detail.isEmpty() ? "" : " - kernel says: " + detail));
    this.operation = operation;
    this.object = object;
    this.errno = errno;
    this.detail = detail;
  }

  public String detail() {
    return detail;
  }

  public String operation() {
    return operation;
  }

  public String object() {
    return object;
  }

  public int errno() {
    return errno;
  }
}
