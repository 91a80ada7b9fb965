package io.github.junitnetns.jupiter;

import io.github.junitnetns.Link;
import io.github.junitnetns.NetNs;
import io.github.junitnetns.NetNsException;
import io.github.junitnetns.VethPair;
import io.github.junitnetns.internal.net.Cidr;
import io.github.junitnetns.internal.ns.Attachment;
import io.github.junitnetns.internal.ns.NetNsAccess;
import java.util.List;
import java.util.Map;

/** Builds a plan's cables and LANs between namespaces that exist, recording what to undo. */
final class Wiring {
  private Wiring() {}

  static void build(List<Plan.Wire> wires, List<Plan.Lan> lans, Map<String, NetNs> namespaces, Topology into) {
    NetNs host = null;
    for (Plan.Wire wire : wires) {
      if (wire.touchesHost() && host == null) {
        host = NetNsAccess.get().openInitial();
        into.undo(host);
      }
      if (wire.left.equals(VethLink.HOST) && wire.leftName == null) {
        wire.leftName = Plan.hostInterfaceName();
      }
      if (wire.right.equals(VethLink.HOST) && wire.rightName == null) {
        wire.rightName = Plan.hostInterfaceName();
      }
      NetNs left = wire.left.equals(VethLink.HOST) ? host : namespaces.get(wire.left);
      NetNs right = wire.right.equals(VethLink.HOST) ? host : namespaces.get(wire.right);
      VethPair pair;
      try {
        pair = VethPair.create(left, wire.leftName, right, wire.rightName, wire.mtu);
      } catch (NetNsException e) {
        // The namespace end's name is unique (Plan checked it); the host's interfaces are not ours to know.
        throw wire.touchesHost() && e.errnoName().equals("EEXIST") ? hostNameTaken(wire, e) : e;
      }
      if (wire.touchesHost()) {
        // The host end must go even if the namespace outlives the test (a thread left inside).
        into.undoHostLink(() -> deleteIfPresent(pair), wire.left.equals(VethLink.HOST) ? wire.leftName : wire.rightName);
      }
      address(pair.left(), wire.leftAddress);
      address(pair.right(), wire.rightAddress);
      String medium = "veth " + wire.id;
      into.attach(new Attachment(medium, wire.left, wire.leftName, address(wire.leftAddress)));
      into.attach(new Attachment(medium, wire.right, wire.rightName, address(wire.rightAddress)));
      into.built(wire.id);
    }
    for (Plan.Lan lan : lans) {
      io.github.junitnetns.Bridge bridge = io.github.junitnetns.Bridge.create(lan.name);
      into.addBridge(bridge);
      for (int i = 0; i < lan.members.size(); i++) {
        Link end = bridge.attach(namespaces.get(lan.members.get(i)), lan.interfaceNames.get(i), lan.mtu);
        address(end, lan.addresses.get(i));
        into.attach(new Attachment("bridge " + lan.name, lan.members.get(i), lan.interfaceNames.get(i),
            address(lan.addresses.get(i))));
      }
      into.built(lan.id);
    }
  }

  private static NetNsException hostNameTaken(Plan.Wire wire, NetNsException e) {
    boolean hostLeft = wire.left.equals(VethLink.HOST);
    String name = hostLeft ? wire.leftName : wire.rightName;
    return new NetNsException(e.operation(), e.object(), e.errno(), "the host has an interface called " + name
        + " already. Give " + wire.description + " another " + (hostLeft ? "leftName" : "rightName")
        + ", or leave it out for a generated one (jn<pid>-<n>).");
  }

  /** Turns on IPv4 and IPv6 forwarding, for {@code @IsolatedNetNs(forwarding = true)}. */
  static void enableForwarding(NetNs ns) {
    ns.setSysctl("net.ipv4.ip_forward", "1");
    ns.setSysctl("net.ipv6.conf.all.forwarding", "1");
  }

  private static void address(Link link, Cidr address) {
    if (address != null) {
      link.addAddress(address.toString());
    }
  }

  private static java.net.InetAddress address(Cidr address) {
    return address == null ? null : address.address();
  }

  private static void deleteIfPresent(VethPair pair) {
    try {
      pair.delete();
    } catch (NetNsException e) {
      if (!e.errnoName().equals("ENODEV")) {
        throw e; // ENODEV: gone already, with its namespace
      }
    } catch (IllegalStateException e) {
      // the namespace handle holding it is closed: the pair went with the namespace
    }
  }
}
