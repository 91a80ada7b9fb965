package io.github.junitnetns.internal.netlink;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.HexFormat;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The wire format against bytes derived by hand from the uapi headers (linux/netlink.h,
 * linux/rtnetlink.h, linux/if_link.h, linux/if_addr.h, linux/veth.h): numbers are written out as
 * the kernel defines them, not taken from {@link Rtnl}, so an encoder or decoder that agrees with
 * itself but not with the kernel fails. Little-endian, as on x86-64 and arm64 (what CI runs).
 */
class NlMessageTest {
  @BeforeAll
  static void littleEndian() {
    Assumptions.assumeTrue(ByteOrder.nativeOrder() == ByteOrder.LITTLE_ENDIAN,
        "the expected bytes are written out for a little-endian machine");
  }

  private static ByteBuffer le(byte[] bytes) {
    return ByteBuffer.wrap(bytes).order(ByteOrder.nativeOrder());
  }

  /** Hex digits; spaces and C-style comments in between are ignored. */
  private static byte[] hex(String... parts) {
    return HexFormat.of().parseHex(String.join("", parts).replaceAll("/\\*.*?\\*/", "").replaceAll("\\s", ""));
  }

  private static NlReply reply(byte[] bytes) {
    int type = le(bytes).getShort(4);
    return new NlReply(bytes, type, 0, 16, bytes.length);
  }

  @Test
  void linkUpIsAnIfinfomsgWithUpInFlagsAndChange() {
    // ip link set lo up: RTM_NEWLINK with IFF_UP in ifi_flags and ifi_change, no attributes.
    assertThat(Requests.linkUp(1, "lo").withFlag(Rtnl.NLM_F_ACK).encode(7)).isEqualTo(hex(
        "20000000 /* nlmsg_len 32 */ 1000 /* RTM_NEWLINK 16 */ 0500 /* NLM_F_REQUEST 1 | NLM_F_ACK 4 */",
        "07000000 /* seq */ 00000000 /* pid */",
        "00 /* AF_UNSPEC */ 00 /* pad */ 0000 /* ifi_type */ 01000000 /* ifi_index */",
        "01000000 /* ifi_flags IFF_UP */ 01000000 /* ifi_change IFF_UP */"));
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
    // ip link add a type veth peer name b. Nests carry NLA_F_NESTED (0x8000), which the kernel
    // accepts with or without (iproute2 leaves it out).
    assertThat(message.encode(3)).isEqualTo(hex(
        "58000000 /* 88 */ 1000 /* RTM_NEWLINK */ 0106 /* REQUEST 1 | EXCL 0x200 | CREATE 0x400 */ 03000000 00000000",
        "00000000 00000000 00000000 00000000 /* ifinfomsg */",
        "0600 0300 /* IFLA_IFNAME 3 */ 6100 0000 /* \"a\\0\" + 2 pad */",
        "3000 1280 /* IFLA_LINKINFO 18 | NESTED, 48 bytes */",
        "  0900 0100 /* IFLA_INFO_KIND 1 */ 7665746800 000000 /* \"veth\\0\" + 3 pad */",
        "  2000 0280 /* IFLA_INFO_DATA 2 | NESTED, 32 bytes */",
        "    1c00 0180 /* VETH_INFO_PEER 1 | NESTED, 28 bytes: an ifinfomsg, then the peer's attributes */",
        "      00000000 00000000 00000000 00000000",
        "      0600 0300 6200 0000 /* IFLA_IFNAME \"b\" */"));
  }

