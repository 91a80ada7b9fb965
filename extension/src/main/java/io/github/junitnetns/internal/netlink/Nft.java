package io.github.junitnetns.internal.netlink;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;

/**
 * nf_tables over netlink (the {@code NETLINK_NETFILTER} family, subsystem
 * {@code NFNL_SUBSYS_NFTABLES}): the uapi numbers of linux/netfilter/nfnetlink.h and
 * linux/netfilter/nf_tables.h, and the requests, each reading like the {@code nft} command it
 * stands for. Every request starts with a struct nfgenmsg; numbers inside nf_tables attributes are
 * big-endian (NLA_BE32/NLA_BE64). Changes go to the kernel in a batch ({@link #batchBegin()},
 * the requests, {@link #batchEnd()}), which it applies all or nothing;
 * {@link NetlinkSocket#executeBatch} sends one.
 *
 * <p>Expressions are built by {@link NftExpr}; a dumped rule is decoded by {@link NftRuleMessage}.
 */
public final class Nft {
  private Nft() {}

  // linux/netlink.h, linux/netfilter/nfnetlink.h
  public static final int NETLINK_NETFILTER = 12;
  public static final int NFNL_SUBSYS_NFTABLES = 10;
  public static final int NFNL_MSG_BATCH_BEGIN = 16; // NLMSG_MIN_TYPE
  public static final int NFNL_MSG_BATCH_END = 17;

  // linux/netfilter.h: enum nfproto (nfgenmsg's family, and the families of tables)
  public static final int NFPROTO_UNSPEC = 0;
  public static final int NFPROTO_INET = 1;
  public static final int NFPROTO_IPV4 = 2;
  public static final int NFPROTO_IPV6 = 10;

  // enum nf_tables_msg_types
  public static final int NFT_MSG_NEWTABLE = 0;
  public static final int NFT_MSG_GETTABLE = 1;
  public static final int NFT_MSG_DELTABLE = 2;
  public static final int NFT_MSG_NEWCHAIN = 3;
  public static final int NFT_MSG_GETCHAIN = 4;
  public static final int NFT_MSG_DELCHAIN = 5;
  public static final int NFT_MSG_NEWRULE = 6;
  public static final int NFT_MSG_GETRULE = 7;
  public static final int NFT_MSG_DELRULE = 8;

  // enum nft_table_attributes
  public static final int NFTA_TABLE_NAME = 1;
  public static final int NFTA_TABLE_FLAGS = 2;
  // enum nft_chain_attributes
  public static final int NFTA_CHAIN_TABLE = 1;
  public static final int NFTA_CHAIN_HANDLE = 2;
  public static final int NFTA_CHAIN_NAME = 3;
  public static final int NFTA_CHAIN_HOOK = 4;
  public static final int NFTA_CHAIN_POLICY = 5;
  public static final int NFTA_CHAIN_TYPE = 7;
  // enum nft_hook_attributes
  public static final int NFTA_HOOK_HOOKNUM = 1;
  public static final int NFTA_HOOK_PRIORITY = 2;
  // enum nft_rule_attributes
  public static final int NFTA_RULE_TABLE = 1;
  public static final int NFTA_RULE_CHAIN = 2;
  public static final int NFTA_RULE_HANDLE = 3;
  public static final int NFTA_RULE_EXPRESSIONS = 4;
  public static final int NFTA_RULE_USERDATA = 7;
  // enum nft_list_attributes, enum nft_expr_attributes
  public static final int NFTA_LIST_ELEM = 1;
  public static final int NFTA_EXPR_NAME = 1;
  public static final int NFTA_EXPR_DATA = 2;

  // linux/netfilter.h: enum nf_inet_hooks; verdicts
  public static final int NF_INET_PRE_ROUTING = 0;
  public static final int NF_INET_LOCAL_IN = 1;
  public static final int NF_INET_FORWARD = 2;
  public static final int NF_INET_LOCAL_OUT = 3;
  public static final int NF_INET_POST_ROUTING = 4;
  public static final int NF_DROP = 0;
  public static final int NF_ACCEPT = 1;

  // linux/netfilter_ipv4.h: enum nf_ip_hook_priorities (the same numbers for IPv6)
  public static final int NF_IP_PRI_FILTER = 0;
  public static final int NF_IP_PRI_NAT_SRC = 100;

  /**
   * nftables' comment in a rule's user data (libnftnl's TLV layout, which {@code nft list ruleset}
   * prints as {@code comment "..."}): one byte type 0 (NFTNL_UDATA_RULE_COMMENT), one byte length,
   * the text with its NUL.
   */
  public static final int UDATA_RULE_COMMENT = 0;
  /** The longest comment nft accepts (NFT_USERDATA_MAXLEN is 256; nft allows 128 for comments). */
  public static final int MAX_COMMENT = 128;

