package io.github.junitnetns.testsupport;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/** What the kernel says, read straight from /proc, independent of the code under test. */
public final class Kernel {
  private Kernel() {}

  /** The calling thread's network namespace, e.g. {@code net:[4026532301]}. */
  public static String currentNetNs() {
    return link(Path.of("/proc/thread-self/ns/net"));
  }

  public static String netNsOfPid(long pid) {
    return link(Path.of("/proc/" + pid + "/ns/net"));
  }

  /** Open descriptors of this JVM that refer to network namespaces. */
  public static long openNetNsDescriptors() {
    try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
      return fds.filter(fd -> {
        try {
          return Files.readSymbolicLink(fd).toString().startsWith("net:[");
        } catch (IOException e) {
          return false; // closed while listing
        }
      }).count();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Whether this JVM may bind-mount, as pinning a namespace needs: root in the mount namespace's
   * owning user namespace. A rootless JVM (unshare -Urn) may not.
   */
  public static boolean canPin() {
    try {
      Path dir = Files.createTempDirectory("junit-netns-can-pin");
      try {
        Path source = Files.createFile(dir.resolve("source"));
        Path target = Files.createFile(dir.resolve("target"));
        io.github.junitnetns.internal.linux.Syscalls.bindMount(source.toString(), target.toString());
        io.github.junitnetns.internal.linux.Syscalls.unmountDetach(target.toString());
        return true;
      } catch (io.github.junitnetns.internal.linux.ErrnoException e) {
        return false;
      } finally {
        try (Stream<Path> files = Files.list(dir)) {
          for (Path file : (Iterable<Path>) files::iterator) {
            Files.delete(file);
          }
        }
        Files.delete(dir);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The entries of /run/netns, sorted; empty when it does not exist. */
  public static List<String> runNetnsEntries() {
    Path dir = Path.of("/run/netns");
    if (!Files.isDirectory(dir)) {
      return List.of();
    }
    try (Stream<Path> entries = Files.list(dir)) {
      return entries.map(p -> p.getFileName().toString()).sorted().collect(Collectors.toList());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Runs a command (e.g. ip(8), to cross-check) and returns its output; fails unless it exits 0
   * within 10 s. The output goes to a file, not a pipe, so that a command that hangs without
   * closing its output cannot keep this waiting past the limit.
   */
  public static String run(String... command) throws IOException, InterruptedException {
    Path output = Files.createTempFile("junit-netns-kernel-run", ".out");
    try {
      Process process = new ProcessBuilder(command).redirectErrorStream(true)
          .redirectOutput(output.toFile()).start();
      boolean ended = process.waitFor(10, TimeUnit.SECONDS);
      if (!ended) {
        process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
      }
      String out = Files.readString(output, StandardCharsets.UTF_8);
      if (!ended || process.exitValue() != 0) {
        throw new AssertionError(String.join(" ", command) + (ended ? " exited with " + process.exitValue()
            : " did not end within 10 s") + "; its output:\n" + out);
      }
      return out;
    } finally {
      Files.deleteIfExists(output);
    }
  }

  private static String link(Path path) {
    try {
      return Files.readSymbolicLink(path).toString();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
