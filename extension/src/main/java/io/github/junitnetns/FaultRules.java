package io.github.junitnetns;

import io.github.junitnetns.internal.netlink.NftRule;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;

/**
 * The nf_tables rules of the traffic-scoped faults, for the namespace where the packets arrive:
 * one rule per source address of the peer (and per port side), each matching the peer's address,
 * the {@link Traffic}, then counting and dropping or refusing. The matching, as {@link Traffic}'s
 * Javadoc promises it:
 * <ul>
 *   <li>a two-way fault with a port matches packets from the peer to that port
 *       ({@code th dport p}: the peer as client) and from that port ({@code th sport p}: the
 *       peer's answers as server); a one-way fault only the first;
 *   <li>new connections only: {@code tcp flags & (syn|ack) == syn} to the port (SYNs only go to
 *       the server's port, so no {@code sport} rule);
 *   <li>a refusal answers TCP with a RST and anything else with ICMP(v6) port unreachable, as a
 *       closed port does; for {@link Traffic#all()} TCP gets one rule and the rest another.
 * </ul>
 */
final class FaultRules {
  private FaultRules() {}

  /** What a matching packet meets. */
  enum Action { DROP, REJECT }

  /** The counter of a whole-traffic drop: {@code ip saddr S counter}, in prerouting (the policy rule drops later). */
  static Firewall.Placed counterOf(InetAddress source) {
    return new Firewall.Placed(Firewall.PREROUTING, NftRule.create().from(source).counter());
  }

  /**
   * The rules at the receiving namespace for packets from {@code sources} (the peer's addresses)
   * matching {@code traffic}; {@code bothWays} adds the answers of the receiver's own clients to a
   * server port of the peer ({@code th sport p}).
   */
  static List<Firewall.Placed> arrivals(List<InetAddress> sources, Traffic traffic, boolean bothWays, Action action) {
    List<Firewall.Placed> rules = new ArrayList<>();
    for (InetAddress source : sources) {
      if (traffic.isAll()) {
        if (action == Action.REJECT) {
          rules.add(input(NftRule.create().from(source).l4proto(NftRule.IPPROTO_TCP).counter().rejectWithTcpReset()));
          rules.add(input(NftRule.create().from(source).counter().rejectWithPortUnreachable()));
        } else {
          rules.add(input(NftRule.create().from(source).counter().drop()));
        }
        continue;
      }
      int protocol = protocolNumber(traffic.protocol(), source);
      if (traffic.port() == 0) {
        rules.add(input(finish(matching(source, protocol), traffic, action)));
        continue;
      }
      rules.add(input(finish(matching(source, protocol).dport(traffic.port()), traffic, action)));
      if (bothWays && !traffic.isNewConnectionsOnly()) {
        rules.add(input(finish(matching(source, protocol).sport(traffic.port()), traffic, action)));
      }
    }
    return rules;
  }

  private static NftRule matching(InetAddress source, int protocol) {
    return NftRule.create().from(source).l4proto(protocol);
  }

  private static NftRule finish(NftRule rule, Traffic traffic, Action action) {
    if (traffic.isNewConnectionsOnly()) {
      rule.synWithoutAck();
    }
    rule.counter();
    if (action == Action.DROP) {
      return rule.drop();
    }
    return traffic.protocol() == Traffic.Protocol.TCP ? rule.rejectWithTcpReset() : rule.rejectWithPortUnreachable();
  }

  private static int protocolNumber(Traffic.Protocol protocol, InetAddress source) {
    switch (protocol) {
      case TCP: return NftRule.IPPROTO_TCP;
      case UDP: return NftRule.IPPROTO_UDP;
      case ICMP: return source instanceof Inet6Address ? NftRule.IPPROTO_ICMPV6 : NftRule.IPPROTO_ICMP;
      default: throw new IllegalArgumentException("no protocol number for " + protocol);
    }
  }

  private static Firewall.Placed input(NftRule rule) {
    return new Firewall.Placed(Firewall.INPUT, rule);
  }
}
