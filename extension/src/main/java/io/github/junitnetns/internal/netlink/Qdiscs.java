package io.github.junitnetns.internal.netlink;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * rtnetlink requests for queueing disciplines and the one filter that shaping needs, each reading
 * like the {@code tc} command it stands for. {@code device} arguments (e.g. {@code eth0@server})
 * only name the interface in error messages; the kernel is told the {@code ifindex}.
 *
 * <p>Times in the legacy struct fields are in psched ticks, which {@code /proc/net/psched}
 * defines (64 ns on current kernels); where the kernel takes bytes or nanoseconds in an
 * attribute (TCA_TBF_BURST, TCA_NETEM_LATENCY64, ...) those are sent too and win.
 */
public final class Qdiscs {
  private Qdiscs() {}

  private static final ByteOrder ORDER = ByteOrder.nativeOrder();
  private static final long U32_MAX = 0xFFFF_FFFFL;

  /** The handle {@code 1:} that {@code tc ... root handle 1: ...} gives a root qdisc. */
  public static final int HANDLE_1 = Tc.makeHandle(0x1_0000, 0);

  /** netem's queue length in packets when not told otherwise, as {@code tc} does (man 8 tc-netem: limit). */
  public static final int NETEM_LIMIT_PACKETS = 1000;

  private static final long NANOS_PER_TICK = readNanosPerTick();

  /**
   * {@code tc qdisc replace dev DEVICE parent PARENT handle HANDLE tbf rate RATE burst BURST limit LIMIT}:
   * a token bucket that lets {@code rateBitsPerSecond} through on average, at most
   * {@code burstBytes} at once (at least the device's MTU plus its 14-byte header: bigger
   * non-GSO packets are dropped), and queues up to {@code limitBytes} (a bfifo) beyond that.
   *
   * <p>The burst goes twice: as TCA_TBF_BURST in bytes, which current kernels use
   * (sch_tbf.c: {@code buffer = psched_l2t_ns(rate, burst)}), and as tc_tbf_qopt.buffer, the
   * time the bucket takes to fill at the rate, in ticks, for kernels without it. Either alone
   * gives the same bucket (checked on 6.18).
   */
  public static NlMessage replaceTbf(int ifindex, int parent, int handle, long rateBitsPerSecond, int burstBytes,
      int limitBytes, String device) {
    if (rateBitsPerSecond < 8 || burstBytes <= 0 || limitBytes <= 0) {
      throw new IllegalArgumentException("tbf on " + device + ": rate " + rateBitsPerSecond + " bit/s, burst "
          + burstBytes + " bytes, limit " + limitBytes + " bytes; each must be positive, the rate at least 8 bit/s");
    }
    long rateBytes = rateBitsPerSecond / 8;
    String object = "tbf rate " + Tc.formatRate(rateBitsPerSecond) + " burst " + burstBytes + "b limit " + limitBytes
        + "b on " + device;
    NlMessage message = qdisc(Tc.RTM_NEWQDISC, Rtnl.NLM_F_CREATE | Rtnl.NLM_F_REPLACE, ifindex, handle, parent,
        object).attrString(Tc.TCA_KIND, "tbf");
    int options = message.beginNested(Tc.TCA_OPTIONS);
    long bufferTicks = ticks(Math.round(burstBytes * 1e9 / rateBytes));
    message.attr(Tc.TCA_TBF_PARMS, struct(Tc.TC_TBF_QOPT_LEN)
        .put(ratespec(rateBytes)).put(new byte[Tc.TC_RATESPEC_LEN]) // rate; no peakrate
        .putInt(limitBytes).putInt(u32(bufferTicks)).putInt(0)      // limit, buffer, mtu (for the peakrate only)
        .array());
    if (rateBytes > U32_MAX) {
      message.attr(Tc.TCA_TBF_RATE64, u64(rateBytes));
    }
    message.attrU32(Tc.TCA_TBF_BURST, burstBytes);
    return message.endNested(options);
  }

