package io.github.junitnetns;

import java.net.ServerSocket;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * The child JVM's side of {@link FirstNioUsePrivilegedTest}: the JVM's very first file channel and
 * socket are opened inside a namespace; then the namespace is closed, and a bridge it was plugged
 * into tells whether the kernel destroyed it (its port goes with it). Prints one line.
 */
public final class FirstNioUseRun {
  public static void main(String[] args) throws Exception {
    try (Bridge lan = Bridge.create("lan")) {
      NetNs ns = NetNs.create("first-nio");
      lan.attach(ns, "eth0");
      ns.run(() -> {
        FileChannel.open(Path.of("/dev/null"), StandardOpenOption.READ).close();
        new ServerSocket(8080).close();
      });
      ns.close();
      long start = System.nanoTime();
      while (lan.netNs().links().size() > 2) { // lo and the bridge remain
        if (System.nanoTime() - start > 10_000_000_000L) {
          System.out.println("pinned: the kernel did not destroy the namespace within 10 s: " + lan.netNs().links());
          return;
        }
        Thread.sleep(5);
      }
      System.out.printf("reclaimed in %.0f ms%n", (System.nanoTime() - start) / 1e6);
    }
  }
}
