package io.github.junitnetns;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Faults and shaping belong to the {@link Network} view they were applied through, as the
 * extension gives one view to each test sharing CLASS-scoped namespaces: a view's heal and
 * restore undo its own and leave the others'. Needs CAP_SYS_ADMIN.
 */
@Tag("privileged")
class NetworkViewsPrivilegedTest {

  /** {@code ip rule; ip -6 rule} inside {@code ns}: what the kernel holds, read by ip(8). */
  private static String rules(NetNs ns) throws Exception {
    return run(ns, "sh", "-c", "ip rule; ip -6 rule");
  }

  private static String run(NetNs ns, String... command) throws Exception {
    Process process = ns.exec(new ProcessBuilder(command).redirectErrorStream(true));
    String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(process.waitFor(10, TimeUnit.SECONDS)).as("%s ended", List.of(command)).isTrue();
    assertThat(process.exitValue()).as("exit status of %s: %s", List.of(command), out).isZero();
    return out;
  }

  @Test
  void aViewHealsItsOwnFaultsOnlyAndASharedDropLastsUntilItsLastHolderHeals() throws Exception {
    try (Network net = Network.builder().veth("a", "b", "10.0.66.0/24").veth("a", "b", "fd00:66::/64").build()) {
      String before = rules(net.ns("b"));
      Network one = Network.combine(List.of(net));
      Network two = Network.combine(List.of(net));
      one.cut("a", "b");
      two.cut("a", "b"); // the same rules: one kernel rule each, held twice
      two.cutOneWay("a", "b"); // already held by two: harmless
      assertThat(rules(net.ns("b"))).contains("from 10.0.66.1", "from fd00:66::1", "blackhole");
      net.heal(); // the builder's own view applied nothing
      two.heal();
      assertThat(net.isCut("a", "b")).isTrue();
      assertThat(net.isCut("b", "a")).isTrue();
      assertThat(rules(net.ns("b"))).contains("from 10.0.66.1", "from fd00:66::1", "blackhole");
      two.heal(); // twice: harmless, and one's hold stays
      assertThat(net.isCut("a", "b")).isTrue();
      one.heal();
      assertThat(net.isCut("a", "b")).isFalse();
      assertThat(rules(net.ns("b"))).isEqualTo(before);
    }
  }

  @Test
  void aViewsShapingIsRemovedWithItAndAnotherViewsIsPutBack() throws Exception {
    try (Network net = Network.builder().veth("a", "b", "10.0.67.0/24").build()) {
      NetNs b = net.ns("b");
      Network one = Network.combine(List.of(net));
      Network two = Network.combine(List.of(net));
      one.shape("a", "b", Shaping.rate("8mbit"));
      two.shape("a", "b", Shaping.rate("16mbit")); // the most recent is in force
      String ifb = Shaper.ifbName(b.link("eth0").orElseThrow().index(), 1);
      // tc -j prints a tbf's rate in bytes per second: 16 Mbit/s = 2,000,000 B/s.
      assertThat(run(b, "tc", "-j", "qdisc", "show", "dev", ifb)).contains("\"kind\":\"tbf\"", "\"rate\":2000000");
      two.restore(); // two's test ends: one's shaping is put back
      assertThat(run(b, "tc", "-j", "qdisc", "show", "dev", ifb)).contains("\"kind\":\"tbf\"", "\"rate\":1000000");
      two.shape("a", "b", Shaping.rate("16mbit"));
      two.unshape("a", "b"); // an explicit unshape while one holds it: one's is put back
      assertThat(run(b, "tc", "-j", "qdisc", "show", "dev", ifb)).contains("\"rate\":1000000");
      one.restore();
      assertThat(b.links()).extracting(Link::name).doesNotContain(ifb);
      assertThat(run(b, "tc", "filter", "show", "dev", "eth0", "ingress")).doesNotContain("mirred");
    }
  }

  @Test
  void scopedFaultsAreTheirViewsAndTheTableGoesWithTheLastOne() throws Exception {
    try (Network net = Network.builder().veth("a", "b", "10.0.68.0/24").build()) {
      NetNs b = net.ns("b");
      Network one = Network.combine(List.of(net));
      Network two = Network.combine(List.of(net));
      Fault ones = one.reject("a", "b", Traffic.tcp(5432));
      Fault twos = two.reject("a", "b", Traffic.tcp(5432)); // the same traffic: a rule each
      Fault other = two.cut("a", "b", Traffic.udp(53));
      assertThat(one.faults()).containsExactly(ones);
      assertThat(two.faults()).containsExactly(twos, other);
      two.heal();
      assertThat(twos.isHealed()).isTrue();
      assertThat(ones.isHealed()).isFalse();
      assertThat(b.describe()).contains(ones.description()).doesNotContain("cut a <-> b udp:53");
      try (java.net.ServerSocket server = b.call(() -> new java.net.ServerSocket(5432))) {
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> net.ns("a").run(() -> {
          try (java.net.Socket client = new java.net.Socket()) { // made inside a
            client.connect(new java.net.InetSocketAddress("10.0.68.2", 5432), 2000);
          }
        })).isInstanceOf(java.net.ConnectException.class);
      }
      assertThat(ones.packets()).isEqualTo(1);
      one.heal();
      assertThat(b.describe()).doesNotContain("nf_tables");
    }
  }
}