  /** A message type of the nf_tables subsystem: {@code NFNL_SUBSYS_NFTABLES << 8 | msg}. */
  public static int type(int msg) {
    return NFNL_SUBSYS_NFTABLES << 8 | msg;
  }

  /** NFNL_MSG_BATCH_BEGIN for nf_tables: nfgenmsg family unspec, res_id NFNL_SUBSYS_NFTABLES. */
  public static NlMessage batchBegin() {
    return new NlMessage(NFNL_MSG_BATCH_BEGIN, 0, "NFNL_MSG_BATCH_BEGIN", "nf_tables batch")
        .nfgenmsg(NFPROTO_UNSPEC, NFNL_SUBSYS_NFTABLES);
  }

  /** NFNL_MSG_BATCH_END: commits the batch. */
  public static NlMessage batchEnd() {
    return new NlMessage(NFNL_MSG_BATCH_END, 0, "NFNL_MSG_BATCH_END", "nf_tables batch")
        .nfgenmsg(NFPROTO_UNSPEC, NFNL_SUBSYS_NFTABLES);
  }

  /** {@code nft add table FAMILY NAME}: creates it, or leaves an existing one as it is. */
  public static NlMessage newTable(int family, String table, String where) {
    return request(NFT_MSG_NEWTABLE, Rtnl.NLM_F_CREATE, family, "table " + familyName(family) + " " + table, where)
        .attrString(NFTA_TABLE_NAME, table)
        .attrBe32(NFTA_TABLE_FLAGS, 0);
  }

  /** {@code nft delete table FAMILY NAME}: with its chains and rules. */
  public static NlMessage deleteTable(int family, String table, String where) {
    return request(NFT_MSG_DELTABLE, 0, family, "table " + familyName(family) + " " + table, where)
        .attrString(NFTA_TABLE_NAME, table);
  }

  /** {@code nft list table FAMILY NAME} (a plain request: ENOENT when there is none). */
  public static NlMessage getTable(int family, String table, String where) {
    return request(NFT_MSG_GETTABLE, 0, family, "table " + familyName(family) + " " + table, where)
        .attrString(NFTA_TABLE_NAME, table);
  }

  /**
   * {@code nft add chain FAMILY TABLE CHAIN { type TYPE hook HOOK priority PRIORITY; policy POLICY; }}:
   * a base chain ({@code type} "filter", "nat" or "route"; {@code hook} an NF_INET_* hook;
   * {@code policy} {@link #NF_ACCEPT} or {@link #NF_DROP}). Leaves an existing one as it is.
   */
  public static NlMessage newBaseChain(int family, String table, String chain, String type, int hook, int priority,
      int policy, String where) {
    NlMessage message = request(NFT_MSG_NEWCHAIN, Rtnl.NLM_F_CREATE, family,
        "chain " + familyName(family) + " " + table + " " + chain, where)
        .attrString(NFTA_CHAIN_TABLE, table)
        .attrString(NFTA_CHAIN_NAME, chain);
    int hookAttr = message.beginNested(NFTA_CHAIN_HOOK);
    message.attrBe32(NFTA_HOOK_HOOKNUM, hook).attrBe32(NFTA_HOOK_PRIORITY, priority);
    message.endNested(hookAttr);
    return message.attrBe32(NFTA_CHAIN_POLICY, policy).attrString(NFTA_CHAIN_TYPE, type);
  }

  /** {@code nft delete chain FAMILY TABLE CHAIN}, with its rules. */
  public static NlMessage deleteChain(int family, String table, String chain, String where) {
    return request(NFT_MSG_DELCHAIN, 0, family, "chain " + familyName(family) + " " + table + " " + chain, where)
        .attrString(NFTA_CHAIN_TABLE, table)
        .attrString(NFTA_CHAIN_NAME, chain);
  }

  /**
   * {@code nft add rule FAMILY TABLE CHAIN EXPRESSIONS... comment COMMENT}: appended at the end of
   * the chain. {@code comment} may be null; it is at most {@link #MAX_COMMENT} bytes of UTF-8.
   */
  public static NlMessage newRule(int family, String table, String chain, List<NftExpr> expressions, String comment,
      String where) {
    NlMessage message = request(NFT_MSG_NEWRULE, Rtnl.NLM_F_CREATE | NLM_F_APPEND, family,
        "rule in " + familyName(family) + " " + table + " " + chain
            + (comment == null ? "" : " comment \"" + comment + "\""), where)
        .attrString(NFTA_RULE_TABLE, table)
        .attrString(NFTA_RULE_CHAIN, chain);
    int list = message.beginNested(NFTA_RULE_EXPRESSIONS);
    for (NftExpr expression : expressions) {
      expression.writeTo(message);
    }
    message.endNested(list);
    if (comment != null) {
      message.attr(NFTA_RULE_USERDATA, commentUserData(comment));
    }
    return message;
  }

