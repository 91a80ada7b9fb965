package io.github.junitnetns.benchmarks.soak;

import com.sun.jna.Library;
import com.sun.jna.Native;
import com.sun.jna.NativeLong;
import io.github.junitnetns.internal.ns.ThreadDump;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Stream;

/** What this JVM holds, read from /proc (and one ioctl per socket), at one moment. */
public record Probe(long fds, long tasks, long javaThreads, long rssKb, long netnsJvm, long netnsSystem) {
  /** The metrics in table and JSON order, with the JSON key of each. */
  static final List<String> KEYS = List.of("fds", "tasks", "java_threads", "rss_kb", "netns_jvm", "netns_system");

  long get(String key) {
    switch (key) {
      case "fds": return fds;
      case "tasks": return tasks;
      case "java_threads": return javaThreads;
      case "rss_kb": return rssKb;
      case "netns_jvm": return netnsJvm;
      case "netns_system": return netnsSystem;
      default: throw new IllegalArgumentException(key);
    }
  }

  public static Probe take() {
    return new Probe(list("/proc/self/fd").size() - 1L, // less the descriptor listing them
        list("/proc/self/task").size(), Thread.activeCount(), readRssKb(),
        namespacesOfThisJvm().size(), namespacesOnTheSystem());
  }

  /**
   * The network namespaces this JVM keeps alive: those its descriptors open, its threads are in,
   * its sockets belong to (SIOCGSKNS), and its child processes are in. The host's is one of them.
   */
  public static Set<String> namespacesOfThisJvm() {
    Set<String> ids = new HashSet<>();
    for (Path fd : list("/proc/self/fd")) {
      String target = link(fd);
      if (target.startsWith("net:[")) {
        ids.add(target);
      } else if (target.startsWith("socket:[")) {
        socketNamespace(fd).ifPresent(ids::add);
      }
    }
    for (Path task : list("/proc/self/task")) {
      addIfNet(ids, link(task.resolve("ns/net")));
    }
    ProcessHandle.current().descendants().forEach(p -> addIfNet(ids, link(Path.of("/proc/" + p.pid() + "/ns/net"))));
    return ids;
  }

  /**
   * Threads of this JVM outside the JVM's own namespace, by Java name (found by thread id in a
   * thread dump, taken only if there is one; else the kernel's comm, cut to 15 characters) and namespace.
   */
  public static Map<String, Integer> threadsOutsideHome() {
    String home = link(Path.of("/proc/self/ns/net"));
    Map<String, Integer> found = new TreeMap<>();
    ThreadDump dump = null;
    for (Path task : list("/proc/self/task")) {
      String ns = link(task.resolve("ns/net"));
      if (!ns.isEmpty() && !ns.equals(home)) {
        String name;
        try {
          name = Files.readString(task.resolve("comm")).trim();
        } catch (IOException e) {
          continue; // ended meanwhile
        }
        if (dump == null) {
          dump = ThreadDump.take();
        }
        name = dump.thread(Integer.parseInt(task.getFileName().toString())).map(ThreadDump.JavaThread::name).orElse(name);
        found.merge(name + " in " + ns, 1, Integer::sum);
      }
    }
    return found;
  }

  /** Distinct network namespaces of all processes and threads on the machine (others' included). */
  private static long namespacesOnTheSystem() {
    Set<String> ids = new HashSet<>();
    for (Path process : list("/proc")) {
      if (!process.getFileName().toString().chars().allMatch(Character::isDigit)) {
        continue;
      }
      for (Path task : list(process + "/task")) {
        addIfNet(ids, link(task.resolve("ns/net")));
      }
    }
    return ids.size();
  }

  private static long readRssKb() {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
        if (line.startsWith("VmRSS:")) {
          return Long.parseLong(line.replaceAll("[^0-9]", ""));
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    throw new IllegalStateException("no VmRSS in /proc/self/status");
  }

  private interface C extends Library {
    C LIBC = Native.load("c", C.class);

    int ioctl(int fd, NativeLong request);

    int close(int fd);
  }

  /** linux/sockios.h: a descriptor of the network namespace a socket belongs to. */
  private static final long SIOCGSKNS = 0x894C;

  private static java.util.Optional<String> socketNamespace(Path fdLink) {
    int fd;
    try {
      fd = Integer.parseInt(fdLink.getFileName().toString());
    } catch (NumberFormatException e) {
      return java.util.Optional.empty();
    }
    int nsFd = C.LIBC.ioctl(fd, new NativeLong(SIOCGSKNS));
    if (nsFd < 0) {
      return java.util.Optional.empty(); // closed meanwhile, or not a socket any more
    }
    try {
      return java.util.Optional.of(link(Path.of("/proc/self/fd/" + nsFd))).filter(s -> s.startsWith("net:["));
    } finally {
      C.LIBC.close(nsFd);
    }
  }

  private static void addIfNet(Set<String> ids, String target) {
    if (target.startsWith("net:[")) {
      ids.add(target);
    }
  }

  private static List<Path> list(String dir) {
    try (Stream<Path> entries = Files.list(Path.of(dir))) {
      return entries.collect(java.util.stream.Collectors.toCollection(ArrayList::new));
    } catch (IOException e) {
      return List.of(); // a process that ended while listing
    }
  }

  private static String link(Path path) {
    try {
      return Files.readSymbolicLink(path).toString();
    } catch (IOException e) {
      return "";
    }
  }

  /**
   * A quiet point: waits until the OS thread count has held still for {@code stableMillis}
   * (polling every {@code pollMillis}, at most {@code limitMillis}), then collects garbage twice,
   * {@code gcPauseMillis} apart, so that sockets nobody closed are closed by their cleaners; then
   * takes the probe.
   */
  public static Probe settled(long stableMillis, long limitMillis, long pollMillis, long gcPauseMillis) {
    long deadline = System.currentTimeMillis() + limitMillis;
    long last = -1;
    long stableSince = System.currentTimeMillis();
    while (System.currentTimeMillis() < deadline) {
      long tasks = take().tasks();
      if (tasks != last) {
        last = tasks;
        stableSince = System.currentTimeMillis();
      } else if (System.currentTimeMillis() - stableSince >= stableMillis) {
        break;
      }
      pause(pollMillis);
    }
    for (int i = 0; i < 2; i++) {
      System.gc();
      pause(gcPauseMillis);
    }
    return take();
  }

  private static void pause(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
