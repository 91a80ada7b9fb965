package io.github.junitnetns.internal.netlink;

import java.nio.ByteOrder;

/**
 * Traffic-control (tc) constants for rtnetlink, named exactly as in the kernel's uapi headers
 * ({@code linux/rtnetlink.h}, {@code linux/pkt_sched.h}, {@code linux/pkt_cls.h},
 * {@code linux/tc_act/tc_mirred.h}) so they can be grepped there and in {@code man 8 tc}.
 * Struct sizes are those of the C structs on Linux (no padding in any of them).
 */
public final class Tc {
  private Tc() {}

  // linux/rtnetlink.h: message types
  public static final int RTM_NEWQDISC = 36;
  public static final int RTM_DELQDISC = 37;
  public static final int RTM_GETQDISC = 38;
  public static final int RTM_NEWTFILTER = 44;
  public static final int RTM_DELTFILTER = 45;
  public static final int RTM_GETTFILTER = 46;

  // linux/rtnetlink.h: struct tcmsg {u8 family, pad1; u16 pad2; s32 ifindex; u32 handle, parent, info}
  public static final int TCMSG_LEN = 20;
  // linux/rtnetlink.h: enum TCA_*
  public static final int TCA_KIND = 1;
  public static final int TCA_OPTIONS = 2;

  // linux/pkt_sched.h: handles are major:minor, 16 bits each
  public static final int TC_H_MAJ_MASK = 0xFFFF0000;
  public static final int TC_H_MIN_MASK = 0x0000FFFF;
  public static final int TC_H_UNSPEC = 0;
  public static final int TC_H_ROOT = 0xFFFFFFFF;
  public static final int TC_H_INGRESS = 0xFFFFFFF1;
  public static final int TC_H_CLSACT = TC_H_INGRESS;
  public static final int TC_H_MIN_INGRESS = 0xFFF2;
  public static final int TC_H_MIN_EGRESS = 0xFFF3;

  // linux/pkt_sched.h: enum tc_link_layer
  public static final int TC_LINKLAYER_UNAWARE = 0;
  public static final int TC_LINKLAYER_ETHERNET = 1;

  // linux/pkt_sched.h: struct tc_ratespec {u8 cell_log, linklayer; u16 overhead; s16 cell_align; u16 mpu; u32 rate}
  public static final int TC_RATESPEC_LEN = 12;
  // linux/pkt_sched.h: struct tc_tbf_qopt {tc_ratespec rate, peakrate; u32 limit, buffer, mtu}
  public static final int TC_TBF_QOPT_LEN = 36;
  // linux/pkt_sched.h: enum TCA_TBF_*
  public static final int TCA_TBF_PARMS = 1;
  public static final int TCA_TBF_RTAB = 2;
  public static final int TCA_TBF_PTAB = 3;
  public static final int TCA_TBF_RATE64 = 4;
  public static final int TCA_TBF_PRATE64 = 5;
  public static final int TCA_TBF_BURST = 6;
  public static final int TCA_TBF_PBURST = 7;

  // linux/pkt_sched.h: struct tc_netem_qopt {u32 latency, limit, loss, gap, duplicate, jitter}
  public static final int TC_NETEM_QOPT_LEN = 24;
  // linux/pkt_sched.h: enum TCA_NETEM_*
  public static final int TCA_NETEM_CORR = 1;
  public static final int TCA_NETEM_DELAY_DIST = 2;
  public static final int TCA_NETEM_REORDER = 3;
  public static final int TCA_NETEM_CORRUPT = 4;
  public static final int TCA_NETEM_LOSS = 5;
  public static final int TCA_NETEM_RATE = 6;
  public static final int TCA_NETEM_ECN = 7;
  public static final int TCA_NETEM_RATE64 = 8;
  public static final int TCA_NETEM_PAD = 9;
  public static final int TCA_NETEM_LATENCY64 = 10;
  public static final int TCA_NETEM_JITTER64 = 11;
  public static final int TCA_NETEM_SLOT = 12;
  // linux/pkt_sched.h: struct tc_netem_reorder / tc_netem_corrupt {u32 probability, correlation}
  public static final int TC_NETEM_REORDER_LEN = 8;
  public static final int TC_NETEM_CORRUPT_LEN = 8;
  // linux/pkt_sched.h: struct tc_netem_rate {u32 rate; s32 packet_overhead; u32 cell_size; s32 cell_overhead}
  public static final int TC_NETEM_RATE_LEN = 16;

