package io.github.junitnetns;

import io.github.junitnetns.internal.netlink.Qdiscs;
import io.github.junitnetns.internal.netlink.Tc;
import java.util.Optional;

/**
 * Shapes what arrives at an interface, where the wire would: the interface's ingress is
 * redirected to an ifb device of its own (created once, in the same namespace), and the qdisc
 * sits on that ifb. A packet dropped there was already sent, so the sender's TCP sees a lost
 * segment, as on a real link, not a local drop it would hear about at once.
 */
final class Shaper {
  private Shaper() {}

  static void shapeArrivals(Link link, Shaping shaping) {
    NetNs ns = link.netNs();
    String device = link.name() + "@" + ns.label();
    String ifbName = "ifb" + link.index();
    Optional<Link> existing = ns.links().stream().filter(l -> l.name().equals(ifbName)).findFirst();
    if (shaping.isNone()) {
      existing.ifPresent(ifb -> {
        try {
          ns.netlink(Qdiscs.deleteRoot(ifb.index(), ifbName + "@" + ns.label()));
        } catch (NetNsException e) {
          if (!e.errnoName().equals("ENOENT")) {
            throw e; // ENOENT: nothing to remove, already unshaped
          }
        }
      });
      return;
    }
    Link ifb = existing.orElseGet(() -> {
      ns.netlink(Qdiscs.newIfb(ifbName, link.mtu(), "ifb " + ifbName + "@" + ns.label() + " for " + device));
      Link made = ns.readLink(ifbName);
      made.up();
      ns.netlink(Qdiscs.addClsact(link.index(), device));
      ns.netlink(Qdiscs.redirectIngress(link.index(), made.index(), device, ifbName));
      return made;
    });
    String target = ifbName + "@" + ns.label() + " (arrivals at " + device + ")";
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
      int burst = Qdiscs.defaultBurstBytes(rate, link.mtu());
      ns.netlink(Qdiscs.replaceTbf(ifb.index(), Tc.TC_H_ROOT, Qdiscs.HANDLE_1, rate, burst,
          Qdiscs.defaultLimitBytes(rate, burst), target));
    }
  }
}
