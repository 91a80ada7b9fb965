package io.github.junitnetns.internal.capture;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** The text of a frame in tcpdump's style, and the pcapng blocks, byte by byte. No privileges. */
class PacketLineTest {
  /** An Ethernet frame with an IPv4 TCP segment: 10.0.0.1:41234 -> 10.0.0.2:5432, {@code flags}, seq 1000, 5 bytes of data if {@code data}. */
  static byte[] tcpFrame(int flags, boolean data) {
    int payload = data ? 5 : 0;
    ByteBuffer b = ByteBuffer.allocate(14 + 20 + 20 + payload);
    b.put(new byte[] {2, 0, 0, 0, 0, 2, 2, 0, 0, 0, 0, 1}).putShort((short) 0x0800);
    b.put((byte) 0x45).put((byte) 0).putShort((short) (40 + payload)).putInt(0).put((byte) 64).put((byte) 6)
        .putShort((short) 0).put(new byte[] {10, 0, 0, 1}).put(new byte[] {10, 0, 0, 2});
    b.putShort((short) 41234).putShort((short) 5432).putInt(1000).putInt((flags & 0x10) != 0 ? 77 : 0)
        .put((byte) 0x50).put((byte) flags).putShort((short) 64240).putInt(0);
    if (data) {
      b.put("hello".getBytes(StandardCharsets.US_ASCII));
    }
    return b.array();
  }

  private static PacketLine line(byte[] frame) {
    return PacketLine.of(new Packet(0, null, 2, Packet.ARPHRD_ETHER, Packet.OUTGOING, frame.length, frame));
  }

  @Test
  void aSynReadsAsTcpdumpWritesIt() {
    PacketLine syn = line(tcpFrame(0x02, false));
    assertThat(syn.text).isEqualTo("IP 10.0.0.1.41234 > 10.0.0.2.5432: Flags [S], seq 1000, win 64240, length 0");
    assertThat(syn.protocol).isEqualTo("TCP");
    assertThat(syn.syn).isTrue();
    assertThat(syn.ack).isFalse();
    assertThat(line(tcpFrame(0x18, true)).text)
        .isEqualTo("IP 10.0.0.1.41234 > 10.0.0.2.5432: Flags [P.], seq 1000:1005, ack 77, win 64240, length 5");
    assertThat(line(tcpFrame(0x14, false)).text)
        .isEqualTo("IP 10.0.0.1.41234 > 10.0.0.2.5432: Flags [R.], seq 1000, ack 77, win 64240, length 0");
    assertThat(line(tcpFrame(0x10, false)).text)
        .isEqualTo("IP 10.0.0.1.41234 > 10.0.0.2.5432: Flags [.], ack 77, win 64240, length 0");
  }

  @Test
  void aTruncatedFrameSaysSoInsteadOfFailing() {
    byte[] frame = tcpFrame(0x02, false);
    byte[] cut = java.util.Arrays.copyOf(frame, 30);
    assertThat(PacketLine.of(new Packet(0, null, 2, Packet.ARPHRD_ETHER, Packet.HOST, frame.length, cut)).text)
        .isEqualTo("truncated, length 54");
  }

  @Test
  void ipv6AddressesAreCompressedAsTcpdumpDoes() {
    assertThat(PacketLine.compress("fd00:0:0:0:0:0:0:1")).isEqualTo("fd00::1");
    assertThat(PacketLine.compress("0:0:0:0:0:0:0:1")).isEqualTo("::1");
    assertThat(PacketLine.compress("fe80:0:0:0:1:0:0:2")).isEqualTo("fe80::1:0:0:2");
    assertThat(PacketLine.compress("fd00:1:2:3:4:5:6:7")).isEqualTo("fd00:1:2:3:4:5:6:7");
  }

  @Test
  void pcapngBlocksHaveTheSpecsLayout() throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    Pcapng writer = new Pcapng(out);
    writer.sectionHeader("c");
    writer.interfaceDescription(Pcapng.LINKTYPE_ETHERNET, 256, "eth0@client");
    writer.enhancedPacket(0, 1_700_000_000_123_456_789L, 60, new byte[] {1, 2, 3}, Boolean.FALSE);
    ByteBuffer b = ByteBuffer.wrap(out.toByteArray()).order(ByteOrder.LITTLE_ENDIAN);
    // SHB: type, length, byte-order magic, version 1.0, section length -1, options, length again
    assertThat(b.getInt(0)).isEqualTo(0x0A0D0D0A);
    int shb = b.getInt(4);
    assertThat(b.getInt(8)).isEqualTo(0x1A2B3C4D);
    assertThat(b.getShort(12)).isEqualTo((short) 1);
    assertThat(b.getLong(16)).isEqualTo(-1L);
    assertThat(b.getInt(shb - 4)).isEqualTo(shb);
    assertThat(shb % 4).isZero();
    // IDB: link type 1, snap length 256, if_name, if_tsresol 9
    int idb = b.getInt(shb + 4);
    assertThat(b.getInt(shb)).isEqualTo(1);
    assertThat(b.getShort(shb + 8)).isEqualTo((short) 1);
    assertThat(b.getInt(shb + 12)).isEqualTo(256);
    assertThat(b.getShort(shb + 16)).isEqualTo((short) 2);
    assertThat(b.getShort(shb + 18)).isEqualTo((short) 11);
    assertThat(new String(out.toByteArray(), shb + 20, 11, StandardCharsets.UTF_8)).isEqualTo("eth0@client");
    assertThat(b.getShort(shb + 32)).isEqualTo((short) 9);
    assertThat(b.getShort(shb + 34)).isEqualTo((short) 1);
    assertThat(b.get(shb + 36)).isEqualTo((byte) 9);
    assertThat(b.getInt(shb + idb - 4)).isEqualTo(idb);
    // EPB: interface 0, timestamp in ns split high/low, captured 3, original 60, data padded, epb_flags outbound
    int epb = shb + idb;
    assertThat(b.getInt(epb)).isEqualTo(6);
    long nanos = (Integer.toUnsignedLong(b.getInt(epb + 12)) << 32) | Integer.toUnsignedLong(b.getInt(epb + 16));
    assertThat(nanos).isEqualTo(1_700_000_000_123_456_789L);
    assertThat(b.getInt(epb + 20)).isEqualTo(3);
    assertThat(b.getInt(epb + 24)).isEqualTo(60);
    assertThat(b.getShort(epb + 32)).isEqualTo((short) 2);
    assertThat(b.getInt(epb + 36)).isEqualTo(2);
    int total = b.getInt(epb + 4);
    assertThat(epb + total).isEqualTo(out.size());
    assertThat(b.getInt(epb + total - 4)).isEqualTo(total);
  }
}
