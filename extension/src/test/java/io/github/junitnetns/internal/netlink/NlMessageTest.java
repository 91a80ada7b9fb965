package io.github.junitnetns.internal.netlink;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

class NlMessageTest {
  private static ByteBuffer le(byte[] bytes) {
    return ByteBuffer.wrap(bytes).order(ByteOrder.nativeOrder());
  }

  @Test
  void linkUpIsAnIfinfomsgWithUpInFlagsAndChange() {
    byte[] bytes = Requests.linkUp(1, "lo").withFlag(Rtnl.NLM_F_ACK).encode(7);
    ByteBuffer in = le(bytes);
    // nlmsghdr
    assertThat(in.getInt(0)).isEqualTo(bytes.length).isEqualTo(16 + 16);
    assertThat(in.getShort(4)).isEqualTo((short) Rtnl.RTM_NEWLINK);
    assertThat(in.getShort(6)).isEqualTo((short) (Rtnl.NLM_F_REQUEST | Rtnl.NLM_F_ACK));
    assertThat(in.getInt(8)).isEqualTo(7);
    assertThat(in.getInt(12)).isZero();
    // ifinfomsg: family, pad, type, index, flags, change
    assertThat(bytes[16]).isEqualTo((byte) Rtnl.AF_UNSPEC);
    assertThat(in.getInt(20)).isEqualTo(1);
    assertThat(in.getInt(24)).isEqualTo(Rtnl.IFF_UP);
    assertThat(in.getInt(28)).isEqualTo(Rtnl.IFF_UP);
  }

  @Test
  void stringAttributesAreNulTerminatedAndPaddedToFourBytes() {
    byte[] bytes = new NlMessage(Rtnl.RTM_NEWLINK, 0, "x")
        .ifinfomsg(0, 0, 0, 0, 0)
        .attrString(Rtnl.IFLA_IFNAME, "eth0")
        .attrU32(Rtnl.IFLA_MTU, 1400)
        .encode(1);
    // "eth0\0" is 5 bytes: nla_len 9, then 3 bytes of padding.
    assertThat(HexFormat.of().formatHex(bytes, 32, 44)).isEqualTo("0900" + "0300" + "6574683000" + "000000");
    ByteBuffer in = le(bytes);
    assertThat(in.getShort(44)).isEqualTo((short) 8);
    assertThat(in.getShort(46)).isEqualTo((short) Rtnl.IFLA_MTU);
    assertThat(in.getInt(48)).isEqualTo(1400);
    assertThat(bytes.length).isEqualTo(52);
  }

  @Test
  void nestedAttributesCarryTheirTotalLengthAndTheNestedFlag() {
    NlMessage message = new NlMessage(Rtnl.RTM_NEWLINK, Rtnl.NLM_F_CREATE | Rtnl.NLM_F_EXCL, "veth a <-> b")
        .ifinfomsg(0, 0, 0, 0, 0)
        .attrString(Rtnl.IFLA_IFNAME, "a");
    int linkInfo = message.beginNested(Rtnl.IFLA_LINKINFO);
    message.attrString(Rtnl.IFLA_INFO_KIND, "veth");
    int data = message.beginNested(Rtnl.IFLA_INFO_DATA);
    int peer = message.beginNested(Rtnl.VETH_INFO_PEER);
    message.ifinfomsg(0, 0, 0, 0, 0).attrString(Rtnl.IFLA_IFNAME, "b");
    message.endNested(peer).endNested(data).endNested(linkInfo);
    byte[] bytes = message.encode(3);

    NlAttrs top = NlAttrs.parse(bytes, 32, bytes.length);
    assertThat(top.string(Rtnl.IFLA_IFNAME)).isEqualTo("a");
    NlAttrs info = top.nested(Rtnl.IFLA_LINKINFO);
    assertThat(info.string(Rtnl.IFLA_INFO_KIND)).isEqualTo("veth");
    byte[] peerBytes = info.nested(Rtnl.IFLA_INFO_DATA).bytes(Rtnl.VETH_INFO_PEER);
    // VETH_INFO_PEER holds a whole ifinfomsg followed by the peer's attributes.
    assertThat(NlAttrs.parse(peerBytes, 16, peerBytes.length).string(Rtnl.IFLA_IFNAME)).isEqualTo("b");
    // The nested header's type has NLA_F_NESTED set.
    int linkInfoType = le(bytes).getShort(32 + 8 + 2) & 0xffff; // nla_type, after IFLA_IFNAME "a\0" (8 bytes)
    assertThat(linkInfoType).isEqualTo(Rtnl.IFLA_LINKINFO | Rtnl.NLA_F_NESTED);
    assertThat(le(bytes).getShort(32 + 8 + 2) & 0xffff & Rtnl.NLA_TYPE_MASK).isEqualTo(Rtnl.IFLA_LINKINFO);
    assertThat(bytes.length % 4).isZero();
  }

