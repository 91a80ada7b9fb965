package io.github.junitnetns.internal.launch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.junitnetns.internal.launch.JvmWrapper.Host;
import io.github.junitnetns.internal.launch.JvmWrapper.Mode;
import io.github.junitnetns.internal.launch.JvmWrapper.Result;
import io.github.junitnetns.internal.launch.JvmWrapper.WrapperException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The wrapper writer's decisions and messages (pinned here; rows in docs/troubleshooting.md),
 * with a made-up host whose tools are small scripts, so no privilege is needed: a fake
 * {@code unshare} that runs its command as it is proves the rootless script's plumbing up to a
 * real {@code java -version}; fakes that fail like the real ones prove the refusals.
 */
class JvmWrapperTest {
  private static final long CAP_SYS_ADMIN = 1L << 21;
  private static final Path JAVA = Path.of(System.getProperty("java.home"), "bin", "java");

  @TempDir
  Path dir;

  private Host host(long effective, String unshare, String sudo) throws IOException {
    Path tools = Files.createDirectories(dir.resolve("tools"));
    tool(tools, "unshare", unshare);
    tool(tools, "ip", "exit 0");
    tool(tools, "sudo", sudo);
    tool(tools, "setpriv", "exit 0");
    return new Host(1000, 1001, effective, CAP_SYS_ADMIN | 1, List.of(tools.toString()));
  }

  private static void tool(Path tools, String name, String body) throws IOException {
    Path file = tools.resolve(name);
    Files.writeString(file, "#!/bin/sh\n" + body + "\n");
    Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rwxr-xr-x"));
  }

  /** Runs its command the way unshare(1) does after "--", without making any namespace. */
  private static final String UNSHARE_RUNS = "while [ \"$1\" != -- ]; do shift; done; shift; exec \"$@\"";
  private static final String UNSHARE_REFUSES = "echo 'unshare: unshare failed: Operation not permitted' >&2; exit 1";
  private static final String SUDO_REFUSES = "echo 'sudo: a password is required' >&2; exit 1";

  @Test
  void autoWithCapSysAdminLeavesTheJvmAsItIsAndRemovesAStaleWrapper() throws Exception {
    Path stale = Files.createDirectories(dir.resolve("out/bin")).resolve("java");
    Files.writeString(stale, "old");
    Result result = JvmWrapper.prepare(Mode.AUTO, "junitnetns.mode", dir.resolve("out"), JAVA,
        host(CAP_SYS_ADMIN, UNSHARE_REFUSES, SUDO_REFUSES));
    assertThat(result.mode()).isEqualTo(Mode.ROOT);
    assertThat(result.wrapper()).isEmpty();
    assertThat(stale).doesNotExist();
    assertThat(result.summary()).isEqualTo("junit-netns: mode root (junitnetns.mode=auto, and this build runs with"
        + " CAP_SYS_ADMIN): the test JVMs start as they are");
    assertThat(result.warning()).isEmpty();
  }

  @Test
  void autoWithoutCapSysAdminPrefersRootlessAndItsWrapperStartsTheRealJava() throws Exception {
    Path out = dir.resolve("out");
    Result result = JvmWrapper.prepare(Mode.AUTO, "junitnetns.mode", out, JAVA, host(0, UNSHARE_RUNS, SUDO_REFUSES));
    assertThat(result.mode()).isEqualTo(Mode.ROOTLESS);
    assertThat(result.wrapper()).contains(out.resolve("bin/java"));
    assertThat(result.summary()).isEqualTo("junit-netns: mode rootless (junitnetns.mode=auto, no CAP_SYS_ADMIN,"
        + " and user namespaces are allowed): the test JVMs start through " + out.resolve("bin/java")
        + ", each in a user namespace of its own");
    Process java = new ProcessBuilder(out.resolve("bin/java").toString(), "-version").redirectErrorStream(true).start();
    String version = new String(java.getInputStream().readAllBytes());
    assertThat(java.waitFor()).as(version).isZero();
    assertThat(version).contains(String.valueOf(Runtime.version().feature()));
    assertThat(Files.readString(out.resolve("bin/java")))
        .contains(" --user --map-root-user --net -- /bin/sh -c ", " link set lo up ", JAVA.toRealPath().toString());
    assertThat(result.javaFeature()).isEqualTo(Runtime.version().feature());
    assertThat(result.jvmOptions()).isEqualTo(Runtime.version().feature() >= 22
        ? List.of("--enable-native-access=ALL-UNNAMED") : List.of());
  }

