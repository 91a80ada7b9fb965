package io.github.junitnetns.internal.netlink;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/**
 * The per-sender u32 filter byte by byte against linux/pkt_cls.h: struct tc_u32_sel {u8 flags,
 * offshift, nkeys; (1 byte pad); be16 offmask; u16 off; s16 offoff, hoff; be32 hmask} is 16
 * bytes, and each struct tc_u32_key {be32 mask, val; s32 off, offmask} 16 more: mask and val in
 * network byte order, off and offmask in the host's. The keys sit on the source address, which
 * struct iphdr has at byte 12 and struct ipv6hdr at bytes 8 to 23.
 */
class SourceFilterTest {
  private static final int TCMSG = Rtnl.NLMSG_HDRLEN;
  private static final int ATTRS = TCMSG + Tc.TCMSG_LEN;

  @Test
  void anIpv4SourceIsOneKeyOnIphdrSaddr() throws Exception {
    NlMessage message = Qdiscs.redirectIngressFrom(5, 6, InetAddress.getByName("10.0.1.1"), 9,
        "ingress redirect eth0@n3 from 10.0.1.1 -> ifb5p1@n3");
    assertThat(message.object()).isEqualTo("ingress redirect eth0@n3 from 10.0.1.1 -> ifb5p1@n3");
    byte[] bytes = message.encode(1);
    ByteBuffer in = host(bytes);
    assertThat(in.getShort(4)).isEqualTo((short) Tc.RTM_NEWTFILTER);
    assertThat(in.getShort(6)).isEqualTo((short) (Rtnl.NLM_F_REQUEST | Rtnl.NLM_F_CREATE | Rtnl.NLM_F_EXCL));
    // tcmsg: ifindex, handle 0 (the kernel numbers the filter), parent clsact ingress, info prio 6 + ETH_P_IP
    assertThat(in.getInt(TCMSG + 4)).isEqualTo(5);
    assertThat(in.getInt(TCMSG + 8)).isZero();
    assertThat(in.getInt(TCMSG + 12)).isEqualTo(0xFFFFFFF2);
    assertThat(in.getInt(TCMSG + 16) >>> 16).isEqualTo(6);
    assertThat(protocolBytes(in.getInt(TCMSG + 16))).containsExactly(0x08, 0x00);

    NlAttrs top = NlAttrs.parse(bytes, ATTRS, bytes.length);
    assertThat(top.string(Tc.TCA_KIND)).isEqualTo("u32");
    NlAttrs u32 = top.nested(Tc.TCA_OPTIONS);
    byte[] sel = u32.bytes(Tc.TCA_U32_SEL);
    assertThat(sel).hasSize(16 + 16);
    assertThat(sel[0]).isEqualTo((byte) Tc.TC_U32_TERMINAL);   // flags
    assertThat(sel[1]).isZero();                               // offshift
    assertThat(sel[2]).isEqualTo((byte) 1);                    // nkeys
    assertThat(Arrays.copyOfRange(sel, 3, 16)).containsOnly(0); // pad, offmask, off, offoff, hoff, hmask
    // the key: mask ffffffff and val 10.0.1.1 as in the packet, then off 12, offmask 0 in host order
    assertThat(Arrays.copyOfRange(sel, 16, 20)).containsOnly(0xff);
    assertThat(Arrays.copyOfRange(sel, 20, 24)).containsExactly(10, 0, 1, 1);
    assertThat(host(sel).getInt(24)).isEqualTo(12);
    assertThat(host(sel).getInt(28)).isZero();

    NlAttrs action = u32.nested(Tc.TCA_U32_ACT).nested(1);
    assertThat(action.string(Tc.TCA_ACT_KIND)).isEqualTo("mirred");
    ByteBuffer mirred = host(action.nested(Tc.TCA_ACT_OPTIONS).bytes(Tc.TCA_MIRRED_PARMS));
    assertThat(mirred.capacity()).isEqualTo(Tc.TC_MIRRED_LEN);
    assertThat(mirred.getInt(8)).isEqualTo(Tc.TC_ACT_STOLEN);
    assertThat(mirred.getInt(20)).isEqualTo(Tc.TCA_EGRESS_REDIR);
    assertThat(mirred.getInt(24)).isEqualTo(9);
  }

