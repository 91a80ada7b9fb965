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
}
