package io.github.junitnetns;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * A namespace where the JVM happens to use NIO for the first time is still destroyed after close:
 * the JDK's lifelong pre-close socket must be made on the host, not inside it. Needs a fresh JVM,
 * since the JDK makes that socket once.
 */
@Tag("privileged")
class FirstNioUsePrivilegedTest {
  @Test
  void aNamespaceWhereTheJvmFirstUsesNioIsStillDestroyed() throws Exception {
    List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString()));
    if (Runtime.version().feature() >= 24) {
      command.add("--enable-native-access=ALL-UNNAMED");
    }
    command.addAll(List.of("-cp", System.getProperty("java.class.path"), FirstNioUseRun.class.getName()));
    Process child = new ProcessBuilder(command).redirectErrorStream(true).start();
    String out = new String(child.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(child.waitFor(60, TimeUnit.SECONDS)).as("the child JVM ended; it printed:%n%s", out).isTrue();
    assertThat(child.exitValue()).as(out).isZero();
    assertThat(out).as("the child JVM's report").startsWith("reclaimed in ");
  }
}
