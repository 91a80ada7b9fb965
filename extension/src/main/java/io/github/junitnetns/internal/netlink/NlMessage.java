package io.github.junitnetns.internal.netlink;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * One netlink request under construction: the fixed header, the family header (ifinfomsg,
 * ifaddrmsg, rtmsg, ... written with the raw {@code u8/u16/u32} calls) and attributes, nested to
 * any depth. Alignment (NLMSG_ALIGN, NLA_ALIGN: 4 bytes) is handled here and nowhere else.
 *
 * <p>Each message carries the words used when it fails: {@code operation} (e.g. RTM_NEWLINK) and
 * {@code object} (e.g. {@code veth eth0@client <-> eth0@server}).
 */
public final class NlMessage {
  private static final ByteOrder ORDER = ByteOrder.nativeOrder();

  private ByteBuffer buf;
  private final int type;
  private int flags;
  private final String object;
  private final String operation;

  public NlMessage(int type, int flags, String object) {
    this(type, flags, null, object);
  }

  /**
   * A request of a family whose type numbers are not rtnetlink's (e.g. nfnetlink's
   * {@code NFT_MSG_NEWRULE}): {@code operation} names it in errors.
   */
  public NlMessage(int type, int flags, String operation, String object) {
    this.type = type;
    this.flags = flags | Rtnl.NLM_F_REQUEST;
    this.operation = operation;
    this.object = object;
    this.buf = ByteBuffer.allocate(128).order(ORDER);
    buf.position(Rtnl.NLMSG_HDRLEN);
  }

  /** Adds a header flag, e.g. NLM_F_ACK. */
  public NlMessage withFlag(int flag) {
    flags |= flag;
    return this;
  }

  public int type() {
    return type;
  }

  public int flags() {
    return flags;
  }

  public String operation() {
    return operation != null ? operation : Rtnl.messageTypeName(type);
  }

  public String object() {
    return object;
  }

  public NlMessage u8(int value) {
    ensure(1).put((byte) value);
    return this;
  }

  public NlMessage u16(int value) {
    ensure(2).putShort((short) value);
    return this;
  }

  public NlMessage u32(int value) {
    ensure(4).putInt(value);
    return this;
  }

  public NlMessage bytes(byte[] value) {
    ensure(value.length).put(value);
    return this;
  }

  /** struct ifinfomsg (linux/rtnetlink.h). */
  public NlMessage ifinfomsg(int family, int ifType, int index, int ifFlags, int change) {
    return u8(family).u8(0).u16(ifType).u32(index).u32(ifFlags).u32(change);
  }

  /** struct ifaddrmsg (linux/if_addr.h). */
  public NlMessage ifaddrmsg(int family, int prefixLength, int ifaFlags, int scope, int index) {
    return u8(family).u8(prefixLength).u8(ifaFlags).u8(scope).u32(index);
  }

  /** struct rtmsg (linux/rtnetlink.h). */
  public NlMessage rtmsg(int family, int dstLen, int srcLen, int table, int protocol, int scope, int rtType) {
    return u8(family).u8(dstLen).u8(srcLen).u8(0).u8(table).u8(protocol).u8(scope).u8(rtType).u32(0);
  }

  /**
   * struct nfgenmsg (linux/netfilter/nfnetlink.h): the family, version NFNETLINK_V0 and the
   * resource id, which is big-endian (for a batch: the subsystem, NFNL_SUBSYS_NFTABLES).
   */
  public NlMessage nfgenmsg(int family, int resId) {
    return u8(family).u8(0).u8(resId >>> 8).u8(resId);
  }

  /** A 32-bit attribute in network byte order, as nf_tables takes its numbers (NLA_BE32). */
  public NlMessage attrBe32(int attrType, int value) {
    return attr(attrType, ByteBuffer.allocate(4).order(ByteOrder.BIG_ENDIAN).putInt(value).array());
  }

  /** A 64-bit attribute in network byte order (NLA_BE64), e.g. a rule's handle. */
  public NlMessage attrBe64(int attrType, long value) {
    return attr(attrType, ByteBuffer.allocate(8).order(ByteOrder.BIG_ENDIAN).putLong(value).array());
  }

  public NlMessage attr(int attrType, byte[] value) {
    int length = Rtnl.NLA_HDRLEN + value.length;
    ensure(align(length));
    buf.putShort((short) length).putShort((short) attrType).put(value);
    padTo4();
    return this;
  }

  public NlMessage attrU8(int attrType, int value) {
    return attr(attrType, new byte[] {(byte) value});
  }

  public NlMessage attrU32(int attrType, int value) {
    return attr(attrType, ByteBuffer.allocate(4).order(ORDER).putInt(value).array());
  }

  /** A NUL-terminated string attribute (NLA_STRING / NLA_NUL_STRING both accept it). */
  public NlMessage attrString(int attrType, String value) {
    byte[] text = value.getBytes(StandardCharsets.UTF_8);
    return attr(attrType, Arrays.copyOf(text, text.length + 1));
  }

  /** Opens a nested attribute; close it with {@link #endNested(int)} passing the returned mark. */
  public int beginNested(int attrType) {
    int start = buf.position();
    ensure(Rtnl.NLA_HDRLEN).putShort((short) 0).putShort((short) (attrType | Rtnl.NLA_F_NESTED));
    return start;
  }

  /**
   * Opens an attribute whose payload is a struct followed by attributes, as netem's TCA_OPTIONS is
   * (sch_netem.c, parse_attr): no NLA_F_NESTED flag, the struct padded to 4 bytes. Add the
   * attributes, then close it with {@link #endNested(int)} passing the returned mark.
   */
  public int beginStruct(int attrType, byte[] struct) {
    int start = buf.position();
    ensure(Rtnl.NLA_HDRLEN + align(struct.length)).putShort((short) 0).putShort((short) attrType).put(struct);
    padTo4();
    return start;
  }

  public NlMessage endNested(int mark) {
    buf.putShort(mark, (short) (buf.position() - mark));
    return this;
  }

  /** The message's bytes with its length and sequence number filled in; port id 0 (kernel assigns). */
  public byte[] encode(int seq) {
    int length = buf.position();
    buf.putInt(0, length).putShort(4, (short) type).putShort(6, (short) flags).putInt(8, seq).putInt(12, 0);
    return Arrays.copyOf(buf.array(), length);
  }

  private void padTo4() {
    while ((buf.position() & 3) != 0) {
      buf.put((byte) 0);
    }
  }

  private ByteBuffer ensure(int more) {
    if (buf.remaining() < more) {
      ByteBuffer bigger = ByteBuffer.allocate(Math.max(buf.capacity() * 2, buf.position() + more)).order(ORDER);
      buf.flip();
      bigger.put(buf);
      buf = bigger;
    }
    return buf;
  }

  static int align(int length) {
    return (length + 3) & ~3;
  }
}
