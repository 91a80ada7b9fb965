package io.github.junitnetns.internal.netlink;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The nf_tables requests byte by byte, against the layouts of linux/netlink.h (struct nlmsghdr,
 * 16 bytes; struct nlattr, 4 bytes, padded to 4), linux/netfilter/nfnetlink.h (struct nfgenmsg: u8
 * family, u8 version, __be16 res_id) and the attribute enums of linux/netfilter/nf_tables.h, whose
 * numbers nf_tables takes big-endian. One rule is also compared whole with what nft 1.0.6 sends
 * for the same command ({@code nft --debug=mnl}).
 */
class NftTest {
  private static final int NFGENMSG = Rtnl.NLMSG_HDRLEN;          // 16
  private static final int ATTRS = NFGENMSG + 4;                  // 20

  @Test
  void batchBeginAndEndNameTheNfTablesSubsystemBigEndian() {
    byte[] begin = Nft.batchBegin().encode(7);
    ByteBuffer in = host(begin);
    assertThat(begin).hasSize(20);
    assertThat(in.getInt(0)).isEqualTo(20);
    assertThat(in.getShort(4)).isEqualTo((short) 16);               // NFNL_MSG_BATCH_BEGIN = NLMSG_MIN_TYPE
    assertThat(in.getShort(6)).isEqualTo((short) Rtnl.NLM_F_REQUEST);
    assertThat(in.getInt(8)).isEqualTo(7);
    // nfgenmsg: AF_UNSPEC, NFNETLINK_V0, res_id = htons(NFNL_SUBSYS_NFTABLES)
    assertThat(Arrays.copyOfRange(begin, NFGENMSG, NFGENMSG + 4)).containsExactly(0, 0, 0, 10);
    assertThat(host(Nft.batchEnd().encode(8)).getShort(4)).isEqualTo((short) 17);
  }

  @Test
  void messageTypesAreTheSubsystemShiftedEightBitsOrTheMessage() {
    assertThat(Nft.type(Nft.NFT_MSG_NEWTABLE)).isEqualTo(0x0a00);
    assertThat(Nft.type(Nft.NFT_MSG_NEWRULE)).isEqualTo(0x0a06);   // nft shows 02566
    assertThat(Nft.type(Nft.NFT_MSG_DELRULE)).isEqualTo(0x0a08);
    assertThat(Nft.newTable(Nft.NFPROTO_INET, "t", "db").operation()).isEqualTo("NFT_MSG_NEWTABLE");
    assertThat(Nft.newTable(Nft.NFPROTO_INET, "t", "db").object()).isEqualTo("table inet t in netns db");
  }

  @Test
  void newTableIsCreateWithTheNameAndNoFlags() {
    byte[] bytes = Nft.newTable(Nft.NFPROTO_INET, "junit_netns", "db").encode(1);
    ByteBuffer in = host(bytes);
    assertThat(in.getShort(4)).isEqualTo((short) 0x0a00);
    assertThat(in.getShort(6)).isEqualTo((short) (Rtnl.NLM_F_REQUEST | Rtnl.NLM_F_CREATE));
    assertThat(Arrays.copyOfRange(bytes, NFGENMSG, NFGENMSG + 4)).containsExactly(1, 0, 0, 0); // NFPROTO_INET
    // NFTA_TABLE_NAME: 4 + 12 ("junit_netns\0"), then NFTA_TABLE_FLAGS: be32 0
    assertThat(in.getShort(ATTRS)).isEqualTo((short) 16);
    assertThat(in.getShort(ATTRS + 2)).isEqualTo((short) 1);
    assertThat(new String(bytes, ATTRS + 4, 12, StandardCharsets.US_ASCII)).isEqualTo("junit_netns\0");
    assertThat(in.getShort(ATTRS + 16)).isEqualTo((short) 8);
    assertThat(in.getShort(ATTRS + 18)).isEqualTo((short) 2);
    assertThat(in.getInt(ATTRS + 20)).isZero();
    assertThat(bytes).hasSize(ATTRS + 24);
  }