  /**
   * A burst for tbf at this rate on a device with this MTU: 10 ms worth of the rate, and never
   * less than two full frames, so that a packet of the MTU always fits.
   */
  public static int defaultBurstBytes(long rateBitsPerSecond, int mtu) {
    long tenMillis = rateBitsPerSecond / 8 / 100;
    return (int) Math.min(Integer.MAX_VALUE, Math.max(tenMillis, 2L * (mtu + Tc.ETH_HLEN)));
  }

  /**
   * A tbf queue limit: the burst plus one second of the rate, as {@code tc ... latency 1s} computes
   * it. Deep on purpose: a rate should cost time, not packets. With 100 ms, TCP's start-up burst
   * overflows the queue and about one transfer in eight (one in three when the qdisc is on the
   * sender, where drops are local) stalls for a retransmission timeout of 200 ms or more.
   */
  public static int defaultLimitBytes(long rateBitsPerSecond, int burstBytes) {
    return (int) Math.min(Integer.MAX_VALUE, burstBytes + rateBitsPerSecond / 8);
  }

  /**
   * What netem is to emulate: a rate in bits per second (0: none), a delay and a jitter in
   * nanoseconds, and percentages of loss, duplication, reordering and corruption; {@code text}
   * names it in error messages, in tc(8) words (e.g. {@code delay 50ms loss 1%}).
   */
  public record Netem(long rateBitsPerSecond, long delayNanos, long jitterNanos, double lossPercent,
      double duplicationPercent, double reorderingPercent, double corruptionPercent, String text) {
    boolean emulatesNothing() {
      return rateBitsPerSecond == 0 && delayNanos == 0 && jitterNanos == 0 && lossPercent == 0
          && duplicationPercent == 0 && reorderingPercent == 0 && corruptionPercent == 0;
    }
  }

  /**
   * {@code tc qdisc replace dev DEVICE parent PARENT handle HANDLE netem limit 1000 delay D J loss L
   * duplicate P reorder R corrupt C rate RATE}. netem's TCA_OPTIONS is not a plain nest: it
   * starts with a struct tc_netem_qopt and the attributes follow it (sch_netem.c, parse_attr), so
   * it is opened with {@link NlMessage#beginStruct}, without the NLA_F_NESTED flag.
   */
  public static NlMessage replaceNetem(int ifindex, int parent, int handle, Netem netem, String device) {
    if (netem == null || netem.emulatesNothing()) {
      throw new IllegalArgumentException("netem on " + device + ": nothing to emulate ("
          + (netem == null ? "null" : netem.text()) + "); remove the qdisc instead");
    }
    long delayNanos = netem.delayNanos();
    long jitterNanos = netem.jitterNanos();
    boolean reorders = netem.reorderingPercent() > 0;
    NlMessage message = qdisc(Tc.RTM_NEWQDISC, Rtnl.NLM_F_CREATE | Rtnl.NLM_F_REPLACE, ifindex, handle, parent,
        "netem " + netem.text() + " on " + device)
        .attrString(Tc.TCA_KIND, "netem");
    int options = message.beginStruct(Tc.TCA_OPTIONS, struct(Tc.TC_NETEM_QOPT_LEN)
        .putInt(u32(ticks(delayNanos)))                         // latency
        .putInt(NETEM_LIMIT_PACKETS)                            // limit
        .putInt(probability(netem.lossPercent()))               // loss
        .putInt(reorders ? 1 : 0)                               // gap: reordering acts only with a gap (1 = any packet)
        .putInt(probability(netem.duplicationPercent()))        // duplicate
        .putInt(u32(ticks(jitterNanos)))                        // jitter
        .array());
    if (reorders) {
      message.attr(Tc.TCA_NETEM_REORDER, struct(Tc.TC_NETEM_REORDER_LEN)
          .putInt(probability(netem.reorderingPercent())).putInt(0).array());
    }
    if (netem.corruptionPercent() > 0) {
      message.attr(Tc.TCA_NETEM_CORRUPT, struct(Tc.TC_NETEM_CORRUPT_LEN)
          .putInt(probability(netem.corruptionPercent())).putInt(0).array());
    }
    if (netem.rateBitsPerSecond() > 0) {
      long rateBytes = netem.rateBitsPerSecond() / 8;
      message.attr(Tc.TCA_NETEM_RATE, struct(Tc.TC_NETEM_RATE_LEN)
          .putInt(u32(rateBytes)).putInt(0).putInt(0).putInt(0).array());
      if (rateBytes > U32_MAX) {
        message.attr(Tc.TCA_NETEM_RATE64, u64(rateBytes));
      }
    }
    if (delayNanos > 0) {
      message.attr(Tc.TCA_NETEM_LATENCY64, u64(delayNanos));
    }
    if (jitterNanos > 0) {
      message.attr(Tc.TCA_NETEM_JITTER64, u64(jitterNanos));
    }
    return message.endNested(options);
  }

