package io.github.junitnetns;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * The {@code net.*} sysctls of a namespace, read and written under /proc/sys from a thread inside
 * (/proc/sys/net follows the reader's namespace), as {@code sysctl(8)} does.
 */
final class Sysctl {
  private Sysctl() {}

  /** Turns on IPv4 and IPv6 forwarding: the namespace routes packets between its interfaces. */
  static void enableForwarding(NetNs ns) {
    set(ns, "net.ipv4.ip_forward", "1");
    set(ns, "net.ipv6.conf.all.forwarding", "1");
  }

  static void set(NetNs ns, String name, String value) {
    Path path = path(name, "setSysctl");
    if (value == null) {
      throw new IllegalArgumentException("setSysctl(\"" + name + "\", null): give a value, e.g. \"1\"");
    }
    try {
      ns.run(() -> write(path, value));
    } catch (IOException e) {
      throw failure(ns, "setSysctl(\"" + name + "\", \"" + value + "\")", "write", path, e);
    }
  }

  static String get(NetNs ns, String name) {
    Path path = path(name, "sysctl");
    try {
      return ns.call(() -> read(path)).trim();
    } catch (IOException e) {
      throw failure(ns, "sysctl(\"" + name + "\")", "read", path, e);
    }
  }

  private static UncheckedIOException failure(NetNs ns, String call, String verb, Path path, IOException e) {
    String why = e instanceof NoSuchFileException
        ? "this kernel has no such setting; check the name (`sysctl -a | grep net.` lists them)"
        : e.getMessage();
    return new UncheckedIOException(call + " in netns " + ns.label() + ": cannot " + verb + " " + path + ": " + why, e);
  }

  /**
   * Reads a /proc/sys file in one read(2): such files report size 0, and their handlers answer a
   * read at a non-zero offset with end-of-file, so reading in small steps (as Files.readString does
   * for size-0 files) returns only the first byte.
   */
  private static String read(Path path) throws IOException {
    try (InputStream in = Files.newInputStream(path)) {
      byte[] buffer = new byte[8192];
      int length = Math.max(0, in.read(buffer));
      return new String(buffer, 0, length, StandardCharsets.US_ASCII);
    }
  }

  /** Writes a /proc/sys file in one write(2), as sysctl(8) does. */
  private static void write(Path path, String value) throws IOException {
    try (FileChannel channel = FileChannel.open(path, StandardOpenOption.WRITE)) {
      ByteBuffer bytes = ByteBuffer.wrap(value.getBytes(StandardCharsets.US_ASCII));
      if (channel.write(bytes) != bytes.capacity()) {
        throw new IOException("short write of \"" + value + "\" to " + path);
      }
    }
  }

  private static Path path(String name, String method) {
    if (name == null || !name.matches("net\\.[A-Za-z0-9_.\\-]+") || name.contains("..")) {
      throw new IllegalArgumentException(method + "(\"" + name + "\"): give a net.* sysctl such as"
          + " net.ipv4.ip_forward; other sysctls are not per network namespace");
    }
    return Path.of("/proc/sys", name.replace('.', '/'));
  }
}
