package io.github.junitnetns.internal.capture;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.jna.Memory;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * {@link PacketRing} on blocks built by hand in ordinary memory, laid out as {@code linux/if_packet.h}
 * says ({@code tpacket_block_desc}, {@code tpacket3_hdr}, {@code sockaddr_ll}): what the kernel
 * would have written, read without a kernel.
 */
class PacketRingTest {
  private static final int BLOCK = 4096;

  /** What the ring handed over for one frame. */
  record Seen(long nanos, int ifindex, int hardwareType, int direction, int length, byte[] data) {}

  private static PacketRing.Frames into(List<Seen> seen) {
    return (nanos, ifindex, hardwareType, direction, length, ring, at, captured) -> {
      byte[] bytes = new byte[captured];
      ring.get(at, bytes);
      seen.add(new Seen(nanos, ifindex, hardwareType, direction, length, bytes));
    };
  }

  /** Writes one frame at {@code frame} (from the block's start); returns where its data ends. */
  private static int frame(ByteBuffer ring, int block, int frame, int next, long sec, int nsec, int ifindex,
      int hardwareType, int direction, int length, byte[] data) {
    int at = block + frame;
    ring.putInt(at, next); // tp_next_offset
    ring.putInt(at + 4, (int) sec); // tp_sec
    ring.putInt(at + 8, nsec); // tp_nsec
    ring.putInt(at + 12, data.length); // tp_snaplen
    ring.putInt(at + 16, length); // tp_len
    ring.putInt(at + 20, 0); // tp_status
    int mac = 82; // TPACKET_ALIGN(68 + 16) - 14, as the kernel puts an Ethernet header
    ring.putShort(at + 24, (short) mac); // tp_mac
    ring.putShort(at + 26, (short) (mac + 14)); // tp_net
    ring.putShort(at + 48, (short) 17); // sll_family AF_PACKET
    ring.putInt(at + 52, ifindex); // sll_ifindex
    ring.putShort(at + 56, (short) hardwareType); // sll_hatype
    ring.put(at + 58, (byte) direction); // sll_pkttype
    ring.put(at + mac, data);
    return frame + mac + data.length;
  }

  private static void block(ByteBuffer ring, int block, int status, int frames) {
    ring.putInt(block, 3); // version: TPACKET_V3
    ring.putInt(block + 4, 48); // offset_to_priv
    ring.putInt(block + 8, status); // block_status
    ring.putInt(block + 12, frames); // num_pkts
    ring.putInt(block + 16, 48); // offset_to_first_pkt
  }

  private static byte[] bytes(int n, int seed) {
    byte[] b = new byte[n];
    for (int i = 0; i < n; i++) {
      b[i] = (byte) (seed + i);
    }
    return b;
  }

  @Test
  void aBlockYieldsItsFramesInOrderWithTimeInterfaceDirectionAndBothLengths() {
    ByteBuffer ring = ByteBuffer.allocate(BLOCK).order(ByteOrder.nativeOrder());
    block(ring, 0, PacketRing.TP_STATUS_USER, 2);
    byte[] first = bytes(256, 1);
    int end = frame(ring, 0, 48, 0, 0xF000_0000L, 999_999_999, 3, 1, 4, 65_226, first); // a GSO segment, Out
    int second = (end + 7) & ~7;
    ring.putInt(48, second - 48); // tp_next_offset of the first
    byte[] two = bytes(60, 7);
    frame(ring, 0, second, 0, 1_700_000_000L, 5, 1, 772, 0, 60, two); // lo, In

    List<Seen> seen = new ArrayList<>();
    assertThat(PacketRing.readBlock(ring, 0, BLOCK, into(seen))).isEqualTo(2);

    assertThat(seen).hasSize(2);
    Seen a = seen.get(0);
    assertThat(a.nanos()).isEqualTo(0xF000_0000L * 1_000_000_000L + 999_999_999); // tp_sec is unsigned
    assertThat(a.ifindex()).isEqualTo(3);
    assertThat(a.hardwareType()).isEqualTo(Packet.ARPHRD_ETHER);
    assertThat(a.direction()).isEqualTo(Packet.OUTGOING);
    assertThat(a.length()).isEqualTo(65_226);
    assertThat(a.data()).isEqualTo(first);
    Seen b = seen.get(1);
    assertThat(b.nanos()).isEqualTo(1_700_000_000_000_000_005L);
    assertThat(b.hardwareType()).isEqualTo(Packet.ARPHRD_LOOPBACK);
    assertThat(b.direction()).isEqualTo(Packet.HOST);
    assertThat(b.length()).isEqualTo(60);
    assertThat(b.data()).isEqualTo(two);
  }

