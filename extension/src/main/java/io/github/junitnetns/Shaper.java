package io.github.junitnetns;

import io.github.junitnetns.internal.netlink.Qdiscs;
import io.github.junitnetns.internal.netlink.Requests;
import io.github.junitnetns.internal.netlink.Tc;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Shapes what arrives at an interface from one peer, where the wire would: the peer's packets on
 * the interface's ingress are redirected to an ifb device of their own (one per interface and
 * peer, in the same namespace), and the qdisc sits on that ifb. A packet dropped there was
 * already sent, so the sender's TCP sees a lost segment, as on a real link, not a local drop it
 * would hear about at once.
 *
 * <p>On a point-to-point link (a veth) everything that arrives comes from the peer, so one u32
 * filter that matches all redirects it, forwarded traffic and ARP included. On a bridge port one
 * u32 filter per source address of the peer picks its packets out; other members' traffic passes
 * untouched. Each peer's filters sit at priorities of their own ({@link #prio}), so removing one
 * peer's shaping leaves the others' alone.
 */
final class Shaper {
  private Shaper() {}

  /** The most peers one interface can tell apart: the ifb name has three hex digits for the peer. */
  static final int MAX_PEER = 0xFFF;

  private static final int SLOT_ALL = 1;
  private static final int SLOT_IPV4 = 2;
  private static final int SLOT_IPV6 = 3;

  /**
   * Shapes the traffic that arrives at {@code link} from the peer numbered {@code peer} (1 to
   * {@link #MAX_PEER}, unique within the link's namespace; {@code peerName} only for messages).
   * {@code sources} are the peer's addresses, or null on a point-to-point link, where all that
   * arrives is the peer's. {@link Shaping#none()} removes that peer's filters and ifb; harmless when
   * there are none.
   */
  static void shapeArrivals(Link link, int peer, String peerName, List<InetAddress> sources, Shaping shaping) {
    if (peer < 1 || peer > MAX_PEER) {
      throw new IllegalArgumentException("cannot shape arrivals from peer number " + peer + " (" + peerName
          + "): one interface tells at most " + MAX_PEER + " peers apart");
    }
    NetNs ns = link.netNs();
    String device = link.name() + "@" + ns.label();
    String ifbName = ifbName(link.index(), peer);
    String ifbLabel = ifbName + "@" + ns.label();
    Set<Integer> protocols = protocols(sources);
    Optional<Link> existing = ns.links().stream().filter(l -> l.name().equals(ifbName)).findFirst();
    if (shaping.isNone()) {
      if (existing.isPresent()) {
        remove(ns, link, peer, protocols, ifbName, device);
      }
      return;
    }
    String target = ifbLabel + " (arrivals at " + device + " from " + peerName + ")";
    if (existing.isPresent()) {
      applyQdisc(ns, existing.get(), link.mtu(), shaping, target, device);
      return;
    }
    ns.netlink(Qdiscs.newIfb(ifbName, link.mtu(), "ifb " + ifbLabel + " for " + device + " from " + peerName));
    try {
      Link ifb = ns.readLink(ifbName);
      ifb.up();
      // The qdisc first: from the first redirected packet on, the shaping is in force.
      applyQdisc(ns, ifb, link.mtu(), shaping, target, device);
      try {
        ns.netlink(Qdiscs.addClsact(link.index(), device));
      } catch (NetNsException e) {
        if (!e.errnoName().equals("EEXIST")) {
          throw e; // EEXIST: another peer's shaping put it there
        }
      }
      if (sources == null) {
        ns.netlink(Qdiscs.redirectIngress(link.index(), prio(peer, SLOT_ALL), ifb.index(), device, ifbLabel));
      } else {
        for (InetAddress source : sources) {
          int slot = Qdiscs.protocolOf(source) == Tc.ETH_P_IPV6 ? SLOT_IPV6 : SLOT_IPV4;
          ns.netlink(Qdiscs.redirectIngressFrom(link.index(), prio(peer, slot), source, ifb.index(), device,
              ifbLabel));
        }
      }
    } catch (RuntimeException e) {
      // Leave nothing half-built: no redirect to a missing ifb, no ifb without its redirect.
      try {
        remove(ns, link, peer, protocols, ifbName, device);
      } catch (RuntimeException cleanup) {
        e.addSuppressed(cleanup);
      }
      throw e;
    }
  }

  /**
   * The ifb for arrivals at interface {@code ifindex} from peer {@code peer}: {@code ifb}, the
   * index in hex, {@code p}, the peer in hex, e.g. {@code ifb1000cp2}; at most 3 + 8 + 1 + 3 = 15
   * bytes (IFNAMSIZ - 1) for any index and peer.
   */
  static String ifbName(int ifindex, int peer) {
    return "ifb" + Integer.toHexString(ifindex) + "p" + Integer.toHexString(peer);
  }

  /** The filter priority of a peer's filters of one kind: four per peer, from 5 (peer 1) to 16383. */
  static int prio(int peer, int slot) {
    return peer * 4 + slot;
  }

  /** The filter protocols the peer's filters use: ETH_P_ALL for a point-to-point link. */
  private static Set<Integer> protocols(List<InetAddress> sources) {
    if (sources == null) {
      return Set.of(Tc.ETH_P_ALL);
    }
    if (sources.isEmpty()) {
      throw new IllegalArgumentException("shaping a peer on a shared medium needs its addresses, none given");
    }
    return sources.stream().map(Qdiscs::protocolOf).collect(Collectors.toCollection(LinkedHashSet::new));
  }

  /** Removes the peer's filters, then its ifb (a redirect to a missing device would drop the packets). */
  private static void remove(NetNs ns, Link link, int peer, Set<Integer> protocols, String ifbName, String device) {
    List<RuntimeException> failures = new ArrayList<>();
    for (int protocol : protocols) {
      int slot = protocol == Tc.ETH_P_ALL ? SLOT_ALL : protocol == Tc.ETH_P_IPV6 ? SLOT_IPV6 : SLOT_IPV4;
      try {
        ns.netlink(Qdiscs.deleteIngressFilters(link.index(), prio(peer, slot), protocol, device));
      } catch (NetNsException e) {
        if (!e.errnoName().equals("ENOENT")) {
          failures.add(e); // ENOENT: not (yet) there
        }
      }
    }
    try {
      ns.netlink(Requests.deleteLink(ifbName, "ifb " + ifbName + "@" + ns.label()));
    } catch (NetNsException e) {
      if (!e.errnoName().equals("ENODEV")) {
        failures.add(e);
      }
    }
    if (!failures.isEmpty()) {
      RuntimeException first = failures.get(0);
      failures.subList(1, failures.size()).forEach(first::addSuppressed);
      throw first;
    }
  }

  private static void applyQdisc(NetNs ns, Link ifb, int mtu, Shaping shaping, String target, String device) {
    if (shaping.needsNetem()) {
      try {
        ns.netlink(Qdiscs.replaceNetem(ifb.index(), Tc.TC_H_ROOT, Qdiscs.HANDLE_1, shaping, target));
      } catch (NetNsException e) {
        if (Qdiscs.isUnknownKind(e)) {
          throw new Shaping.NetemUnavailableException(e, Qdiscs.netemMissingMessage(shaping, device));
        }
        throw e;
      }
    } else {
      long rate = shaping.rateBitsPerSecond();
      int burst = Qdiscs.defaultBurstBytes(rate, mtu);
      ns.netlink(Qdiscs.replaceTbf(ifb.index(), Tc.TC_H_ROOT, Qdiscs.HANDLE_1, rate, burst,
          Qdiscs.defaultLimitBytes(rate, burst), target));
    }
  }
}
