package io.github.junitnetns;

import io.github.junitnetns.internal.client.RtnlClient;
import io.github.junitnetns.internal.linux.Errno;
import io.github.junitnetns.internal.net.Addresses;
import io.github.junitnetns.internal.netlink.Rtnl;
import io.github.junitnetns.internal.netlink.RuleMessage;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The faults {@link Network} applies to a namespace: namespace-local policy rules, marked
 * RTPROT_JUNIT_NETNS, so the kernel holds the state. A source is dropped by a blackhole rule at
 * priority 10; the local table's rule moves from priority 0 behind it, to
 * 100, so that the drop comes first even for local addresses.
 *
 * <p>Several {@link Network} views may share a namespace (tests running at once in CLASS-scoped
 * namespaces). Each view holds the drops it asked for; the namespace's {@link Ledger} counts the
 * holders of each drop, so one kernel rule serves them all and goes only when its last holder
 * lets go, and the local rule returns to priority 0 only when the family has no drop left.
 */
final class Faults {
  private static final int DROP_PRIORITY = 10;
  private static final int MOVED_LOCAL_PRIORITY = 100;

  private Faults() {}

  /** How many views hold each drop in one namespace; the lock under which its rules change. */
  static final class Ledger {
    private final Map<InetAddress, Integer> holders = new HashMap<>();

    synchronized int holders(InetAddress source) {
      return holders.getOrDefault(source, 0);
    }
  }

  /**
   * Drops packets from {@code source} silently where they arrive at {@code ns}, before the local
   * table is consulted: like a firewall DROP, the sender sees only timeouts. Adds one holder; the
   * caller adds each of its drops once.
   */
  static void hold(NetNs ns, InetAddress source) {
    ns.checkOpen("drop traffic in it");
    Ledger ledger = ns.faults();
    synchronized (ledger) {
      int held = ledger.holders.getOrDefault(source, 0);
      if (held == 0) {
        moveLocalRuleBehindFaults(ns, familyOf(source));
        String object = "from " + Addresses.format(source) + " blackhole in netns " + ns.label();
        tolerating(Errno.EEXIST, () -> ns.client().addBlackholeRule(source, DROP_PRIORITY, object));
      }
      ledger.holders.put(source, held + 1);
    }
  }

  /**
   * Lets go of one hold on the drop of {@code source} at {@code ns}: the rule goes with its last
   * holder, and the local rule returns to priority 0 when no drop of its family is left.
   */
  static void release(NetNs ns, InetAddress source) {
    Ledger ledger = ns.faults();
    synchronized (ledger) {
      int held = ledger.holders.getOrDefault(source, 0);
      if (held > 1) {
        ledger.holders.put(source, held - 1);
        return;
      }
      ledger.holders.remove(source);
      if (held == 0 || ns.isClosed()) {
        return;
      }
      RtnlClient client = ns.client();
      String object = "from " + Addresses.format(source) + " blackhole in netns " + ns.label();
      tolerating(Errno.ENOENT, () -> client.deleteBlackholeRule(source, DROP_PRIORITY, object));
      int family = familyOf(source);
      if (ledger.holders.keySet().stream().noneMatch(other -> familyOf(other) == family)) {
        restoreLocalRule(ns, family);
      }
    }
  }

  /** The sources {@code ns} drops now (this library's rules only, whoever holds them). */
  static List<InetAddress> droppedSources(NetNs ns) {
    if (ns.isClosed()) {
      return List.of();
    }
    List<InetAddress> sources = new ArrayList<>();
    for (int family : new int[] {Rtnl.AF_INET, Rtnl.AF_INET6}) {
      for (RuleMessage rule : ns.client().rules(family)) {
        if (rule.isOurs() && rule.action == Rtnl.FR_ACT_BLACKHOLE && rule.source != null) {
          sources.add(rule.source);
        }
      }
    }
    return sources;
  }

  private static int familyOf(InetAddress address) {
    return address instanceof Inet6Address ? Rtnl.AF_INET6 : Rtnl.AF_INET;
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

  /** Puts the local rule back at priority 0 if it was moved: as before the first fault. */
  private static void restoreLocalRule(NetNs ns, int family) {
    RtnlClient client = ns.client();
    boolean moved = client.rules(family).stream().anyMatch(rule -> rule.isOurs()
        && rule.table == Rtnl.RT_TABLE_LOCAL && rule.priority == MOVED_LOCAL_PRIORITY);
    if (moved) {
      // Local lookup first back in place, then ours away: never a moment without it.
      tolerating(Errno.EEXIST, () -> client.addLocalRule(family, 0, Rtnl.RTPROT_KERNEL,
          "lookup local priority 0 in netns " + ns.label()));
      client.deleteLocalRule(family, MOVED_LOCAL_PRIORITY, "lookup local priority 100 in netns " + ns.label());
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
