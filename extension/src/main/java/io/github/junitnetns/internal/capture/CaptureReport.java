package io.github.junitnetns.internal.capture;

import java.io.IOException;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;

/** What a {@link CaptureSession} shows of its frames: the pcapng file and the text summary. */
final class CaptureReport {
  private CaptureReport() {}

  /**
   * What a recording lost, as sentences, or "": {@code oldest} frames dropped to stay within
   * {@code limit}, {@code kernel} frames the kernel dropped ({@code cappedBuffer}: the receive buffer
   * in bytes of a socket with drops that the kernel capped, or 0), and the {@code problems} met.
   */
  static String losses(long oldest, long limit, long kernel, int cappedBuffer, List<String> problems) {
    StringBuilder s = new StringBuilder();
    if (oldest > 0) {
      s.append(oldest).append(" oldest packets dropped to stay within the ").append(size(limit))
          .append(" memory budget (junit.netns.capture.limit). ");
    }
    if (kernel > 0) {
      s.append(kernel).append(" packets dropped by the kernel: the capture reader fell behind. ");
    }
    if (kernel > 0 && cappedBuffer > 0) {
      s.append("The kernel capped the capture socket's receive buffer at net.core.rmem_max (").append(size(cappedBuffer))
          .append(", as this JVM has no CAP_NET_ADMIN over the host) until a ring took over: raise it on the host,"
              + " e.g. sysctl -w net.core.rmem_max=33554432. ");
    }
    for (String problem : problems) {
      s.append(problem).append(". ");
    }
    return s.toString().trim();
  }

  static String size(long bytes) {
    if (bytes % (1L << 20) == 0) {
      return (bytes >> 20) + " MiB";
    }
    if (bytes % 1024 == 0) {
      return (bytes >> 10) + " KiB";
    }
    return bytes + " bytes";
  }

  /**
   * Writes {@code frames} as pcapng: a section header whose comment is {@code title}, the count
   * kept and {@code losses}; one interface description per interface seen, named by {@code name};
   * one enhanced packet block per frame.
   */
  static void write(List<Packet> frames, OutputStream out, String title, String losses, int snapLength,
      Function<Packet.Iface, String> name) throws IOException {
    Pcapng pcapng = new Pcapng(out);
    pcapng.sectionHeader(title + ": " + frames.size() + " packets kept" + (losses.isEmpty() ? "" : ". " + losses));
    Map<Packet.Iface, Integer> ids = new LinkedHashMap<>();
    for (Packet packet : frames) {
      if (!ids.containsKey(packet.iface())) {
        ids.put(packet.iface(), ids.size());
        pcapng.interfaceDescription(PacketLine.linkType(packet.hardwareType()), snapLength, name.apply(packet.iface()));
      }
    }
    for (Packet packet : frames) {
      pcapng.enhancedPacket(ids.get(packet.iface()), packet.nanos(), packet.length(), packet.data(),
          packet.direction() == Packet.OUTGOING ? Boolean.FALSE : Boolean.TRUE);
    }
  }

  /**
   * The recording as text for a CI log: per interface the packets by protocol, then the last
   * {@value CaptureSession#LAST_PACKETS} packets one line each in tcpdump's style, with repeated SYNs
   * and RSTs marked; {@code losses} (what was lost, or "") after the first line.
   */
  static String summary(List<Packet> frames, String losses, Function<Packet.Iface, String> name) {
    Map<Packet.Iface, Map<String, Integer>> counts = new LinkedHashMap<>();
    Map<String, Integer> synsSeen = new HashMap<>();
    List<String> lines = new ArrayList<>();
    List<String> handshakes = new ArrayList<>();
    int retransmits = 0;
    int resets = 0;
    int first = Math.max(0, frames.size() - CaptureSession.LAST_PACKETS);
    for (int i = 0; i < frames.size(); i++) {
      Packet packet = frames.get(i);
      PacketLine line = PacketLine.of(packet);
      counts.computeIfAbsent(packet.iface(), k -> new TreeMap<>()).merge(line.protocol, 1, Integer::sum);
      String mark = "";
      if (line.syn) {
        String key = name.apply(packet.iface()) + " " + line.flow + " " + line.seq + (line.ack ? " ack" : "");
        if (synsSeen.merge(key, 1, Integer::sum) > 1) {
          retransmits++;
          mark = "   <-- SYN" + (line.ack ? "-ACK" : "") + " retransmitted";
        }
      }
      if (line.rst) {
        resets++;
        mark = "   <-- RST";
      }
      String text = "  " + PacketLine.time(packet.nanos()) + " " + name.apply(packet.iface()) + " "
          + packet.directionWord() + " " + line.text + mark;
      if (i >= first) {
        lines.add(text);
      }
      if ((line.syn && !line.ack) || line.rst) {
        handshakes.add(text);
      }
    }
    StringBuilder s = new StringBuilder();
    s.append("Packets: ").append(frames.size()).append(" on ").append(counts.size()).append(" interfaces");
    if (retransmits > 0 || resets > 0) {
      s.append("; SYN retransmits: ").append(retransmits).append(", RSTs: ").append(resets);
    }
    s.append('\n');
    if (!losses.isEmpty()) {
      s.append("  ").append(losses).append('\n');
    }
    counts.forEach((iface, byProtocol) -> {
      int sum = byProtocol.values().stream().mapToInt(Integer::intValue).sum();
      StringBuilder each = new StringBuilder();
      byProtocol.forEach((protocol, n) -> each.append(each.length() == 0 ? "" : ", ").append(protocol).append(' ')
          .append(n));
      s.append("  ").append(name.apply(iface)).append(": ").append(sum).append(" (").append(each).append(")\n");
    });
    if (!handshakes.isEmpty() && frames.size() > CaptureSession.LAST_PACKETS) {
      // Connection attempts and resets are what a failed network test is usually about: keep them in view
      // even when later packets push them out of the tail.
      s.append(handshakes.size() > CaptureSession.LAST_PACKETS ? "Last " + CaptureSession.LAST_PACKETS + " of " + handshakes.size()
          + " TCP SYNs and RSTs:\n" : "TCP SYNs and RSTs:\n");
      handshakes.subList(Math.max(0, handshakes.size() - CaptureSession.LAST_PACKETS), handshakes.size())
          .forEach(l -> s.append(l).append('\n'));
    }
    if (!lines.isEmpty()) {
      s.append(frames.size() > CaptureSession.LAST_PACKETS ? "Last " + CaptureSession.LAST_PACKETS + " packets:\n" : "All packets:\n");
      lines.forEach(l -> s.append(l).append('\n'));
    }
    return s.toString();
  }
}