  @Test
  void aFrameThatWouldReachPastItsBlockEndsTheWalk() {
    ByteBuffer ring = ByteBuffer.allocate(BLOCK).order(ByteOrder.nativeOrder());
    block(ring, 0, PacketRing.TP_STATUS_USER, 3);
    frame(ring, 0, 48, 1024, 1, 0, 2, 1, 0, 100, bytes(100, 0));
    frame(ring, 0, 1072, 4000, 1, 0, 2, 1, 0, 100, bytes(100, 0)); // next offset leads out of the block
    List<Seen> seen = new ArrayList<>();
    assertThat(PacketRing.readBlock(ring, 0, BLOCK, into(seen))).isEqualTo(2);

    block(ring, 0, PacketRing.TP_STATUS_USER, 1);
    ring.putInt(48 + 12, BLOCK); // tp_snaplen: more than the block holds
    seen.clear();
    assertThat(PacketRing.readBlock(ring, 0, BLOCK, into(seen))).isZero();
  }

  @Test
  void drainReadsHandedOverBlocksInRingOrderGivesThemBackAndStopsAtTheKernelsBlock() {
    Memory memory = new Memory(3L * BLOCK);
    memory.clear();
    ByteBuffer ring = memory.getByteBuffer(0, memory.size()).order(ByteOrder.nativeOrder());
    PacketRing packets = new PacketRing(BLOCK, 3, memory);
    block(ring, 0, PacketRing.TP_STATUS_USER | 0x20, 1); // TP_STATUS_BLK_TMO: handed over by the timer
    frame(ring, 0, 48, 0, 10, 0, 2, 1, 0, 80, bytes(80, 1));
    block(ring, BLOCK, PacketRing.TP_STATUS_KERNEL, 1); // being filled
    frame(ring, BLOCK, 48, 0, 11, 0, 2, 1, 0, 80, bytes(80, 2));

    List<Seen> seen = new ArrayList<>();
    assertThat(packets.drain(into(seen))).isEqualTo(1);
    assertThat(seen).extracting(Seen::nanos).containsExactly(10_000_000_000L);
    assertThat(ring.getInt(8)).isEqualTo(PacketRing.TP_STATUS_KERNEL); // given back
    assertThat(ring.getInt(12)).isZero();
    assertThat(packets.openBlockHasFrames()).isTrue();

    ring.putInt(BLOCK + 8, PacketRing.TP_STATUS_USER); // the kernel hands the second over, then fills the third
    block(ring, 2 * BLOCK, PacketRing.TP_STATUS_USER, 1);
    frame(ring, 2 * BLOCK, 48, 0, 12, 0, 2, 1, 0, 80, bytes(80, 3));
    block(ring, 0, PacketRing.TP_STATUS_KERNEL, 0); // and opens the first again, empty
    assertThat(packets.drain(into(seen))).isEqualTo(2);
    assertThat(seen).extracting(Seen::nanos).containsExactly(10_000_000_000L, 11_000_000_000L, 12_000_000_000L);
    assertThat(packets.openBlockHasFrames()).isFalse(); // back at the first block, which holds nothing yet
    assertThat(packets.drain(into(seen))).isZero();
  }

  @Test
  void theRingHoldsFourThousandFramesOfTheSnapLengthInBlocksThatFitOne() {
    assertThat(PacketRing.blockSize(256)).isEqualTo(64 << 10);
    assertThat(PacketRing.blockCount(256)).isEqualTo(22); // 4096 frames of 352 bytes: 1.4 MiB
    assertThat(PacketRing.blockSize(64)).isEqualTo(64 << 10);
    assertThat(PacketRing.blockCount(64)).isEqualTo(10);
    assertThat(PacketRing.blockSize(65535)).isEqualTo(128 << 10); // a frame of 65535 bytes needs more than 64 KiB
    assertThat((long) PacketRing.blockSize(65535) * PacketRing.blockCount(65535)).isEqualTo(64L << 20); // the cap
  }
}
