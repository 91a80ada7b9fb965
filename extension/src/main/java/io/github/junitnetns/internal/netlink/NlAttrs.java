package io.github.junitnetns.internal.netlink;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The attributes of one message (or of one nested attribute), indexed by type for lookup. The
 * last occurrence of a type wins, as in the kernel's {@code nla_parse}.
 */
public final class NlAttrs {
  private static final ByteOrder ORDER = ByteOrder.nativeOrder();
  private static final int MAX_TYPE = 128;

  private final byte[] data;
  private final int[] offset = new int[MAX_TYPE];
  private final int[] length = new int[MAX_TYPE];

  private NlAttrs(byte[] data) {
    this.data = data;
    Arrays.fill(offset, -1);
  }

  /** Parses the attributes in {@code data[from, to)}; malformed tails are ignored. */
  public static NlAttrs parse(byte[] data, int from, int to) {
    NlAttrs attrs = new NlAttrs(data);
    ByteBuffer in = ByteBuffer.wrap(data).order(ORDER);
    int at = from;
    while (at + Rtnl.NLA_HDRLEN <= to) {
      int len = in.getShort(at) & 0xffff;
      int type = in.getShort(at + 2) & 0xffff & Rtnl.NLA_TYPE_MASK;
      if (len < Rtnl.NLA_HDRLEN || at + len > to) {
        break;
      }
      if (type < MAX_TYPE) {
        attrs.offset[type] = at + Rtnl.NLA_HDRLEN;
        attrs.length[type] = len - Rtnl.NLA_HDRLEN;
      }
      at += NlMessage.align(len);
    }
    return attrs;
  }

  public boolean has(int type) {
    return type < MAX_TYPE && offset[type] >= 0;
  }

  public byte[] bytes(int type) {
    return has(type) ? Arrays.copyOfRange(data, offset[type], offset[type] + length[type]) : null;
  }

  public int u8(int type, int absent) {
    return has(type) ? data[offset[type]] & 0xff : absent;
  }

  public int u32(int type, int absent) {
    return has(type) && length[type] >= 4
        ? ByteBuffer.wrap(data).order(ORDER).getInt(offset[type])
        : absent;
  }

  public long u64At(int type, int index) {
    int at = offset[type] + 8 * index;
    return has(type) && 8 * (index + 1) <= length[type]
        ? ByteBuffer.wrap(data).order(ORDER).getLong(at)
        : 0;
  }

  /** A 32-bit attribute in network byte order (NLA_BE32), or {@code absent}. */
  public int be32(int type, int absent) {
    return has(type) && length[type] >= 4
        ? ByteBuffer.wrap(data).order(ByteOrder.BIG_ENDIAN).getInt(offset[type])
        : absent;
  }

  /** A 64-bit attribute in network byte order (NLA_BE64), or {@code absent}. */
  public long be64(int type, long absent) {
    return has(type) && length[type] >= 8
        ? ByteBuffer.wrap(data).order(ByteOrder.BIG_ENDIAN).getLong(offset[type])
        : absent;
  }

  /**
   * The children of the nested attribute {@code type}, in order, each parsed as nested attributes:
   * for lists whose elements share one type (nf_tables' NFTA_LIST_ELEM), which the index by type
   * would collapse to the last. Empty when absent.
   */
  public List<NlAttrs> list(int type) {
    List<NlAttrs> children = new ArrayList<>();
    if (!has(type)) {
      return children;
    }
    ByteBuffer in = ByteBuffer.wrap(data).order(ORDER);
    int at = offset[type];
    int to = offset[type] + length[type];
    while (at + Rtnl.NLA_HDRLEN <= to) {
      int len = in.getShort(at) & 0xffff;
      if (len < Rtnl.NLA_HDRLEN || at + len > to) {
        break;
      }
      children.add(parse(data, at + Rtnl.NLA_HDRLEN, at + len));
      at += NlMessage.align(len);
    }
    return children;
  }

  /** A string attribute without its terminating NUL. */
  public String string(int type) {
    if (!has(type)) {
      return null;
    }
    int end = offset[type];
    int limit = offset[type] + length[type];
    while (end < limit && data[end] != 0) {
      end++;
    }
    return new String(data, offset[type], end - offset[type], StandardCharsets.UTF_8);
  }

  public NlAttrs nested(int type) {
    return has(type) ? parse(data, offset[type], offset[type] + length[type]) : null;
  }
}
