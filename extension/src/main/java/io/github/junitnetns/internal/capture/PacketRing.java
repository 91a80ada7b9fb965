package io.github.junitnetns.internal.capture;

import com.sun.jna.Memory;
import com.sun.jna.Pointer;
import io.github.junitnetns.internal.linux.ErrnoException;
import io.github.junitnetns.internal.linux.Syscalls;
import java.lang.invoke.VarHandle;
import java.lang.ref.Reference;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * The {@code TPACKET_V3} receive ring of one AF_PACKET socket (packet(7), {@code linux/if_packet.h}).
 * The kernel copies the first snap-length bytes of each frame (a socket filter that returns the snap
 * length caps the copy, so a 64 KiB GSO segment costs its headers, not a clone of itself) into
 * blocks of a buffer mapped into the JVM, and hands a block over ({@code TP_STATUS_USER}) when it is
 * full or when its retire timeout ({@value #RETIRE_MILLIS} ms) expires, waking the socket's readers
 * once per block. The reader walks the frames of each handed-over block in order and gives the block
 * back ({@code TP_STATUS_KERNEL}).
 *
 * <p>Setting a ring up waits for an RCU grace period ({@code setsockopt(PACKET_RX_RING)} detaches the
 * socket and calls {@code synchronize_net()}) and CPU for its pages (zeroed, then mapped one page
 * at a time); closing a socket with a ring waits for two grace periods.
 */
final class PacketRing {
  // struct tpacket_block_desc: __u32 version, __u32 offset_to_priv, then struct tpacket_hdr_v1
  static final int BLOCK_STATUS = 8;
  static final int BLOCK_NUM_PKTS = 12;
  static final int BLOCK_OFFSET_TO_FIRST_PKT = 16;
  /** BLK_PLUS_PRIV(0): the block descriptor (48 bytes) aligned to 8, where the first frame may start. */
  static final int BLOCK_HEADER = 48;
  // struct tpacket3_hdr
  static final int TP_NEXT_OFFSET = 0;
  static final int TP_SEC = 4;
  static final int TP_NSEC = 8;
  static final int TP_SNAPLEN = 12;
  static final int TP_LEN = 16;
  static final int TP_MAC = 24;
  /** TPACKET_ALIGN(sizeof(struct tpacket3_hdr)): the struct sockaddr_ll follows the header there. */
  static final int SOCKADDR_LL = 48;
  static final int SLL_IFINDEX = SOCKADDR_LL + 4;
  static final int SLL_HATYPE = SOCKADDR_LL + 8;
  static final int SLL_PKTTYPE = SOCKADDR_LL + 10;
  static final int TP_STATUS_KERNEL = 0;
  static final int TP_STATUS_USER = 1;
  /**
   * How long the kernel fills a block before it hands it over with what it holds. A timer per
   * socket runs at this period (in jiffies: 8 ms is two at HZ=250), and a recording that is stopped
   * or read while running waits at most about twice this for the open block.
   */
  static final int RETIRE_MILLIS = 8;
  /** The ring holds this many frames of the snap length: about 150 ms of a bulk transfer across a veth. */
  static final int FRAMES = 4096;
  private static final int MIN_BLOCK = 64 << 10;
  private static final long MAX_RING = 64L << 20;
  /**
   * Room a frame takes in a block ahead of its data at most: the header, the sockaddr_ll and the
   * alignment that puts the network header on 16 bytes (tp_net = TPACKET_ALIGN(68 + 16) for a link
   * header of up to 16 bytes).
   */
  private static final int FRAME_OVERHEAD = 96;

  /** One frame of a block: where its captured bytes are in {@code ring} and what the kernel said of it. */
  interface Frames {
    void frame(long nanos, int ifindex, int hardwareType, int direction, int length, ByteBuffer ring, int data,
        int captured);
  }

  final int blockSize;
  final int blocks;
  private final Pointer mapped;
  private final ByteBuffer view;
  private int next; // the next block to read

  PacketRing(int blockSize, int blocks, Pointer mapped) {
    this.blockSize = blockSize;
    this.blocks = blocks;
    this.mapped = mapped;
    view = mapped.getByteBuffer(0, size()).order(ByteOrder.nativeOrder());
  }

  long size() {
    return (long) blockSize * blocks;
  }

  /** The block size for frames of {@code snapLength}: 64 KiB, or the power of two that holds one frame. */
  static int blockSize(int snapLength) {
    int frame = frameBytes(snapLength);
    int size = MIN_BLOCK;
    while (size - BLOCK_HEADER < frame) {
      size <<= 1;
    }
    return size;
  }

  /** Blocks enough for {@value #FRAMES} frames of {@code snapLength}, at least 4, at most 64 MiB in all. */
  static int blockCount(int snapLength) {
    int size = blockSize(snapLength);
    long wanted = ((long) FRAMES * frameBytes(snapLength) + size - 1) / size;
    return (int) Math.max(4, Math.min(wanted, MAX_RING / size));
  }

  private static int frameBytes(int snapLength) {
    return (FRAME_OVERHEAD + snapLength + 7) & ~7;
  }

  /**
   * Gives {@code fd} (an AF_PACKET socket not yet bound, {@link Syscalls#packetSocketUnbound}) a
   * ring for frames of {@code snapLength}, mapped. On a failure the socket is left without a ring,
   * as it was, and can be read with {@code recvmmsg}.
   */
  static PacketRing setUp(int fd, int snapLength, String what) throws ErrnoException {
    int blockSize = blockSize(snapLength);
    int blocks = blockCount(snapLength);
    Memory version = new Memory(4);
    version.setInt(0, Syscalls.TPACKET_V3);
    Syscalls.setsockopt(fd, Syscalls.SOL_PACKET, Syscalls.PACKET_VERSION, version, "PACKET_VERSION", what);
    Memory request = new Memory(28); // struct tpacket_req3
    request.clear();
    request.setInt(0, blockSize); // tp_block_size
    request.setInt(4, blocks); // tp_block_nr
    request.setInt(8, blockSize); // tp_frame_size: not used by TPACKET_V3 beyond checks; one "frame" a block
    request.setInt(12, blocks); // tp_frame_nr
    request.setInt(16, RETIRE_MILLIS); // tp_retire_blk_tov; tp_sizeof_priv and tp_feature_req_word stay 0
    Syscalls.setsockopt(fd, Syscalls.SOL_PACKET, Syscalls.PACKET_RX_RING, request, "PACKET_RX_RING", what);
    Pointer mapped = null;
    try {
      mapped = Syscalls.mmapShared(fd, (long) blockSize * blocks, what);
      attachSnapFilter(fd, snapLength, what);
      return new PacketRing(blockSize, blocks, mapped);
    } catch (ErrnoException | RuntimeException e) {
      if (mapped != null) {
        Syscalls.munmapQuietly(mapped, (long) blockSize * blocks);
      }
      try {
        request.clear(); // tp_block_nr 0: the kernel frees the ring and queues frames on the socket again
        Syscalls.setsockopt(fd, Syscalls.SOL_PACKET, Syscalls.PACKET_RX_RING, request, "PACKET_RX_RING", what);
      } catch (ErrnoException ignored) {
        // the caller closes the socket then
      }
      throw e;
    }
  }

  /**
   * A classic BPF program of one instruction, {@code ret #snapLength}: the kernel copies at most that
   * many bytes of each frame into the ring (without it, a whole GSO segment up to the block size).
   */
  private static void attachSnapFilter(int fd, int snapLength, String what) throws ErrnoException {
    Memory instruction = new Memory(8); // struct sock_filter: __u16 code, __u8 jt, __u8 jf, __u32 k
    instruction.clear();
    instruction.setShort(0, (short) 0x06); // BPF_RET | BPF_K
    instruction.setInt(4, snapLength);
    Memory program = new Memory(16); // struct sock_fprog: unsigned short len, then the pointer
    program.clear();
    program.setShort(0, (short) 1);
    program.setPointer(8, instruction);
    Syscalls.setsockopt(fd, Syscalls.SOL_SOCKET, Syscalls.SO_ATTACH_FILTER, program, "SO_ATTACH_FILTER", what);
    Reference.reachabilityFence(instruction);
  }

  /** Reads every block the kernel has handed over, in order, and gives each back; the number of frames read. */
  int drain(Frames out) {
    int read = 0;
    while (true) {
      int block = next * blockSize;
      if ((view.getInt(block + BLOCK_STATUS) & TP_STATUS_USER) == 0) {
        return read;
      }
      VarHandle.acquireFence(); // the block's frames were written before its status
      read += readBlock(view, block, blockSize, out);
      view.putInt(block + BLOCK_NUM_PKTS, 0); // so that a block given back reads as empty until the kernel opens it
      VarHandle.releaseFence(); // done reading before the kernel may write again
      view.putInt(block + BLOCK_STATUS, TP_STATUS_KERNEL);
      next = (next + 1) % blocks;
    }
  }

  /** Whether the block the kernel is filling holds frames not handed over yet (it will be within two retire periods). */
  boolean openBlockHasFrames() {
    int block = next * blockSize;
    return (view.getInt(block + BLOCK_STATUS) & TP_STATUS_USER) == 0 && view.getInt(block + BLOCK_NUM_PKTS) != 0;
  }

  /**
   * The frames of the block at {@code block} in {@code ring}, laid out as {@code linux/if_packet.h}
   * says: {@code num_pkts} frames from {@code offset_to_first_pkt}, each a {@code tpacket3_hdr}
   * followed by a {@code sockaddr_ll}, the next {@code tp_next_offset} bytes on. A frame that would
   * reach past the block ends the walk. Returns the number of frames given to {@code out}.
   */
  static int readBlock(ByteBuffer ring, int block, int blockSize, Frames out) {
    int count = ring.getInt(block + BLOCK_NUM_PKTS);
    long offset = Integer.toUnsignedLong(ring.getInt(block + BLOCK_OFFSET_TO_FIRST_PKT));
    int read = 0;
    for (int i = 0; i < count; i++) {
      if (offset < BLOCK_HEADER || offset + SOCKADDR_LL + 12 > blockSize) {
        break;
      }
      int frame = block + (int) offset;
      int captured = ring.getInt(frame + TP_SNAPLEN);
      int mac = Short.toUnsignedInt(ring.getShort(frame + TP_MAC));
      if (captured < 0 || mac < SOCKADDR_LL || offset + mac + captured > blockSize) {
        break;
      }
      long nanos = Integer.toUnsignedLong(ring.getInt(frame + TP_SEC)) * 1_000_000_000L
          + Integer.toUnsignedLong(ring.getInt(frame + TP_NSEC));
      out.frame(nanos, ring.getInt(frame + SLL_IFINDEX), Short.toUnsignedInt(ring.getShort(frame + SLL_HATYPE)),
          Byte.toUnsignedInt(ring.get(frame + SLL_PKTTYPE)), ring.getInt(frame + TP_LEN), ring, frame + mac, captured);
      read++;
      long step = Integer.toUnsignedLong(ring.getInt(frame + TP_NEXT_OFFSET));
      if (step == 0) {
        break; // the last frame of the block
      }
      offset += step;
    }
    return read;
  }

  /** Unmaps the ring; the socket is closed after (closing it frees the ring). */
  void unmap() {
    Syscalls.munmapQuietly(mapped, size());
  }
}
