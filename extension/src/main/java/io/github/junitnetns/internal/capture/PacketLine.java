package io.github.junitnetns.internal.capture;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.Arrays;

/**
 * One frame as one line in tcpdump's style ({@code tcpdump -i any -S}: absolute sequence numbers,
 * TCP options left out), and its protocol for the per-interface counts. Decodes Ethernet (the
 * frames of veths, bridges and {@code lo}) or a bare IP packet, then ARP, IPv4, IPv6, TCP, UDP,
 * ICMP and ICMPv6, as far as the captured bytes reach.
 */
final class PacketLine {
  static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("HH:mm:ss.SSSSSS").withZone(ZoneId.systemDefault());
  private static final int ETH_IPV4 = 0x0800;
  private static final int ETH_ARP = 0x0806;
  private static final int ETH_IPV6 = 0x86DD;

  /** What a frame is, for the counts; for TCP also the flags, the sequence number and the four-tuple. */
  final String protocol;
  final String text;
  final boolean syn;
  final boolean ack;
  final boolean rst;
  final String flow; // "src.port > dst.port" for TCP, else null
  final long seq;

  private PacketLine(String protocol, String text, int flags, String flow, long seq) {
    this.protocol = protocol;
    this.text = text;
    this.syn = (flags & 0x02) != 0;
    this.rst = (flags & 0x04) != 0;
    this.ack = (flags & 0x10) != 0;
    this.flow = flow;
    this.seq = seq;
  }

  private PacketLine(String protocol, String text) {
    this(protocol, text, 0, null, 0);
  }

  static String time(long nanos) {
    return TIME.format(Instant.ofEpochSecond(0, nanos));
  }

  static PacketLine of(Packet packet) {
    ByteBuffer b = ByteBuffer.wrap(packet.data());
    try {
      if (linkType(packet.hardwareType()) == Pcapng.LINKTYPE_ETHERNET) {
        if (b.remaining() < 14) {
          return new PacketLine("other", "truncated frame, length " + packet.length());
        }
        int type = Short.toUnsignedInt(b.getShort(12));
        b.position(14);
        switch (type) {
          case ETH_IPV4: return ipv4(b.slice());
          case ETH_IPV6: return ipv6(b.slice());
          case ETH_ARP: return arp(b.slice());
          default: return new PacketLine("other", String.format("ethertype 0x%04x, length %d", type, packet.length()));
        }
      }
      int version = b.remaining() > 0 ? (Byte.toUnsignedInt(b.get(0)) >> 4) : 0;
      return version == 4 ? ipv4(b) : version == 6 ? ipv6(b) : new PacketLine("other", "length " + packet.length());
    } catch (IndexOutOfBoundsException | java.nio.BufferUnderflowException e) {
      return new PacketLine("other", "truncated, length " + packet.length());
    }
  }

  /** The pcapng link type of an interface of {@code ARPHRD_*} type: Ethernet framing or a bare IP packet. */
  static int linkType(int hardwareType) {
    return hardwareType == Packet.ARPHRD_ETHER || hardwareType == Packet.ARPHRD_LOOPBACK ? Pcapng.LINKTYPE_ETHERNET
        : Pcapng.LINKTYPE_RAW;
  }

  private static PacketLine arp(ByteBuffer b) {
    int op = Short.toUnsignedInt(b.getShort(6));
    String sender = ip(b, 14, 4);
    String target = ip(b, 24, 4);
    if (op == 1) {
      return new PacketLine("ARP", "ARP, Request who-has " + target + " tell " + sender + ", length 28");
    }
    if (op == 2) {
      return new PacketLine("ARP", "ARP, Reply " + sender + " is-at " + mac(b, 8) + ", length 28");
    }
    return new PacketLine("ARP", "ARP, op " + op + ", length 28");
  }

  private static PacketLine ipv4(ByteBuffer b) {
    int headerLength = (b.get(0) & 0x0f) * 4;
    int total = Short.toUnsignedInt(b.getShort(2));
    int protocol = Byte.toUnsignedInt(b.get(9));
    String src = ip(b, 12, 4);
    String dst = ip(b, 16, 4);
    int payload = total - headerLength;
    boolean first = (b.getShort(6) & 0x1fff) == 0;
    if (!first) {
      return new PacketLine("IPv4", "IP " + src + " > " + dst + ": ip-proto-" + protocol + " (fragment), length " + payload);
    }
    b.position(headerLength);
    ByteBuffer l4 = b.slice();
    switch (protocol) {
      case 6: return tcp("IP", src, dst, l4, payload);
      case 17: return udp("IP", src, dst, l4, payload);
      case 1: return icmp(src, dst, l4, payload);
      default: return new PacketLine("IPv4", "IP " + src + " > " + dst + ": ip-proto-" + protocol + ", length " + payload);
    }
  }

  private static PacketLine ipv6(ByteBuffer b) {
    int payload = Short.toUnsignedInt(b.getShort(4));
    int next = Byte.toUnsignedInt(b.get(6));
    String src = ip(b, 8, 16);
    String dst = ip(b, 24, 16);
    int offset = 40;
    // Hop-by-hop, routing and destination options headers (MLD reports carry a hop-by-hop one).
    while ((next == 0 || next == 43 || next == 60) && offset + 2 <= b.limit()) {
      int length = (Byte.toUnsignedInt(b.get(offset + 1)) + 1) * 8;
      next = Byte.toUnsignedInt(b.get(offset));
      offset += length;
      payload -= length;
    }
    b.position(offset);
    ByteBuffer l4 = b.slice();
    switch (next) {
      case 6: return tcp("IP6", src, dst, l4, payload);
      case 17: return udp("IP6", src, dst, l4, payload);
      case 58: return icmp6(src, dst, l4, payload);
      default: return new PacketLine("IPv6", "IP6 " + src + " > " + dst + ": ip-proto-" + next + ", length " + payload);
    }
  }

