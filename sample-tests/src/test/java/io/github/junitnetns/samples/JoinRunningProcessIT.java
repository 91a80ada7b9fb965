package io.github.junitnetns.samples;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.github.junitnetns.Link;
import io.github.junitnetns.NetNs;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * Use case: looking into the network namespace of a process that something else started (a
 * container, a daemon, a test harness), by its pid. Needs root: it starts the process with
 * {@code unshare -n}, which gives it a namespace of its own. No annotation is needed for this.
 */
class JoinRunningProcessIT {

  @Test
  void seesOnlyTheProcesssOwnInterfaces() throws Exception {
    Process sleeper = new ProcessBuilder("unshare", "-n", "sleep", "60").start();
    try {
      String host = Files.readSymbolicLink(Path.of("/proc/self/ns/net")).toString();
      Path its = Path.of("/proc/" + sleeper.pid() + "/ns/net");
      await().atMost(Duration.ofSeconds(5)).until(() -> !sleeper.isAlive() || !Files.readSymbolicLink(its).toString().equals(host));
      // unshare(1) needs CAP_SYS_ADMIN too; without it there is no namespace to join.
      assumeTrue(sleeper.isAlive(), "unshare -n was refused (exit " + (sleeper.isAlive() ? "" : sleeper.exitValue())
          + "): creating a network namespace needs CAP_SYS_ADMIN; run the samples as root (sudo mvn verify)");

      try (NetNs joined = NetNs.ofPid(sleeper.pid())) {
        assertThat(joined.links()).extracting(Link::name).containsExactly("lo");
        assertThat(joined.links().get(0).isUp()).isFalse(); // unshare leaves lo down, unlike NetNs.create()
      }
    } finally {
      sleeper.destroyForcibly();
      sleeper.waitFor();
    }
  }
}
