package io.github.junitnetns;

import io.github.junitnetns.internal.client.RtnlClient;
import io.github.junitnetns.internal.linux.Errno;
import io.github.junitnetns.internal.netlink.Qdiscs;
import io.github.junitnetns.internal.netlink.NftRule;
import io.github.junitnetns.internal.netlink.Tc;
import io.github.junitnetns.internal.topology.Attachment;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Shapes what arrives at an interface from one peer, where a real link would: the peer's packets on
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

  /**
   * The arrivals at one interface from one peer, as {@link #shapeArrivals} takes them: what one
   * shaping applies to, and what a {@link Network} view records that it shaped.
   */
  record Arrivals(Link link, int peer, String peerName, List<InetAddress> sources) {
    /** The same arrivals whichever view names them: namespace, interface and peer. */
    String key() {
      return link.netNs().id() + "/" + ifbName(link.index(), peer);
    }
  }

  /**
   * Who holds the shaping of each {@link Arrivals} in one namespace, most recent last, with the
   * shaping each asked for; the lock under which that shaping changes. The kernel applies the
   * shaping of the most recent holder; when a holder lets go, the next most recent one's is put
   * back, and the last one to let go removes it.
   */
  static final class Ledger {
    private final Map<String, LinkedHashMap<Object, Shaping>> holders = new HashMap<>();

    /** Applies {@code shaping} for {@code owner} ({@link Shaping#none()}: lets go, see {@link #remove}). */
    synchronized void apply(Object owner, Arrivals arrivals, Shaping shaping) {
      if (shaping.isNone()) {
        remove(owner, arrivals);
        return;
      }
      shapeArrivals(arrivals.link(), arrivals.peer(), arrivals.peerName(), arrivals.sources(), shaping);
      LinkedHashMap<Object, Shaping> mine = holders.computeIfAbsent(arrivals.key(), k -> new LinkedHashMap<>());
      mine.remove(owner);
      mine.put(owner, shaping);
    }

    /**
     * An explicit {@code unshape}: lets go of {@code owner}'s hold, and removes the shaping unless
     * another holder keeps it (then that holder's shaping is in force).
     */
    synchronized void remove(Object owner, Arrivals arrivals) {
      LinkedHashMap<Object, Shaping> mine = holders.get(arrivals.key());
      if (mine == null || mine.isEmpty() || mine.keySet().equals(Set.of(owner))) {
        holders.remove(arrivals.key());
        shapeArrivals(arrivals.link(), arrivals.peer(), arrivals.peerName(), arrivals.sources(), Shaping.none());
      } else {
        release(owner, arrivals);
      }
    }

    /** Lets go of {@code owner}'s hold, if it has one (at the end of a test: {@code Network.restore()}). */
    synchronized void release(Object owner, Arrivals arrivals) {
      LinkedHashMap<Object, Shaping> mine = holders.get(arrivals.key());
      if (mine == null || !mine.containsKey(owner)) {
        return;
      }
      Object latest = null;
      for (Object holder : mine.keySet()) {
        latest = holder;
      }
      mine.remove(owner);
      if (mine.isEmpty()) {
        holders.remove(arrivals.key());
        if (!arrivals.link().netNs().isClosed()) {
          shapeArrivals(arrivals.link(), arrivals.peer(), arrivals.peerName(), arrivals.sources(), Shaping.none());
        }
      } else if (latest == owner) {
        Shaping previous = null;
        for (Shaping shaping : mine.values()) {
          previous = shaping;
        }
        shapeArrivals(arrivals.link(), arrivals.peer(), arrivals.peerName(), arrivals.sources(), previous);
      }
    }
  }

  /** {@link Network#shape}: checked first, then applied to each interface of {@code to} that faces {@code from}. */
  static void shape(Network net, Holdings holdings, String from, String to, Shaping shaping) {
    net.requireTwo("shape", from, to);
    if (shaping == null) {
      throw new IllegalArgumentException("Network.shape(\"" + from + "\", \"" + to + "\", null): give a Shaping,"
          + " e.g. Shaping.rate(\"8mbit\"), or Shaping.none() to remove it");
    }
    int peer = new ArrayList<>(net.names()).indexOf(from) + 1;
    List<Attachment> shaped = net.facing(to, from);
    if (shaped.isEmpty()) {
      throw new IllegalArgumentException("Network.shape(\"" + from + "\", \"" + to + "\", ...): the two share no"
          + " @VethLink or @Bridge, so there is no link between them to shape; connect them with one");
    }
    // Validate first: the addresses are needed on a bridge before anything is built.
    boolean anyBridge = shaped.stream().anyMatch(a -> !a.isVeth());
    List<InetAddress> sources = anyBridge ? net.addressesOf(from, "shape") : null;
    if (peer > MAX_PEER) {
      throw new IllegalArgumentException("Network.shape(\"" + from + "\", \"" + to + "\", ...): \"" + from
          + "\" is namespace number " + peer + "; shaping tells at most " + MAX_PEER + " apart");
    }
    NetNs at = net.ns(to);
    for (Attachment attachment : shaped) {
      Link link = Link.read(at, attachment.interfaceName());
      Arrivals arrivals = new Arrivals(link, peer, from, attachment.isVeth() ? null : sources);
      holdings.shape(at, arrivals, shaping);
    }
  }

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
    boolean randomLoss = shaping.lossPercent() > 0 && !shaping.needsNetem();
    String lossComment = "junit-netns loss " + ifbName(link.index(), peer);
    ns.firewall().remove(lossComment); // a new shaping replaces the loss too
    shapeQdisc(link, peer, peerName, sources, randomLoss ? shaping.withLoss(0) : shaping);
    if (randomLoss) {
      String device = link.name() + "@" + ns.label();
      try {
        ns.firewall().add(lossComment, lossRules(link.index(), sources, shaping.lossPercent()),
            "Shaping " + shaping + " of arrivals at " + device + " from " + peerName);
      } catch (RuntimeException e) {
        try {
          shapeQdisc(link, peer, peerName, sources, Shaping.none());
        } catch (RuntimeException cleanup) {
          e.addSuppressed(cleanup);
        }
        throw e;
      }
    }
  }

  /**
   * Random loss without netem: in the receiving namespace's prerouting chain, what arrives on the
   * interface (from the peer's addresses, on a bridge) is dropped with probability {@code percent}
   * (numgen random) and counted. It sits after the rate limit's ifb, whose packets come back to
   * the interface's receive path: a packet is first delayed by the rate, then maybe lost. Only IP
   * packets are lost: ARP passes (netem on a veth would drop it too).
   */
  private static List<Firewall.Placed> lossRules(int ifindex, List<InetAddress> sources, double percent) {
    List<Firewall.Placed> rules = new ArrayList<>();
    if (sources == null) {
      rules.add(new Firewall.Placed(Firewall.PREROUTING,
          NftRule.create().iif(ifindex).randomPercent(percent).counter().drop()));
    } else {
      for (InetAddress source : sources) {
        rules.add(new Firewall.Placed(Firewall.PREROUTING,
            NftRule.create().iif(ifindex).from(source).randomPercent(percent).counter().drop()));
      }
    }
    return rules;
  }

  /** The qdisc part of shaping: the ifb, its redirect and tbf or netem; {@link Shaping#none()} removes them. */
  private static void shapeQdisc(Link link, int peer, String peerName, List<InetAddress> sources, Shaping shaping) {
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
    RtnlClient client = ns.client();
    client.newIfb(ifbName, link.mtu(), "ifb " + ifbLabel + " for " + device + " from " + peerName);
    boolean clsact = false; // whether the interface has its clsact qdisc, where the filters would be
    try {
      Link ifb = Link.read(ns, ifbName);
      ifb.up();
      // The qdisc first: from the first redirected packet on, the shaping is in force.
      applyQdisc(ns, ifb, link.mtu(), shaping, target, device);
      try {
        client.addClsact(link.index(), device);
      } catch (NetNsException e) {
        if (e.errno() != Errno.EEXIST) {
          throw e; // EEXIST: another peer's shaping put it there
        }
      }
      clsact = true;
      if (sources == null) {
        client.redirectIngress(link.index(), prio(peer, SLOT_ALL), ifb.index(), device, ifbLabel);
      } else {
        for (InetAddress source : sources) {
          int slot = Qdiscs.protocolOf(source) == Tc.ETH_P_IPV6 ? SLOT_IPV6 : SLOT_IPV4;
          client.redirectIngressFrom(link.index(), prio(peer, slot), source, ifb.index(), device, ifbLabel);
        }
      }
    } catch (RuntimeException e) {
      // Leave nothing half-built: no redirect to a missing ifb, no ifb without its redirect.
      // Without clsact there are no filters, and asking to delete them is refused with EINVAL.
      try {
        remove(ns, link, peer, clsact ? protocols : Set.of(), ifbName, device);
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
        ns.client().deleteIngressFilters(link.index(), prio(peer, slot), protocol, device);
      } catch (NetNsException e) {
        if (e.errno() != Errno.ENOENT) {
          failures.add(e); // ENOENT: not (yet) there
        }
      }
    }
    try {
      ns.client().deleteLink(ifbName, "ifb " + ifbName + "@" + ns.label());
    } catch (NetNsException e) {
      if (e.errno() != Errno.ENODEV) {
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
        ns.client().replaceRootNetem(ifb.index(), netem(shaping), target);
      } catch (NetNsException e) {
        if (isUnknownKind(e)) {
          throw new Shaping.NetemUnavailableException(e, netemMissingMessage(shaping, device));
        }
        throw e;
      }
    } else {
      long rate = shaping.rateBitsPerSecond();
      int burst = Qdiscs.defaultBurstBytes(rate, mtu);
      ns.client().replaceRootTbf(ifb.index(), rate, burst, Qdiscs.defaultLimitBytes(rate, burst), target);
    }
  }

  /** What netem is to do for {@code shaping}, in the terms of the request. */
  static Qdiscs.Netem netem(Shaping shaping) {
    return new Qdiscs.Netem(shaping.rateBitsPerSecond(), shaping.delay().toNanos(), shaping.jitter().toNanos(),
        shaping.lossPercent(), shaping.duplicationPercent(), shaping.reorderingPercent(),
        shaping.corruptionPercent(), shaping.toString());
  }

  /**
   * Whether a refused RTM_NEWQDISC means that the kernel does not know the qdisc kind: ENOENT
   * with the text "Specified qdisc kind is unknown" (net/sched/sch_api.c), or ENOENT without text
   * on kernels before extended ACKs. Only for requests whose parent surely exists (root, clsact).
   */
  static boolean isUnknownKind(NetNsException e) {
    String message = e.getMessage() == null ? "" : e.getMessage();
    return e.errno() == Errno.ENOENT && (message.contains("kind is unknown") || !message.contains("kernel says"));
  }

  /** What to tell the user when the kernel has no netem, for {@code shaping} on {@code device}. */
  static String netemMissingMessage(Shaping shaping, String device) {
    return "Cannot shape " + device + " with " + shaping + ": this kernel (" + System.getProperty("os.version")
        + ") has no netem qdisc, the kernel module sch_netem, which delay, jitter, duplication, reordering and"
        + " corruption need (a rate and random loss alone work without it). Load it with `sudo modprobe sch_netem`; if modprobe"
        + " cannot find it, install the kernel's extra modules (Ubuntu: `sudo apt-get install"
        + " linux-modules-extra-$(uname -r)`) or use a kernel built with CONFIG_NET_SCH_NETEM.";
  }
}
