package io.github.junitnetns.internal.netlink;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.junitnetns.Shaping;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/**
 * The tc requests byte by byte against the struct layouts of linux/rtnetlink.h (struct tcmsg,
 * 20 bytes) and linux/pkt_sched.h (tc_ratespec 12, tc_tbf_qopt 36, tc_netem_qopt 24 bytes), so
 * that the netem path, which this machine's kernel cannot run, is covered too.
 */
class QdiscsTest {
  private static final int TCMSG = Rtnl.NLMSG_HDRLEN;               // 16
  private static final int ATTRS = TCMSG + Tc.TCMSG_LEN;             // 36
  private static final long U32_MAX = 0xFFFF_FFFFL;

  @Test
  void theStructSizesAreTheKernels() {
    assertThat(Tc.TCMSG_LEN).isEqualTo(20);
    assertThat(Tc.TC_RATESPEC_LEN).isEqualTo(12);
    assertThat(Tc.TC_TBF_QOPT_LEN).isEqualTo(2 * 12 + 3 * 4);
    assertThat(Tc.TC_NETEM_QOPT_LEN).isEqualTo(6 * 4);
    assertThat(Tc.TC_MIRRED_LEN).isEqualTo(5 * 4 + 4 + 4);
  }

  @Test
  void tbfCarriesTheRateInBytesTheBurstInBytesAndInTicksAndTheLimit() {
    NlMessage message = Qdiscs.replaceTbf(3, Tc.TC_H_ROOT, Qdiscs.HANDLE_1, 8_000_000, 10_000, 110_000, "eth0@a");
    assertThat(message.object()).isEqualTo("tbf rate 8mbit burst 10000b limit 110000b on eth0@a");
    byte[] bytes = message.encode(1);
    ByteBuffer in = le(bytes);
    assertThat(in.getShort(4)).isEqualTo((short) Tc.RTM_NEWQDISC);
    assertThat(in.getShort(6)).isEqualTo((short) (Rtnl.NLM_F_REQUEST | Rtnl.NLM_F_CREATE | Rtnl.NLM_F_REPLACE));
    assertThat(in.getInt(TCMSG + 4)).isEqualTo(3);
    assertThat(in.getInt(TCMSG + 8)).isEqualTo(0x10000);       // handle 1:
    assertThat(in.getInt(TCMSG + 12)).isEqualTo(0xFFFFFFFF);   // parent root

    // TCA_KIND "tbf\0", then TCA_OPTIONS, nested
    assertThat(in.getShort(ATTRS)).isEqualTo((short) 8);
    assertThat(in.getShort(ATTRS + 2)).isEqualTo((short) Tc.TCA_KIND);
    assertThat(new String(bytes, ATTRS + 4, 4, StandardCharsets.US_ASCII)).isEqualTo("tbf\0");
    int options = ATTRS + 8;
    assertThat(in.getShort(options + 2) & 0xffff).isEqualTo(Tc.TCA_OPTIONS | Rtnl.NLA_F_NESTED);
    assertThat(in.getShort(options) & 0xffff).isEqualTo(bytes.length - options);

    // TCA_TBF_PARMS: struct tc_tbf_qopt, 36 bytes
    int parms = options + 4;
    assertThat(in.getShort(parms)).isEqualTo((short) (4 + 36));
    assertThat(in.getShort(parms + 2)).isEqualTo((short) Tc.TCA_TBF_PARMS);
    int qopt = parms + 4;
    // rate: tc_ratespec {u8 cell_log, u8 linklayer, u16 overhead, s16 cell_align, u16 mpu, u32 rate}
    assertThat(bytes[qopt]).isZero();
    assertThat(bytes[qopt + 1]).isEqualTo((byte) Tc.TC_LINKLAYER_ETHERNET);
    assertThat(in.getShort(qopt + 2)).isZero();
    assertThat(in.getShort(qopt + 4)).isZero();
    assertThat(in.getShort(qopt + 6)).isZero();
    assertThat(in.getInt(qopt + 8)).isEqualTo(1_000_000);      // 8 Mbit/s = 1,000,000 bytes/s
    // peakrate: none
    assertThat(Arrays.copyOfRange(bytes, qopt + 12, qopt + 24)).containsOnly(0);
    assertThat(in.getInt(qopt + 24)).isEqualTo(110_000);       // limit, bytes
    // buffer: 10,000 bytes at 1,000,000 bytes/s fill in 10 ms = 10,000,000 ns / 64 ns per tick
    assertThat(in.getInt(qopt + 28)).isEqualTo((int) (10_000_000L / Qdiscs.nanosPerTick())).isEqualTo(156_250);
    assertThat(in.getInt(qopt + 32)).isZero();                 // mtu: only for a peakrate

    // then TCA_TBF_BURST in bytes, and no TCA_TBF_RATE64 below 2^32 bytes/s
    NlAttrs attrs = NlAttrs.parse(bytes, options + 4, bytes.length);
    assertThat(attrs.u32(Tc.TCA_TBF_BURST, -1)).isEqualTo(10_000);
    assertThat(attrs.has(Tc.TCA_TBF_RATE64)).isFalse();
    assertThat(bytes.length).isEqualTo(qopt + 36 + 8);
  }

