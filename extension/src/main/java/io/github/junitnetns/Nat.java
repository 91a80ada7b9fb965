package io.github.junitnetns;

import io.github.junitnetns.internal.client.NftClient;
import io.github.junitnetns.internal.netlink.Nft;
import io.github.junitnetns.internal.netlink.NftRule;
import io.github.junitnetns.internal.netlink.NftRuleMessage;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;

/**
 * Source NAT of a forwarding namespace, like {@code iptables -t nat -A POSTROUTING -o IF -j
 * MASQUERADE}: packets it forwards out of an interface leave with that interface's address, and
 * the replies are translated back (conntrack). In nf_tables words: a table of our own,
 * {@code inet junit_netns_nat}, a {@code nat} chain on {@code postrouting} at priority
 * {@code srcnat}, one rule {@code oifname "IF" masquerade} per interface, found again by its
 * comment. The faults' table is another one, so neither removes the other's.
 */
final class Nat {
  static final int FAMILY = Nft.NFPROTO_INET;
  static final String TABLE = "junit_netns_nat";
  static final String CHAIN = "postrouting";

  /** The interfaces masqueraded through one handle, removed when it closes (for namespaces it did not create). */
  static final class Ledger {
    private final Set<String> interfaces = ConcurrentHashMap.newKeySet();
  }

  private Nat() {}

  private static String comment(String outInterface) {
    return "junit-netns masquerade " + outInterface;
  }

  static void masquerade(NetNs ns, String outInterface) {
    String call = "NetNs.masquerade(" + Draft.quote(outInterface) + ")";
    if (outInterface == null || outInterface.isBlank()) {
      throw new IllegalArgumentException(call + ": give the interface the translated packets leave through, e.g."
          + " masquerade(\"eth1\"), the router's side towards the server");
    }
    ns.checkOpen("masquerade in it");
    List<String> links = ns.links().stream().map(Link::name).collect(Collectors.toList());
    if (!links.contains(outInterface)) {
      throw new IllegalArgumentException(call + " in netns " + ns.label() + ": it has no interface " + outInterface
          + "; it has " + links + ". Give the interface towards the network whose hosts must see this namespace's"
          + " address.");
    }
    if (!"1".equals(ns.sysctl("net.ipv4.ip_forward"))) {
      throw new IllegalStateException(call + " in netns " + ns.label() + ": it does not forward"
          + " (net.ipv4.ip_forward is 0), so no packet passes through it to be masqueraded. Make it a router first:"
          + " @IsolatedNetNs(value = \"" + ns.label() + "\", forwarding = true), Network.builder().forwarding(\""
          + ns.label() + "\"), or ns.setSysctl(\"net.ipv4.ip_forward\", \"1\").");
    }
    NftClient client = ns.nat();
    synchronized (ns.natLedger()) {
      if (ruleHandle(client, outInterface) >= 0) {
        ns.natLedger().interfaces.add(outInterface);
        return; // masqueraded already: harmless
      }
      try {
        NftClient.Batch batch = client.batch();
        if (!client.hasTable(FAMILY, TABLE)) {
          batch.table(FAMILY, TABLE).natPostroutingChain(FAMILY, TABLE, CHAIN);
        }
        batch.rule(FAMILY, TABLE, CHAIN, NftRule.create().oifname(outInterface).masquerade(), comment(outInterface))
            .commit();
      } catch (NetNsException e) {
        if (NftClient.isMissing(e.errno(), e.operation())) {
          throw new NetNsException(e.operation(), e.object(), e.errno(), call + " in netns " + ns.label()
              + ": this kernel has no nf_tables NAT (masquerading needs nf_tables with nft_chain_nat and nft_masq,"
              + " CONFIG_NFT_NAT and CONFIG_NFT_MASQ); load them with `modprobe nft_chain_nat nft_masq`, or use a"
              + " kernel that has them");
        }
        throw e;
      }
      ns.natLedger().interfaces.add(outInterface);
    }
  }

  static void unmasquerade(NetNs ns, String outInterface) {
    if (outInterface == null || outInterface.isBlank()) {
      throw new IllegalArgumentException("NetNs.unmasquerade(" + Draft.quote(outInterface) + "): give the interface"
          + " given to masquerade, e.g. unmasquerade(\"eth1\")");
    }
    ns.checkOpen("unmasquerade in it");
    NftClient client = ns.nat();
    synchronized (ns.natLedger()) {
      ns.natLedger().interfaces.remove(outInterface);
      long handle = ruleHandle(client, outInterface);
      if (handle < 0) {
        return; // not masqueraded: harmless
      }
      List<NftRuleMessage> rules = client.rules(FAMILY, TABLE);
      if (rules.size() == 1) {
        client.batch().deleteTable(FAMILY, TABLE).commit(); // its last rule: the table goes too
      } else {
        client.batch().deleteRule(FAMILY, TABLE, CHAIN, handle).commit();
      }
    }
  }

  /** At close of a handle on a namespace it did not create: takes back what it masqueraded. */
  static void release(NetNs ns) {
    for (String outInterface : List.copyOf(ns.natLedger().interfaces)) {
      try {
        unmasquerade(ns, outInterface);
      } catch (RuntimeException e) {
        // the namespace may be gone with its last process: then so are its rules
      }
    }
  }

  /** The handle of the rule for {@code outInterface}, or -1. */
  private static long ruleHandle(NftClient client, String outInterface) {
    for (NftRuleMessage rule : client.rules(FAMILY, TABLE)) {
      if (comment(outInterface).equals(rule.comment)) {
        return rule.handle;
      }
    }
    return -1;
  }
}