  @Test
  void aBaseChainNestsItsHookNumberAndPriorityBigEndian() {
    byte[] bytes = Nft.newBaseChain(Nft.NFPROTO_INET, "t", "post", "nat", Nft.NF_INET_POST_ROUTING,
        Nft.NF_IP_PRI_NAT_SRC, Nft.NF_ACCEPT, "gw").encode(1);
    ByteBuffer in = host(bytes);
    assertThat(in.getShort(4)).isEqualTo((short) 0x0a03);
    NlAttrs attrs = NlAttrs.parse(bytes, ATTRS, bytes.length);
    assertThat(attrs.string(Nft.NFTA_CHAIN_TABLE)).isEqualTo("t");
    assertThat(attrs.string(Nft.NFTA_CHAIN_NAME)).isEqualTo("post");
    assertThat(attrs.string(Nft.NFTA_CHAIN_TYPE)).isEqualTo("nat");
    assertThat(attrs.bytes(Nft.NFTA_CHAIN_POLICY)).containsExactly(0, 0, 0, 1);
    // the hook attribute carries NLA_F_NESTED, its members are big-endian
    int hookAt = ATTRS;
    while ((host(bytes).getShort(hookAt + 2) & 0xffff & Rtnl.NLA_TYPE_MASK) != Nft.NFTA_CHAIN_HOOK) {
      hookAt += NlMessage.align(host(bytes).getShort(hookAt));
    }
    assertThat(in.getShort(hookAt + 2) & 0xffff).isEqualTo(Nft.NFTA_CHAIN_HOOK | Rtnl.NLA_F_NESTED);
    assertThat(in.getShort(hookAt)).isEqualTo((short) 20);
    assertThat(Arrays.copyOfRange(bytes, hookAt + 4, hookAt + 20))
        .containsExactly(8, 0, 1, 0, 0, 0, 0, 4, 8, 0, 2, 0, 0, 0, 0, 100);
  }

  @Test
  void deleteRuleNamesTheRuleByItsSixtyFourBitHandle() {
    byte[] bytes = Nft.deleteRule(Nft.NFPROTO_INET, "t", "input", 0x1_0000_0002L, "db").encode(1);
    NlAttrs attrs = NlAttrs.parse(bytes, ATTRS, bytes.length);
    assertThat(host(bytes).getShort(4)).isEqualTo((short) 0x0a08);
    assertThat(attrs.bytes(Nft.NFTA_RULE_HANDLE)).containsExactly(0, 0, 0, 1, 0, 0, 0, 2);
    assertThat(attrs.be64(Nft.NFTA_RULE_HANDLE, -1)).isEqualTo(0x1_0000_0002L);
  }

