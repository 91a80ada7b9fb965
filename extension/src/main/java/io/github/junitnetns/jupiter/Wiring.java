package io.github.junitnetns.jupiter;

import io.github.junitnetns.Link;
import io.github.junitnetns.NetNs;
import io.github.junitnetns.NetNsException;
import io.github.junitnetns.VethPair;
import io.github.junitnetns.internal.linux.Errno;
import io.github.junitnetns.internal.net.Cidr;
import io.github.junitnetns.internal.ns.Attachment;
import io.github.junitnetns.internal.ns.NetNsAccess;
import io.github.junitnetns.internal.topology.BridgePlan;
import io.github.junitnetns.internal.topology.Endpoint;
import io.github.junitnetns.internal.topology.Medium;
import io.github.junitnetns.internal.topology.VethPlan;
import java.util.List;
import java.util.Map;

/**
 * Builds planned veths and bridges between namespaces that exist, recording in a
 * {@link BuiltTopology} what to undo and who is plugged in where. Every name and address comes
 * from the plan; nothing is decided here.
 */
final class Wiring {
  private Wiring() {}

  static void build(List<VethPlan> veths, List<BridgePlan> bridges, Map<String, NetNs> namespaces, BuiltTopology into) {
    NetNs host = null;
    for (VethPlan veth : veths) {
      if (veth.touchesHost() && host == null) {
        host = NetNsAccess.get().openInitial();
        into.undo(host);
      }
      NetNs left = veth.left().isHost() ? host : namespaces.get(veth.left().namespace());
      NetNs right = veth.right().isHost() ? host : namespaces.get(veth.right().namespace());
      VethPair pair;
      try {
        pair = VethPair.create(left, veth.left().interfaceName(), right, veth.right().interfaceName(), veth.mtu());
      } catch (NetNsException e) {
        // The namespace end's name is unique (the plan checked it); the host's interfaces are not ours to know.
        throw veth.touchesHost() && e.errno() == Errno.EEXIST ? hostNameTaken(veth, e) : e;
      }
      if (veth.touchesHost()) {
        // The host end must go even if the namespace outlives the test (a thread left inside).
        into.undoHostLink(() -> deleteIfPresent(pair), hostEnd(veth).interfaceName());
      }
      address(pair.left(), veth.left().address());
      address(pair.right(), veth.right().address());
      into.attach(attachment(veth.medium(), veth.left()));
      into.attach(attachment(veth.medium(), veth.right()));
      into.built(veth.id());
    }
    for (BridgePlan plan : bridges) {
      io.github.junitnetns.Bridge bridge = io.github.junitnetns.Bridge.create(plan.name());
      into.addBridge(bridge);
      for (Endpoint member : plan.members()) {
        Link end = bridge.attach(namespaces.get(member.namespace()), member.interfaceName(), plan.mtu());
        address(end, member.address());
        into.attach(attachment(plan.medium(), member));
      }
      into.built(plan.id());
    }
  }

  /** {@link Attachment} still takes the medium as text ("veth ID", "bridge NAME"), which Network compares. */
  private static Attachment attachment(Medium medium, Endpoint end) {
    return new Attachment(medium.toString(), end.namespace(), end.interfaceName(), end.ip());
  }

  private static Endpoint hostEnd(VethPlan veth) {
    return veth.left().isHost() ? veth.left() : veth.right();
  }

  private static NetNsException hostNameTaken(VethPlan veth, NetNsException e) {
    return new NetNsException(e.operation(), e.object(), e.errno(), "the host has an interface called "
        + hostEnd(veth).interfaceName() + " already. Give " + veth.what() + " another "
        + (veth.left().isHost() ? "leftName" : "rightName") + ", or leave it out for a generated one (jn<pid>-<n>).");
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

  private static void deleteIfPresent(VethPair pair) {
    try {
      pair.delete();
    } catch (NetNsException e) {
      if (e.errno() != Errno.ENODEV) {
        throw e; // ENODEV: gone already, with its namespace
      }
    } catch (IllegalStateException e) {
      // the namespace handle holding it is closed: the pair went with the namespace
    }
  }
}
