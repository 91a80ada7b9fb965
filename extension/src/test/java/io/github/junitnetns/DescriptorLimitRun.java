package io.github.junitnetns;

import com.sun.jna.Library;
import com.sun.jna.Native;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/**
 * The child JVM's side of {@link DescriptorLimitPrivilegedTest}: builds a topology (two veths
 * through a router, a host-end veth, a bridge of three) with RLIMIT_NOFILE lowered one descriptor
 * at a time until it no longer fits, and prints one line per fact, {@code key=value}.
 */
public final class DescriptorLimitRun {
  private static final int RLIMIT_NOFILE = 7;

  interface C extends Library {
    C LIBC = Native.load("c", C.class);

    int getrlimit(int resource, long[] limits);

    int setrlimit(int resource, long[] limits);
  }

  static Network build() {
    return Network.builder()
        .forwarding("router")
        .veth("a", "router", "10.74.1.0/24")
        .veth("router", "b", "10.74.2.0/24")
        .veth("c", Network.HOST, "10.74.9.0/30")
        .bridge("lan", "10.74.3.0/24", "a", "b", "c")
        .build();
  }

  public static void main(String[] args) throws Exception {
    build().close(); // loads every class the topology needs: class loading opens jars
    quiet();
    long[] limits = new long[2];
    check(C.LIBC.getrlimit(RLIMIT_NOFILE, limits), "getrlimit");
    long soft = limits[0];
    int base = fds();
    int built;
    try (Network net = build()) {
      built = fds();
    }
    quiet();
    System.out.println("base=" + base);
    System.out.println("built=" + built);
    String hostPrefix = "jn" + Long.toString(ProcessHandle.current().pid(), 36) + "-";
    for (long limit = built + 4; limit > base; limit--) {
      limits[0] = limit;
      check(C.LIBC.setrlimit(RLIMIT_NOFILE, limits), "setrlimit");
      try {
        build().close();
      } catch (NetNsException e) {
        limits[0] = soft;
        check(C.LIBC.setrlimit(RLIMIT_NOFILE, limits), "setrlimit");
        System.out.println("refusedAt=" + limit);
        System.out.println("message=" + e.getMessage());
        System.out.println("suppressed=" + e.getSuppressed().length);
        quiet();
        System.out.println("fdsAfter=" + fds());
        System.out.println("threadsOutside=" + threadsOutsideHome());
        System.out.println("hostLinksLeft=" + hostLinks(hostPrefix));
        break;
      }
    }
    limits[0] = soft;
    check(C.LIBC.setrlimit(RLIMIT_NOFILE, limits), "setrlimit");
    build().close();
    System.out.println("next=ok");
  }

  private static void check(int result, String call) {
    if (result != 0) {
      throw new IllegalStateException(call + " failed: errno " + Native.getLastError());
    }
  }

  /** Lets carriers finish going home after their last lease. */
  private static void quiet() throws InterruptedException {
    Thread.sleep(300);
  }

  private static int fds() throws IOException {
    try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
      return (int) fds.count() - 1;
    }
  }

  private static long threadsOutsideHome() throws IOException {
    String home = Files.readSymbolicLink(Path.of("/proc/self/ns/net")).toString();
    try (Stream<Path> tasks = Files.list(Path.of("/proc/self/task"))) {
      return tasks.filter(t -> {
        try {
          return !Files.readSymbolicLink(t.resolve("ns/net")).toString().equals(home);
        } catch (IOException e) {
          return false; // ended meanwhile
        }
      }).count();
    }
  }

  private static List<String> hostLinks(String prefix) throws IOException, InterruptedException {
    Process ip = new ProcessBuilder("ip", "-o", "link", "show").start();
    String out = new String(ip.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    ip.waitFor();
    return out.lines().filter(l -> l.contains(prefix)).toList();
  }
}