  @Test
  void autoFallsBackToSudoWhenUserNamespacesAreRefused() throws Exception {
    Path out = dir.resolve("out");
    Result result = JvmWrapper.prepare(Mode.AUTO, "junitnetns.mode", out, JAVA,
        host(0, UNSHARE_REFUSES, "while [ \"$1\" != -- ]; do shift; done; shift; shift; "
            + "while [ \"$1\" != -- ]; do shift; done; shift; exec \"$@\""));
    assertThat(result.mode()).isEqualTo(Mode.SUDO);
    assertThat(result.summary()).startsWith("junit-netns: mode sudo (junitnetns.mode=auto, no CAP_SYS_ADMIN, user"
        + " namespaces refused, passwordless sudo): the test JVMs start through ").endsWith(", as uid 1000 with root's"
        + " capabilities");
    assertThat(Files.readString(out.resolve("bin/java"))).contains(" --non-interactive --preserve-env -- ",
        " --reuid=1000 --regid=1001 --init-groups --inh-caps=+cap_0,+cap_21 --ambient-caps=+cap_0,+cap_21 -- ");
  }

  @Test
  void autoWithNoWayWarnsOnceWithWhatWasTriedAndTheFix() throws Exception {
    Path out = dir.resolve("out");
    Result result = JvmWrapper.prepare(Mode.AUTO, "junitnetns.mode", out, JAVA,
        host(0, UNSHARE_REFUSES, SUDO_REFUSES));
    assertThat(result.mode()).isEqualTo(Mode.OFF);
    assertThat(result.wrapper()).isEmpty();
    assertThat(out.resolve("bin/java")).doesNotExist();
    assertThat(result.summary()).isEmpty();
    assertThat(result.warning())
        .startsWith("junit-netns: the test JVMs get no CAP_SYS_ADMIN, so tests that need a namespace will be skipped:"
            + " uid 1000 has none, user namespaces are refused (unshare: unshare failed: Operation not permitted),"
            + " and sudo refused (sudo: a password is required). Fix: allow user namespaces")
        .contains("; or allow sudo without a password for " + dir.resolve("tools/setpriv"))
        .endsWith("; or run the build as root. junitnetns.mode=off silences this")
        .doesNotContain("\n");
  }

  @Test
  void anExplicitModeThatCannotWorkFailsWithTheReasonAndTheFix() throws Exception {
    Host host = host(0, UNSHARE_REFUSES, SUDO_REFUSES);
    Path out = dir.resolve("out");
    assertThatThrownBy(() -> JvmWrapper.prepare(Mode.ROOTLESS, "junitnetns.mode", out, JAVA, host))
        .isInstanceOf(WrapperException.class)
        .hasMessageStartingWith("junit-netns: junitnetns.mode=rootless, but user namespaces are refused (unshare:"
            + " unshare failed: Operation not permitted); allow user namespaces");
    assertThatThrownBy(() -> JvmWrapper.prepare(Mode.SUDO, "--mode", out, JAVA, host))
        .hasMessage("junit-netns: --mode=sudo, but sudo refused (sudo: a password is required); allow uid 1000 to run "
            + dir.resolve("tools/setpriv") + " with sudo without a password (see junit-netns's"
            + " docs/privileges-and-ci.md)");
    assertThatThrownBy(() -> JvmWrapper.prepare(Mode.ROOT, "junitnetns.mode", out, JAVA, host))
        .hasMessage("junit-netns: junitnetns.mode=root, but this build runs as uid 1000 without CAP_SYS_ADMIN: run it"
            + " as root, or set junitnetns.mode=auto");
    assertThat(out.resolve("bin/java")).doesNotExist();
  }

  @Test
  void missingToolsAreNamedWithTheirPackage() throws Exception {
    Host host = new Host(1000, 1000, 0, CAP_SYS_ADMIN, List.of(Files.createDirectories(dir.resolve("empty")).toString()));
    assertThatThrownBy(() -> JvmWrapper.prepare(Mode.ROOTLESS, "junitnetns.mode", dir.resolve("out"), JAVA, host))
        .hasMessageStartingWith("junit-netns: junitnetns.mode=rootless, but user namespaces cannot be used: unshare is"
            + " not installed (util-linux), ip is not installed (iproute2); ");
  }

  @Test
  void offDoesNothingAndSaysSo() throws Exception {
    Result result = JvmWrapper.prepare(Mode.OFF, "junitnetns.mode", dir.resolve("out"), JAVA,
        host(CAP_SYS_ADMIN, UNSHARE_RUNS, SUDO_REFUSES));
    assertThat(result.mode()).isEqualTo(Mode.OFF);
    assertThat(result.wrapper()).isEmpty();
    assertThat(result.summary()).isEqualTo("junit-netns: mode off (junitnetns.mode=off): the test JVMs start as they are");
  }

  @Test
  void aModeIsOneOfFiveWords() {
    assertThat(Mode.parse(" Rootless ", "junitnetns.mode")).isEqualTo(Mode.ROOTLESS);
    assertThatThrownBy(() -> Mode.parse("rootles", "junitnetns.mode"))
        .hasMessage("junitnetns.mode is \"rootles\"; use one of auto, root, rootless, sudo, off");
  }

  @Test
  void wordsAreQuotedForTheShell() {
    assertThat(JvmWrapper.quote("/opt/it's java/bin/java")).isEqualTo("'/opt/it'\\''s java/bin/java'");
  }
}