  /**
   * {@code nft --debug=mnl add rule inet junit_netns input meta l4proto tcp drop} (nft 1.0.6 on
   * x86_64), transcribed after the nlmsghdr: the same bytes, attribute by attribute.
   */
  @Test
  void aRuleIsByteForByteWhatNftSendsForTheSameCommand() {
    int[] nft = {
        0x01, 0x00, 0x00, 0x00,                                   // nfgenmsg: inet, v0, res_id 0
        16, 0, 1, 0, 'j', 'u', 'n', 'i', 't', '_', 'n', 'e', 't', 'n', 's', 0,   // NFTA_RULE_TABLE
        10, 0, 2, 0, 'i', 'n', 'p', 'u', 't', 0, 0, 0,            // NFTA_RULE_CHAIN, padded
        132, 0, 4, 0x80,                                          // NFTA_RULE_EXPRESSIONS, nested
        36, 0, 1, 0x80,                                           //   NFTA_LIST_ELEM
        9, 0, 1, 0, 'm', 'e', 't', 'a', 0, 0, 0, 0,               //     NFTA_EXPR_NAME "meta"
        20, 0, 2, 0x80,                                           //     NFTA_EXPR_DATA
        8, 0, 2, 0, 0, 0, 0, 16,                                  //       NFTA_META_KEY = NFT_META_L4PROTO
        8, 0, 1, 0, 0, 0, 0, 1,                                   //       NFTA_META_DREG = NFT_REG_1
        44, 0, 1, 0x80,                                           //   NFTA_LIST_ELEM
        8, 0, 1, 0, 'c', 'm', 'p', 0,                             //     "cmp"
        32, 0, 2, 0x80,
        8, 0, 1, 0, 0, 0, 0, 1,                                   //       NFTA_CMP_SREG = 1
        8, 0, 2, 0, 0, 0, 0, 0,                                   //       NFTA_CMP_OP = NFT_CMP_EQ
        12, 0, 3, 0x80,                                           //       NFTA_CMP_DATA
        5, 0, 1, 0, 6, 0, 0, 0,                                   //         NFTA_DATA_VALUE = IPPROTO_TCP
        48, 0, 1, 0x80,                                           //   NFTA_LIST_ELEM
        14, 0, 1, 0, 'i', 'm', 'm', 'e', 'd', 'i', 'a', 't', 'e', 0, 0, 0,
        28, 0, 2, 0x80,
        8, 0, 1, 0, 0, 0, 0, 0,                                   //       NFTA_IMMEDIATE_DREG = NFT_REG_VERDICT
        16, 0, 2, 0x80,                                           //       NFTA_IMMEDIATE_DATA
        12, 0, 2, 0x80,                                           //         NFTA_DATA_VERDICT
        8, 0, 1, 0, 0, 0, 0, 0,                                   //           NFTA_VERDICT_CODE = NF_DROP
    };
    NftRule rule = NftRule.create().l4proto(NftRule.IPPROTO_TCP).drop();
    byte[] bytes = Nft.newRule(Nft.NFPROTO_INET, "junit_netns", "input", rule.expressions(), null, "db").encode(1);
    ByteBuffer in = host(bytes);
    assertThat(in.getInt(0)).isEqualTo(Rtnl.NLMSG_HDRLEN + nft.length).isEqualTo(bytes.length);
    assertThat(in.getShort(4)).isEqualTo((short) 0x0a06);
    assertThat(in.getShort(6)).isEqualTo((short) (Rtnl.NLM_F_REQUEST | Rtnl.NLM_F_CREATE | Nft.NLM_F_APPEND));
    byte[] expected = new byte[nft.length];
    for (int i = 0; i < nft.length; i++) {
      expected[i] = (byte) nft[i];
    }
    assertThat(Arrays.copyOfRange(bytes, Rtnl.NLMSG_HDRLEN, bytes.length)).containsExactly(expected);
  }

  @Test
  void matchesLoadTheRightHeaderBytes() throws Exception {
    List<NftExpr> v4 = NftRule.create().from(InetAddress.getByAddress(new byte[] {10, 0, 0, 1}))
        .l4proto(NftRule.IPPROTO_TCP).dport(5432).synWithoutAck().counter().rejectWithTcpReset().expressions();
    assertThat(v4).extracting(Object::toString).containsExactly(
        "[ meta load nfproto => reg 1 ]",
        "[ cmp eq reg 1 0x02 ]",                                  // NFPROTO_IPV4
        "[ payload load 4b @ network header + 12 => reg 1 ]",     // iphdr.saddr
        "[ cmp eq reg 1 0x0a000001 ]",
        "[ meta load l4proto => reg 1 ]",
        "[ cmp eq reg 1 0x06 ]",
        "[ payload load 2b @ transport header + 2 => reg 1 ]",    // tcphdr.dest
        "[ cmp eq reg 1 0x1538 ]",                                // 5432, network order
        "[ payload load 1b @ transport header + 13 => reg 1 ]",   // the flags byte
        "[ bitwise reg 1 = ( reg 1 & 0x12 ) ^ 0x00 ]",            // SYN | ACK
        "[ cmp eq reg 1 0x02 ]",                                  // SYN alone
        "[ counter ]",
        "[ reject type 1 ]");                                     // NFT_REJECT_TCP_RST
  }

