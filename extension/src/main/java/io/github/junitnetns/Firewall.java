package io.github.junitnetns;

import io.github.junitnetns.internal.client.NftClient;
import io.github.junitnetns.internal.netlink.Nft;
import io.github.junitnetns.internal.netlink.NftRule;
import io.github.junitnetns.internal.netlink.NftRuleMessage;
import java.util.ArrayList;
import java.util.List;

/**
 * junit-netns's one nf_tables table in a namespace, {@code inet junit_netns}: a base chain
 * {@code input} (filter, hook input, priority 0: where the traffic-scoped faults drop and refuse
 * what arrives for the namespace itself) and a base chain {@code prerouting} (filter, hook
 * prerouting, priority 0: the counters of the whole-traffic faults, whose policy rules drop later,
 * at the routing decision, and random loss). Both accept by default. Every rule carries a comment
 * that names its owner ({@code junit-netns fault 7}, {@code junit-netns loss ifb3p2}); rules are
 * found, counted and removed by it. The table is created with the first rule and deleted with the
 * last one, so a namespace without faults has exactly the ruleset it had before.
 */
final class Firewall {
  static final int FAMILY = Nft.NFPROTO_INET;
  static final String TABLE = "junit_netns";
  static final String INPUT = "input";
  static final String PREROUTING = "prerouting";

  /** A rule and the chain it goes in. */
  record Placed(String chain, NftRule rule) {}

  private final NetNs ns;
  private final NftClient client;

  Firewall(NetNs ns, NftClient client) {
    this.ns = ns;
    this.client = client;
  }

  /**
   * Adds {@code rules}, each with {@code comment}, in one batch that creates the table and chains
   * if needed: all of them or none. {@code what} names the public call for the message when the
   * kernel lacks nf_tables, e.g. {@code Network.reject("app", "db", tcp:5432)}.
   */
  synchronized void add(String comment, List<Placed> rules, String what) {
    ns.checkOpen("add nf_tables rules in it");
    NftClient.Batch batch = client.batch()
        .table(FAMILY, TABLE)
        .filterChain(FAMILY, TABLE, PREROUTING, Nft.NF_INET_PRE_ROUTING, Nft.NF_IP_PRI_FILTER)
        .filterChain(FAMILY, TABLE, INPUT, Nft.NF_INET_LOCAL_IN, Nft.NF_IP_PRI_FILTER);
    for (Placed placed : rules) {
      batch.rule(FAMILY, TABLE, placed.chain(), placed.rule(), comment);
    }
    try {
      batch.commit();
    } catch (NetNsException e) {
      throw missing(e, what);
    }
  }

  /** Removes the rules with {@code comment}; the table goes when no rule of ours is left. Harmless when there are none. */
  synchronized void remove(String comment) {
    if (ns.isClosed()) {
      return;
    }
    List<NftRuleMessage> rules;
    try {
      rules = client.rules(FAMILY, TABLE);
    } catch (NetNsException e) {
      if (NftClient.isMissing(e.errno(), e.operation())) {
        return; // no nf_tables: nothing of ours can be there
      }
      throw e;
    }
    List<NftRuleMessage> mine = new ArrayList<>();
    for (NftRuleMessage rule : rules) {
      if (comment.equals(rule.comment)) {
        mine.add(rule);
      }
    }
    if (mine.isEmpty()) {
      return;
    }
    NftClient.Batch batch = client.batch();
    if (mine.size() == rules.size()) {
      batch.deleteTable(FAMILY, TABLE);
    } else {
      mine.forEach(rule -> batch.deleteRule(FAMILY, TABLE, rule.chain, rule.handle));
    }
    batch.commit();
  }

  /** The packets the rules with {@code comment} have counted; 0 when there are none (or the namespace is closed). */
  synchronized long packets(String comment) {
    if (ns.isClosed()) {
      return 0;
    }
    long packets = 0;
    for (NftRuleMessage rule : client.rules(FAMILY, TABLE)) {
      if (comment.equals(rule.comment)) {
        packets += rule.packets;
      }
    }
    return packets;
  }

  /** Every rule of our table, with its counter, for reports. */
  List<NftRuleMessage> rules() {
    return ns.isClosed() ? List.of() : client.rules(FAMILY, TABLE);
  }

  /** Whether {@code e} says that this kernel lacks nf_tables (or a part of it). */
  static boolean isMissing(NetNsException e) {
    return NftClient.isMissing(e.errno(), e.operation());
  }

  /** {@code e} as the message for a kernel without nf_tables, when that is what it means; else {@code e}. */
  static NetNsException missing(NetNsException e, String what) {
    if (!isMissing(e)) {
      return e;
    }
    NetNsException clear = new NetNsException(e.operation(), e.object(), e.errno(), missingMessage(what)
        + (e.detail().isEmpty() ? "" : " (" + e.detail() + ")"));
    clear.initCause(e);
    return clear;
  }

  /** What to tell the user when {@code what} needs nf_tables and the kernel has none. */
  static String missingMessage(String what) {
    return what + " needs nf_tables, which this kernel (" + System.getProperty("os.version") + ") lacks or lacks a"
        + " part of (CONFIG_NF_TABLES, CONFIG_NF_TABLES_INET, CONFIG_NFT_NUMGEN, CONFIG_NFT_REJECT_INET); load it with"
        + " `sudo modprobe nf_tables` or use a kernel built with it (whole-traffic faults, i.e. cut, cutOneWay, isolate"
        + " and partition without a Traffic, and rates work without it)";
  }
}
