package io.github.junitnetns.internal.netlink;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/** One message received from the kernel: its type and flags, and where its body lies in {@code data}. */
public final class NlReply {
  final byte[] data;
  final int type;
  final int flags;
  final int body;
  final int end;

  NlReply(byte[] data, int type, int flags, int body, int end) {
    this.data = data;
    this.type = type;
    this.flags = flags;
    this.body = body;
    this.end = end;
  }

  public int type() {
    return type;
  }

  /** Attributes that follow a family header of {@code headerLength} bytes. */
  public NlAttrs attrs(int headerLength) {
    return NlAttrs.parse(data, body + NlMessage.align(headerLength), end);
  }

  public int u8(int offset) {
    return data[body + offset] & 0xff;
  }

  public int u16(int offset) {
    return ByteBuffer.wrap(data).order(ByteOrder.nativeOrder()).getShort(body + offset) & 0xffff;
  }

  public int u32(int offset) {
    return ByteBuffer.wrap(data).order(ByteOrder.nativeOrder()).getInt(body + offset);
  }
}