  /** {@code tc qdisc add dev DEVICE clsact}: hooks for filters on the device's ingress and egress. */
  public static NlMessage addClsact(int ifindex, String device) {
    return qdisc(Tc.RTM_NEWQDISC, Rtnl.NLM_F_CREATE | Rtnl.NLM_F_EXCL, ifindex, Tc.makeHandle(Tc.TC_H_CLSACT, 0),
        Tc.TC_H_CLSACT, "clsact on " + device).attrString(Tc.TCA_KIND, "clsact");
  }

  /**
   * {@code tc filter add dev DEVICE ingress protocol all prio PRIO u32 match u32 0 0 action mirred
   * egress redirect dev TARGET}: every packet arriving on {@code ifindex} is handed to
   * {@code targetIfindex} (an ifb) instead, whose egress qdisc then shapes it before it reaches
   * the stack. Needs {@link #addClsact} on the device first. u32 with one zero key matches all
   * (cls_matchall is not in every kernel; u32 is). {@code prio} is the filter priority (1 to 65535).
   */
  public static NlMessage redirectIngress(int ifindex, int prio, int targetIfindex, String device, String target) {
    return u32Redirect(ifindex, prio, Tc.ETH_P_ALL, 0, new byte[4], 0, targetIfindex,
        "ingress redirect " + device + " -> " + target);
  }

  /**
   * {@code tc filter add dev DEVICE ingress protocol ip prio PRIO u32 match ip src ADDRESS/32 action
   * mirred egress redirect dev TARGET} ({@code protocol ipv6 ... match ip6 src ADDRESS/128} for an
   * IPv6 source): only packets from {@code source} arriving on {@code ifindex} are handed to
   * {@code targetIfindex}; the rest go on as if there were no filter. On ingress u32's offsets
   * count from the network header, so the keys cover iphdr.saddr (one 32-bit word at byte 12) or
   * ipv6hdr.saddr (four words at bytes 8 to 20); the filter's protocol (ETH_P_IP, ETH_P_IPV6)
   * keeps it off other packets. Filters of one protocol may share a priority (the kernel numbers
   * them); IPv4 and IPv6 ones need two. Needs {@link #addClsact} on the device first. {@code object}
   * names the filter in error messages.
   */
  public static NlMessage redirectIngressFrom(int ifindex, int prio, InetAddress source, int targetIfindex,
      String object) {
    byte[] address = source.getAddress();
    boolean ipv6 = address.length == 16;
    return u32Redirect(ifindex, prio, ipv6 ? Tc.ETH_P_IPV6 : Tc.ETH_P_IP,
        ipv6 ? Tc.IPV6_SADDR_OFFSET : Tc.IPV4_SADDR_OFFSET, address, 0xFFFF_FFFF, targetIfindex, object);
  }

  /** The filter protocol (an ETH_P_* value) that {@link #redirectIngressFrom} uses for {@code source}. */
  public static int protocolOf(InetAddress source) {
    return source.getAddress().length == 16 ? Tc.ETH_P_IPV6 : Tc.ETH_P_IP;
  }

