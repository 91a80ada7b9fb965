package io.github.junitnetns.internal.netlink;

/** A decoded RTM_NEWLINK: what {@code ip -d link show} prints for one interface. */
public final class LinkMessage {
  public final int index;
  public final int flags;
  public final String name;
  public final int mtu;
  public final int operState;
  public final String kind;
  public final int master;
  public final int peerIndex;
  public final byte[] hardwareAddress;
  public final long rxPackets;
  public final long txPackets;
  public final long rxBytes;
  public final long txBytes;
  public final long rxDropped;
  public final long txDropped;

  private LinkMessage(NlReply reply) {
    index = reply.u32(4);
    flags = reply.u32(8);
    NlAttrs attrs = reply.attrs(Rtnl.IFINFOMSG_LEN);
    name = attrs.string(Rtnl.IFLA_IFNAME);
    mtu = attrs.u32(Rtnl.IFLA_MTU, 0);
    operState = attrs.u8(Rtnl.IFLA_OPERSTATE, 0);
    master = attrs.u32(Rtnl.IFLA_MASTER, 0);
    peerIndex = attrs.u32(Rtnl.IFLA_LINK, 0);
    hardwareAddress = attrs.bytes(Rtnl.IFLA_ADDRESS);
    NlAttrs info = attrs.nested(Rtnl.IFLA_LINKINFO);
    kind = info == null ? null : info.string(Rtnl.IFLA_INFO_KIND);
    // struct rtnl_link_stats64 (linux/if_link.h): rx_packets, tx_packets, rx_bytes, tx_bytes,
    // rx_errors, tx_errors, rx_dropped, tx_dropped, ...
    rxPackets = attrs.u64At(Rtnl.IFLA_STATS64, 0);
    txPackets = attrs.u64At(Rtnl.IFLA_STATS64, 1);
    rxBytes = attrs.u64At(Rtnl.IFLA_STATS64, 2);
    txBytes = attrs.u64At(Rtnl.IFLA_STATS64, 3);
    rxDropped = attrs.u64At(Rtnl.IFLA_STATS64, 6);
    txDropped = attrs.u64At(Rtnl.IFLA_STATS64, 7);
  }

  public static LinkMessage decode(NlReply reply) {
    return new LinkMessage(reply);
  }

  /** {@code IF_OPER_*} (linux/if.h) as {@code ip link} prints it. */
  public String operStateName() {
    switch (operState) {
      case 1: return "NOTPRESENT";
      case 2: return "DOWN";
      case 3: return "LOWERLAYERDOWN";
      case 4: return "TESTING";
      case 5: return "DORMANT";
      case 6: return "UP";
      default: return "UNKNOWN";
    }
  }

  /** The flags as {@code ip link} prints them, e.g. {@code LOOPBACK,UP,LOWER_UP}. */
  public String flagNames() {
    StringBuilder out = new StringBuilder();
    append(out, Rtnl.IFF_LOOPBACK, "LOOPBACK");
    append(out, Rtnl.IFF_BROADCAST, "BROADCAST");
    append(out, Rtnl.IFF_POINTOPOINT, "POINTOPOINT");
    append(out, Rtnl.IFF_MULTICAST, "MULTICAST");
    append(out, Rtnl.IFF_NOARP, "NOARP");
    append(out, Rtnl.IFF_PROMISC, "PROMISC");
    append(out, Rtnl.IFF_UP, "UP");
    append(out, Rtnl.IFF_LOWER_UP, "LOWER_UP");
    return out.toString();
  }

  private void append(StringBuilder out, int flag, String text) {
    if ((flags & flag) != 0) {
      out.append(out.length() == 0 ? "" : ",").append(text);
    }
  }
}
