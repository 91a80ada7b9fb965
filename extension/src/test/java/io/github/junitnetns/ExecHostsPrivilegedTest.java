package io.github.junitnetns;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Processes of {@link NetNs#exec} in a network's namespaces see its names in /etc/hosts (on every
 * JDK): a file of their own, bind-mounted in a mount namespace of their own; the host's file is
 * never touched, and processes of namespaces without names see the host's as before.
 */
@Tag("privileged")
class ExecHostsPrivilegedTest {
  private static final Path HOSTS = Path.of("/etc/hosts");

  private static String run(NetNs ns, ProcessBuilder builder) throws Exception {
    Process process = ns.exec(builder);
    assertThat(process.waitFor(30, TimeUnit.SECONDS)).isTrue();
    assertThat(process.exitValue()).as("%s: %s", builder.command(), ns.output(process)).isZero();
    return ns.output(process);
  }

  private static String run(NetNs ns, String... command) throws Exception {
    return run(ns, new ProcessBuilder(command));
  }

  @Test
  void getentFindsTheNamesAndTheHostsFileStaysByteForByte(@TempDir Path dir) throws Exception {
    byte[] before = Files.readAllBytes(HOSTS);
    try (Network net = Network.builder()
        .veth("client", "server", "10.14.8.0/24")
        .veth("client", "server", "fd00:14:8::/64")
        .build()) {
      NetNs client = net.ns("client");
      // getent hosts prints one address (glibc asks for IPv6 first); ahosts lists both.
      assertThat(run(client, "getent", "hosts", "server")).matches("(10\\.14\\.8\\.2|fd00:14:8::2) +server\n");
      assertThat(run(client, "getent", "ahosts", "server")).contains("10.14.8.2 ").contains("fd00:14:8::2 ");
      assertThat(run(net.ns("server"), "getent", "ahostsv4", "client")).startsWith("10.14.8.1 ");
      String hosts = run(client, "cat", "/etc/hosts");
      assertThat(hosts).startsWith("# junit-netns: the names of this test's namespaces, then the host's /etc/hosts\n"
          + "10.14.8.1\tclient\nfd00:14:8::1\tclient\n10.14.8.2\tserver\nfd00:14:8::2\tserver\n\n");
      assertThat(hosts).endsWith("\n" + new String(before, java.nio.charset.StandardCharsets.UTF_8));
      // The working directory is the one it would have had: the JVM's, or the builder's.
      assertThat(run(client, "pwd")).isEqualTo(Path.of("").toAbsolutePath() + "\n");
      assertThat(run(client, new ProcessBuilder("pwd").directory(dir.toFile()))).isEqualTo(dir + "\n");
      assertThat(Files.readAllBytes(HOSTS)).isEqualTo(before);
      assertThat(Files.readString(Path.of("/proc/self/mountinfo"))).doesNotContain("junit-netns-hosts");
    }
    assertThat(Files.readAllBytes(HOSTS)).isEqualTo(before);
  }

  @Test
  void aNamespaceWithoutNamesKeepsTheJvmsMountNamespace() throws Exception {
    String jvm = Files.readSymbolicLink(Path.of("/proc/self/ns/mnt")).toString();
    try (NetNs alone = NetNs.create("alone")) {
      assertThat(run(alone, "readlink", "/proc/self/ns/mnt")).isEqualTo(jvm + "\n");
    }
    try (Network net = Network.builder().veth("a", "b", "10.14.9.0/30").build()) {
      assertThat(run(net.ns("a"), "readlink", "/proc/self/ns/mnt")).isNotEqualTo(jvm + "\n");
    }
  }
}
