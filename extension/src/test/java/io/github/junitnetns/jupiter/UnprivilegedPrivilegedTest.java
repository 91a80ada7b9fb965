package io.github.junitnetns.jupiter;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.junitnetns.NetNs;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Without CAP_SYS_ADMIN a test is aborted (shown as skipped) with one line that says how to run
 * it, or failed with {@code junit.netns.unprivileged=fail}; the library's EPERM says the same. Proven in a child JVM started by
 * {@code setpriv} with every capability dropped (root drops them; hence "privileged").
 */
@Tag("privileged")
class UnprivilegedPrivilegedTest {

  private static String runWithoutCapabilities(String... arguments) throws IOException, InterruptedException {
    Path javaBin = Path.of(System.getProperty("java.home"), "bin", "java");
    List<String> command = new java.util.ArrayList<>(List.of("setpriv", "--bounding-set=-all", "--inh-caps=-all",
        "--ambient-caps=-all", "--", javaBin.toString(), "-cp", System.getProperty("java.class.path"),
        UnprivilegedRun.class.getName()));
    command.addAll(List.of(arguments));
    Path log = Files.createTempFile("junit-netns-unprivileged", ".log");
    try {
      Process child = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
      boolean ended = child.waitFor(120, TimeUnit.SECONDS);
      if (!ended) {
        child.destroyForcibly();
      }
      String text = Files.readString(log, StandardCharsets.UTF_8);
      assertThat(ended).as("the child JVM ended in time; its output:%n%s", text).isTrue();
      assertThat(child.exitValue()).as(text).isZero();
      return text;
    } finally {
      Files.deleteIfExists(log);
    }
  }

  @Test
  void withoutPrivilegesTheTestIsSkippedWithOneLineSayingHowToRunIt() throws Exception {
    String out = runWithoutCapabilities("abort");
    assertThat(out).contains("CapEff:\t0000000000000000"); // really no capabilities
    assertThat(out).contains("started=1 aborted=1 failed=0 succeeded=0");
    assertThat(out).contains("reason=junit-netns needs CAP_SYS_ADMIN to create network namespaces"
        + " (unshare(CLONE_NEWNET): EPERM (Operation not permitted)): run the tests as root, with sudo,"
        + " or rootless under `unshare --user --map-root-user --net` (unshare -Urn). Skipped; set"
        + " junit.netns.unprivileged=fail to fail instead.");
  }

  @Test
  void withUnprivilegedFailTheTestFails() throws Exception {
    String out = runWithoutCapabilities("fail");
    assertThat(out).contains("started=1 aborted=0 failed=1 succeeded=0");
    assertThat(out).contains("type=io.github.junitnetns.NetNsException");
    assertThat(out).contains("reason=unshare(CLONE_NEWNET): EPERM (Operation not permitted) - junit-netns needs CAP_SYS_ADMIN");
  }

  @Test
  void theLibraryWithoutPrivilegesSaysHowToGetThem() throws Exception {
    try (NetNs ns = NetNs.create("held")) {
      // Two processes in a namespace of their own: one with root's capabilities, which a JVM without
      // any may not even inspect, and one without, whose namespace it may open but not enter.
      long privileged = ns.exec("sleep", "60").pid();
      long unprivileged = ns.exec("setpriv", "--bounding-set=-all", "--inh-caps=-all", "--ambient-caps=-all", "--",
          "sleep", "60").pid();
      String out = runWithoutCapabilities("library", Long.toString(privileged), Long.toString(unprivileged));
      assertThat(out).contains("CapEff:\t0000000000000000");
      assertThat(out).contains("create=io.github.junitnetns.NetNsException: unshare(CLONE_NEWNET): EPERM (Operation"
          + " not permitted) - junit-netns needs CAP_SYS_ADMIN and CAP_NET_ADMIN: run as root, with sudo, or rootless"
          + " under `unshare --user --map-root-user --net` (unshare -Urn)");
      assertThat(out).contains("enter " + privileged + "=io.github.junitnetns.NetNsException: open /proc/" + privileged
          + "/ns/net: EACCES (Permission denied) - NetNs.ofPid(" + privileged + "): not allowed to inspect process "
          + privileged + ", which belongs to another user or has capabilities this JVM lacks; run as root or as that"
          + " process's user with at least its capabilities");
      assertThat(out).contains("enter " + unprivileged + "=io.github.junitnetns.NetNsException: setns(CLONE_NEWNET)"
          + " netns /proc/" + unprivileged + "/ns/net: EPERM (Operation not permitted) - junit-netns needs"
          + " CAP_SYS_ADMIN and CAP_NET_ADMIN");
    }
  }
}