  @Test
  void decodesALinkReplyWithCounters() {
    NlMessage reply = new NlMessage(Rtnl.RTM_NEWLINK, 0, "reply")
        .ifinfomsg(0, 772, 1, Rtnl.IFF_UP | Rtnl.IFF_LOOPBACK | Rtnl.IFF_LOWER_UP, 0)
        .attrString(Rtnl.IFLA_IFNAME, "lo")
        .attrU32(Rtnl.IFLA_MTU, 65536)
        .attrU8(Rtnl.IFLA_OPERSTATE, 0);
    ByteBuffer stats = ByteBuffer.allocate(8 * 8).order(ByteOrder.nativeOrder());
    for (long v : new long[] {10, 11, 1000, 1100, 0, 0, 3, 4}) {
      stats.putLong(v);
    }
    reply.attr(Rtnl.IFLA_STATS64, stats.array());
    byte[] bytes = reply.encode(1);
    LinkMessage link = LinkMessage.decode(new NlReply(bytes, Rtnl.RTM_NEWLINK, 0, 16, bytes.length));
    assertThat(link.index).isEqualTo(1);
    assertThat(link.name).isEqualTo("lo");
    assertThat(link.mtu).isEqualTo(65536);
    assertThat(link.operStateName()).isEqualTo("UNKNOWN");
    assertThat(link.flagNames()).isEqualTo("LOOPBACK,UP,LOWER_UP");
    assertThat(link.rxPackets).isEqualTo(10);
    assertThat(link.txBytes).isEqualTo(1100);
    assertThat(link.rxDropped).isEqualTo(3);
    assertThat(link.txDropped).isEqualTo(4);
  }

  @Test
  void decodesAnAddressPreferringIfaLocal() {
    byte[] bytes = new NlMessage(Rtnl.RTM_NEWADDR, 0, "reply")
        .ifaddrmsg(Rtnl.AF_INET, 24, 0, 0, 2)
        .attr(Rtnl.IFA_ADDRESS, new byte[] {10, 0, 0, 2})
        .attr(Rtnl.IFA_LOCAL, new byte[] {10, 0, 0, 1})
        .attrU32(Rtnl.IFA_FLAGS, Rtnl.IFA_F_NODAD | Rtnl.IFA_F_PERMANENT)
        .encode(1);
    AddressMessage address = AddressMessage.decode(new NlReply(bytes, Rtnl.RTM_NEWADDR, 0, 16, bytes.length));
    assertThat(address.address.getHostAddress()).isEqualTo("10.0.0.1");
    assertThat(address.prefixLength).isEqualTo(24);
    assertThat(address.index).isEqualTo(2);
    assertThat(address.flags).isEqualTo(Rtnl.IFA_F_NODAD | Rtnl.IFA_F_PERMANENT);
  }

  @Test
  void decodesARouteWithGatewayAndTable() {
    byte[] bytes = new NlMessage(Rtnl.RTM_NEWROUTE, 0, "reply")
        .rtmsg(Rtnl.AF_INET, 0, 0, Rtnl.RT_TABLE_MAIN, Rtnl.RTPROT_STATIC, Rtnl.RT_SCOPE_UNIVERSE, Rtnl.RTN_UNICAST)
        .attrU32(Rtnl.RTA_TABLE, Rtnl.RT_TABLE_MAIN)
        .attr(Rtnl.RTA_GATEWAY, new byte[] {10, 0, 0, (byte) 254})
        .attrU32(Rtnl.RTA_OIF, 2)
        .encode(1);
    RouteMessage route = RouteMessage.decode(new NlReply(bytes, Rtnl.RTM_NEWROUTE, 0, 16, bytes.length));
    assertThat(route.destination).isNull();
    assertThat(route.gateway.getHostAddress()).isEqualTo("10.0.0.254");
    assertThat(route.outputIndex).isEqualTo(2);
    assertThat(route.table).isEqualTo(Rtnl.RT_TABLE_MAIN);
    assertThat(route.protocol).isEqualTo(Rtnl.RTPROT_STATIC);
  }

  @Test
  void truncatedAttributesAreIgnoredNotReadPastTheEnd() {
    byte[] bytes = new NlMessage(Rtnl.RTM_NEWLINK, 0, "x").ifinfomsg(0, 0, 0, 0, 0)
        .attrString(Rtnl.IFLA_IFNAME, "eth0").encode(1);
    NlAttrs attrs = NlAttrs.parse(bytes, 32, bytes.length - 4);
    assertThat(attrs.has(Rtnl.IFLA_IFNAME)).isFalse();
  }
}
