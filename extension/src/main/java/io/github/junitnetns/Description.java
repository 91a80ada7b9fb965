package io.github.junitnetns;

import io.github.junitnetns.internal.net.Addresses;
import io.github.junitnetns.internal.netlink.NftRuleMessage;
import io.github.junitnetns.internal.netlink.Rtnl;
import java.net.InetAddress;
import java.util.List;

/** {@link NetNs#describe()}: its links as {@code ip addr} shows them, its routes as {@code ip route} does, its faults. */
final class Description {
  private Description() {}

  static String of(NetNs ns) {
    if (ns.isClosed()) {
      return "netns " + ns.label() + " " + ns.id() + " (closed)\n";
    }
    StringBuilder out = new StringBuilder();
    out.append("netns ").append(ns.label()).append(' ').append(ns.id()).append('\n');
    List<Link> links = ns.links();
    for (Link link : links) {
      out.append(link.describe(links));
    }
    out.append("routes:\n");
    try {
      for (int family : new int[] {Rtnl.AF_INET, Rtnl.AF_INET6}) {
        Routes.mainTable(ns.client().routes(family), links).forEach(route -> out.append("    ").append(route).append('\n'));
      }
    } catch (NetNsException e) {
      out.append("    (cannot list routes: ").append(e.getMessage()).append(")\n");
    }
    List<InetAddress> dropped = Faults.droppedSources(ns);
    if (!dropped.isEmpty()) {
      out.append("faults: drops packets from");
      dropped.forEach(a -> out.append(' ').append(Addresses.format(a)));
      out.append('\n');
    }
    try {
      List<NftRuleMessage> rules = ns.firewall().rules();
      if (!rules.isEmpty()) {
        out.append("nf_tables (inet ").append(Firewall.TABLE).append("):\n");
        for (NftRuleMessage rule : rules) {
          out.append("    ").append(rule.chain).append(": ").append(rule.comment).append(": ").append(rule.packets)
              .append(rule.packets == 1 ? " packet\n" : " packets\n");
        }
      }
    } catch (NetNsException e) {
      if (!Firewall.isMissing(e)) {
        out.append("    (cannot list nf_tables rules: ").append(e.getMessage()).append(")\n");
      }
    }
    return out.toString();
  }
}