  /**
   * {@code tc filter del dev DEVICE ingress protocol PROTOCOL prio PRIO u32}: every u32 filter at
   * that priority of clsact's ingress hook (tcm_handle 0 removes them all). Fails with ENOENT
   * ("Filter with specified priority/protocol not found") when there are none.
   */
  public static NlMessage deleteIngressFilters(int ifindex, int prio, int protocol, String device) {
    NlMessage message = new NlMessage(Tc.RTM_DELTFILTER, 0, "ingress filters prio " + prio + " on " + device);
    tcmsg(message, ifindex, 0, Tc.makeHandle(Tc.TC_H_CLSACT, Tc.TC_H_MIN_INGRESS), filterInfo(prio, protocol));
    return message.attrString(Tc.TCA_KIND, "u32");
  }

  /**
   * A u32 filter on clsact's ingress hook whose keys compare {@code value} (whole 32-bit words, in
   * network byte order as in the packet) under {@code mask} at {@code offset} and on, with one
   * terminal mirred action that redirects a match to {@code targetIfindex}'s egress.
   */
  private static NlMessage u32Redirect(int ifindex, int prio, int protocol, int offset, byte[] value, int mask,
      int targetIfindex, String object) {
    NlMessage message = new NlMessage(Tc.RTM_NEWTFILTER, Rtnl.NLM_F_CREATE | Rtnl.NLM_F_EXCL, object);
    tcmsg(message, ifindex, 0, Tc.makeHandle(Tc.TC_H_CLSACT, Tc.TC_H_MIN_INGRESS), filterInfo(prio, protocol));
    message.attrString(Tc.TCA_KIND, "u32");
    int options = message.beginNested(Tc.TCA_OPTIONS);
    message.attr(Tc.TCA_U32_SEL, u32Selector(offset, value, mask));
    int actions = message.beginNested(Tc.TCA_U32_ACT);
    int first = message.beginNested(1); // actions are numbered by their order, from 1
    message.attrString(Tc.TCA_ACT_KIND, "mirred");
    int mirredOptions = message.beginNested(Tc.TCA_ACT_OPTIONS);
    message.attr(Tc.TCA_MIRRED_PARMS, struct(Tc.TC_MIRRED_LEN)
        .putInt(0).putInt(0).putInt(Tc.TC_ACT_STOLEN).putInt(0).putInt(0) // tc_gen: index, capab, action, refcnt, bindcnt
        .putInt(Tc.TCA_EGRESS_REDIR).putInt(targetIfindex)
        .array());
    return message.endNested(mirredOptions).endNested(first).endNested(actions).endNested(options);
  }

  /**
   * struct tc_u32_sel (linux/pkt_cls.h) with one struct tc_u32_key per 32-bit word of
   * {@code value}: {@code {u8 flags, offshift, nkeys; (pad); be16 offmask; u16 off; s16 offoff,
   * hoff; be32 hmask}} then keys {@code {be32 mask, val; s32 off, offmask}}. mask and val are in
   * network byte order, the offsets in the host's.
   */
  static byte[] u32Selector(int offset, byte[] value, int mask) {
    if (value.length == 0 || value.length % 4 != 0 || offset % 4 != 0) {
      throw new IllegalArgumentException("u32 match of " + value.length + " bytes at " + offset
          + ": give whole 32-bit words at a multiple of 4");
    }
    int keys = value.length / 4;
    ByteBuffer sel = struct(Tc.TC_U32_SEL_LEN + keys * Tc.TC_U32_KEY_LEN)
        .put((byte) Tc.TC_U32_TERMINAL).put((byte) 0).put((byte) keys).put((byte) 0) // flags, offshift, nkeys, pad
        .putShort((short) 0).putShort((short) 0).putShort((short) 0).putShort((short) 0) // offmask, off, offoff, hoff
        .putInt(0);                                                                       // hmask
    for (int i = 0; i < keys; i++) {
      sel.order(ByteOrder.BIG_ENDIAN).putInt(mask).put(value, 4 * i, 4) // mask, val: as in the packet
          .order(ORDER).putInt(offset + 4 * i).putInt(0);               // off, offmask
    }
    return sel.array();
  }

  /** tcm_info of a filter: the priority in the upper 16 bits, the protocol in network byte order in the lower. */
  private static int filterInfo(int prio, int protocol) {
    if (prio < 1 || prio > 0xFFFF) {
      throw new IllegalArgumentException("filter priority " + prio + ": give 1 to 65535");
    }
    return Tc.makeHandle(prio << 16, Tc.htons(protocol));
  }