  @Test
  void ipv6SourcesAreSixteenBytesAtOffsetEight() throws Exception {
    List<NftExpr> v6 = NftRule.create().from(InetAddress.getByName("fd00::2")).expressions();
    assertThat(v6.get(1)).hasToString("[ cmp eq reg 1 0x0a ]");     // NFPROTO_IPV6
    assertThat(v6.get(2)).hasToString("[ payload load 16b @ network header + 8 => reg 1 ]");
    assertThat(v6.get(3)).hasToString("[ cmp eq reg 1 0xfd000000000000000000000000000002 ]");
  }

  @Test
  void randomLossComparesANetworkOrderNumberBelowTenThousand() {
    assertThat(NftRule.create().randomPercent(30).expressions()).extracting(Object::toString).containsExactly(
        "[ numgen reg 1 = random mod 10000 ]",
        "[ byteorder reg 1 = hton(reg 1, 4, 4) ]",
        "[ cmp lt reg 1 0x00000bb8 ]");                            // 3000 of 10000
    byte[] bytes = Nft.newRule(Nft.NFPROTO_INET, "t", "c", NftRule.create().randomPercent(1.5).expressions(), null,
        "x").encode(1);
    NlAttrs rule = NlAttrs.parse(bytes, ATTRS, bytes.length);
    List<NlAttrs> expressions = rule.list(Nft.NFTA_RULE_EXPRESSIONS);
    NlAttrs numgen = expressions.get(0).nested(Nft.NFTA_EXPR_DATA);
    assertThat(numgen.be32(NftExpr.NFTA_NG_MODULUS, -1)).isEqualTo(10_000);
    assertThat(numgen.be32(NftExpr.NFTA_NG_TYPE, -1)).isEqualTo(NftExpr.NFT_NG_RANDOM);
    NlAttrs cmp = expressions.get(2).nested(Nft.NFTA_EXPR_DATA);
    assertThat(cmp.be32(NftExpr.NFTA_CMP_OP, -1)).isEqualTo(NftExpr.NFT_CMP_LT);
    assertThat(cmp.nested(NftExpr.NFTA_CMP_DATA).bytes(NftExpr.NFTA_DATA_VALUE)).containsExactly(0, 0, 0, (byte) 150);
  }

  @Test
  void rejectWithPortUnreachableIsTheIcmpxCodeAsOneByte() {
    byte[] bytes = Nft.newRule(Nft.NFPROTO_INET, "t", "c", NftRule.create().rejectWithPortUnreachable().expressions(),
        null, "x").encode(1);
    NlAttrs reject = NlAttrs.parse(bytes, ATTRS, bytes.length).list(Nft.NFTA_RULE_EXPRESSIONS).get(0);
    assertThat(reject.string(Nft.NFTA_EXPR_NAME)).isEqualTo("reject");
    NlAttrs data = reject.nested(Nft.NFTA_EXPR_DATA);
    assertThat(data.bytes(NftExpr.NFTA_REJECT_TYPE)).containsExactly(0, 0, 0, 2);   // NFT_REJECT_ICMPX_UNREACH
    assertThat(data.bytes(NftExpr.NFTA_REJECT_ICMP_CODE)).containsExactly(1);       // NFT_REJECT_ICMPX_PORT_UNREACH
  }

