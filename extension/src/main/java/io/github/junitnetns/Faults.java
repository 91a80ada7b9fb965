package io.github.junitnetns;

import io.github.junitnetns.internal.client.RtnlClient;
import io.github.junitnetns.internal.linux.Errno;
import io.github.junitnetns.internal.net.Addresses;
import io.github.junitnetns.internal.netlink.Rtnl;
import io.github.junitnetns.internal.netlink.RuleMessage;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

/**
 * The faults {@link Network} applies to a namespace: namespace-local policy rules, marked
 * RTPROT_JUNIT_NETNS, so the kernel holds the state. A source is dropped by a blackhole rule at
 * priority 10; the local table's rule moves from priority 0 behind it, to
 * 100, so that the drop comes first even for local addresses.
 */
final class Faults {
  private static final int DROP_PRIORITY = 10;
  private static final int MOVED_LOCAL_PRIORITY = 100;
  private static final int[] FAMILIES = {Rtnl.AF_INET, Rtnl.AF_INET6};

  private Faults() {}

  /**
   * Drops packets from {@code sources} silently where they arrive at {@code ns}, before the local
   * table is consulted: like a firewall DROP, the sender sees only timeouts. Applying it twice is harmless.
   */
  static void dropFrom(NetNs ns, Collection<InetAddress> sources) {
    ns.checkOpen("drop traffic in it");
    RtnlClient client = ns.client();
    for (InetAddress source : sources) {
      moveLocalRuleBehindFaults(ns, source instanceof Inet6Address ? Rtnl.AF_INET6 : Rtnl.AF_INET);
      String object = "from " + Addresses.format(source) + " blackhole in netns " + ns.label();
      tolerating(Errno.EEXIST, () -> client.addBlackholeRule(source, DROP_PRIORITY, object));
    }
  }

  /** Removes this library's drop rules and puts the local rule back at priority 0, as before the first fault. */
  static void heal(NetNs ns) {
    if (ns.isClosed()) {
      return;
    }
    RtnlClient client = ns.client();
    for (int family : FAMILIES) {
      boolean moved = false;
      for (RuleMessage rule : client.rules(family)) {
        if (!rule.isOurs()) {
          continue;
        }
        if (rule.action == Rtnl.FR_ACT_BLACKHOLE && rule.source != null) {
          String object = "from " + Addresses.format(rule.source) + " blackhole in netns " + ns.label();
          tolerating(Errno.ENOENT, () -> client.deleteBlackholeRule(rule.source, rule.priority, object));
        } else if (rule.table == Rtnl.RT_TABLE_LOCAL && rule.priority == MOVED_LOCAL_PRIORITY) {
          moved = true;
        }
      }
      if (moved) {
        // Local lookup first back in place, then ours away: never a moment without it.
        tolerating(Errno.EEXIST, () -> client.addLocalRule(family, 0, Rtnl.RTPROT_KERNEL,
            "lookup local priority 0 in netns " + ns.label()));
        client.deleteLocalRule(family, MOVED_LOCAL_PRIORITY, "lookup local priority 100 in netns " + ns.label());
      }
    }
  }

  /** The sources {@code ns} drops now (this library's rules only). */
  static List<InetAddress> droppedSources(NetNs ns) {
    if (ns.isClosed()) {
      return List.of();
    }
    List<InetAddress> sources = new ArrayList<>();
    for (int family : FAMILIES) {
      for (RuleMessage rule : ns.client().rules(family)) {
        if (rule.isOurs() && rule.action == Rtnl.FR_ACT_BLACKHOLE && rule.source != null) {
          sources.add(rule.source);
        }
      }
    }
    return sources;
  }

  private static void moveLocalRuleBehindFaults(NetNs ns, int family) {
    boolean atZero = false;
    boolean moved = false;
    for (RuleMessage rule : ns.client().rules(family)) {
      if (rule.table == Rtnl.RT_TABLE_LOCAL && rule.action == Rtnl.FR_ACT_TO_TBL) {
        atZero |= rule.priority == 0;
        moved |= rule.isOurs() && rule.priority == MOVED_LOCAL_PRIORITY;
      }
    }
    if (!moved) {
      ns.client().addLocalRule(family, MOVED_LOCAL_PRIORITY, Rtnl.RTPROT_JUNIT_NETNS,
          "lookup local priority 100 in netns " + ns.label());
    }
    if (atZero) {
      ns.client().deleteLocalRule(family, 0, "lookup local priority 0 in netns " + ns.label());
    }
  }

  /** Runs {@code change}; a refusal with {@code harmless} means it is done already. */
  private static void tolerating(int harmless, Runnable change) {
    try {
      change.run();
    } catch (NetNsException e) {
      if (e.errno() != harmless) {
        throw e;
      }
    }
  }
}
