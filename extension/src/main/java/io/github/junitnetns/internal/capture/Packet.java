package io.github.junitnetns.internal.capture;

/**
 * One captured frame: when the kernel stamped it (nanoseconds since the epoch), where (the tap of
 * one namespace and the interface index there), which way, its length on the wire and the first
 * bytes of it (at most the snap length).
 *
 * @param direction the {@code sll_pkttype} of {@code linux/if_packet.h}: {@link #OUTGOING}, host, broadcast, ...
 * @param hardwareType the interface's {@code ARPHRD_*} type
 */
record Packet(long nanos, PacketTap tap, int ifindex, int hardwareType, int direction, int length, byte[] data) {
  static final int HOST = 0;
  static final int BROADCAST = 1;
  static final int MULTICAST = 2;
  static final int OTHERHOST = 3;
  static final int OUTGOING = 4;
  static final int ARPHRD_ETHER = 1;
  static final int ARPHRD_LOOPBACK = 772;

  /** The interface it was seen on. */
  Iface iface() {
    return new Iface(tap, ifindex);
  }

  /** An interface of one tap's namespace. */
  record Iface(PacketTap tap, int ifindex) {}

  /** tcpdump's direction words for {@code tcpdump -i any}: In, Out, B (broadcast), M (multicast), P (other host). */
  String directionWord() {
    switch (direction) {
      case OUTGOING: return "Out";
      case BROADCAST: return "B";
      case MULTICAST: return "M";
      case OTHERHOST: return "P";
      default: return "In";
    }
  }
}
