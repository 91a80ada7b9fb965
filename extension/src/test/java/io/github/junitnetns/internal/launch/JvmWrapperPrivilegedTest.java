package io.github.junitnetns.internal.launch;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.junitnetns.internal.launch.JvmWrapper.Mode;
import io.github.junitnetns.internal.launch.JvmWrapper.Result;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The rootless wrapper for real: a JVM started through it is root in a user namespace of its own
 * (uid 0 mapped to the caller's uid), in a network namespace of its own whose {@code lo} is up
 * before Java starts, so that it has IPv6 (it can bind {@code ::1}). Needs user namespaces (root,
 * or an unprivileged user where they are allowed).
 */
@Tag("privileged")
class JvmWrapperPrivilegedTest {

  @TempDir
  Path dir;

  @Test
  void theRootlessWrapperStartsJavaAsRootOfItsOwnUserAndNetworkNamespaces() throws Exception {
    Result result = JvmWrapper.prepare(Mode.ROOTLESS, "junitnetns.mode", dir.resolve("out"),
        Path.of(System.getProperty("java.home"), "bin", "java"));
    Path probe = dir.resolve("Probe.java");
    Files.writeString(probe, """
        import java.nio.file.*;
        public class Probe {
          public static void main(String[] args) throws Exception {
            System.out.println("uid_map " + Files.readString(Path.of("/proc/self/uid_map")).trim().replaceAll("\\\\s+", " "));
            System.out.println("netns " + Files.readSymbolicLink(Path.of("/proc/self/ns/net")));
            try (var server = new java.net.ServerSocket(0, 1, java.net.InetAddress.getByName("::1"))) {
              System.out.println("ipv6 bound " + server.getInetAddress().getHostAddress());
            }
          }
        }
        """);
    Process java = new ProcessBuilder(result.wrapper().orElseThrow().toString(), probe.toString())
        .redirectErrorStream(true).start();
    String output = new String(java.getInputStream().readAllBytes());
    assertThat(java.waitFor()).as(output).isZero();
    String uid = Files.readAllLines(Path.of("/proc/self/status")).stream().filter(l -> l.startsWith("Uid:"))
        .findFirst().orElseThrow().split("\\s+")[2];
    assertThat(output).as(output)
        .contains("uid_map 0 " + uid + " 1")
        .doesNotContain("netns " + Files.readSymbolicLink(Path.of("/proc/self/ns/net")))
        .contains("ipv6 bound 0:0:0:0:0:0:0:1");
  }
}
