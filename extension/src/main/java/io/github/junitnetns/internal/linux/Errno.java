package io.github.junitnetns.internal.linux;

import java.util.HashMap;
import java.util.Map;

/** Linux errno values by name, as in {@code asm-generic/errno-base.h} and {@code errno.h}. */
public final class Errno {
  public static final int EPERM = 1;
  public static final int ENOENT = 2;
  public static final int ESRCH = 3;
  public static final int EINTR = 4;
  public static final int EBADF = 9;
  public static final int EAGAIN = 11;
  public static final int ENOMEM = 12;
  public static final int EACCES = 13;
  public static final int EBUSY = 16;
  public static final int EEXIST = 17;
  public static final int ENODEV = 19;
  public static final int ENOTDIR = 20;
  public static final int EINVAL = 22;
  public static final int ENFILE = 23;
  public static final int EMFILE = 24;
  public static final int ENOSPC = 28;
  public static final int ERANGE = 34;
  public static final int ENOSYS = 38;
  public static final int ENOTEMPTY = 39;
  public static final int ENODATA = 61;
  public static final int EPROTONOSUPPORT = 93;
  public static final int EOPNOTSUPP = 95;
  public static final int EAFNOSUPPORT = 97;
  public static final int EADDRINUSE = 98;
  public static final int EADDRNOTAVAIL = 99;
  public static final int ENETDOWN = 100;
  public static final int ENETUNREACH = 101;
  public static final int ENOBUFS = 105;
  public static final int ETIMEDOUT = 110;
  public static final int ECONNREFUSED = 111;
  public static final int EHOSTUNREACH = 113;
  public static final int EMSGSIZE = 90;
  public static final int ENOPROTOOPT = 92;

  private static final Map<Integer, String[]> NAMES = new HashMap<>();

  static {
    name(EPERM, "EPERM", "Operation not permitted");
    name(ENOENT, "ENOENT", "No such file or directory");
    name(ESRCH, "ESRCH", "No such process");
    name(EINTR, "EINTR", "Interrupted system call");
    name(EBADF, "EBADF", "Bad file descriptor");
    name(EAGAIN, "EAGAIN", "Resource temporarily unavailable");
    name(ENOMEM, "ENOMEM", "Cannot allocate memory");
    name(EACCES, "EACCES", "Permission denied");
    name(EBUSY, "EBUSY", "Device or resource busy");
    name(EEXIST, "EEXIST", "File exists");
    name(ENODEV, "ENODEV", "No such device");
    name(ENOTDIR, "ENOTDIR", "Not a directory");
    name(EINVAL, "EINVAL", "Invalid argument");
    name(ENFILE, "ENFILE", "Too many open files in system");
    name(EMFILE, "EMFILE", "Too many open files");
    name(ENOSPC, "ENOSPC", "No space left on device");
    name(ERANGE, "ERANGE", "Numerical result out of range");
    name(ENOSYS, "ENOSYS", "Function not implemented");
    name(ENOTEMPTY, "ENOTEMPTY", "Directory not empty");
    name(ENODATA, "ENODATA", "No data available");
    name(EMSGSIZE, "EMSGSIZE", "Message too long");
    name(ENOPROTOOPT, "ENOPROTOOPT", "Protocol not available");
    name(EPROTONOSUPPORT, "EPROTONOSUPPORT", "Protocol not supported");
    name(EOPNOTSUPP, "EOPNOTSUPP", "Operation not supported");
    name(EAFNOSUPPORT, "EAFNOSUPPORT", "Address family not supported by protocol");
    name(EADDRINUSE, "EADDRINUSE", "Address already in use");
    name(EADDRNOTAVAIL, "EADDRNOTAVAIL", "Cannot assign requested address");
    name(ENETDOWN, "ENETDOWN", "Network is down");
    name(ENETUNREACH, "ENETUNREACH", "Network is unreachable");
    name(ENOBUFS, "ENOBUFS", "No buffer space available");
    name(ETIMEDOUT, "ETIMEDOUT", "Connection timed out");
    name(ECONNREFUSED, "ECONNREFUSED", "Connection refused");
    name(EHOSTUNREACH, "EHOSTUNREACH", "No route to host");
  }

  private Errno() {}

  private static void name(int errno, String name, String description) {
    NAMES.put(errno, new String[] {name, description});
  }

  /** The symbolic name, e.g. {@code EEXIST}, or {@code errno 123} for one not in the table. */
  public static String name(int errno) {
    String[] entry = NAMES.get(errno);
    return entry == null ? "errno " + errno : entry[0];
  }

  /** The name with the libc description, e.g. {@code EEXIST (File exists)}. */
  public static String describe(int errno) {
    String[] entry = NAMES.get(errno);
    return entry == null ? "errno " + errno : entry[0] + " (" + entry[1] + ")";
  }
}
