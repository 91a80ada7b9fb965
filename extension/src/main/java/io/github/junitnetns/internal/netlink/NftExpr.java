package io.github.junitnetns.internal.netlink;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * One nf_tables expression of a rule (linux/netfilter/nf_tables.h): its name ({@code payload},
 * {@code cmp}, ...) and its attributes, written as an NFTA_LIST_ELEM of NFTA_RULE_EXPRESSIONS.
 * Expressions pass values through registers: a load ({@link #payload}, {@link #meta},
 * {@link #ctState}, {@link #numgenRandom}) writes one, {@link #cmp} compares one with data and
 * ends the rule on a mismatch; a verdict ends it for the packet. {@link #toString()} reads like
 * {@code nft --debug=netlink}.
 */
public final class NftExpr {
  // Registers (enum nft_registers): the verdict register and the first 16-byte data register.
  public static final int NFT_REG_VERDICT = 0;
  public static final int NFT_REG_1 = 1;

  // enum nft_payload_bases
  public static final int NFT_PAYLOAD_NETWORK_HEADER = 1;
  public static final int NFT_PAYLOAD_TRANSPORT_HEADER = 2;
  // enum nft_payload_attributes
  static final int NFTA_PAYLOAD_DREG = 1;
  static final int NFTA_PAYLOAD_BASE = 2;
  static final int NFTA_PAYLOAD_OFFSET = 3;
  static final int NFTA_PAYLOAD_LEN = 4;

  // enum nft_meta_keys (the ones used here) and enum nft_meta_attributes
  public static final int NFT_META_IIF = 4;
  public static final int NFT_META_OIF = 5;
  public static final int NFT_META_IIFNAME = 6;
  public static final int NFT_META_OIFNAME = 7;
  public static final int NFT_META_NFPROTO = 15;
  public static final int NFT_META_L4PROTO = 16;
  static final int NFTA_META_DREG = 1;
  static final int NFTA_META_KEY = 2;

  // enum nft_cmp_ops, enum nft_cmp_attributes, enum nft_data_attributes, enum nft_verdict_attributes
  public static final int NFT_CMP_EQ = 0;
  public static final int NFT_CMP_NEQ = 1;
  public static final int NFT_CMP_LT = 2;
  static final int NFTA_CMP_SREG = 1;
  static final int NFTA_CMP_OP = 2;
  static final int NFTA_CMP_DATA = 3;
  static final int NFTA_DATA_VALUE = 1;
  static final int NFTA_DATA_VERDICT = 2;
  static final int NFTA_VERDICT_CODE = 1;

  // enum nft_bitwise_attributes
  static final int NFTA_BITWISE_SREG = 1;
  static final int NFTA_BITWISE_DREG = 2;
  static final int NFTA_BITWISE_LEN = 3;
  static final int NFTA_BITWISE_MASK = 4;
  static final int NFTA_BITWISE_XOR = 5;

  // enum nft_byteorder_ops, enum nft_byteorder_attributes
  public static final int NFT_BYTEORDER_HTON = 1;
  static final int NFTA_BYTEORDER_SREG = 1;
  static final int NFTA_BYTEORDER_DREG = 2;
  static final int NFTA_BYTEORDER_OP = 3;
  static final int NFTA_BYTEORDER_LEN = 4;
  static final int NFTA_BYTEORDER_SIZE = 5;

  // enum nft_ct_keys, enum nft_ct_attributes; the ct state bits (NF_CT_STATE_BIT(IP_CT_*), ...)
  public static final int NFT_CT_STATE = 0;
  static final int NFTA_CT_DREG = 1;
  static final int NFTA_CT_KEY = 2;
  public static final int CT_STATE_INVALID = 1;
  public static final int CT_STATE_ESTABLISHED = 1 << 1;
  public static final int CT_STATE_RELATED = 1 << 2;
  public static final int CT_STATE_NEW = 1 << 3;

  // enum nft_ng_types, enum nft_ng_attributes
  public static final int NFT_NG_RANDOM = 1;
  static final int NFTA_NG_DREG = 1;
  static final int NFTA_NG_MODULUS = 2;
  static final int NFTA_NG_TYPE = 3;

  // enum nft_counter_attributes
  static final int NFTA_COUNTER_BYTES = 1;
  static final int NFTA_COUNTER_PACKETS = 2;

  // enum nft_reject_types, enum nft_reject_inet_code, enum nft_reject_attributes
  public static final int NFT_REJECT_TCP_RST = 1;
  public static final int NFT_REJECT_ICMPX_UNREACH = 2;
  public static final int NFT_REJECT_ICMPX_PORT_UNREACH = 1;
  static final int NFTA_REJECT_TYPE = 1;
  static final int NFTA_REJECT_ICMP_CODE = 2;

  // enum nft_immediate_attributes
  static final int NFTA_IMMEDIATE_DREG = 1;
  static final int NFTA_IMMEDIATE_DATA = 2;

  private final String name;
  private final String text;
  private final Consumer<NlMessage> data;

  private NftExpr(String name, String text, Consumer<NlMessage> data) {
    this.name = name;
    this.text = text;
    this.data = data;
  }

  /** The expression's name, as the kernel knows its type: payload, meta, cmp, ... */
  public String name() {
    return name;
  }

  /** {@code [ payload load LENb @ BASE header + OFFSET => reg DREG ]}: bytes of the packet into a register. */
  public static NftExpr payload(int base, int offset, int length, int dreg) {
    return new NftExpr("payload", "payload load " + length + "b @ " + (base == NFT_PAYLOAD_NETWORK_HEADER ? "network"
        : base == NFT_PAYLOAD_TRANSPORT_HEADER ? "transport" : "base " + base) + " header + " + offset + " => reg "
        + dreg, m -> m.attrBe32(NFTA_PAYLOAD_DREG, dreg).attrBe32(NFTA_PAYLOAD_BASE, base)
            .attrBe32(NFTA_PAYLOAD_OFFSET, offset).attrBe32(NFTA_PAYLOAD_LEN, length));
  }

  /** {@code [ meta load KEY => reg DREG ]}, e.g. {@link #NFT_META_L4PROTO} (one byte, the rest zero). */
  public static NftExpr meta(int key, int dreg) {
    String keyName = key == NFT_META_L4PROTO ? "l4proto" : key == NFT_META_NFPROTO ? "nfproto"
        : key == NFT_META_IIF ? "iif" : key == NFT_META_OIF ? "oif" : key == NFT_META_IIFNAME ? "iifname"
        : key == NFT_META_OIFNAME ? "oifname" : "key " + key;
    return new NftExpr("meta", "meta load " + keyName + " => reg " + dreg,
        m -> m.attrBe32(NFTA_META_KEY, key).attrBe32(NFTA_META_DREG, dreg));
  }

  /**
   * {@code [ cmp OP reg SREG DATA ]}: compares the first {@code data.length} bytes of the register
   * with {@code data} (memcmp order, so numbers are compared as big-endian bytes); a mismatch ends
   * the rule for this packet.
   */
  public static NftExpr cmp(int op, int sreg, byte[] data) {
    byte[] value = data.clone();
    return new NftExpr("cmp", "cmp " + (op == NFT_CMP_EQ ? "eq" : op == NFT_CMP_NEQ ? "neq" : op == NFT_CMP_LT ? "lt"
        : "op " + op) + " reg " + sreg + " 0x" + hex(value), m -> {
          m.attrBe32(NFTA_CMP_SREG, sreg).attrBe32(NFTA_CMP_OP, op);
          int nested = m.beginNested(NFTA_CMP_DATA);
          m.attr(NFTA_DATA_VALUE, value);
          m.endNested(nested);
        });
  }

  /** {@code [ bitwise reg DREG = ( reg SREG & MASK ) ^ XOR ]} over {@code mask.length} bytes. */
  public static NftExpr bitwise(int sreg, int dreg, byte[] mask, byte[] xor) {
    if (mask.length != xor.length) {
      throw new IllegalArgumentException("bitwise: mask and xor differ in length");
    }
    byte[] and = mask.clone();
    byte[] exclusive = xor.clone();
    return new NftExpr("bitwise", "bitwise reg " + dreg + " = ( reg " + sreg + " & 0x" + hex(and) + " ) ^ 0x"
        + hex(exclusive), m -> {
          m.attrBe32(NFTA_BITWISE_SREG, sreg).attrBe32(NFTA_BITWISE_DREG, dreg).attrBe32(NFTA_BITWISE_LEN, and.length);
          int maskAttr = m.beginNested(NFTA_BITWISE_MASK);
          m.attr(NFTA_DATA_VALUE, and);
          m.endNested(maskAttr);
          int xorAttr = m.beginNested(NFTA_BITWISE_XOR);
          m.attr(NFTA_DATA_VALUE, exclusive);
          m.endNested(xorAttr);
        });
  }

  /**
   * {@code [ byteorder reg DREG = hton(reg SREG, SIZE, LEN) ]}: the register's host-order numbers
   * (of {@code size} bytes each, {@code length} bytes in all) in network order, so that
   * {@link #cmp} compares them as numbers.
   */
  public static NftExpr hton(int sreg, int dreg, int length, int size) {
    return new NftExpr("byteorder", "byteorder reg " + dreg + " = hton(reg " + sreg + ", " + size + ", " + length
        + ")", m -> m.attrBe32(NFTA_BYTEORDER_SREG, sreg).attrBe32(NFTA_BYTEORDER_DREG, dreg)
            .attrBe32(NFTA_BYTEORDER_OP, NFT_BYTEORDER_HTON).attrBe32(NFTA_BYTEORDER_LEN, length)
            .attrBe32(NFTA_BYTEORDER_SIZE, size));
  }

  /** {@code [ ct load state => reg DREG ]}: the conntrack state bits (CT_STATE_*), 4 bytes in host order. */
  public static NftExpr ctState(int dreg) {
    return new NftExpr("ct", "ct load state => reg " + dreg,
        m -> m.attrBe32(NFTA_CT_DREG, dreg).attrBe32(NFTA_CT_KEY, NFT_CT_STATE));
  }

  /** {@code [ numgen reg DREG = random mod MODULUS ]}: a random number from 0 to modulus - 1, 4 bytes in host order. */
  public static NftExpr numgenRandom(int modulus, int dreg) {
    return new NftExpr("numgen", "numgen reg " + dreg + " = random mod " + modulus,
        m -> m.attrBe32(NFTA_NG_DREG, dreg).attrBe32(NFTA_NG_MODULUS, modulus).attrBe32(NFTA_NG_TYPE, NFT_NG_RANDOM));
  }

  /** {@code [ counter pkts 0 bytes 0 ]}: counts the packets that reach it; read back in a dump. */
  public static NftExpr counter() {
    return new NftExpr("counter", "counter", m -> { });
  }

  /** {@code [ reject type 1 ]}: answers a TCP packet with a RST (the packet is dropped). */
  public static NftExpr rejectTcpReset() {
    return new NftExpr("reject", "reject type " + NFT_REJECT_TCP_RST,
        m -> m.attrBe32(NFTA_REJECT_TYPE, NFT_REJECT_TCP_RST));
  }

  /**
   * {@code [ reject type 2 code 1 ]}: answers with ICMP port unreachable, or ICMPv6 port
   * unreachable for IPv6 (the family-independent "icmpx" code of an inet table).
   */
  public static NftExpr rejectPortUnreachable() {
    return new NftExpr("reject", "reject type " + NFT_REJECT_ICMPX_UNREACH + " code " + NFT_REJECT_ICMPX_PORT_UNREACH,
        m -> m.attrBe32(NFTA_REJECT_TYPE, NFT_REJECT_ICMPX_UNREACH).attrU8(NFTA_REJECT_ICMP_CODE,
            NFT_REJECT_ICMPX_PORT_UNREACH));
  }

  /** {@code [ immediate reg 0 drop ]} or {@code accept}: a verdict ({@link Nft#NF_DROP}, {@link Nft#NF_ACCEPT}). */
  public static NftExpr verdict(int code) {
    return new NftExpr("immediate", "immediate reg 0 " + (code == Nft.NF_DROP ? "drop" : code == Nft.NF_ACCEPT
        ? "accept" : "verdict " + code), m -> {
          m.attrBe32(NFTA_IMMEDIATE_DREG, NFT_REG_VERDICT);
          int dataAttr = m.beginNested(NFTA_IMMEDIATE_DATA);
          int verdictAttr = m.beginNested(NFTA_DATA_VERDICT);
          m.attrBe32(NFTA_VERDICT_CODE, code);
          m.endNested(verdictAttr);
          m.endNested(dataAttr);
        });
  }

  /** {@code [ masq ]}: source NAT to the outgoing interface's address; only in a nat chain at postrouting. */
  public static NftExpr masq() {
    return new NftExpr("masq", "masq", m -> { });
  }

  /** A number as the 4 host-order bytes a register holds it in (meta l4proto, ct state, numgen). */
  public static byte[] hostU32(int value) {
    return ByteBuffer.allocate(4).order(ByteOrder.nativeOrder()).putInt(value).array();
  }

  /** A number as {@code length} big-endian bytes (a port: 2, an IPv4 address: 4). */
  public static byte[] be(long value, int length) {
    byte[] bytes = new byte[length];
    for (int i = length - 1; i >= 0; i--) {
      bytes[i] = (byte) value;
      value >>>= 8;
    }
    return bytes;
  }

  /** Writes this expression as one NFTA_LIST_ELEM. */
  void writeTo(NlMessage message) {
    int element = message.beginNested(Nft.NFTA_LIST_ELEM);
    message.attrString(Nft.NFTA_EXPR_NAME, name);
    int dataAttr = message.beginNested(Nft.NFTA_EXPR_DATA);
    data.accept(message);
    message.endNested(dataAttr);
    message.endNested(element);
  }

  private static String hex(byte[] bytes) {
    StringBuilder out = new StringBuilder();
    for (byte b : bytes) {
      out.append(String.format("%02x", b & 0xff));
    }
    return out.toString();
  }

  /** Like one line of {@code nft --debug=netlink}, e.g. {@code [ cmp eq reg 1 0x1538 ]}. */
  @Override
  public String toString() {
    return "[ " + text + " ]";
  }

  @Override
  public boolean equals(Object other) {
    return other instanceof NftExpr && ((NftExpr) other).text.equals(text);
  }

  @Override
  public int hashCode() {
    return Objects.hash(name, text);
  }
}
