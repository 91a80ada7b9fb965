package io.github.junitnetns.internal.netlink;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * A decoded NFT_MSG_NEWRULE (a rule in a dump): where it is, its handle, its comment, the names of
 * its expressions and what its counters have counted (the sum, when it has several).
 */
public final class NftRuleMessage {
  private static final int NFGENMSG_LEN = 4;

  public final String table;
  public final String chain;
  public final long handle;
  /** The rule's comment, or null. */
  public final String comment;
  /** The kinds of its expressions in order: payload, cmp, counter, ... */
  public final List<String> expressions;
  public final long packets;
  public final long bytes;

  private NftRuleMessage(NlReply reply) {
    NlAttrs attrs = reply.attrs(NFGENMSG_LEN);
    table = attrs.string(Nft.NFTA_RULE_TABLE);
    chain = attrs.string(Nft.NFTA_RULE_CHAIN);
    handle = attrs.be64(Nft.NFTA_RULE_HANDLE, -1);
    comment = Nft.commentOf(attrs.bytes(Nft.NFTA_RULE_USERDATA));
    List<String> names = new ArrayList<>();
    long countedPackets = 0;
    long countedBytes = 0;
    for (NlAttrs expression : attrs.list(Nft.NFTA_RULE_EXPRESSIONS)) {
      String name = expression.string(Nft.NFTA_EXPR_NAME);
      names.add(name);
      if ("counter".equals(name)) {
        NlAttrs data = expression.nested(Nft.NFTA_EXPR_DATA);
        if (data != null) {
          countedPackets += data.be64(NftExpr.NFTA_COUNTER_PACKETS, 0);
          countedBytes += data.be64(NftExpr.NFTA_COUNTER_BYTES, 0);
        }
      }
    }
    expressions = Collections.unmodifiableList(names);
    packets = countedPackets;
    bytes = countedBytes;
  }

  public static NftRuleMessage decode(NlReply reply) {
    return new NftRuleMessage(reply);
  }

  @Override
  public String toString() {
    return table + " " + chain + " handle " + handle + " " + expressions + " packets " + packets
        + (comment == null ? "" : " comment \"" + comment + "\"");
  }
}
