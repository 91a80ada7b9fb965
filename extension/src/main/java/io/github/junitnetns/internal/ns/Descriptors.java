package io.github.junitnetns.internal.ns;

import io.github.junitnetns.internal.linux.Errno;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * What to say when file descriptors run out (EMFILE: this process's RLIMIT_NOFILE; ENFILE: the
 * system's limit) while a topology is built: each namespace holds two for as long as it lives.
 */
public final class Descriptors {
  private Descriptors() {}

  /** Whether {@code errno} means that descriptors ran out. */
  public static boolean ranOut(int errno) {
    return errno == Errno.EMFILE || errno == Errno.ENFILE;
  }

  /**
   * The words after the errno: that descriptors ran out, how many the topology needs, how many
   * this JVM holds without it (call after what was made half-way is closed) and its limit.
   */
  public static String advice(int errno, int needed) {
    String limit = softLimit();
    return "file descriptors ran out" + (errno == Errno.ENFILE ? " on the whole system (fs.file-max)" : "")
        + ": this topology needs " + needed + " while it exists (2 per namespace and bridge: its handle and"
        + " its netlink socket), and this JVM holds " + open() + " without it"
        + (limit.isEmpty() || limit.equals("unlimited") ? "" : ", of at most " + limit + " (RLIMIT_NOFILE)")
        + ". Raise the limit (`ulimit -n`, or LimitNOFILE= for a service), or close namespaces and networks"
        + " that are no longer needed.";
  }

  /** This process's open descriptors now. */
  static int open() {
    int count = 0;
    try (DirectoryStream<Path> fds = Files.newDirectoryStream(Path.of("/proc/self/fd"))) {
      for (Path ignored : fds) {
        count++;
      }
    } catch (IOException e) {
      return -1;
    }
    return count - 1; // less the one listing them
  }

  /** The soft RLIMIT_NOFILE from /proc/self/limits, or empty when unknown. */
  static String softLimit() {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/self/limits"))) {
        if (line.startsWith("Max open files")) {
          String[] fields = line.substring("Max open files".length()).trim().split("\\s+");
          return fields[0];
        }
      }
    } catch (IOException e) {
      // no /proc: say nothing about the limit
    }
    return "";
  }
}