  @Test
  void tbfRatesFromFourGigabytesPerSecondGoInTheSixtyFourBitAttribute() {
    byte[] bytes = Qdiscs.replaceTbf(3, Tc.TC_H_ROOT, Qdiscs.HANDLE_1, 40_000_000_000L, 1 << 20, 1 << 24, "eth0@a")
        .encode(1);
    NlAttrs options = NlAttrs.parse(bytes, ATTRS, bytes.length).nested(Tc.TCA_OPTIONS);
    ByteBuffer qopt = le(options.bytes(Tc.TCA_TBF_PARMS));
    assertThat(qopt.getInt(8)).isEqualTo(0xFFFFFFFF);          // saturated; the kernel takes the larger
    assertThat(le(options.bytes(Tc.TCA_TBF_RATE64)).getLong(0)).isEqualTo(5_000_000_000L);
  }

  @Test
  void tbfRefusesWhatTheKernelWouldTurnIntoADeadLink() {
    assertThatThrownBy(() -> Qdiscs.replaceTbf(3, Tc.TC_H_ROOT, 0, 8_000_000, 10_000, 0, "eth0@a"))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("eth0@a").hasMessageContaining("limit 0");
    assertThatThrownBy(() -> Qdiscs.replaceTbf(3, Tc.TC_H_ROOT, 0, 8_000_000, 0, 10_000, "eth0@a"))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("burst 0");
  }

  @Test
  void defaultBurstIsTenMillisecondsOfTheRateButAtLeastTwoFramesAndTheQueueASecond() {
    assertThat(Qdiscs.defaultBurstBytes(8_000_000, 1500)).isEqualTo(10_000);
    assertThat(Qdiscs.defaultBurstBytes(100_000, 1500)).isEqualTo(2 * 1514);
    assertThat(Qdiscs.defaultLimitBytes(8_000_000, 10_000)).isEqualTo(10_000 + 1_000_000);
  }