  private static PacketLine tcp(String ip, String src, String dst, ByteBuffer t, int length) {
    int sport = Short.toUnsignedInt(t.getShort(0));
    int dport = Short.toUnsignedInt(t.getShort(2));
    long seq = Integer.toUnsignedLong(t.getInt(4));
    long ackNumber = Integer.toUnsignedLong(t.getInt(8));
    int offset = (Byte.toUnsignedInt(t.get(12)) >> 4) * 4;
    int flags = Byte.toUnsignedInt(t.get(13));
    int window = Short.toUnsignedInt(t.getShort(14));
    int data = length - offset;
    String flow = src + "." + sport + " > " + dst + "." + dport;
    StringBuilder line = new StringBuilder(ip).append(' ').append(flow).append(": Flags [").append(flags(flags))
        .append(']');
    if (data > 0 || (flags & 0x07) != 0) { // tcpdump shows seq for data, SYN, FIN and RST
      line.append(", seq ").append(seq);
      if (data > 0) {
        line.append(':').append((seq + data) & 0xffffffffL);
      }
    }
    if ((flags & 0x10) != 0) {
      line.append(", ack ").append(ackNumber);
    }
    line.append(", win ").append(window).append(", length ").append(Math.max(data, 0));
    return new PacketLine("TCP", line.toString(), flags, flow, seq);
  }

  /** tcpdump's flag letters, in its order: F S R P . U E W. */
  private static String flags(int flags) {
    StringBuilder s = new StringBuilder();
    int[] bits = {0x01, 0x02, 0x04, 0x08, 0x10, 0x20, 0x40, 0x80};
    String[] names = {"F", "S", "R", "P", ".", "U", "E", "W"};
    for (int i = 0; i < bits.length; i++) {
      if ((flags & bits[i]) != 0) {
        s.append(names[i]);
      }
    }
    return s.length() == 0 ? "none" : s.toString();
  }

  private static PacketLine udp(String ip, String src, String dst, ByteBuffer u, int length) {
    int sport = Short.toUnsignedInt(u.getShort(0));
    int dport = Short.toUnsignedInt(u.getShort(2));
    return new PacketLine("UDP", ip + " " + src + "." + sport + " > " + dst + "." + dport + ": UDP, length "
        + Math.max(length - 8, 0));
  }

  private static PacketLine icmp(String src, String dst, ByteBuffer i, int length) {
    int type = Byte.toUnsignedInt(i.get(0));
    int code = Byte.toUnsignedInt(i.get(1));
    String what;
    if (type == 8 || type == 0) {
      what = "ICMP echo " + (type == 8 ? "request" : "reply") + ", id " + Short.toUnsignedInt(i.getShort(4)) + ", seq "
          + Short.toUnsignedInt(i.getShort(6));
    } else if (type == 3) {
      what = "ICMP " + dst + " unreachable, code " + code;
    } else {
      what = "ICMP type " + type + ", code " + code;
    }
    return new PacketLine("ICMP", "IP " + src + " > " + dst + ": " + what + ", length " + length);
  }

  private static PacketLine icmp6(String src, String dst, ByteBuffer i, int length) {
    int type = Byte.toUnsignedInt(i.get(0));
    String what;
    switch (type) {
      case 128: case 129:
        what = "echo " + (type == 128 ? "request" : "reply") + ", id " + Short.toUnsignedInt(i.getShort(4)) + ", seq "
            + Short.toUnsignedInt(i.getShort(6));
        break;
      case 135: what = "neighbor solicitation, who has " + ip(i, 8, 16); break;
      case 136: what = "neighbor advertisement, tgt is " + ip(i, 8, 16); break;
      case 133: what = "router solicitation"; break;
      case 134: what = "router advertisement"; break;
      case 143: what = "multicast listener report v2"; break;
      case 1: what = "destination unreachable, code " + Byte.toUnsignedInt(i.get(1)); break;
      default: what = "type " + type;
    }
    return new PacketLine("ICMP6", "IP6 " + src + " > " + dst + ": ICMP6, " + what + ", length " + length);
  }

  private static String ip(ByteBuffer b, int offset, int length) {
    byte[] address = new byte[length];
    b.get(offset, address);
    try {
      String text = InetAddress.getByAddress(address).getHostAddress();
      return length == 16 ? compress(text) : text;
    } catch (UnknownHostException e) {
      return Arrays.toString(address);
    }
  }

  private static String mac(ByteBuffer b, int offset) {
    StringBuilder s = new StringBuilder();
    for (int i = 0; i < 6; i++) {
      s.append(i == 0 ? "" : ":").append(String.format("%02x", b.get(offset + i)));
    }
    return s.toString();
  }

  /** {@code fd00:0:0:0:0:0:0:1} as tcpdump writes it, {@code fd00::1}: the longest run of zero groups (two or more) as "::". */
  static String compress(String full) {
    String[] groups = full.split(":");
    int bestStart = -1;
    int bestLength = 1;
    for (int i = 0; i < groups.length; ) {
      int j = i;
      while (j < groups.length && groups[j].equals("0")) {
        j++;
      }
      if (j - i > bestLength) {
        bestStart = i;
        bestLength = j - i;
      }
      i = j == i ? i + 1 : j;
    }
    if (bestStart < 0) {
      return full;
    }
    String head = String.join(":", Arrays.copyOfRange(groups, 0, bestStart));
    String tail = String.join(":", Arrays.copyOfRange(groups, bestStart + bestLength, groups.length));
    return head + "::" + tail;
  }
}
