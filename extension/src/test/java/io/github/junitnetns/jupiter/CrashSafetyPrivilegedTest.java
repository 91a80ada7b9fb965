package io.github.junitnetns.jupiter;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.junitnetns.internal.ns.Pins;
import io.github.junitnetns.testsupport.Kernel;
import io.github.junitnetns.testsupport.OwnNames;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.api.parallel.Isolated;

/**
 * A test JVM killed by SIGKILL in the middle of a test leaves nothing behind: no namespace, no link
 * on the host, no rule, no process (not even one that daemonized), no captured output; a pin kept
 * from an earlier failed test of that JVM is swept by the next test JVM. Runs the killed JVM as a
 * child ({@link CrashRun}). Isolated: namespace inode numbers are reused, so no other test of this
 * JVM may create namespaces while it looks for ours.
 */
@Tag("privileged")
@Isolated
class CrashSafetyPrivilegedTest {

  @Test
  void aJvmKilledMidTestLeavesNothingBehind(@TempDir Path dir) throws Exception {
    boolean hadRunNetns = Files.isDirectory(Pins.RUN_NETNS);
    boolean pinning = Kernel.canPin(); // not rootless: then the kept pin and its sweep are checked too
    Path state = dir.resolve("state");
    Process child = startChild(dir.resolve("crash.log"), "crash", state.toString());
    try {
      Awaitility.await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(50))
          .until(() -> Files.exists(state) || !child.isAlive());
      assertThat(Files.exists(state)).as("the child reached the middle of its test; its output:%n%s",
          Files.exists(dir.resolve("crash.log")) ? Files.readString(dir.resolve("crash.log")) : "").isTrue();
      Properties made = new Properties();
      try (var in = Files.newInputStream(state)) {
        made.load(in);
      }
      Set<String> namespaces = Set.of(made.getProperty("namespaces").split(" "));
      List<Long> pids = Arrays.stream(made.getProperty("pids").split(" ")).map(Long::parseLong).collect(Collectors.toList());
      String hostLinkPrefix = made.getProperty("hostLinkPrefix");
      Path captureDirectory = Path.of(made.getProperty("captureDirectory"));
      String pinPrefix = OwnNames.pinPrefix(child.pid()) + "FailsAndIsKept.fails-";
      // Only what carries the child's names or its topology's subnets (10.91.x) is looked at: other
      // processes may add and remove host links, rules and pins meanwhile.

      // Before: all of it is there, so the checks below can fail.
      assertThat(hostLinks(hostLinkPrefix)).hasSize(1);
      assertThat(pids).allMatch(CrashSafetyPrivilegedTest::alive);
      assertThat(referenced(namespaces)).isNotEmpty();
      assertThat(Files.isDirectory(captureDirectory)).isTrue();
      assertThat(Kernel.runNetnsEntries().stream().anyMatch(n -> n.startsWith(pinPrefix))).isEqualTo(pinning);

      child.destroyForcibly(); // SIGKILL
      assertThat(child.waitFor(30, TimeUnit.SECONDS)).isTrue();
      assertThat(child.exitValue()).isEqualTo(128 + 9);

      Awaitility.await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(50)).untilAsserted(() -> {
        assertThat(pids).as("processes started by exec, a daemon among them, and the watchdog")
            .noneMatch(CrashSafetyPrivilegedTest::alive);
        assertThat(referenced(namespaces)).as("whatever still refers to the test's namespaces").isEmpty();
        assertThat(hostLinks(hostLinkPrefix)).as("the host's end of the test's veth").isEmpty();
        assertThat(Files.exists(captureDirectory)).as("captured output").isFalse();
      });
      assertThat(childsRules(child.pid())).as("host rules naming the child's links or subnets").isEmpty();

      // The pin of the earlier failed test is kept on purpose, until a test JVM starts after this one ended.
      assertThat(Kernel.runNetnsEntries().stream().anyMatch(n -> n.startsWith(pinPrefix))).isEqualTo(pinning);
      Process sweeper = startChild(dir.resolve("sweep.log"), "sweep");
      assertThat(sweeper.waitFor(90, TimeUnit.SECONDS)).isTrue();
      String swept = Files.readString(dir.resolve("sweep.log"));
      assertThat(swept).contains("succeeded=1");
      // Any test JVM that starts sweeps: ours, or one started by someone else on this machine since
      // the kill, which then removed the pin first. Pins of other ended JVMs may be swept in the same go.
      if (pinning && swept.contains("junit-netns: removed ")) {
        assertThat(swept).containsPattern("(?m)junit-netns: removed [0-9]+ pins of ended test JVMs from /run/netns: (.*, )?"
            + Pattern.quote(pinPrefix + "kept") + "(,|$)");
      }
      assertThat(OwnNames.pins(child.pid())).as("pins of the killed JVM, after a test JVM started; sweep.log:%n%s", swept)
          .isEmpty();
    } finally {
      child.destroyForcibly();
      child.waitFor(30, TimeUnit.SECONDS);
      Pins.sweep(Pins.RUN_NETNS, pid -> pid != child.pid()); // if an assertion failed before the sweep
      OwnNames.removeRunNetnsIfMadeHere(hadRunNetns);
    }
  }

  private static Process startChild(Path log, String... args) throws IOException {
    List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString()));
    if (Runtime.version().feature() >= 24) {
      command.add("--enable-native-access=ALL-UNNAMED");
    }
    command.addAll(List.of("-cp", System.getProperty("java.class.path"), CrashRun.class.getName()));
    command.addAll(Arrays.asList(args));
    return new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
  }

  private static boolean alive(long pid) {
    return ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
  }

  /** Every process, thread or descriptor on the machine that refers to one of {@code namespaces}. */
  private static List<String> referenced(Set<String> namespaces) throws IOException {
    List<String> found = new ArrayList<>();
    try (Stream<Path> processes = Files.list(Path.of("/proc"))) {
      for (Path process : (Iterable<Path>) processes.filter(p -> p.getFileName().toString().matches("[0-9]+"))::iterator) {
        Set<Path> links = new HashSet<>();
        links.add(process.resolve("ns/net"));
        addAll(links, process.resolve("task"), "ns/net");
        addAll(links, process.resolve("fd"), null);
        for (Path link : links) {
          try {
            String target = Files.readSymbolicLink(link).toString();
            if (namespaces.contains(target)) {
              found.add(link + " -> " + target);
            }
          } catch (IOException | SecurityException e) {
            // gone meanwhile
          }
        }
      }
    }
    return found;
  }

  private static void addAll(Set<Path> into, Path directory, String suffix) {
    try (Stream<Path> entries = Files.list(directory)) {
      entries.forEach(e -> into.add(suffix == null ? e : e.resolve(suffix)));
    } catch (IOException | SecurityException e) {
      // the process ended meanwhile
    }
  }

  private static List<String> hostLinks(String prefix) {
    return TopologyPrivilegedTest.hostLinks().stream().filter(n -> n.startsWith(prefix)).collect(Collectors.toList());
  }

  /** The host's IPv4 and IPv6 rules that name one of the child's host links or its topology's subnets, 10.91.x. */
  private static String childsRules(long child) throws IOException, InterruptedException {
    return OwnNames.linesNaming(Kernel.run("ip", "-4", "rule") + Kernel.run("ip", "-6", "rule"), child,
        Pattern.compile("\\b10\\.91\\."));
  }
}