  @Test
  void masqueradeAndCtStateAreTheirKernelNames() {
    assertThat(NftRule.create().oif(3).masquerade().expressions()).extracting(NftExpr::name)
        .containsExactly("meta", "cmp", "masq");
    assertThat(NftRule.create().ctState(NftExpr.CT_STATE_NEW).expressions()).extracting(Object::toString)
        .containsExactly("[ ct load state => reg 1 ]",
            "[ bitwise reg 1 = ( reg 1 & 0x" + hex(NftExpr.hostU32(8)) + " ) ^ 0x00000000 ]",
            "[ cmp neq reg 1 0x00000000 ]");
  }

  @Test
  void oifnameComparesTheSixteenBytesOfIfnamsiz() {
    assertThat(NftRule.create().oifname("eth1").masquerade().expressions()).extracting(Object::toString).containsExactly(
        "[ meta load oifname => reg 1 ]",
        "[ cmp eq reg 1 0x65746831000000000000000000000000 ]",    // "eth1" and 12 NULs
        "[ masq ]");
  }

  @Test
  void commentsAreLibnftnlUserDataThatNftPrints() {
    // nft --debug=netlink shows `userdata = { \x00\x03f1\x00 }` for comment "f1"
    assertThat(Nft.commentUserData("f1")).containsExactly(0, 3, 'f', '1', 0);
    assertThat(Nft.commentOf(new byte[] {0, 3, 'f', '1', 0})).isEqualTo("f1");
    assertThat(Nft.commentOf(new byte[] {5, 1, 9, 0, 3, 'f', '1', 0})).isEqualTo("f1"); // other TLVs skipped
    assertThat(Nft.commentOf(new byte[] {0, 9, 'f'})).isNull();                       // truncated
  }

  /** A rule as a dump returns it, laid out by hand: handle, comment, and two counters that add up. */
  @Test
  void aDumpedRuleGivesItsHandleCommentAndCounters() {
    NlMessage reply = new NlMessage(Nft.type(Nft.NFT_MSG_NEWRULE), 0, "NFT_MSG_NEWRULE", "x").nfgenmsg(1, 0)
        .attrString(Nft.NFTA_RULE_TABLE, "junit_netns")
        .attrString(Nft.NFTA_RULE_CHAIN, "input")
        .attrBe64(Nft.NFTA_RULE_HANDLE, 4);
    int list = reply.beginNested(Nft.NFTA_RULE_EXPRESSIONS);
    for (long packets : new long[] {3, 4}) {
      int element = reply.beginNested(Nft.NFTA_LIST_ELEM);
      reply.attrString(Nft.NFTA_EXPR_NAME, "counter");
      int data = reply.beginNested(Nft.NFTA_EXPR_DATA);
      reply.attrBe64(NftExpr.NFTA_COUNTER_BYTES, packets * 60).attrBe64(NftExpr.NFTA_COUNTER_PACKETS, packets);
      reply.endNested(data);
      reply.endNested(element);
    }
    reply.endNested(list);
    reply.attr(Nft.NFTA_RULE_USERDATA, new byte[] {0, 3, 'f', '1', 0});
    byte[] bytes = reply.encode(1);
    NftRuleMessage rule = NftRuleMessage.decode(new NlReply(bytes, 0x0a06, 0, Rtnl.NLMSG_HDRLEN, bytes.length));
    assertThat(rule.table).isEqualTo("junit_netns");
    assertThat(rule.chain).isEqualTo("input");
    assertThat(rule.handle).isEqualTo(4);
    assertThat(rule.comment).isEqualTo("f1");
    assertThat(rule.expressions).containsExactly("counter", "counter");
    assertThat(rule.packets).isEqualTo(7);
    assertThat(rule.bytes).isEqualTo(420);
  }

  private static String hex(byte[] bytes) {
    StringBuilder out = new StringBuilder();
    for (byte b : bytes) {
      out.append(String.format("%02x", b & 0xff));
    }
    return out.toString();
  }

  private static ByteBuffer host(byte[] bytes) {
    return ByteBuffer.wrap(bytes).order(ByteOrder.nativeOrder());
  }
}
