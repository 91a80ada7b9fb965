package io.github.junitnetns.internal.netlink;

/** rtnetlink requests, each reading like the {@code ip} command it stands for. */
public final class Requests {
  private Requests() {}

  /** {@code ip link set <index> up}. */
  public static NlMessage linkUp(int index, String name) {
    return new NlMessage(Rtnl.RTM_NEWLINK, 0, name + " up")
        .ifinfomsg(Rtnl.AF_UNSPEC, 0, index, Rtnl.IFF_UP, Rtnl.IFF_UP);
  }

  /** {@code ip link set <index> down}. */
  public static NlMessage linkDown(int index, String name) {
    return new NlMessage(Rtnl.RTM_NEWLINK, 0, name + " down")
        .ifinfomsg(Rtnl.AF_UNSPEC, 0, index, 0, Rtnl.IFF_UP);
  }

  /** {@code ip link set <index> mtu <mtu>}. */
  public static NlMessage linkMtu(int index, String name, int mtu) {
    return new NlMessage(Rtnl.RTM_NEWLINK, 0, name + " mtu " + mtu)
        .ifinfomsg(Rtnl.AF_UNSPEC, 0, index, 0, 0)
        .attrU32(Rtnl.IFLA_MTU, mtu);
  }

  /** {@code ip link show}. */
  public static NlMessage getLinks(String where) {
    return new NlMessage(Rtnl.RTM_GETLINK, 0, "links of " + where)
        .ifinfomsg(Rtnl.AF_UNSPEC, 0, 0, 0, 0);
  }

  /** {@code ip addr show}. */
  public static NlMessage getAddresses(String where) {
    return new NlMessage(Rtnl.RTM_GETADDR, 0, "addresses of " + where)
        .ifaddrmsg(Rtnl.AF_UNSPEC, 0, 0, 0, 0);
  }

  /** {@code ip route show table all} for one family (AF_INET or AF_INET6). */
  public static NlMessage getRoutes(int family, String where) {
    return new NlMessage(Rtnl.RTM_GETROUTE, 0, "routes of " + where)
        .rtmsg(family, 0, 0, Rtnl.RT_TABLE_UNSPEC, 0, 0, 0);
  }

  /** {@code ip link show NAME}: one link by name (a plain request, answered with one RTM_NEWLINK). */
  public static NlMessage getLink(String name, String where) {
    return new NlMessage(Rtnl.RTM_GETLINK, 0, name + "@" + where)
        .ifinfomsg(Rtnl.AF_UNSPEC, 0, 0, 0, 0)
        .attrString(Rtnl.IFLA_IFNAME, name);
  }

  /**
   * {@code ip link add NAME [mtu M] [master B] type veth peer name PEER netns PEER_NS}: both ends are
   * created by this one message, NAME in the socket's namespace and PEER directly in the namespace
   * behind {@code peerNsFd} (IFLA_NET_NS_FD inside VETH_INFO_PEER), so neither is moved afterwards.
   * {@code master} (an ifindex in the socket's namespace, or 0) makes NAME a bridge port at once.
   *
   * <p>Both ends' interface indexes are chosen (0 lets the kernel pick). The two must differ:
   * linkwatch treats a veth's carrier change as urgent only when its index differs from its peer's
   * (net/core/linkwatch.c), and otherwise delays it up to a second, during which the new end drops
   * what it sends; two fresh namespaces both give index 2. The kernel honours the peer's index only
   * when the first end's is given too (drivers/net/veth.c).
   */
  public static NlMessage newVeth(String name, int index, String peerName, int peerNsFd, int peerIndex, int mtu,
      int master, String object) {
    NlMessage message = new NlMessage(Rtnl.RTM_NEWLINK, Rtnl.NLM_F_CREATE | Rtnl.NLM_F_EXCL, object)
        .ifinfomsg(Rtnl.AF_UNSPEC, 0, index, 0, 0)
        .attrString(Rtnl.IFLA_IFNAME, name);
    if (mtu > 0) {
      message.attrU32(Rtnl.IFLA_MTU, mtu);
    }
    if (master > 0) {
      message.attrU32(Rtnl.IFLA_MASTER, master);
    }
    int linkInfo = message.beginNested(Rtnl.IFLA_LINKINFO);
    message.attrString(Rtnl.IFLA_INFO_KIND, "veth");
    int data = message.beginNested(Rtnl.IFLA_INFO_DATA);
    int peer = message.beginNested(Rtnl.VETH_INFO_PEER);
    message.ifinfomsg(Rtnl.AF_UNSPEC, 0, peerIndex, 0, 0)
        .attrString(Rtnl.IFLA_IFNAME, peerName)
        .attrU32(Rtnl.IFLA_NET_NS_FD, peerNsFd);
    if (mtu > 0) {
      message.attrU32(Rtnl.IFLA_MTU, mtu);
    }
    return message.endNested(peer).endNested(data).endNested(linkInfo);
  }

  /** {@code ip link add NAME type bridge}. */
  public static NlMessage newBridge(String name, String object) {
    NlMessage message = new NlMessage(Rtnl.RTM_NEWLINK, Rtnl.NLM_F_CREATE | Rtnl.NLM_F_EXCL, object)
        .ifinfomsg(Rtnl.AF_UNSPEC, 0, 0, 0, 0)
        .attrString(Rtnl.IFLA_IFNAME, name);
    int linkInfo = message.beginNested(Rtnl.IFLA_LINKINFO);
    message.attrString(Rtnl.IFLA_INFO_KIND, "bridge");
    return message.endNested(linkInfo);
  }

