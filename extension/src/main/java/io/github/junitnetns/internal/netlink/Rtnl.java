package io.github.junitnetns.internal.netlink;

/**
 * rtnetlink constants, named exactly as in the kernel's uapi headers so they can be grepped
 * there and in {@code man 7 netlink} / {@code man 7 rtnetlink}.
 */
public final class Rtnl {
  private Rtnl() {}

  // linux/netlink.h
  public static final int NETLINK_ROUTE = 0;
  public static final int NLMSG_HDRLEN = 16;
  public static final int NLMSG_NOOP = 1;
  public static final int NLMSG_ERROR = 2;
  public static final int NLMSG_DONE = 3;
  public static final int NLMSG_OVERRUN = 4;
  public static final int NLM_F_REQUEST = 0x01;
  public static final int NLM_F_MULTI = 0x02;
  public static final int NLM_F_ACK = 0x04;
  public static final int NLM_F_DUMP_INTR = 0x10;
  public static final int NLM_F_ROOT = 0x100;
  public static final int NLM_F_MATCH = 0x200;
  public static final int NLM_F_DUMP = NLM_F_ROOT | NLM_F_MATCH;
  public static final int NLM_F_REPLACE = 0x100;
  public static final int NLM_F_EXCL = 0x200;
  public static final int NLM_F_CREATE = 0x400;
  public static final int NLM_F_CAPPED = 0x100; // on NLMSG_ERROR: the request is not echoed
  public static final int NLM_F_ACK_TLVS = 0x200; // on NLMSG_ERROR: extended ACK attributes follow
  public static final int NETLINK_CAP_ACK = 10;
  public static final int NETLINK_EXT_ACK = 11;
  public static final int NLMSGERR_ATTR_MSG = 1;
  public static final int NLA_HDRLEN = 4;
  public static final int NLA_F_NESTED = 0x8000;
  public static final int NLA_TYPE_MASK = ~(0x8000 | 0x4000);

  // linux/rtnetlink.h: message types
  public static final int RTM_NEWLINK = 16;
  public static final int RTM_DELLINK = 17;
  public static final int RTM_GETLINK = 18;
  public static final int RTM_NEWADDR = 20;
  public static final int RTM_DELADDR = 21;
  public static final int RTM_GETADDR = 22;
  public static final int RTM_NEWROUTE = 24;
  public static final int RTM_DELROUTE = 25;
  public static final int RTM_GETROUTE = 26;
  public static final int RTM_NEWRULE = 32;
  public static final int RTM_DELRULE = 33;
  public static final int RTM_GETRULE = 34;

  // linux/rtnetlink.h: struct rtmsg and its attributes
  public static final int RTMSG_LEN = 12;
  public static final int RTA_DST = 1;
  public static final int RTA_SRC = 2;
  public static final int RTA_IIF = 3;
  public static final int RTA_OIF = 4;
  public static final int RTA_GATEWAY = 5;
  public static final int RTA_PRIORITY = 6;
  public static final int RTA_PREFSRC = 7;
  public static final int RTA_TABLE = 15;
  public static final int RT_TABLE_UNSPEC = 0;
  public static final int RT_TABLE_MAIN = 254;
  public static final int RT_TABLE_LOCAL = 255;
  public static final int RTPROT_KERNEL = 2;
  public static final int RTPROT_BOOT = 3;
  public static final int RTPROT_STATIC = 4;
  public static final int RT_SCOPE_UNIVERSE = 0;
  public static final int RT_SCOPE_LINK = 253;
  public static final int RT_SCOPE_HOST = 254;
  public static final int RTN_UNICAST = 1;
  public static final int RTN_LOCAL = 2;
  public static final int RTN_BROADCAST = 3;
  public static final int RTN_MULTICAST = 5;
  public static final int RTN_BLACKHOLE = 6;
  public static final int RTN_UNREACHABLE = 7;
  public static final int RTN_PROHIBIT = 8;

