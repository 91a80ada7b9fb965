package io.github.junitnetns.internal.ns;

import io.github.junitnetns.internal.linux.Errno;
import io.github.junitnetns.internal.linux.ErrnoException;
import io.github.junitnetns.internal.linux.Syscalls;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.LongPredicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Pins: bind mounts of namespaces under {@code /run/netns}, where {@code ip netns exec NAME} finds
 * them. Made only for {@code junit.netns.keep-on-failure}; each is named
 * {@code junit-netns-<pid>-<test>-<namespace>}, so that the pid tells whether the JVM that made it
 * is gone, and nothing else in the directory ever matches.
 */
public final class Pins {
  /** Where {@code ip netns} keeps its names. */
  public static final Path RUN_NETNS = Path.of("/run/netns");
  private static final String PREFIX = "junit-netns-";
  private static final Pattern OURS = Pattern.compile("junit-netns-([0-9]{1,10})-.+");
  private static final int MAX_PART = 48;
  private static final AtomicBoolean SWEPT = new AtomicBoolean();

  private Pins() {}

  /** The pin name for namespace {@code ns} of test {@code test}, made by process {@code pid}. */
  public static String name(long pid, String test, String ns) {
    return PREFIX + pid + "-" + part(test) + "-" + part(ns);
  }

  /**
   * Pins {@code ns} as {@code dir/name} (or {@code name-2}, {@code -3}... if taken) and returns the
   * name used. Nothing is left behind when it fails.
   */
  public static String pin(NsHandle ns, Path dir, String name) throws ErrnoException, IOException {
    Files.createDirectories(dir);
    for (int attempt = 1; ; attempt++) {
      String candidate = attempt == 1 ? name : name + "-" + attempt;
      Path target = dir.resolve(candidate);
      try {
        Files.createFile(target);
      } catch (FileAlreadyExistsException e) {
        continue;
      }
      try {
        ns.bindMount(target);
        return candidate;
      } catch (ErrnoException | RuntimeException e) {
        try {
          Files.deleteIfExists(target);
        } catch (IOException ignored) {
          // the empty file stays; the sweep does not need it mounted to remove it
        }
        throw e;
      }
    }
  }

  /** Sweeps {@link #RUN_NETNS} once per JVM; see {@link #sweep(Path, LongPredicate)}. */
  public static List<String> sweepOnce() {
    if (!SWEPT.compareAndSet(false, true)) {
      return List.of();
    }
    return sweep(RUN_NETNS, pid -> Files.exists(Path.of("/proc/" + pid)));
  }

  /**
   * Removes the pins of this library in {@code dir} whose process is no longer {@code alive}:
   * unmounts and deletes them, so the kernel reclaims their namespaces. Entries that do not match
   * {@code junit-netns-<pid>-...} are never touched. Returns the names removed; failures (e.g. no
   * privilege to unmount) leave the pin and are not errors.
   */
  public static List<String> sweep(Path dir, LongPredicate alive) {
    List<String> removed = new ArrayList<>();
    if (!Files.isDirectory(dir)) {
      return removed;
    }
    try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir)) {
      for (Path entry : entries) {
        Matcher matcher = OURS.matcher(entry.getFileName().toString());
        if (!matcher.matches() || alive.test(Long.parseLong(matcher.group(1))) || !Files.isRegularFile(entry)) {
          continue;
        }
        try {
          Syscalls.unmountDetach(entry.toString());
        } catch (ErrnoException e) {
          if (e.errno() != Errno.EINVAL) {
            continue; // EINVAL: not mounted (any more); anything else: leave it alone
          }
        }
        try {
          Files.deleteIfExists(entry);
          removed.add(entry.getFileName().toString());
        } catch (IOException e) {
          // unmounted but still there: harmless, and the next sweep tries again
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("junit-netns: cannot list " + dir + " to remove stale pins", e);
    }
    return removed;
  }

  private static String part(String text) {
    String clean = text.replaceAll("[^A-Za-z0-9._]+", "_");
    return clean.length() <= MAX_PART ? clean : clean.substring(0, MAX_PART);
  }
}
