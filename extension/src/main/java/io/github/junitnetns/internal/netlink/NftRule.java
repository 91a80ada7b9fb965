package io.github.junitnetns.internal.netlink;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;

/**
 * The expressions of one rule, in {@code nft} words: {@code NftRule.create().from(a).tcp().dport(5432)
 * .counter().drop().expressions()} is {@code ip saddr A tcp dport 5432 counter drop}. Matches come
 * first (each ends the rule on a mismatch), then the counter, then the verdict. All in register 1,
 * as nft does.
 */
public final class NftRule {
  /** IPPROTO_* (linux/in.h). */
  public static final int IPPROTO_ICMP = 1;
  public static final int IPPROTO_TCP = 6;
  public static final int IPPROTO_UDP = 17;
  public static final int IPPROTO_ICMPV6 = 58;
  // TCP flag bits of the header's 14th byte.
  private static final int TCP_SYN = 0x02;
  private static final int TCP_ACK = 0x10;
  private static final int R = NftExpr.NFT_REG_1;

  private final List<NftExpr> expressions = new ArrayList<>();

  private NftRule() {}

  public static NftRule create() {
    return new NftRule();
  }

  /** {@code ip saddr A} or {@code ip6 saddr A}: the family first (an inet table sees both), then the address. */
  public NftRule from(InetAddress source) {
    boolean v6 = source instanceof Inet6Address;
    nfproto(v6 ? Nft.NFPROTO_IPV6 : Nft.NFPROTO_IPV4);
    expressions.add(NftExpr.payload(NftExpr.NFT_PAYLOAD_NETWORK_HEADER, v6 ? 8 : 12, v6 ? 16 : 4, R));
    expressions.add(NftExpr.cmp(NftExpr.NFT_CMP_EQ, R, source.getAddress()));
    return this;
  }

  /** {@code meta nfproto ipv4|ipv6}. */
  public NftRule nfproto(int family) {
    expressions.add(NftExpr.meta(NftExpr.NFT_META_NFPROTO, R));
    expressions.add(NftExpr.cmp(NftExpr.NFT_CMP_EQ, R, new byte[] {(byte) family}));
    return this;
  }

  /** {@code meta l4proto P}: an IPPROTO_* number (the transport protocol, after any IPv6 extension headers). */
  public NftRule l4proto(int protocol) {
    expressions.add(NftExpr.meta(NftExpr.NFT_META_L4PROTO, R));
    expressions.add(NftExpr.cmp(NftExpr.NFT_CMP_EQ, R, new byte[] {(byte) protocol}));
    return this;
  }

  /** {@code th dport P}: the destination port of TCP or UDP (match {@link #l4proto} first). */
  public NftRule dport(int port) {
    return port(2, port);
  }

  /** {@code th sport P}: the source port of TCP or UDP (match {@link #l4proto} first). */
  public NftRule sport(int port) {
    return port(0, port);
  }

  private NftRule port(int offset, int port) {
    expressions.add(NftExpr.payload(NftExpr.NFT_PAYLOAD_TRANSPORT_HEADER, offset, 2, R));
    expressions.add(NftExpr.cmp(NftExpr.NFT_CMP_EQ, R, NftExpr.be(port, 2)));
    return this;
  }

  /** {@code tcp flags & (syn | ack) == syn}: a connection attempt, not its answer (match TCP first). */
  public NftRule synWithoutAck() {
    expressions.add(NftExpr.payload(NftExpr.NFT_PAYLOAD_TRANSPORT_HEADER, 13, 1, R));
    expressions.add(NftExpr.bitwise(R, R, new byte[] {(byte) (TCP_SYN | TCP_ACK)}, new byte[] {0}));
    expressions.add(NftExpr.cmp(NftExpr.NFT_CMP_EQ, R, new byte[] {(byte) TCP_SYN}));
    return this;
  }

  /** {@code ct state NEW...}: the conntrack state is one of {@code stateBits} (NftExpr.CT_STATE_*). */
  public NftRule ctState(int stateBits) {
    expressions.add(NftExpr.ctState(R));
    expressions.add(NftExpr.bitwise(R, R, NftExpr.hostU32(stateBits), new byte[4]));
    expressions.add(NftExpr.cmp(NftExpr.NFT_CMP_NEQ, R, new byte[4]));
    return this;
  }

  /**
   * {@code numgen random mod 10000 < N}: matches a packet with probability {@code percent} % (in
   * steps of 0.01 %). The random number is turned to network order first, so that cmp's byte
   * comparison is a comparison of numbers on any CPU.
   */
  public NftRule randomPercent(double percent) {
    int below = (int) Math.round(percent * 100);
    expressions.add(NftExpr.numgenRandom(10_000, R));
    expressions.add(NftExpr.hton(R, R, 4, 4));
    expressions.add(NftExpr.cmp(NftExpr.NFT_CMP_LT, R, NftExpr.be(below, 4)));
    return this;
  }

  /** {@code meta iif INDEX}: arrived on interface {@code ifindex}. */
  public NftRule iif(int ifindex) {
    expressions.add(NftExpr.meta(NftExpr.NFT_META_IIF, R));
    expressions.add(NftExpr.cmp(NftExpr.NFT_CMP_EQ, R, NftExpr.hostU32(ifindex)));
    return this;
  }

  /** {@code meta oif INDEX}: leaves through interface {@code ifindex}. */
  public NftRule oif(int ifindex) {
    expressions.add(NftExpr.meta(NftExpr.NFT_META_OIF, R));
    expressions.add(NftExpr.cmp(NftExpr.NFT_CMP_EQ, R, NftExpr.hostU32(ifindex)));
    return this;
  }

  /**
   * {@code meta oifname NAME}: leaves through the interface called {@code name} (compared as the
   * kernel holds it, IFNAMSIZ = 16 bytes padded with NULs), whatever its index now.
   */
  public NftRule oifname(String name) {
    byte[] text = name.getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    if (text.length > 15) {
      throw new IllegalArgumentException("interface name longer than 15 bytes: " + name);
    }
    expressions.add(NftExpr.meta(NftExpr.NFT_META_OIFNAME, R));
    expressions.add(NftExpr.cmp(NftExpr.NFT_CMP_EQ, R, java.util.Arrays.copyOf(text, 16)));
    return this;
  }

  public NftRule counter() {
    expressions.add(NftExpr.counter());
    return this;
  }

  public NftRule drop() {
    expressions.add(NftExpr.verdict(Nft.NF_DROP));
    return this;
  }

  public NftRule accept() {
    expressions.add(NftExpr.verdict(Nft.NF_ACCEPT));
    return this;
  }

  /** {@code reject with tcp reset} (match TCP first). */
  public NftRule rejectWithTcpReset() {
    expressions.add(NftExpr.rejectTcpReset());
    return this;
  }

  /** {@code reject with icmpx port-unreachable}. */
  public NftRule rejectWithPortUnreachable() {
    expressions.add(NftExpr.rejectPortUnreachable());
    return this;
  }

  /** {@code masquerade} (in a nat chain at postrouting). */
  public NftRule masquerade() {
    expressions.add(NftExpr.masq());
    return this;
  }

  public List<NftExpr> expressions() {
    return List.copyOf(expressions);
  }

  @Override
  public String toString() {
    StringBuilder out = new StringBuilder();
    expressions.forEach(e -> out.append(e).append('\n'));
    return out.toString();
  }
}