  @Test
  void netemOptionsAreTheStructFollowedByAttributesNotANest() {
    Shaping shaping = Shaping.delay(Duration.ofMillis(50)).withJitter(Duration.ofMillis(5)).withLoss(1)
        .withDuplication(0.5).withReordering(25).withCorruption(0.1).withRate("1gbit");
    NlMessage message = Qdiscs.replaceNetem(4, Tc.TC_H_ROOT, Qdiscs.HANDLE_1, netem(shaping), "eth0@b");
    assertThat(message.object())
        .isEqualTo("netem rate 1gbit delay 50ms jitter 5ms loss 1% duplicate 0.5% reorder 25% corrupt 0.1% on eth0@b");
    byte[] bytes = message.encode(1);
    ByteBuffer in = le(bytes);
    assertThat(in.getInt(TCMSG + 4)).isEqualTo(4);
    NlAttrs top = NlAttrs.parse(bytes, ATTRS, bytes.length);
    assertThat(top.string(Tc.TCA_KIND)).isEqualTo("netem");
    // TCA_KIND "netem\0" is 10 bytes, padded to 12: TCA_OPTIONS starts at ATTRS + 12
    int options = ATTRS + 12;
    assertThat(in.getShort(options + 2) & 0xffff).isEqualTo(Tc.TCA_OPTIONS); // no NLA_F_NESTED
    assertThat(in.getShort(options) & 0xffff).isEqualTo(bytes.length - options);

    // struct tc_netem_qopt {latency, limit, loss, gap, duplicate, jitter}, 24 bytes
    int qopt = options + 4;
    assertThat(in.getInt(qopt)).isEqualTo(50_000_000 / 64);                  // latency, ticks
    assertThat(in.getInt(qopt + 4)).isEqualTo(1000);                         // limit, packets
    assertThat(Integer.toUnsignedLong(in.getInt(qopt + 8))).isEqualTo(Math.round(0.01 * U32_MAX));   // loss
    assertThat(in.getInt(qopt + 12)).isEqualTo(1);                           // gap: reordering needs one
    assertThat(Integer.toUnsignedLong(in.getInt(qopt + 16))).isEqualTo(Math.round(0.005 * U32_MAX)); // duplicate
    assertThat(in.getInt(qopt + 20)).isEqualTo(5_000_000 / 64);              // jitter, ticks

    NlAttrs attrs = NlAttrs.parse(bytes, qopt + 24, bytes.length);
    ByteBuffer reorder = le(attrs.bytes(Tc.TCA_NETEM_REORDER));
    assertThat(reorder.capacity()).isEqualTo(8);
    assertThat(Integer.toUnsignedLong(reorder.getInt(0))).isEqualTo(1L << 30);  // 25% of 2^32-1, rounded
    assertThat(reorder.getInt(4)).isZero();                                      // correlation
    ByteBuffer corrupt = le(attrs.bytes(Tc.TCA_NETEM_CORRUPT));
    assertThat(corrupt.capacity()).isEqualTo(8);
    assertThat(Integer.toUnsignedLong(corrupt.getInt(0))).isEqualTo(4_294_967L);
    ByteBuffer rate = le(attrs.bytes(Tc.TCA_NETEM_RATE));
    assertThat(rate.capacity()).isEqualTo(16);
    assertThat(rate.getInt(0)).isEqualTo(125_000_000);                           // bytes/s
    assertThat(Arrays.copyOfRange(rate.array(), 4, 16)).containsOnly(0);         // overheads, cell size
    assertThat(attrs.has(Tc.TCA_NETEM_RATE64)).isFalse();
    assertThat(le(attrs.bytes(Tc.TCA_NETEM_LATENCY64)).getLong(0)).isEqualTo(50_000_000L);
    assertThat(le(attrs.bytes(Tc.TCA_NETEM_JITTER64)).getLong(0)).isEqualTo(5_000_000L);
    assertThat(attrs.has(Tc.TCA_NETEM_CORR)).isFalse();
  }

  @Test
  void netemWithOnlyLossIsTheBareStruct() {
    byte[] bytes = Qdiscs.replaceNetem(4, Tc.TC_H_ROOT, 0, netem(Shaping.none().withLoss(100)), "eth0@b").encode(1);
    ByteBuffer in = le(bytes);
    int options = ATTRS + 12;
    assertThat(in.getShort(options)).isEqualTo((short) (4 + 24));
    assertThat(bytes.length).isEqualTo(options + 4 + 24);
    int qopt = options + 4;
    assertThat(in.getInt(qopt)).isZero();                       // no delay
    assertThat(in.getInt(qopt + 8)).isEqualTo(0xFFFFFFFF);      // loss 100%
    assertThat(in.getInt(qopt + 12)).isZero();                  // no gap: no reordering
    assertThat(in.getInt(qopt + 16)).isZero();
  }

