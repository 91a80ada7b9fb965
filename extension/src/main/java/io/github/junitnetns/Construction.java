package io.github.junitnetns;

import io.github.junitnetns.internal.linux.Errno;
import io.github.junitnetns.internal.linux.ErrnoException;
import io.github.junitnetns.internal.net.Cidr;
import io.github.junitnetns.internal.ns.Descriptors;
import io.github.junitnetns.internal.ns.NsHandle;
import io.github.junitnetns.internal.topology.Attachment;
import io.github.junitnetns.internal.topology.BridgePlan;
import io.github.junitnetns.internal.topology.Endpoint;
import io.github.junitnetns.internal.topology.NamespaceSpec;
import io.github.junitnetns.internal.topology.TopologyPlan;
import io.github.junitnetns.internal.topology.VethPlan;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Builds a checked plan, the one way topologies are built (the annotations come here too):
 * namespaces, forwarding, veths with their addresses, then bridges with theirs. What it made is
 * owned by the returned {@link Network}; if anything fails half-way, everything made so far is
 * removed, last first, before the error is thrown.
 */
final class Construction {
  private final Map<String, NetNs> namespaces = new LinkedHashMap<>();
  private final Map<String, Bridge> bridges = new LinkedHashMap<>();
  private final List<Attachment> attachments = new ArrayList<>();
  /** Removed at close, last first: namespaces created here, the host's handle, bridges. */
  private final List<AutoCloseable> owned = new ArrayList<>();
  /** Host ends of veths, removed first at close unless the network is kept for debugging. */
  private final List<AutoCloseable> hostLinks = new ArrayList<>();
  private NetNs host;

  private Construction() {}

  /** Builds {@code plan}; {@code existing} are namespaces by name that are used, not created. */
  static Network build(TopologyPlan plan, Map<String, NetNs> existing) {
    return build(plan, existing, Map.of());
  }

  /** As {@link #build(TopologyPlan, Map)}, then {@code masquerades}: namespace name to its masqueraded interfaces. */
  static Network build(TopologyPlan plan, Map<String, NetNs> existing, Map<String, List<String>> masquerades) {
    Construction made = new Construction();
    try {
      made.namespaces(plan.namespaces(), existing);
      for (VethPlan veth : plan.veths()) {
        made.veth(veth);
      }
      for (BridgePlan bridge : plan.bridges()) {
        made.bridge(bridge);
      }
      masquerades.forEach((name, interfaces) -> made.masquerade(name, interfaces, existing.containsKey(name)));
    } catch (NetNsException e) {
      made.undo(e);
      throw Descriptors.ranOut(e.errno()) ? descriptorsRanOut(e, plan) : e;
    } catch (RuntimeException | Error e) {
      made.undo(e);
      throw e;
    }
    Network network = new Network(made.namespaces, made.bridges, made.attachments, made.owned, made.hostLinks);
    network.publishOwnNames();
    return network;
  }

  private void namespaces(List<NamespaceSpec> specs, Map<String, NetNs> existing) {
    for (NamespaceSpec spec : specs) {
      NetNs ns = existing.get(spec.name());
      if (ns == null) {
        ns = NetNs.create(spec.name());
        owned.add(ns);
      }
      namespaces.put(spec.name(), ns);
      if (spec.forwarding()) {
        Sysctl.enableForwarding(ns);
      }
    }
  }

  private void veth(VethPlan veth) {
    VethPair pair;
    try {
      pair = VethPair.create(ns(veth.left()), veth.left().interfaceName(), ns(veth.right()),
          veth.right().interfaceName(), veth.mtu());
    } catch (NetNsException e) {
      // The namespaces' interface names were checked; the host's interfaces are not ours to know.
      throw veth.touchesHost() && e.errno() == Errno.EEXIST ? hostNameTaken(veth, e) : e;
    }
    if (veth.touchesHost()) {
      // The host end must go even if a namespace outlives the network (a thread left inside).
      hostLinks.add(() -> deleteIfPresent(pair));
    }
    address(pair.left(), veth.left().address());
    address(pair.right(), veth.right().address());
    attachments.add(Attachment.of(veth.medium(), veth.left()));
    attachments.add(Attachment.of(veth.medium(), veth.right()));
  }

  private void bridge(BridgePlan plan) {
    Bridge bridge = Bridge.create(plan.name());
    owned.add(bridge);
    bridges.put(plan.name(), bridge);
    for (Endpoint member : plan.members()) {
      Link end = bridge.attach(namespaces.get(member.namespace()), member.interfaceName(), plan.mtu());
      address(end, member.address());
      attachments.add(Attachment.of(plan.medium(), member));
    }
  }

  private void masquerade(String name, List<String> interfaces, boolean existing) {
    NetNs ns = namespaces.get(name);
    for (String outInterface : interfaces) {
      ns.masquerade(outInterface);
      if (existing) {
        owned.add(() -> ns.unmasquerade(outInterface)); // a namespace passed in outlives the network: take it back
      }
    }
  }

  private NetNs ns(Endpoint end) {
    if (!end.isHost()) {
      return namespaces.get(end.namespace());
    }
    if (host == null) {
      try {
        host = new NetNs(NsHandle.openInitial());
      } catch (ErrnoException e) {
        throw NetNsException.of(e);
      }
      owned.add(host); // closes the handle only: the host's namespace stays
    }
    return host;
  }

  /** EMFILE/ENFILE: says so, with what the topology needs, once what was made is closed again. */
  private static NetNsException descriptorsRanOut(NetNsException e, TopologyPlan plan) {
    NetNsException said = new NetNsException(e.operation(), e.object(), e.errno(),
        Descriptors.advice(e.errno(), plan.descriptorsNeeded()));
    for (Throwable suppressed : e.getSuppressed()) {
      said.addSuppressed(suppressed);
    }
    return said;
  }

  private static NetNsException hostNameTaken(VethPlan veth, NetNsException e) {
    Endpoint hostEnd = veth.left().isHost() ? veth.left() : veth.right();
    return new NetNsException(e.operation(), e.object(), e.errno(), "the host has an interface called "
        + hostEnd.interfaceName() + " already. Give " + veth.what() + " another name for its host end with"
        + " names(...), or leave it out for a generated one (jn<pid>-<n>).");
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

  private void undo(Throwable failure) {
    List<AutoCloseable> all = new ArrayList<>(owned);
    all.addAll(hostLinks);
    for (int i = all.size() - 1; i >= 0; i--) {
      try {
        all.get(i).close();
      } catch (Exception e) {
        failure.addSuppressed(e);
      }
    }
  }
}
