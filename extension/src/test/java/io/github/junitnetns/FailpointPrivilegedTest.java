package io.github.junitnetns;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * -Djunitnetns.failpoint, in JVMs of their own ({@link FailpointRun}): {@code count} prints the
 * number of kernel requests at exit, and {@code N:ERRNO} fails exactly the N-th, as the kernel's
 * refusal would, for every N. The whole topology's loop is ./benchmarks/failpoints.
 */
@Tag("privileged")
@Timeout(value = 5, unit = TimeUnit.MINUTES) // a JVM per request: over a minute on a loaded machine
class FailpointPrivilegedTest {
  private static final Pattern COUNT = Pattern.compile("(?m)^junitnetns\\.failpoint count=(\\d+)$");

  @Test
  void countPrintsTheRequestsAndEachOneFailsInTurnAsTheKernelWouldRefuseItAndTheNextAttemptSucceeds() throws Exception {
    Run counted = run("count");
    assertThat(counted.stdout).as(counted.toString()).isEqualTo("ok\nok\n");
    Matcher count = COUNT.matcher(counted.stderr);
    assertThat(count.find()).as(counted.toString()).isTrue();
    int requests = Integer.parseInt(count.group(1));
    // per namespace unshare, open, socket and the send that
    // brings lo up, the carrier's way home, the veth, the address, ...
    assertThat(requests).as(counted.toString()).isBetween(20, 80); // two rounds

    for (int n = 1; n <= requests / 2; n++) { // the first round's requests
      Run failed = run(n + ":ENOBUFS");
      assertThat(failed.stdout).as(failed.toString()).endsWith("\nok\n"); // the second round
      String first = failed.stdout.substring(0, failed.stdout.indexOf('\n') + 1);
      assertThat(failed.stderr).as(failed.toString())
          .contains("junitnetns.failpoint " + n + ":ENOBUFS injected into ");
      if (first.equals("ok\n")) {
        // Only a carrier's way home after its work (the JVM's namespace opened, setns into it) may
        // fail unseen: the carrier is retired, not reused, and the work it did stands.
        assertThat(failed.stderr).as(failed.toString()).containsPattern("injected into (setns\\(CLONE_NEWNET\\) the"
            + " JVM's initial network namespace|open /proc/self/ns/net) on thread junit-netns-carrier-");
      } else {
        // operation, object, errno; unshare's object is the namespace it would have made, which has no name yet
        assertThat(first).as(failed.toString()).matches("io\\.github\\.junitnetns\\.NetNsException:"
            + " (\\S+ \\S.*|unshare\\(CLONE_NEWNET\\)): ENOBUFS \\(No buffer space available\\)\n");
      }
    }
    Run beyond = run((requests + 1) + ":ENOBUFS");
    assertThat(beyond.stdout).as(beyond.toString()).isEqualTo("ok\nok\n");
    assertThat(beyond.stderr).as(beyond.toString()).contains("not reached (count=" + requests + ")");
  }

  /**
   * Regression: the JVM's own namespace was opened in a class initialiser, so one refused open
   * (EMFILE, ENOMEM) failed it for good, and every later use of the library in that JVM threw
   * NoClassDefFoundError. Now only the request that needed it fails, and the next opens it again.
   */
  @Test
  void aRefusedOpenOfTheJvmsOwnNamespaceFailsOnceNotForTheRestOfTheJvm() throws Exception {
    Run counted = run("count");
    Matcher count = COUNT.matcher(counted.stderr);
    assertThat(count.find()).as(counted.toString()).isTrue();
    int requests = Integer.parseInt(count.group(1));
    for (int n = 1; n <= requests / 2; n++) {
      Run failed = run(n + ":EMFILE");
      if (failed.stderr.contains("injected into open /proc/self/ns/net")) {
        assertThat(failed.stdout).as(failed.toString()).doesNotContain("NoClassDefFoundError")
            .doesNotContain("ExceptionInInitializerError").endsWith("ok\n");
        return;
      }
    }
    throw new AssertionError("no request of the first round opened /proc/self/ns/net: " + counted);
  }

  /**
   * Regression: when the shaping qdisc was refused, the rollback asked to delete filters from an
   * interface that had no clsact qdisc yet, which the kernel refuses with EINVAL ("Parent Qdisc
   * doesn't exists"), so the error came with a second one suppressed in it.
   */
  @Test
  void aShapingRefusedBeforeItsFiltersExistIsRolledBackWithoutAnError() throws Exception {
    Run counted = run("count", FailpointShapeRun.class);
    Matcher count = COUNT.matcher(counted.stderr);
    assertThat(count.find()).as(counted.toString()).isTrue();
    for (int n = Integer.parseInt(count.group(1)); n >= 1; n--) {
      Run failed = run(n + ":ENOBUFS", FailpointShapeRun.class);
      if (failed.stdout.startsWith("RTM_NEWQDISC tbf")) {
        assertThat(failed.stdout).as(failed.toString()).contains(": ENOBUFS (No buffer space available) suppressed=0\n")
            .endsWith("links=[eth0, lo]\n");
        return;
      }
    }
    throw new AssertionError("no request was the tbf qdisc: " + counted);
  }

  private record Run(String failpoint, String stdout, String stderr) {
    @Override
    public String toString() {
      return "-Djunitnetns.failpoint=" + failpoint + ": stdout:\n" + stdout + "stderr:\n" + stderr;
    }
  }

  private static Run run(String failpoint) throws Exception {
    return run(failpoint, FailpointRun.class);
  }

  private static Run run(String failpoint, Class<?> main) throws Exception {
    List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString()));
    if (Runtime.version().feature() >= 24) {
      command.add("--enable-native-access=ALL-UNNAMED");
    }
    command.addAll(List.of("-XX:TieredStopAtLevel=1", "-Djunitnetns.failpoint=" + failpoint,
        "-cp", System.getProperty("java.class.path"), main.getName()));
    Path err = java.nio.file.Files.createTempFile("failpoint", ".err");
    try {
      Process child = new ProcessBuilder(command).redirectError(err.toFile()).start();
      String out = new String(child.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      assertThat(child.waitFor(60, TimeUnit.SECONDS)).as("the child JVM ended; it printed:%n%s", out).isTrue();
      return new Run(failpoint, out, java.nio.file.Files.readString(err));
    } finally {
      java.nio.file.Files.deleteIfExists(err);
    }
  }
}