  // linux/pkt_cls.h: enum TCA_U32_*, struct tc_u32_sel (16 bytes + keys), struct tc_u32_key (16 bytes)
  public static final int TCA_U32_CLASSID = 1;
  public static final int TCA_U32_SEL = 5;
  public static final int TCA_U32_ACT = 7;
  public static final int TC_U32_TERMINAL = 1;
  public static final int TC_U32_SEL_LEN = 16;
  public static final int TC_U32_KEY_LEN = 16;
  // linux/ip.h: struct iphdr, saddr at byte 12; linux/ipv6.h: struct ipv6hdr, saddr at bytes 8..23
  public static final int IPV4_SADDR_OFFSET = 12;
  public static final int IPV6_SADDR_OFFSET = 8;
  // linux/pkt_cls.h: enum TCA_ACT_*, action verdicts
  public static final int TCA_ACT_KIND = 1;
  public static final int TCA_ACT_OPTIONS = 2;
  public static final int TC_ACT_OK = 0;
  public static final int TC_ACT_SHOT = 2;
  public static final int TC_ACT_PIPE = 3;
  public static final int TC_ACT_STOLEN = 4;

  // linux/tc_act/tc_mirred.h: struct tc_mirred {tc_gen (u32 index, capab; s32 action, refcnt, bindcnt); s32 eaction; u32 ifindex}
  public static final int TC_MIRRED_LEN = 28;
  public static final int TCA_MIRRED_PARMS = 2;
  public static final int TCA_EGRESS_REDIR = 1;
  public static final int TCA_EGRESS_MIRROR = 2;

  // linux/if_ether.h
  public static final int ETH_P_ALL = 0x0003;
  public static final int ETH_P_IP = 0x0800;
  public static final int ETH_P_IPV6 = 0x86DD;
  public static final int ETH_HLEN = 14;

  /** {@code TC_H_MAKE(maj, min)} of linux/pkt_sched.h: {@code maj} is already shifted (e.g. 0x10000 for 1:). */
  public static int makeHandle(int major, int minor) {
    return (major & TC_H_MAJ_MASK) | (minor & TC_H_MIN_MASK);
  }

  /** A rate in tc(8) words, the largest unit that states it exactly: 8000000 → {@code 8mbit}, 1500000 → {@code 1500kbit}. */
  public static String formatRate(long bits) {
    String[] units = {"tbit", "gbit", "mbit", "kbit"};
    long[] sizes = {1_000_000_000_000L, 1_000_000_000L, 1_000_000L, 1_000L};
    for (int i = 0; i < units.length; i++) {
      if (bits % sizes[i] == 0) {
        return bits / sizes[i] + units[i];
      }
    }
    return bits + "bit";
  }

  /** A 16-bit value in network byte order, as tcm_info carries a filter's protocol ({@code htons}). */
  static int htons(int value) {
    return ByteOrder.nativeOrder() == ByteOrder.LITTLE_ENDIAN
        ? ((value & 0xff) << 8) | ((value >> 8) & 0xff)
        : value & 0xffff;
  }

  /** Name of a tc message type for error messages, e.g. {@code RTM_NEWQDISC}; null for others. */
  public static String messageTypeName(int type) {
    switch (type) {
      case RTM_NEWQDISC: return "RTM_NEWQDISC";
      case RTM_DELQDISC: return "RTM_DELQDISC";
      case RTM_GETQDISC: return "RTM_GETQDISC";
      case RTM_NEWTFILTER: return "RTM_NEWTFILTER";
      case RTM_DELTFILTER: return "RTM_DELTFILTER";
      case RTM_GETTFILTER: return "RTM_GETTFILTER";
      default: return null;
    }
  }
}
