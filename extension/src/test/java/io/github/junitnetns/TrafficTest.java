package io.github.junitnetns;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.junitnetns.internal.netlink.NftExpr;
import java.net.InetAddress;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Traffic as a value, and the nf_tables rules a fault makes of it (what matches, as its Javadoc says). */
class TrafficTest {
  private static final List<InetAddress> PEER = List.of(address("10.0.0.1"));

  @ParameterizedTest
  @ValueSource(strings = {"all", "tcp", "tcp:5432", "tcp:5432 new connections", "tcp new connections", "udp",
      "udp:53", "icmp"})
  void toStringIsWhatParseReads(String text) {
    assertThat(Traffic.parse(text)).hasToString(text);
    assertThat(Traffic.parse(text.toUpperCase(java.util.Locale.ROOT))).isEqualTo(Traffic.parse(text));
  }

  @Test
  void aSelectorIsAnImmutableValue() {
    Traffic db = Traffic.tcp(5432);
    Traffic attempts = db.newConnectionsOnly();
    assertThat(db.isNewConnectionsOnly()).isFalse();
    assertThat(attempts.isNewConnectionsOnly()).isTrue();
    assertThat(attempts).isNotEqualTo(db).isEqualTo(Traffic.tcp(5432).newConnectionsOnly())
        .hasSameHashCodeAs(Traffic.tcp(5432).newConnectionsOnly());
    assertThat(db.protocol()).isEqualTo(Traffic.Protocol.TCP);
    assertThat(db.port()).isEqualTo(5432);
    assertThat(Traffic.all().isAll()).isTrue();
    assertThat(Traffic.icmp().isAll()).isFalse();
    assertThat(Traffic.udp().port()).isZero();
  }

  @Test
  void aTwoWayCutOfAPortMatchesThePortOnEitherEnd() {
    List<Firewall.Placed> rules = FaultRules.arrivals(PEER, Traffic.tcp(5432), true, FaultRules.Action.DROP);
    assertThat(rules).hasSize(2).allMatch(rule -> rule.chain().equals(Firewall.INPUT));
    assertThat(text(rules.get(0))).contains("[ payload load 2b @ transport header + 2 => reg 1 ]", "[ cmp eq reg 1 0x1538 ]",
        "[ counter ]", "[ immediate reg 0 drop ]");
    assertThat(text(rules.get(1))).contains("[ payload load 2b @ transport header + 0 => reg 1 ]", "[ cmp eq reg 1 0x1538 ]");
  }

  @Test
  void oneWayAndNewConnectionsOnlyMatchOnlyPacketsToThePort() {
    assertThat(FaultRules.arrivals(PEER, Traffic.udp(53), false, FaultRules.Action.DROP)).hasSize(1);
    List<Firewall.Placed> syn = FaultRules.arrivals(PEER, Traffic.tcp(5432).newConnectionsOnly(), true,
        FaultRules.Action.DROP);
    assertThat(syn).hasSize(1);
    assertThat(text(syn.get(0))).contains("transport header + 2", "[ bitwise reg 1 = ( reg 1 & 0x12 ) ^ 0x00 ]",
        "[ cmp eq reg 1 0x02 ]");
  }

  @Test
  void aRefusalIsARstForTcpAndPortUnreachableForTheRest() {
    assertThat(text(FaultRules.arrivals(PEER, Traffic.tcp(1), false, FaultRules.Action.REJECT).get(0)))
        .endsWith("[ reject type 1 ]\n");
    assertThat(text(FaultRules.arrivals(PEER, Traffic.udp(1), false, FaultRules.Action.REJECT).get(0)))
        .endsWith("[ reject type 2 code 1 ]\n");
    List<Firewall.Placed> all = FaultRules.arrivals(PEER, Traffic.all(), false, FaultRules.Action.REJECT);
    assertThat(all).hasSize(2);
    assertThat(text(all.get(0))).contains("[ cmp eq reg 1 0x06 ]").endsWith("[ reject type 1 ]\n");
    assertThat(text(all.get(1))).doesNotContain("l4proto").endsWith("[ reject type 2 code 1 ]\n");
  }

  @Test
  void icmpIsIcmpv6ForIpv6Peers() {
    List<Firewall.Placed> rules = FaultRules.arrivals(List.of(address("10.0.0.1"), address("fd00::1")), Traffic.icmp(),
        true, FaultRules.Action.DROP);
    assertThat(text(rules.get(0))).contains("[ meta load l4proto => reg 1 ]\n[ cmp eq reg 1 0x01 ]");
    assertThat(text(rules.get(1))).contains("[ meta load l4proto => reg 1 ]\n[ cmp eq reg 1 0x3a ]");
  }

  private static String text(Firewall.Placed placed) {
    StringBuilder out = new StringBuilder();
    for (NftExpr expression : placed.rule().expressions()) {
      out.append(expression).append('\n');
    }
    return out.toString();
  }

  private static InetAddress address(String text) {
    try {
      return InetAddress.getByName(text);
    } catch (java.net.UnknownHostException e) {
      throw new IllegalArgumentException(e);
    }
  }
}
