package io.github.junitnetns.internal.capture;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * One namespace moving from its {@code recvmmsg} tap to a tap with a ring. Both sockets receive
 * every frame from the ring's bind until the old one is closed, and the kernel gives both the
 * same frame with the same timestamp. So the old tap's frames from the bind on are held back, and
 * each is kept only if the ring has no frame with the same timestamp, interface, direction and
 * length: which can be told once the ring has shown a frame {@value #MARGIN_NANOS} ns later than
 * the old tap's last one (frames stamped on different CPUs may reach the ring a little out of
 * order), or when the recording stops.
 */
final class Handover {
  static final long MARGIN_NANOS = 20_000_000;
  final PacketTap from;
  final List<Packet> fromOld = new ArrayList<>(); // guarded by the session
  final Set<List<Long>> fromRing = new HashSet<>(); // guarded by the session
  boolean oldClosed; // guarded by the session
  long oldLatest = Long.MIN_VALUE; // guarded by the session
  boolean settled; // guarded by the session

  Handover(PacketTap from) {
    this.from = from;
  }

  static List<Long> key(Packet packet) {
    return List.of(packet.nanos(), (long) packet.ifindex(), (long) packet.direction(), (long) packet.length());
  }
}
