package io.github.junitnetns;

import io.github.junitnetns.internal.linux.Errno;
import io.github.junitnetns.internal.net.Cidr;
import io.github.junitnetns.internal.ns.Attachment;
import io.github.junitnetns.internal.ns.NetNsAccess;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Builds a checked plan: namespaces, forwarding, veths, bridges and addresses, in that order. What
 * it made is owned by the returned {@link Network}; if anything fails half-way, everything made so
 * far is removed, last first, before the error is thrown.
 */
final class Construction {
  private final Map<String, NetNs> namespaces = new LinkedHashMap<>();
  private final Map<String, Bridge> bridges = new LinkedHashMap<>();
  private final List<Attachment> attachments = new ArrayList<>();
  /** Undone at close, last first: host ends, bridges, then the namespaces created here. */
  private final List<AutoCloseable> owned = new ArrayList<>();
  private NetNs host;

  private Construction() {}

  static Network build(Draft.Plan plan) {
    Construction made = new Construction();
    try {
      made.namespaces(plan);
      for (Draft.VethPlan veth : plan.veths()) {
        made.veth(veth);
      }
      for (Draft.BridgePlan bridge : plan.bridges()) {
        made.bridge(bridge);
      }
    } catch (RuntimeException | Error e) {
      made.undo(e);
      throw e;
    }
    return new Network(made.namespaces, made.bridges, made.attachments, made.owned);
  }

  private void namespaces(Draft.Plan plan) {
    for (Draft.NamespacePlan ns : plan.namespaces()) {
      NetNs handle = ns.existing();
      if (handle == null) {
        handle = NetNs.create(ns.name());
        owned.add(handle);
      }
      namespaces.put(ns.name(), handle);
      if (ns.forwarding()) {
        handle.setSysctl("net.ipv4.ip_forward", "1");
        handle.setSysctl("net.ipv6.conf.all.forwarding", "1");
      }
    }
  }

  private void veth(Draft.VethPlan veth) {
    NetNs left = end(veth.left());
    NetNs right = end(veth.right());
    VethPair pair;
    try {
      pair = VethPair.create(left, veth.leftName(), right, veth.rightName(), veth.mtu());
    } catch (NetNsException e) {
      // The namespaces' names were checked; the host's interfaces are not ours to know.
      throw veth.touchesHost() && e.errno() == Errno.EEXIST ? hostNameTaken(veth, e) : e;
    }
    if (veth.touchesHost()) {
      // The host end must go even if a namespace outlives the network (a thread left inside).
      owned.add(() -> deleteIfPresent(pair));
    }
    address(pair.left(), veth.leftAddress());
    address(pair.right(), veth.rightAddress());
    attachments.add(new Attachment(veth.medium(), veth.left(), veth.leftName(), address(veth.leftAddress())));
    attachments.add(new Attachment(veth.medium(), veth.right(), veth.rightName(), address(veth.rightAddress())));
  }

  private void bridge(Draft.BridgePlan plan) {
    Bridge bridge = Bridge.create(plan.name());
    owned.add(bridge);
    bridges.put(plan.name(), bridge);
    for (int i = 0; i < plan.members().size(); i++) {
      String member = plan.members().get(i);
      Link end = bridge.attach(namespaces.get(member), plan.names().get(i), plan.mtu());
      address(end, plan.addresses().get(i));
      attachments.add(new Attachment("bridge " + plan.name(), member, plan.names().get(i),
          address(plan.addresses().get(i))));
    }
  }

  private NetNs end(String name) {
    if (!name.equals(Network.HOST)) {
      return namespaces.get(name);
    }
    if (host == null) {
      host = NetNsAccess.get().openInitial();
      owned.add(host); // closes the handle only: the host's namespace stays
    }
    return host;
  }

  private static NetNsException hostNameTaken(Draft.VethPlan veth, NetNsException e) {
    boolean hostLeft = veth.left().equals(Network.HOST);
    String name = hostLeft ? veth.leftName() : veth.rightName();
    return new NetNsException(e.operation(), e.object(), e.errno(), "the host has an interface called " + name
        + " already. Give " + veth.description() + " another " + (hostLeft ? "leftName" : "rightName")
        + ", or leave it out for a generated one (jn<pid>-<n>).");
  }

  private static void address(Link link, Cidr address) {
    if (address != null) {
      link.addAddress(address.toString());
    }
  }

  private static InetAddress address(Cidr address) {
    return address == null ? null : address.address();
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

  private void undo(Throwable failure) {
    for (int i = owned.size() - 1; i >= 0; i--) {
      try {
        owned.get(i).close();
      } catch (Exception e) {
        failure.addSuppressed(e);
      }
    }
  }
}