  @Test
  void anIpv6SourceIsFourKeysOnIpv6hdrSaddr() throws Exception {
    byte[] bytes = Qdiscs.redirectIngressFrom(5, 7, InetAddress.getByName("fd00::1:2"), 9, "from fd00::1:2")
        .encode(1);
    ByteBuffer in = host(bytes);
    assertThat(in.getInt(TCMSG + 16) >>> 16).isEqualTo(7);
    assertThat(protocolBytes(in.getInt(TCMSG + 16))).containsExactly(0x86, 0xDD);
    byte[] sel = NlAttrs.parse(bytes, ATTRS, bytes.length).nested(Tc.TCA_OPTIONS).bytes(Tc.TCA_U32_SEL);
    assertThat(sel).hasSize(16 + 4 * 16);
    assertThat(sel[0]).isEqualTo((byte) Tc.TC_U32_TERMINAL);
    assertThat(sel[2]).isEqualTo((byte) 4);
    byte[] address = InetAddress.getByName("fd00::1:2").getAddress();
    for (int i = 0; i < 4; i++) {
      int key = 16 + 16 * i;
      assertThat(Arrays.copyOfRange(sel, key, key + 4)).as("mask %d", i).containsOnly(0xff);
      assertThat(Arrays.copyOfRange(sel, key + 4, key + 8)).as("val %d", i)
          .isEqualTo(Arrays.copyOfRange(address, 4 * i, 4 * i + 4));
      assertThat(host(sel).getInt(key + 8)).as("off %d", i).isEqualTo(8 + 4 * i);
      assertThat(host(sel).getInt(key + 12)).as("offmask %d", i).isZero();
    }
    assertThat(Qdiscs.protocolOf(InetAddress.getByName("fd00::1"))).isEqualTo(0x86DD);
    assertThat(Qdiscs.protocolOf(InetAddress.getByName("10.0.0.1"))).isEqualTo(0x0800);
  }

  @Test
  void theMatchAllRedirectAtAPriorityDiffersFromPriorityOneOnlyInTcmInfo() {
    byte[] one = Qdiscs.redirectIngress(5, 1, 9, "eth0@b", "ifb@b").encode(1);
    byte[] five = Qdiscs.redirectIngress(5, 5, 9, "eth0@b", "ifb@b").encode(1);
    assertThat(five).hasSameSizeAs(one);
    assertThat(host(five).getInt(TCMSG + 16) >>> 16).isEqualTo(5);
    assertThat(host(one).getInt(TCMSG + 16) >>> 16).isEqualTo(1);
    assertThat(Arrays.copyOfRange(five, ATTRS, five.length)).isEqualTo(Arrays.copyOfRange(one, ATTRS, one.length));
  }

  @Test
  void deletingAPrioritysFiltersNamesItTheProtocolAndNoHandle() {
    NlMessage message = Qdiscs.deleteIngressFilters(5, 7, Tc.ETH_P_IPV6, "eth0@n3");
    assertThat(message.object()).isEqualTo("ingress filters prio 7 on eth0@n3");
    byte[] bytes = message.encode(1);
    ByteBuffer in = host(bytes);
    assertThat(in.getShort(4)).isEqualTo((short) Tc.RTM_DELTFILTER);
    assertThat(in.getShort(6)).isEqualTo((short) Rtnl.NLM_F_REQUEST);
    assertThat(in.getInt(TCMSG + 4)).isEqualTo(5);
    assertThat(in.getInt(TCMSG + 8)).isZero();                  // handle 0: the whole priority
    assertThat(in.getInt(TCMSG + 12)).isEqualTo(0xFFFFFFF2);
    assertThat(in.getInt(TCMSG + 16) >>> 16).isEqualTo(7);
    assertThat(protocolBytes(in.getInt(TCMSG + 16))).containsExactly(0x86, 0xDD);
    assertThat(NlAttrs.parse(bytes, ATTRS, bytes.length).string(Tc.TCA_KIND)).isEqualTo("u32");
  }

  @Test
  void keysAreWholeAlignedWordsAndPrioritiesFitSixteenBits() throws Exception {
    assertThatThrownBy(() -> Qdiscs.u32Selector(12, new byte[3], -1)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> Qdiscs.u32Selector(10, new byte[4], -1)).isInstanceOf(IllegalArgumentException.class);
    InetAddress source = InetAddress.getByName("10.0.0.1");
    assertThatThrownBy(() -> Qdiscs.redirectIngressFrom(5, 0, source, 9, "x"))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("priority 0");
    assertThatThrownBy(() -> Qdiscs.redirectIngressFrom(5, 0x10000, source, 9, "x"))
        .isInstanceOf(IllegalArgumentException.class);
    assertThat(host(Qdiscs.redirectIngressFrom(5, 0xFFFF, source, 9, "x").encode(1))
        .getInt(TCMSG + 16) >>> 16).isEqualTo(0xFFFF);
  }

  /** The protocol half of tcm_info (its lower 16 bits) as the two bytes of a u16 in memory: htons'd, so 08 00 for IP. */
  private static byte[] protocolBytes(int tcmInfo) {
    return ByteBuffer.allocate(2).order(ByteOrder.nativeOrder()).putShort((short) tcmInfo).array();
  }

  private static ByteBuffer host(byte[] bytes) {
    return ByteBuffer.wrap(bytes).order(ByteOrder.nativeOrder());
  }
}