  @Test
  void decodesALinkReplyWithCounters() {
    // What the kernel sends for lo after some traffic (RTM_NEWLINK, struct rtnl_link_stats64 cut
    // to its first eight counters, as a decoder must not need the rest).
    byte[] bytes = hex(
        "7c000000 /* 124 */ 1000 /* RTM_NEWLINK */ 0000 01000000 00000000",
        "00 00 0403 /* ARPHRD_LOOPBACK 772 */ 01000000 /* index 1 */",
        "09000100 /* IFF_UP 1 | IFF_LOOPBACK 8 | IFF_LOWER_UP 0x10000 */ 00000000",
        "0700 0300 6c6f00 00 /* IFLA_IFNAME \"lo\" */",
        "0800 0400 00000100 /* IFLA_MTU 4: 65536 */",
        "0500 1000 00 000000 /* IFLA_OPERSTATE 16: IF_OPER_UNKNOWN 0 */",
        "4400 1700 /* IFLA_STATS64 23, 64 bytes */",
        "0a00000000000000 /* rx_packets 10 */ 0b00000000000000 /* tx_packets 11 */",
        "e803000000000000 /* rx_bytes 1000 */ 4c04000000000000 /* tx_bytes 1100 */",
        "0000000000000000 0000000000000000 /* rx_errors, tx_errors */",
        "0300000000000000 /* rx_dropped 3 */ 0400000000000000 /* tx_dropped 4 */");
    LinkMessage link = LinkMessage.decode(reply(bytes));
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
    // A point-to-point address: IFA_LOCAL is ours, IFA_ADDRESS the peer's.
    byte[] bytes = hex(
        "30000000 /* 48 */ 1400 /* RTM_NEWADDR 20 */ 0000 01000000 00000000",
        "02 /* AF_INET */ 18 /* prefixlen 24 */ 00 /* flags */ 00 /* scope */ 02000000 /* index 2 */",
        "0800 0100 0a000002 /* IFA_ADDRESS 1: 10.0.0.2 */",
        "0800 0200 0a000001 /* IFA_LOCAL 2: 10.0.0.1 */",
        "0800 0800 82000000 /* IFA_FLAGS 8: IFA_F_NODAD 0x02 | IFA_F_PERMANENT 0x80 */");
    AddressMessage address = AddressMessage.decode(reply(bytes));
    assertThat(address.address.getHostAddress()).isEqualTo("10.0.0.1");
    assertThat(address.prefixLength).isEqualTo(24);
    assertThat(address.index).isEqualTo(2);
    assertThat(address.flags).isEqualTo(0x82);
  }

  @Test
  void decodesARouteWithGatewayAndTable() {
    // default via 10.0.0.254 dev 2 proto static, in the main table.
    byte[] bytes = hex(
        "34000000 /* 52 */ 1800 /* RTM_NEWROUTE 24 */ 0000 01000000 00000000",
        "02 /* AF_INET */ 00 /* dst_len */ 00 /* src_len */ 00 /* tos */ fe /* RT_TABLE_MAIN 254 */",
        "04 /* RTPROT_STATIC */ 00 /* RT_SCOPE_UNIVERSE */ 01 /* RTN_UNICAST */ 00000000 /* rtm_flags */",
        "0800 0f00 fe000000 /* RTA_TABLE 15: 254 */",
        "0800 0500 0a0000fe /* RTA_GATEWAY 5: 10.0.0.254 */",
        "0800 0400 02000000 /* RTA_OIF 4: 2 */");
    RouteMessage route = RouteMessage.decode(reply(bytes));
    assertThat(route.destination).isNull();
    assertThat(route.gateway.getHostAddress()).isEqualTo("10.0.0.254");
    assertThat(route.outputIndex).isEqualTo(2);
    assertThat(route.table).isEqualTo(254);
    assertThat(route.protocol).isEqualTo(4);
  }

  @Test
  void truncatedAttributesAreIgnoredNotReadPastTheEnd() {
    byte[] bytes = new NlMessage(Rtnl.RTM_NEWLINK, 0, "x").ifinfomsg(0, 0, 0, 0, 0)
        .attrString(Rtnl.IFLA_IFNAME, "eth0").encode(1);
    NlAttrs attrs = NlAttrs.parse(bytes, 32, bytes.length - 4);
    assertThat(attrs.has(Rtnl.IFLA_IFNAME)).isFalse();
  }
}
