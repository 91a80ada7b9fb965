package io.github.junitnetns.internal.linux;

import com.sun.jna.LastErrorException;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A testing aid for the library's own tests (fault injection): counts the kernel requests of this
 * JVM, or makes the N-th one fail as if the kernel had refused it. Set once, at start-up, with the
 * system property {@value #PROPERTY}:
 *
 * <pre>
 *   -Djunitnetns.failpoint=7:ENOBUFS   the 7th request fails with ENOBUFS (an errno name or number)
 *   -Djunitnetns.failpoint=count       at exit, prints "junitnetns.failpoint count=N" to stderr
 * </pre>
 *
 * <p>A request is each {@code send} (so each netlink request or batch: every message kind,
 * whoever builds it), and each {@code unshare}, {@code setns}, {@code open} and {@code socket}
 * made through {@link Syscalls}, counted from 1 in the order they are made. The chosen one throws
 * {@link LastErrorException} with the errno before libc is called, so it takes exactly the path a
 * real refusal takes. Unset, {@link #ACTIVE} is a {@code static final false} and the JIT removes
 * the checks.
 */
public final class Failpoint {
  /** The system property that turns the failpoint on. */
  public static final String PROPERTY = "junitnetns.failpoint";

  /** Whether the property is set (in either form). */
  static final boolean ACTIVE;
  private static final Setting SETTING;
  private static final AtomicLong COUNT = new AtomicLong();
  private static volatile String injected;

  /** A parsed value: {@code target == 0} means count only. */
  public record Setting(long target, int errno) {
    public boolean countOnly() {
      return target == 0;
    }
  }

  static {
    String value = System.getProperty(PROPERTY);
    SETTING = value == null ? null : parse(value);
    ACTIVE = SETTING != null;
    if (ACTIVE) {
      Thread report = new Thread(Failpoint::report, "junit-netns-failpoint-report");
      Runtime.getRuntime().addShutdownHook(report);
    }
  }

  private Failpoint() {}

  /**
   * Parses a value of {@value #PROPERTY}: {@code count}, or {@code N:ERRNO} with N &gt;= 1 and ERRNO
   * a name such as {@code ENOBUFS} or a number.
   *
   * @throws IllegalArgumentException naming the property and the forms it takes
   */
  public static Setting parse(String value) {
    String trimmed = value.trim();
    if (trimmed.equals("count")) {
      return new Setting(0, 0);
    }
    int colon = trimmed.indexOf(':');
    if (colon > 0) {
      try {
        long target = Long.parseLong(trimmed.substring(0, colon).trim());
        int errno = errno(trimmed.substring(colon + 1).trim());
        if (target >= 1 && errno > 0) {
          return new Setting(target, errno);
        }
      } catch (NumberFormatException e) {
        // refused below
      }
    }
    throw new IllegalArgumentException("-D" + PROPERTY + "=" + value + " is not a failpoint: give N:ERRNO to fail the"
        + " N-th kernel request (N from 1) with that errno, e.g. " + PROPERTY + "=7:ENOBUFS, or " + PROPERTY
        + "=count to print how many requests the JVM made.");
  }

  private static int errno(String text) {
    if (!text.isEmpty() && text.chars().allMatch(Character::isDigit)) {
      return Integer.parseInt(text);
    }
    for (int errno = 1; errno <= 133; errno++) {
      if (Errno.name(errno).equals(text)) {
        return errno;
      }
    }
    return -1;
  }

  /**
   * Counts one request; throws as libc would for the chosen one. Call it inside the {@code try} of
   * the real call, guarded by {@code if (Failpoint.ACTIVE)}. {@code call} and {@code object} say
   * what it was, for the report at exit.
   */
  static void hit(String call, String object) {
    long n = COUNT.incrementAndGet();
    if (n == SETTING.target()) {
      injected = call + (object.isEmpty() ? "" : " " + object) + " on thread " + Thread.currentThread().getName();
      throw new LastErrorException(SETTING.errno());
    }
  }

  /**
   * Whether the failpoint is set. Background work that would make the order of requests differ
   * from run to run (spare namespaces made ahead of need) is off then, so that the N-th request is
   * the same one in every run.
   */
  public static boolean active() {
    return ACTIVE;
  }

  /** Requests counted so far (0 when the failpoint is off): lets a harness see where its test's requests begin. */
  public static long count() {
    return COUNT.get();
  }

  /** What the chosen request was ({@code send netlink socket in ... on thread ...}), or null before (or without) it. */
  public static String injected() {
    return injected;
  }

  private static void report() {
    if (SETTING.countOnly()) {
      System.err.println(PROPERTY + " count=" + COUNT.get());
    } else {
      String what = injected;
      System.err.println(PROPERTY + " " + SETTING.target() + ":" + Errno.name(SETTING.errno()) + " "
          + (what == null ? "not reached" : "injected into " + what) + " (count=" + COUNT.get() + ")");
    }
  }
}