  // linux/fib_rules.h: struct fib_rule_hdr (same layout as rtmsg: 12 bytes) and its attributes
  public static final int FIB_RULE_HDR_LEN = 12;
  public static final int FRA_SRC = 2;
  public static final int FRA_IIFNAME = 3;
  public static final int FRA_PRIORITY = 6;
  public static final int FRA_TABLE = 15;
  public static final int FRA_PROTOCOL = 21;
  public static final int FR_ACT_TO_TBL = 1;
  public static final int FR_ACT_BLACKHOLE = 6;
  /**
   * The protocol (FRA_PROTOCOL, like RTPROT_*) that marks a rule as junit-netns's own, so that
   * heal() removes exactly those. Values above RTPROT_STATIC are free for routing daemons.
   */
  public static final int RTPROT_JUNIT_NETNS = 245;

  // linux/if_link.h: struct ifinfomsg and its attributes
  public static final int IFINFOMSG_LEN = 16;
  public static final int IFLA_ADDRESS = 1;
  public static final int IFLA_IFNAME = 3;
  public static final int IFLA_MTU = 4;
  public static final int IFLA_LINK = 5;
  public static final int IFLA_MASTER = 10;
  public static final int IFLA_OPERSTATE = 16;
  public static final int IFLA_LINKINFO = 18;
  public static final int IFLA_STATS64 = 23;
  public static final int IFLA_NET_NS_FD = 28;
  public static final int IFLA_LINK_NETNSID = 37;
  public static final int IFLA_INFO_KIND = 1;
  public static final int IFLA_INFO_DATA = 2;
  public static final int IFLA_INFO_SLAVE_KIND = 4;
  // linux/veth.h
  public static final int VETH_INFO_PEER = 1;
  // linux/if.h
  public static final int IFF_UP = 0x1;
  public static final int IFF_BROADCAST = 0x2;
  public static final int IFF_LOOPBACK = 0x8;
  public static final int IFF_POINTOPOINT = 0x10;
  public static final int IFF_RUNNING = 0x40;
  public static final int IFF_NOARP = 0x80;
  public static final int IFF_PROMISC = 0x100;
  public static final int IFF_MULTICAST = 0x1000;
  public static final int IFF_LOWER_UP = 0x10000;
  public static final int IFNAMSIZ = 16;

  // linux/if_addr.h: struct ifaddrmsg and its attributes
  public static final int IFADDRMSG_LEN = 8;
  public static final int IFA_ADDRESS = 1;
  public static final int IFA_LOCAL = 2;
  public static final int IFA_LABEL = 3;
  public static final int IFA_FLAGS = 8;
  public static final int IFA_F_NODAD = 0x02;
  public static final int IFA_F_TENTATIVE = 0x40;
  public static final int IFA_F_PERMANENT = 0x80;

  // linux/socket.h
  public static final int AF_UNSPEC = 0;
  public static final int AF_INET = 2;
  public static final int AF_INET6 = 10;

  /** Name of a message type for error messages, e.g. {@code RTM_NEWLINK}. */
  public static String messageTypeName(int type) {
    switch (type) {
      case RTM_NEWLINK: return "RTM_NEWLINK";
      case RTM_DELLINK: return "RTM_DELLINK";
      case RTM_GETLINK: return "RTM_GETLINK";
      case RTM_NEWADDR: return "RTM_NEWADDR";
      case RTM_DELADDR: return "RTM_DELADDR";
      case RTM_GETADDR: return "RTM_GETADDR";
      case RTM_NEWROUTE: return "RTM_NEWROUTE";
      case RTM_DELROUTE: return "RTM_DELROUTE";
      case RTM_GETROUTE: return "RTM_GETROUTE";
      case RTM_NEWRULE: return "RTM_NEWRULE";
      case RTM_DELRULE: return "RTM_DELRULE";
      case RTM_GETRULE: return "RTM_GETRULE";
      default:
        String tc = Tc.messageTypeName(type);
        return tc != null ? tc : "netlink type " + type;
    }
  }
}