  @Test
  void delaysBeyondTheLegacyFieldSaturateItAndTravelInNanoseconds() {
    Shaping shaping = Shaping.delay(Duration.ofSeconds(300)).withRate("40gbit");
    byte[] bytes = Qdiscs.replaceNetem(4, Tc.TC_H_ROOT, 0, netem(shaping), "eth0@b").encode(1);
    int qopt = ATTRS + 12 + 4;
    assertThat(le(bytes).getInt(qopt)).isEqualTo(0xFFFFFFFF);   // 300 s is 4.7e9 ticks
    NlAttrs attrs = NlAttrs.parse(bytes, qopt + 24, bytes.length);
    assertThat(le(attrs.bytes(Tc.TCA_NETEM_LATENCY64)).getLong(0)).isEqualTo(300_000_000_000L);
    assertThat(le(attrs.bytes(Tc.TCA_NETEM_RATE)).getInt(0)).isEqualTo(0xFFFFFFFF);
    assertThat(le(attrs.bytes(Tc.TCA_NETEM_RATE64)).getLong(0)).isEqualTo(5_000_000_000L);
    assertThat(attrs.has(Tc.TCA_NETEM_JITTER64)).isFalse();
  }

  @Test
  void netemNeedsSomethingToDo() {
    assertThatThrownBy(() -> Qdiscs.replaceNetem(4, Tc.TC_H_ROOT, 0, netem(Shaping.none()), "eth0@b"))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("eth0@b").hasMessageContaining("nothing to emulate");
  }

  @Test
  void probabilitiesSpanTheWholeU32() {
    assertThat(Qdiscs.probability(0)).isZero();
    assertThat(Qdiscs.probability(100)).isEqualTo(0xFFFFFFFF);
    assertThat(Integer.toUnsignedLong(Qdiscs.probability(50))).isEqualTo(0x8000_0000L);
    assertThat(Integer.toUnsignedLong(Qdiscs.probability(1))).isEqualTo(42_949_673L);
  }

  @Test
  void ticksFollowProcNetPsched() {
    // This kernel and every one since 2.6.31: NSEC_PER_USEC, PSCHED_TICKS2NS(1) = 64, 1000000, 1e9 (hrtimers)
    assertThat(Qdiscs.nanosPerTick("000003e8 00000040 000f4240 3b9aca00\n")).isEqualTo(64);
    assertThat(Qdiscs.nanosPerTick("000003e8 00000400 000f4240 3b9aca00")).isEqualTo(1024);
    assertThat(Qdiscs.nanosPerTick()).isEqualTo(64);
    assertThat(Qdiscs.ticks(1_000_000)).isEqualTo(15_625);      // tc: 15.625 ticks per microsecond
    assertThat(Qdiscs.ticks(63)).isZero();
  }

  @Test
  void clsactHasItsFixedHandleAndParent() {
    byte[] bytes = Qdiscs.addClsact(5, "eth0@b").encode(1);
    ByteBuffer in = le(bytes);
    assertThat(in.getShort(4)).isEqualTo((short) Tc.RTM_NEWQDISC);
    assertThat(in.getShort(6)).isEqualTo((short) (Rtnl.NLM_F_REQUEST | Rtnl.NLM_F_CREATE | Rtnl.NLM_F_EXCL));
    assertThat(in.getInt(TCMSG + 8)).isEqualTo(0xFFFF0000);
    assertThat(in.getInt(TCMSG + 12)).isEqualTo(0xFFFFFFF1);
    assertThat(NlAttrs.parse(bytes, ATTRS, bytes.length).string(Tc.TCA_KIND)).isEqualTo("clsact");
  }

