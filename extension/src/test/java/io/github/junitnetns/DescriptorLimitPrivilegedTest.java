package io.github.junitnetns;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * EMFILE through a real limit ({@link DescriptorLimitRun}, in a JVM of its own): with
 * RLIMIT_NOFILE lowered until the topology no longer fits, building it fails with one message that
 * says descriptors ran out and how many the topology needs, leaves nothing (descriptors, threads,
 * host links), and the same topology builds again once the limit is back.
 */
@Tag("privileged")
class DescriptorLimitPrivilegedTest {
  @Test
  void aTopologyThatNoLongerFitsUnderTheLimitSaysHowManyDescriptorsItNeedsAndLeavesNothing() throws Exception {
    List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString()));
    if (Runtime.version().feature() >= 24) {
      command.add("--enable-native-access=ALL-UNNAMED");
    }
    command.addAll(List.of("-cp", System.getProperty("java.class.path"), DescriptorLimitRun.class.getName()));
    Process child = new ProcessBuilder(command).redirectErrorStream(true).start();
    String out = new String(child.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(child.waitFor(60, TimeUnit.SECONDS)).as("the child JVM ended; it printed:%n%s", out).isTrue();
    assertThat(child.exitValue()).as(out).isZero();
    Map<String, String> facts = new LinkedHashMap<>();
    out.lines().filter(l -> l.contains("=")).forEach(l -> facts.put(l.substring(0, l.indexOf('=')), l.substring(l.indexOf('=') + 1)));

    int base = Integer.parseInt(facts.get("base"));
    int built = Integer.parseInt(facts.get("built"));
    // 4 namespaces and a bridge, 2 descriptors each, and the host's handle and socket for the host end
    assertThat(built - base).as(out).isEqualTo(12);
    assertThat(facts).as(out).containsKey("refusedAt");
    assertThat(facts.get("message")).as(out)
        .matches("\\S+ \\S.*: EMFILE \\(Too many open files\\) - file descriptors ran out: this topology needs 12"
            + " while it exists \\(2 per namespace and bridge: its handle and its netlink socket\\), and this JVM"
            + " holds \\d+ without it, of at most \\d+ \\(RLIMIT_NOFILE\\)\\. Raise the limit \\(`ulimit -n`, or"
            + " LimitNOFILE= for a service\\), or close namespaces and networks that are no longer needed\\.");
    assertThat(facts.get("suppressed")).as("what was made half-way was removed without an error; %s", out).isEqualTo("0");
    assertThat(facts.get("fdsAfter")).as(out).isEqualTo(Integer.toString(base));
    assertThat(facts.get("threadsOutside")).as(out).isEqualTo("0");
    assertThat(facts.get("hostLinksLeft")).as(out).isEqualTo("[]");
    assertThat(facts.get("next")).as(out).isEqualTo("ok");
  }
}
