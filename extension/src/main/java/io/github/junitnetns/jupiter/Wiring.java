package io.github.junitnetns.jupiter;

import io.github.junitnetns.NetNs;
import io.github.junitnetns.Network;
import io.github.junitnetns.NetNsException;
import io.github.junitnetns.NetworkBuilder;
import io.github.junitnetns.internal.linux.Errno;
import io.github.junitnetns.internal.net.Cidr;
import io.github.junitnetns.internal.topology.BridgePlan;
import io.github.junitnetns.internal.topology.Endpoint;
import io.github.junitnetns.internal.topology.VethPlan;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Hands what a {@link Plan} decided to {@link Network#builder()}, the one way topologies are
 * built: the extension's namespaces (made on its carriers) as existing ones, every veth and bridge
 * with the names and addresses the plan chose, so the builder decides nothing anew.
 */
final class Wiring {
  private Wiring() {}

  /**
   * Builds {@code veths} and {@code bridges} between {@code namespaces} (by name; the unnamed one
   * cannot be linked and is left out), turning on forwarding in {@code forwarding}.
   */
  static Network build(List<VethPlan> veths, List<BridgePlan> bridges, Map<String, NetNs> namespaces,
      Set<String> forwarding) {
    NetworkBuilder builder = Network.builder();
    namespaces.forEach((name, ns) -> {
      if (!name.equals(Declaration.UNNAMED)) {
        builder.namespace(name, ns);
      }
    });
    forwarding.forEach(builder::forwarding);
    for (VethPlan veth : veths) {
      builder.veth(veth.left().namespace(), veth.right().namespace(), v -> v
          .names(veth.left().interfaceName(), veth.right().interfaceName())
          .addresses(text(veth.left().address()), text(veth.right().address()))
          .mtu(veth.mtu()));
    }
    for (BridgePlan bridge : bridges) {
      List<String> members = new ArrayList<>();
      List<String> names = new ArrayList<>();
      List<String> addresses = new ArrayList<>();
      for (Endpoint member : bridge.members()) {
        members.add(member.namespace());
        names.add(member.interfaceName());
        addresses.add(text(member.address()));
      }
      boolean addressed = bridge.members().stream().allMatch(m -> m.address() != null);
      builder.bridge(bridge.name(), members, b -> b
          .names(names.toArray(String[]::new))
          .addresses(addressed ? addresses.toArray(String[]::new) : new String[0])
          .mtu(bridge.mtu()));
    }
    try {
      return builder.build();
    } catch (NetNsException e) {
      throw e.errno() == Errno.EEXIST ? hostNameTaken(veths, e) : e;
    }
  }

  /**
   * EEXIST for a host end: the host has an interface of that name (the namespaces' names were
   * checked), said in the annotation's words, or {@code e} itself when it is about something else.
   */
  private static NetNsException hostNameTaken(List<VethPlan> veths, NetNsException e) {
    for (VethPlan veth : veths) {
      Endpoint host = veth.left().isHost() ? veth.left() : veth.right().isHost() ? veth.right() : null;
      if (host != null && e.object().contains(host.interfaceName() + "@")) {
        return new NetNsException(e.operation(), e.object(), e.errno(), "the host has an interface called "
            + host.interfaceName() + " already. Give " + veth.what() + " another "
            + (veth.left().isHost() ? "leftName" : "rightName") + ", or leave it out for a generated one (jn<pid>-<n>).");
      }
    }
    return e;
  }

  /** Turns on IPv4 and IPv6 forwarding in a namespace no veth or bridge names (the unnamed one). */
  static void enableForwarding(NetNs ns) {
    ns.setSysctl("net.ipv4.ip_forward", "1");
    ns.setSysctl("net.ipv6.conf.all.forwarding", "1");
  }

  private static String text(Cidr address) {
    return address == null ? "" : address.toString();
  }
}