  @Test
  void ingressRedirectIsAMatchAllU32WithAMirredRedirect() {
    byte[] bytes = Qdiscs.redirectIngress(5, 1, 9, "eth0@b", "ifb0@b").encode(1);
    ByteBuffer in = le(bytes);
    assertThat(in.getShort(4)).isEqualTo((short) Tc.RTM_NEWTFILTER);
    assertThat(in.getInt(TCMSG + 4)).isEqualTo(5);
    assertThat(in.getInt(TCMSG + 12)).isEqualTo(0xFFFFFFF2);    // clsact's ingress hook
    // tcm_info: prio 1 in the upper half, the protocol ETH_P_ALL in network byte order in the lower
    assertThat(in.getInt(TCMSG + 16) >>> 16).isEqualTo(1);
    assertThat(ByteBuffer.allocate(2).order(ByteOrder.nativeOrder()).putShort((short) in.getInt(TCMSG + 16))
        .array()).containsExactly(0x00, 0x03);

    NlAttrs top = NlAttrs.parse(bytes, ATTRS, bytes.length);
    assertThat(top.string(Tc.TCA_KIND)).isEqualTo("u32");
    NlAttrs u32 = top.nested(Tc.TCA_OPTIONS);
    ByteBuffer sel = le(u32.bytes(Tc.TCA_U32_SEL));
    assertThat(sel.capacity()).isEqualTo(16 + 16);
    assertThat(sel.get(0)).isEqualTo((byte) Tc.TC_U32_TERMINAL);
    assertThat(sel.get(2)).isEqualTo((byte) 1);                 // nkeys
    assertThat(Arrays.copyOfRange(sel.array(), 3, 32)).containsOnly(0); // the one key: mask 0, value 0
    NlAttrs action = u32.nested(Tc.TCA_U32_ACT).nested(1);
    assertThat(action.string(Tc.TCA_ACT_KIND)).isEqualTo("mirred");
    ByteBuffer mirred = le(action.nested(Tc.TCA_ACT_OPTIONS).bytes(Tc.TCA_MIRRED_PARMS));
    assertThat(mirred.capacity()).isEqualTo(28);
    assertThat(mirred.getInt(8)).isEqualTo(Tc.TC_ACT_STOLEN);   // tc_gen.action
    assertThat(mirred.getInt(20)).isEqualTo(Tc.TCA_EGRESS_REDIR);
    assertThat(mirred.getInt(24)).isEqualTo(9);
  }

  @Test
  void anIfbIsALinkOfKindIfb() {
    byte[] bytes = Qdiscs.newIfb("ifb0", 1400, "ifb0@b").encode(1);
    NlAttrs attrs = NlAttrs.parse(bytes, Rtnl.NLMSG_HDRLEN + Rtnl.IFINFOMSG_LEN, bytes.length);
    assertThat(attrs.string(Rtnl.IFLA_IFNAME)).isEqualTo("ifb0");
    assertThat(attrs.u32(Rtnl.IFLA_MTU, 0)).isEqualTo(1400);
    assertThat(attrs.nested(Rtnl.IFLA_LINKINFO).string(Rtnl.IFLA_INFO_KIND)).isEqualTo("ifb");
  }

  @Test
  void tcMessageTypesHaveTheirKernelNames() {
    assertThat(Tc.messageTypeName(36)).isEqualTo("RTM_NEWQDISC");
    assertThat(Tc.messageTypeName(37)).isEqualTo("RTM_DELQDISC");
    assertThat(Tc.messageTypeName(38)).isEqualTo("RTM_GETQDISC");
    assertThat(Tc.messageTypeName(44)).isEqualTo("RTM_NEWTFILTER");
    assertThat(Tc.messageTypeName(16)).isNull();
  }

  private static ByteBuffer le(byte[] bytes) {
    return ByteBuffer.wrap(bytes).order(ByteOrder.nativeOrder());
  }

  /** The request's terms for {@code shaping}, as the library's Shaper gives them. */
  private static Qdiscs.Netem netem(Shaping shaping) {
    return new Qdiscs.Netem(shaping.rateBitsPerSecond(), shaping.delay().toNanos(), shaping.jitter().toNanos(),
        shaping.lossPercent(), shaping.duplicationPercent(), shaping.reorderingPercent(),
        shaping.corruptionPercent(), shaping.toString());
  }
}