  /**
   * {@code ip link add NAME [mtu MTU] type ifb}: an intermediate functional block, a device whose
   * egress qdisc shapes what {@link #redirectIngress} hands it. Created in the socket's namespace;
   * bring it up before use. {@code mtu} 0 keeps the default (1500): give the shaped link's MTU.
   */
  public static NlMessage newIfb(String name, int mtu, String object) {
    NlMessage message = new NlMessage(Rtnl.RTM_NEWLINK, Rtnl.NLM_F_CREATE | Rtnl.NLM_F_EXCL, object)
        .ifinfomsg(Rtnl.AF_UNSPEC, 0, 0, 0, 0)
        .attrString(Rtnl.IFLA_IFNAME, name);
    if (mtu > 0) {
      message.attrU32(Rtnl.IFLA_MTU, mtu);
    }
    int linkInfo = message.beginNested(Rtnl.IFLA_LINKINFO);
    message.attrString(Rtnl.IFLA_INFO_KIND, "ifb");
    return message.endNested(linkInfo);
  }

  // ---- encoding ----

  /** A u32 probability as netem takes it: 0 = never, 0xFFFFFFFF = always (man 8 tc-netem). */
  static int probability(double percent) {
    return (int) Math.round(percent / 100 * U32_MAX);
  }

  /** Nanoseconds as psched ticks, the unit of the legacy time fields (PSCHED_NS2TICKS). */
  static long ticks(long nanos) {
    return nanos / NANOS_PER_TICK;
  }

  static long nanosPerTick() {
    return NANOS_PER_TICK;
  }

  /**
   * The tick length from /proc/net/psched: four hex words, NSEC_PER_USEC and PSCHED_TICKS2NS(1)
   * first (net/sched/sch_api.c, psched_show), so a tick is {@code second * 1000 / first} ns.
   */
  static long nanosPerTick(String procNetPsched) {
    String[] words = procNetPsched.trim().split("\\s+");
    long nanosPerMicro = Long.parseLong(words[0], 16);
    long tickNanos = Long.parseLong(words[1], 16);
    return tickNanos * 1000 / nanosPerMicro;
  }

  private static long readNanosPerTick() {
    try {
      return nanosPerTick(Files.readString(Path.of("/proc/net/psched")));
    } catch (IOException | RuntimeException e) {
      return 64; // PSCHED_SHIFT 6 (include/net/pkt_sched.h)
    }
  }

  private static NlMessage qdisc(int type, int flags, int ifindex, int handle, int parent, String object) {
    return tcmsg(new NlMessage(type, flags, object), ifindex, handle, parent, 0);
  }

  /** struct tcmsg (linux/rtnetlink.h). */
  private static NlMessage tcmsg(NlMessage message, int ifindex, int handle, int parent, int info) {
    return message.u8(Rtnl.AF_UNSPEC).u8(0).u16(0).u32(ifindex).u32(handle).u32(parent).u32(info);
  }

  /** struct tc_ratespec for a rate in bytes per second, Ethernet framing, no overhead (linux/pkt_sched.h). */
  private static byte[] ratespec(long rateBytes) {
    // linklayer ETHERNET: the kernel computes transmit times itself and wants no rate table.
    return struct(Tc.TC_RATESPEC_LEN)
        .put((byte) 0).put((byte) Tc.TC_LINKLAYER_ETHERNET)   // cell_log, linklayer
        .putShort((short) 0).putShort((short) 0).putShort((short) 0) // overhead, cell_align, mpu
        .putInt(u32(rateBytes))                                // rate; beyond u32, the 64-bit attribute says it
        .array();
  }

  private static ByteBuffer struct(int size) {
    return ByteBuffer.allocate(size).order(ORDER);
  }

  private static byte[] u64(long value) {
    return struct(8).putLong(value).array();
  }

  /** Saturates at u32 max, as the kernel's 32-bit fields do when a 64-bit attribute carries the value. */
  private static int u32(long value) {
    return (int) Math.min(value, U32_MAX);
  }
}