  /** {@code nft delete rule FAMILY TABLE CHAIN handle HANDLE}. */
  public static NlMessage deleteRule(int family, String table, String chain, long handle, String where) {
    return request(NFT_MSG_DELRULE, 0, family,
        "rule handle " + handle + " in " + familyName(family) + " " + table + " " + chain, where)
        .attrString(NFTA_RULE_TABLE, table)
        .attrString(NFTA_RULE_CHAIN, chain)
        .attrBe64(NFTA_RULE_HANDLE, handle);
  }

  /** {@code nft list table FAMILY TABLE}'s rules: a dump request (NLM_F_DUMP is added by the socket). */
  public static NlMessage getRules(int family, String table, String where) {
    return request(NFT_MSG_GETRULE, 0, family, "rules of " + familyName(family) + " " + table, where)
        .attrString(NFTA_RULE_TABLE, table);
  }

  /** NLM_F_APPEND (linux/netlink.h): add the rule at the end of the chain. */
  public static final int NLM_F_APPEND = 0x800;

  /** The user data of a rule that carries {@code comment}: libnftnl's TLV, see {@link #UDATA_RULE_COMMENT}. */
  static byte[] commentUserData(String comment) {
    byte[] text = comment.getBytes(StandardCharsets.UTF_8);
    if (text.length + 1 > MAX_COMMENT) {
      throw new IllegalArgumentException("nf_tables comment longer than " + (MAX_COMMENT - 1) + " bytes: " + comment);
    }
    byte[] tlv = new byte[2 + text.length + 1];
    tlv[0] = (byte) UDATA_RULE_COMMENT;
    tlv[1] = (byte) (text.length + 1);
    System.arraycopy(text, 0, tlv, 2, text.length);
    return tlv;
  }

  /** The comment in a rule's user data, or null when there is none. */
  static String commentOf(byte[] userData) {
    if (userData == null) {
      return null;
    }
    for (int at = 0; at + 2 <= userData.length; ) {
      int type = userData[at] & 0xff;
      int len = userData[at + 1] & 0xff;
      if (at + 2 + len > userData.length) {
        return null;
      }
      if (type == UDATA_RULE_COMMENT) {
        byte[] text = Arrays.copyOfRange(userData, at + 2, at + 2 + len);
        int end = 0;
        while (end < text.length && text[end] != 0) {
          end++;
        }
        return new String(text, 0, end, StandardCharsets.UTF_8);
      }
      at += 2 + len;
    }
    return null;
  }

  /** The name of a message type of this subsystem, e.g. NFT_MSG_NEWRULE, for errors. */
  public static String messageTypeName(int type) {
    switch (type & 0xff) {
      case NFT_MSG_NEWTABLE: return "NFT_MSG_NEWTABLE";
      case NFT_MSG_GETTABLE: return "NFT_MSG_GETTABLE";
      case NFT_MSG_DELTABLE: return "NFT_MSG_DELTABLE";
      case NFT_MSG_NEWCHAIN: return "NFT_MSG_NEWCHAIN";
      case NFT_MSG_GETCHAIN: return "NFT_MSG_GETCHAIN";
      case NFT_MSG_DELCHAIN: return "NFT_MSG_DELCHAIN";
      case NFT_MSG_NEWRULE: return "NFT_MSG_NEWRULE";
      case NFT_MSG_GETRULE: return "NFT_MSG_GETRULE";
      case NFT_MSG_DELRULE: return "NFT_MSG_DELRULE";
      default: return "nf_tables message " + (type & 0xff);
    }
  }

  /** The family as nft writes it: inet, ip, ip6. */
  public static String familyName(int family) {
    switch (family) {
      case NFPROTO_INET: return "inet";
      case NFPROTO_IPV4: return "ip";
      case NFPROTO_IPV6: return "ip6";
      default: return "family " + family;
    }
  }

  private static NlMessage request(int msg, int flags, int family, String object, String where) {
    return new NlMessage(type(msg), flags, messageTypeName(msg), object + " in netns " + where)
        .nfgenmsg(family, 0);
  }
}
