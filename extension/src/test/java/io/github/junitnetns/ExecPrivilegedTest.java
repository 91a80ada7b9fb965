package io.github.junitnetns;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.junitnetns.internal.ns.Residents;
import io.github.junitnetns.testsupport.Kernel;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link NetNs#exec}: output captured and followed, processes forked from outside, killed at close. */
@Tag("privileged")
class ExecPrivilegedTest {

  @Test
  void outputIsCapturedWhetherOrNotTheTestReadsIt() throws Exception {
    try (NetNs ns = NetNs.create("talker")) {
      Process process = ns.exec("sh", "-c", "echo hello; echo oops >&2; exit 3");
      assertThat(process.waitFor(10, TimeUnit.SECONDS)).isTrue();
      assertThat(process.exitValue()).isEqualTo(3);
      assertThat(ns.output(process)).isEqualTo("hello\n--- stderr ---\noops\n");
      assertThat(new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8)).isEqualTo("hello\n");
      assertThat(new String(process.getErrorStream().readAllBytes(), StandardCharsets.UTF_8)).isEqualTo("oops\n");
    }
  }

  @Test
  void theOutputStreamFollowsAProcessThatIsStillWriting() throws Exception {
    try (NetNs ns = NetNs.create("follower")) {
      Process process = ns.exec("sh", "-c", "echo first; read line; echo \"got $line\"");
      BufferedReader lines = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
      assertThat(lines.readLine()).isEqualTo("first");
      assertThat(process.isAlive()).isTrue(); // read while it runs, as from a pipe
      process.getOutputStream().write("ping\n".getBytes(StandardCharsets.UTF_8));
      process.getOutputStream().flush();
      assertThat(lines.readLine()).isEqualTo("got ping");
      assertThat(lines.readLine()).isNull();
    }
  }

  @Test
  void mergedStderrAndRedirectsOfTheBuilderAreKept(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("out.txt");
    try (NetNs ns = NetNs.create("redirects")) {
      Process merged = ns.exec(new ProcessBuilder("sh", "-c", "echo a; echo b >&2").redirectErrorStream(true));
      merged.waitFor(10, TimeUnit.SECONDS);
      assertThat(ns.output(merged)).isEqualTo("a\nb\n");
      Process toFile = ns.exec(new ProcessBuilder("echo", "in a file").redirectOutput(file.toFile()));
      toFile.waitFor(10, TimeUnit.SECONDS);
      assertThat(Files.readString(file)).isEqualTo("in a file\n");
      assertThat(ns.output(toFile)).isEmpty();
    }
  }

  @Test
  void theOutputOutlivesTheNamespaceAndItsFile() throws Exception {
    Process process;
    NetNs ns = NetNs.create("closed-later");
    try {
      process = ns.exec("sh", "-c", "echo before close; exec sleep 60");
      Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> ns.output(process).contains("before close"));
    } finally {
      ns.close();
    }
    assertThat(process.isAlive()).isFalse();
    assertThat(ns.output(process)).isEqualTo("before close\n");
  }

  @Test
  void theProcessIsForkedFromOutsideSoNoJdkThreadStaysInside() throws Exception {
    try (NetNs ns = NetNs.create("no-reaper")) {
      Process process = ns.exec("sleep", "0.2");
      assertThat(Kernel.netNsOfPid(process.pid())).isEqualTo(ns.id()); // inside from its start
      assertThat(process.waitFor(10, TimeUnit.SECONDS)).isTrue();
      // The JDK's "process reaper" waited for it from the JVM's namespace, not from this one.
      assertThat(Residents.inside(Set.of(ns.id()))).isEmpty();
    }
  }

  @Test
  void aProgramThatDoesNotExistFailsAtOnceSayingSo() {
    try (NetNs ns = NetNs.create("missing")) {
      assertThatThrownBy(() -> ns.exec("no-such-program-junit-netns", "x"))
          .isInstanceOf(UncheckedIOException.class)
          .hasMessageStartingWith("exec [no-such-program-junit-netns, x] in netns missing: Cannot run program"
              + " \"no-such-program-junit-netns\": no executable \"no-such-program-junit-netns\" in any directory of"
              + " the PATH");
    }
  }

  @Test
  void outputIsOnlyForProcessesThisNamespaceStarted() throws Exception {
    try (NetNs a = NetNs.create("a"); NetNs b = NetNs.create("b")) {
      Process inA = a.exec("true");
      assertThatThrownBy(() -> b.output(inA))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("only processes started by exec() of netns b are captured");
    }
  }

  @Test
  void closingAnOpenedHandleKillsOnlyWhatItStartedNotTheNamespacesOwnProcesses() throws Exception {
    // A namespace we did not create: `unshare -n` makes it, and its sleep must survive our handle.
    Process owner = new ProcessBuilder("unshare", "-n", "sleep", "60").start();
    try {
      Awaitility.await().atMost(Duration.ofSeconds(10))
          .until(() -> !Kernel.netNsOfPid(owner.pid()).equals(Kernel.netNsOfPid(ProcessHandle.current().pid())));
      Process ours;
      try (NetNs joined = NetNs.ofPid(owner.pid())) {
        ours = joined.exec("sleep", "60");
        assertThat(Kernel.netNsOfPid(ours.pid())).isEqualTo(joined.id());
      }
      assertThat(ours.waitFor(10, TimeUnit.SECONDS)).isTrue();
      assertThat(owner.isAlive()).as("the namespace's own process").isTrue();
    } finally {
      owner.destroyForcibly();
      owner.waitFor(10, TimeUnit.SECONDS);
    }
  }
}
