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
 * it (and the first skip in the JVM is logged once), or failed with {@code junit.netns.unprivileged=fail}, the
 * default when the environment variable CI is true; the library's EPERM says the same. Proven in a child JVM started by
 * {@code setpriv} with every capability dropped (root drops them; hence "privileged").
 */
@Tag("privileged")
class UnprivilegedPrivilegedTest {

  private static String runWithoutCapabilities(String... arguments) throws IOException, InterruptedException {
    return runWithoutCapabilitiesWhereCiIs(null, arguments);
  }

  /** Runs {@link UnprivilegedRun} without capabilities, with the environment variable CI set to {@code ci} (null: unset). */
  private static String runWithoutCapabilitiesWhereCiIs(String ci, String... arguments)
      throws IOException, InterruptedException {
    Path javaBin = Path.of(System.getProperty("java.home"), "bin", "java");
    List<String> command = new java.util.ArrayList<>(List.of("setpriv", "--bounding-set=-all", "--inh-caps=-all",
        "--ambient-caps=-all", "--", javaBin.toString(), "-cp", System.getProperty("java.class.path"),
        UnprivilegedRun.class.getName()));
    command.addAll(List.of(arguments));
    Path log = Files.createTempFile("junit-netns-unprivileged", ".log");
    try {
      ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
      builder.environment().remove("CI");
      if (ci != null) {
        builder.environment().put("CI", ci);
      }
      Process child = builder.start();
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

  /**
   * The advice in the child: a JVM started with plain {@code java}, not by a build tool (the Maven and
   * Gradle wordings are pinned by ErrorCatalogueTest).
   */
  private static final String ADVICE = "run this JVM as root (sudo), or rootless with only this JVM, not a build tool,"
      + " under `unshare --user --map-root-user --net`; see"
      + " https://github.com/junitnetns/junit-netns/blob/main/docs/privileges-and-ci.md";

  @Test
  void withoutPrivilegesTheTestIsSkippedWithOneLineSayingHowToRunIt() throws Exception {
    String out = runWithoutCapabilities("abort");
    assertThat(out).contains("CapEff:\t0000000000000000"); // really no capabilities
    assertThat(out).contains("started=3 aborted=3 failed=0 succeeded=0");
    assertThat(out).contains("reason=junit-netns needs CAP_SYS_ADMIN to create network namespaces"
        + " (unshare(CLONE_NEWNET): EPERM (Operation not permitted)): " + ADVICE + ". Skipped; set"
        + " junit.netns.unprivileged=fail to fail instead.");
  }

  @Test
  void theFirstSkipInAJvmIsAlsoLoggedOnceAsAWarningThatBuildToolsShow() throws Exception {
    String out = runWithoutCapabilities("abort");
    // java.util.logging's console handler: the level, then the message, on stderr.
    assertThat(out).containsOnlyOnce("junit-netns skips the tests that need network namespaces");
    assertThat(out).containsPattern("WARNING: junit-netns skips the tests that need network namespaces,"
        + " io\\.github\\.junitnetns\\.jupiter\\.UnprivilegedRun\\$Fixture\\.needs\\w+\\(\\) first: junit-netns needs"
        + " CAP_SYS_ADMIN to create network namespaces \\(unshare\\(CLONE_NEWNET\\): EPERM \\(Operation not permitted\\)\\):"
        + " run this JVM as root");
    assertThat(out).contains(ADVICE + ". Only this first skip is logged; set junit.netns.unprivileged=fail to"
        + " fail them instead.");
  }

  @Test
  void withUnprivilegedFailTheTestFails() throws Exception {
    String out = runWithoutCapabilities("fail");
    assertThat(out).contains("started=3 aborted=0 failed=3 succeeded=0");
    assertThat(out).contains("type=io.github.junitnetns.NetNsException");
    assertThat(out).contains("reason=unshare(CLONE_NEWNET): EPERM (Operation not permitted) - junit-netns needs"
        + " CAP_SYS_ADMIN to create network namespaces (unshare(CLONE_NEWNET): EPERM (Operation not permitted)): "
        + ADVICE + ".\n");
    assertThat(out).doesNotContain("junit-netns skips");
  }

  @Test
  void onCiTheDefaultIsToFailAndTheMessageSaysWhy() throws Exception {
    String out = runWithoutCapabilitiesWhereCiIs("true", "default");
    assertThat(out).contains("started=3 aborted=0 failed=3 succeeded=0");
    assertThat(out).contains(ADVICE + ". Failed because the environment variable CI is true, which makes"
        + " junit.netns.unprivileged default to fail; set it to abort to skip instead.");
  }

  @Test
  void onCiAnExplicitAbortStillSkips() throws Exception {
    assertThat(runWithoutCapabilitiesWhereCiIs("true", "abort")).contains("started=3 aborted=3 failed=0 succeeded=0");
  }

  @Test
  void elsewhereTheDefaultIsToSkip() throws Exception {
    assertThat(runWithoutCapabilitiesWhereCiIs(null, "default")).contains("started=3 aborted=3 failed=0 succeeded=0");
    assertThat(runWithoutCapabilitiesWhereCiIs("false", "default")).contains("started=3 aborted=3 failed=0 succeeded=0");
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
          + " not permitted) - junit-netns needs CAP_SYS_ADMIN and CAP_NET_ADMIN: " + ADVICE + "\n");
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