  /** {@code ip link del NAME}. */
  public static NlMessage deleteLink(String name, String object) {
    return new NlMessage(Rtnl.RTM_DELLINK, 0, object)
        .ifinfomsg(Rtnl.AF_UNSPEC, 0, 0, 0, 0)
        .attrString(Rtnl.IFLA_IFNAME, name);
  }

  /**
   * {@code ip addr add ADDRESS/PREFIX dev INDEX [nodad]}. IPv6 addresses get IFA_F_NODAD: they are
   * usable at once instead of "tentative" for a second or two of duplicate address detection.
   */
  public static NlMessage newAddress(int index, byte[] address, int prefixLength, String object) {
    boolean ipv6 = address.length == 16;
    int flags = ipv6 ? Rtnl.IFA_F_NODAD : 0;
    return new NlMessage(Rtnl.RTM_NEWADDR, Rtnl.NLM_F_CREATE | Rtnl.NLM_F_EXCL, object)
        .ifaddrmsg(ipv6 ? Rtnl.AF_INET6 : Rtnl.AF_INET, prefixLength, flags, Rtnl.RT_SCOPE_UNIVERSE, index)
        .attr(Rtnl.IFA_LOCAL, address)
        .attr(Rtnl.IFA_ADDRESS, address)
        .attrU32(Rtnl.IFA_FLAGS, flags);
  }

  /** {@code ip route add DESTINATION/LENGTH via GATEWAY} (length 0: {@code default}), main table. */
  public static NlMessage newRoute(byte[] destination, int length, byte[] gateway, String object) {
    boolean ipv6 = gateway.length == 16;
    NlMessage message = new NlMessage(Rtnl.RTM_NEWROUTE, Rtnl.NLM_F_CREATE | Rtnl.NLM_F_EXCL, object)
        .rtmsg(ipv6 ? Rtnl.AF_INET6 : Rtnl.AF_INET, length, 0, Rtnl.RT_TABLE_MAIN, Rtnl.RTPROT_STATIC,
            Rtnl.RT_SCOPE_UNIVERSE, Rtnl.RTN_UNICAST);
    if (length > 0) {
      message.attr(Rtnl.RTA_DST, destination);
    }
    return message.attr(Rtnl.RTA_GATEWAY, gateway);
  }

  /** {@code ip rule show} for one family. */
  public static NlMessage getRules(int family, String where) {
    return new NlMessage(Rtnl.RTM_GETRULE, 0, "rules of " + where)
        .rtmsg(family, 0, 0, 0, 0, 0, 0);
  }

  /**
   * {@code ip rule add from SOURCE/LEN priority PRIO blackhole protocol 245}: packets from the source
   * are dropped silently on input, before any route (the local table included) is looked up.
   */
  public static NlMessage newBlackholeRule(byte[] source, int priority, String object) {
    int family = source.length == 16 ? Rtnl.AF_INET6 : Rtnl.AF_INET;
    return new NlMessage(Rtnl.RTM_NEWRULE, Rtnl.NLM_F_CREATE | Rtnl.NLM_F_EXCL, object)
        .u8(family).u8(0).u8(source.length * 8).u8(0).u8(0).u8(0).u8(0).u8(Rtnl.FR_ACT_BLACKHOLE).u32(0)
        .attr(Rtnl.FRA_SRC, source)
        .attrU32(Rtnl.FRA_PRIORITY, priority)
        .attrU8(Rtnl.FRA_PROTOCOL, Rtnl.RTPROT_JUNIT_NETNS);
  }

  /** {@code ip rule del from SOURCE/LEN priority PRIO blackhole}. */
  public static NlMessage deleteBlackholeRule(byte[] source, int priority, String object) {
    int family = source.length == 16 ? Rtnl.AF_INET6 : Rtnl.AF_INET;
    return new NlMessage(Rtnl.RTM_DELRULE, 0, object)
        .u8(family).u8(0).u8(source.length * 8).u8(0).u8(0).u8(0).u8(0).u8(Rtnl.FR_ACT_BLACKHOLE).u32(0)
        .attr(Rtnl.FRA_SRC, source)
        .attrU32(Rtnl.FRA_PRIORITY, priority);
  }

  /** {@code ip rule add priority PRIO lookup local [protocol P]} for one family. */
  public static NlMessage newLocalRule(int family, int priority, int protocol, String object) {
    return new NlMessage(Rtnl.RTM_NEWRULE, Rtnl.NLM_F_CREATE | Rtnl.NLM_F_EXCL, object)
        .u8(family).u8(0).u8(0).u8(0).u8(Rtnl.RT_TABLE_LOCAL).u8(0).u8(0).u8(Rtnl.FR_ACT_TO_TBL).u32(0)
        .attrU32(Rtnl.FRA_PRIORITY, priority)
        .attrU32(Rtnl.FRA_TABLE, Rtnl.RT_TABLE_LOCAL)
        .attrU8(Rtnl.FRA_PROTOCOL, protocol);
  }

  /** {@code ip rule del priority PRIO lookup local} for one family. */
  public static NlMessage deleteLocalRule(int family, int priority, String object) {
    return new NlMessage(Rtnl.RTM_DELRULE, 0, object)
        .u8(family).u8(0).u8(0).u8(0).u8(Rtnl.RT_TABLE_LOCAL).u8(0).u8(0).u8(Rtnl.FR_ACT_TO_TBL).u32(0)
        .attrU32(Rtnl.FRA_PRIORITY, priority)
        .attrU32(Rtnl.FRA_TABLE, Rtnl.RT_TABLE_LOCAL);
  }
}
