package io.github.junitnetns.internal.capture;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/**
 * A pcapng writer (draft-ietf-opsawg-pcapng): one Section Header Block, an Interface Description
 * Block per interface ({@code if_name}, {@code if_tsresol} = 9, nanoseconds) and an Enhanced
 * Packet Block per frame ({@code epb_flags} with the direction). Little-endian; every block and
 * option is padded to 32 bits and ends with its total length repeated.
 */
final class Pcapng {
  static final int LINKTYPE_ETHERNET = 1;
  static final int LINKTYPE_RAW = 101;
  private static final int SHB = 0x0A0D0D0A;
  private static final int IDB = 0x00000001;
  private static final int EPB = 0x00000006;
  private static final int BYTE_ORDER_MAGIC = 0x1A2B3C4D;
  private static final short OPT_ENDOFOPT = 0;
  private static final short OPT_COMMENT = 1;
  private static final short SHB_USERAPPL = 4;
  private static final short IF_NAME = 2;
  private static final short IF_TSRESOL = 9;
  private static final short EPB_FLAGS = 2;

  private final OutputStream out;

  Pcapng(OutputStream out) {
    this.out = out;
  }

  /** The section header, with {@code comment} (e.g. what was dropped) when not empty. */
  void sectionHeader(String comment) throws IOException {
    Block block = new Block(SHB);
    block.buffer.putInt(BYTE_ORDER_MAGIC).putShort((short) 1).putShort((short) 0).putLong(-1L); // length unknown
    if (!comment.isEmpty()) {
      block.option(OPT_COMMENT, comment.getBytes(StandardCharsets.UTF_8));
    }
    block.option(SHB_USERAPPL, "junit-netns".getBytes(StandardCharsets.UTF_8));
    block.endOptions();
    block.writeTo(out);
  }

  /** The next interface; its id is the number of interfaces described before it. */
  void interfaceDescription(int linkType, int snapLength, String name) throws IOException {
    Block block = new Block(IDB);
    block.buffer.putShort((short) linkType).putShort((short) 0).putInt(snapLength);
    block.option(IF_NAME, name.getBytes(StandardCharsets.UTF_8));
    block.option(IF_TSRESOL, new byte[] {9});
    block.endOptions();
    block.writeTo(out);
  }

  /** A frame; {@code inbound} null when the direction is unknown. */
  void enhancedPacket(int interfaceId, long nanos, int originalLength, byte[] data, Boolean inbound)
      throws IOException {
    Block block = new Block(EPB, data.length);
    block.buffer.putInt(interfaceId).putInt((int) (nanos >>> 32)).putInt((int) nanos).putInt(data.length)
        .putInt(originalLength).put(data);
    block.pad();
    if (inbound != null) {
      block.option(EPB_FLAGS, ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(inbound ? 1 : 2).array());
    }
    block.endOptions();
    block.writeTo(out);
  }

  /** One block being built: type, total length (filled in at the end), body, options, total length again. */
  private static final class Block {
    final ByteBuffer buffer;

    Block(int type) {
      this(type, 0);
    }

    Block(int type, int extra) {
      buffer = ByteBuffer.allocate(4096 + extra).order(ByteOrder.LITTLE_ENDIAN);
      buffer.putInt(type).putInt(0);
    }

    void option(short code, byte[] value) {
      buffer.putShort(code).putShort((short) value.length).put(value);
      pad();
    }

    void endOptions() {
      buffer.putShort(OPT_ENDOFOPT).putShort((short) 0);
    }

    void pad() {
      while (buffer.position() % 4 != 0) {
        buffer.put((byte) 0);
      }
    }

    void writeTo(OutputStream out) throws IOException {
      int total = buffer.position() + 4;
      buffer.putInt(4, total);
      buffer.putInt(total);
      out.write(buffer.array(), 0, total);
    }
  }
}
