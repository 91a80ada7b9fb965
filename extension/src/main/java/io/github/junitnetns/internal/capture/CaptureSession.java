package io.github.junitnetns.internal.capture;

import io.github.junitnetns.internal.client.RtnlClient;
import io.github.junitnetns.internal.linux.ErrnoException;
import io.github.junitnetns.internal.linux.Failpoint;
import io.github.junitnetns.internal.linux.Syscalls;
import io.github.junitnetns.internal.netlink.LinkMessage;
import io.github.junitnetns.internal.ns.NsHandle;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A recording of every interface of some namespaces: one {@link PacketTap} per namespace, read by
 * the {@link CaptureReader}, the frames kept in memory up to a budget (the oldest dropped first),
 * written as pcapng or summarised as text on request.
 */
public final class CaptureSession implements AutoCloseable {
  /** The memory budget by default: the last 8 MiB of frames. */
  public static final long DEFAULT_LIMIT = 8L << 20;
  /** The snap length by default: enough for the headers of a frame. */
  public static final int DEFAULT_SNAP_LENGTH = 256;
  /** Lines of the summary's tail. */
  public static final int LAST_PACKETS = 20;
  /** Frames a namespace's {@code recvmmsg} socket reads before the recording hands it over to a ring. */
  public static final int RING_AFTER_FRAMES = 1024;
  private static final AtomicLong HANDED_OVER = new AtomicLong();

  /** A namespace to record, with the label its interfaces are named by ({@code eth0@label}). */
  public record Target(String label, NsHandle namespace) {}

  private final long limit;
  private final int snapLength;
  private final List<PacketTap> taps = new CopyOnWriteArrayList<>(); // a hand-over adds one while it runs
  /** Whether a busy namespace is handed over to a tap with a ring (a recording that started without rings). */
  private final boolean handsOver;
  private final List<Handover> handovers = new ArrayList<>(); // guarded by this: not settled yet
  private final PacketStore store; // guarded by this
  private final List<String> problems = new ArrayList<>(); // guarded by this
  private final Map<Packet.Iface, String> names = new HashMap<>(); // guarded by this
  private volatile boolean stopped; // written under this

  private CaptureSession(long limit, int snapLength, boolean handsOver) {
    this.limit = limit;
    this.snapLength = snapLength;
    this.handsOver = handsOver;
    this.store = new PacketStore(limit);
  }

  /**
   * Starts recording every interface of each target; from the return on, every frame counts.
   * A socket that cannot be made (no CAP_NET_RAW over a namespace) fails it all: the taps made so
   * far are stopped.
   *
   * <p>With {@code rings}, each socket gets a {@code TPACKET_V3} ring ({@link PacketRing}) before it
   * starts: the kernel then copies only the snap length of each frame, which a bulk transfer needs,
   * but the set-up waits for an RCU grace period (the rings of all targets at once, about one). For
   * an explicit recording ({@code net.capture()}); a test's recording does not wait for it and reads
   * its sockets with {@code recvmmsg}, until a namespace's traffic is heavy enough to be worth a ring
   * ({@link #ringWanted}), or at once if the kernel capped its socket's receive buffer (rootless).
   * A ring the kernel refuses leaves that socket on {@code recvmmsg} too.
   */
  public static CaptureSession start(List<Target> targets, long limit, int snapLength, boolean rings)
      throws ErrnoException {
    if (limit < 1 || snapLength < 1) {
      throw new IllegalArgumentException("capture limit and snap length must be positive: " + limit + ", " + snapLength);
    }
    CaptureSession session = new CaptureSession(limit, snapLength, !rings && !Failpoint.active());
    CaptureReader reader = CaptureReader.get();
    Set<String> seen = new HashSet<>();
    List<Target> distinct = new ArrayList<>();
    for (Target target : targets) {
      if (seen.add(target.namespace().id())) { // one namespace may be reached twice (a class's, and a test's view of it)
        distinct.add(target);
      }
    }
    if (rings) {
      startWithRings(session, reader, distinct, snapLength);
      return session;
    }
    int[] fds = CaptureSockets.open(distinct, true, reader);
    int i = 0;
    try {
      for (; i < distinct.size(); i++) {
        Target target = distinct.get(i);
        PacketTap tap = PacketTap.of(target.label(), target.namespace(), session, snapLength, fds[i]);
        session.taps.add(tap);
        reader.watch(tap);
        if (tap.bufferCapped()) {
          tap.askForRing();
        }
      }
    } catch (ErrnoException | RuntimeException | Error e) {
      for (int j = i + 1; j < fds.length; j++) {
        Syscalls.closeQuietly(fds[j]);
      }
      session.close();
      throw e;
    }
    return session;
  }

  private static void startWithRings(CaptureSession session, CaptureReader reader, List<Target> targets,
      int snapLength) throws ErrnoException {
    int[] fds = CaptureSockets.open(targets, false, reader);
    PacketRing[] rings = new PacketRing[fds.length];
    try {
      CaptureSockets.setUpRings(targets, fds, rings, snapLength, reader);
      for (int i = 0; i < fds.length; i++) {
        Target target = targets.get(i);
        Syscalls.bindPacketAll(fds[i], "AF_PACKET socket of netns " + target.label());
        int fd = fds[i];
        PacketRing ring = rings[i];
        if (ring == null) {
          Syscalls.configurePacketSocket(fd, "netns " + target.label()); // read with recvmmsg after all
        }
        fds[i] = -1; // the tap owns it now (PacketTap.of closes it when it fails)
        PacketTap tap = ring != null
            ? PacketTap.ofRing(target.label(), target.namespace(), session, snapLength, fd, ring)
            : PacketTap.of(target.label(), target.namespace(), session, snapLength, fd);
        session.taps.add(tap);
        reader.watch(tap);
      }
    } catch (ErrnoException | RuntimeException | Error e) {
      for (int j = 0; j < fds.length; j++) {
        if (fds[j] >= 0) {
          CaptureSockets.closeLater(reader, fds[j], rings[j]);
        }
      }
      session.close();
      throw e;
    }
  }

  /**
   * How many sockets recordings had to open when they started, by a carrier entering the
   * namespace: those of namespaces made without one ahead of need (a statistic, and for tests).
   */
  public static long openedAtStart() {
    return CaptureSockets.openedAtStart();
  }

  /**
   * Closes, in the background, the AF_PACKET sockets that namespaces made ahead of need brought
   * along, when nothing is to be recorded (closing one waits for an RCU grace period).
   */
  public static void discardPrepared(List<NsHandle> namespaces) {
    for (NsHandle ns : namespaces) {
      int fd = ns.takePacketSocket();
      if (fd >= 0) {
        try {
          CaptureReader.get().close(fd);
        } catch (ErrnoException e) {
          Syscalls.closeQuietly(fd);
        }
      }
    }
  }

  public long limit() {
    return limit;
  }

  public int snapLength() {
    return snapLength;
  }

  /**
   * A frame read by {@code source}, its captured bytes at {@code from[at, at + captured)}: kept, or
   * held back while its namespace is handed over. It counts as seen on the source's
   * {@link PacketTap#identity}'s interface {@code ifindex}.
   */
  synchronized void received(PacketTap source, long nanos, int ifindex, int hardwareType, int direction, int length,
      ByteBuffer from, int at, int captured) {
    PacketTap tap = source.identity;
    Handover handover = source.handover;
    if (handover == null || handover.settled) {
      store.add(nanos, tap, ifindex, hardwareType, direction, length, from, at, captured);
      return;
    }
    byte[] data = new byte[captured];
    from.get(at, data);
    Packet packet = new Packet(nanos, tap, ifindex, hardwareType, direction, length, data);
    if (source == handover.from) {
      handover.fromOld.add(packet); // maybe a twin of one the ring also has: settled later
    } else {
      handover.fromRing.add(Handover.key(packet));
      store.add(packet);
      if (handover.oldClosed && packet.nanos() > handover.oldLatest + Handover.MARGIN_NANOS) {
        settle(handover); // the ring has everything up to the old socket's last frame
      }
    }
  }

  /** Keeps the old tap's held frames that the ring does not have; from then on both taps' frames count as they come. */
  private synchronized void settle(Handover handover) {
    if (handover.settled) {
      return;
    }
    handover.settled = true;
    for (Packet packet : handover.fromOld) {
      if (!handover.fromRing.contains(Handover.key(packet))) {
        store.add(packet);
      }
    }
    handover.fromOld.clear();
    handover.fromRing.clear();
    handovers.remove(handover);
  }

  /**
   * Called by a {@code recvmmsg} tap that has read enough frames for a ring to pay: hands its
   * namespace over to a tap with a ring, in the background ({@link #handOver}). Nothing for an
   * explicit recording (it has rings from the start) or with a failpoint set (requests in the same
   * order in every run).
   */
  void ringWanted(PacketTap tap) {
    if (!handsOver || stopped) {
      return;
    }
    try {
      CaptureReader reader = CaptureReader.get();
      reader.background(() -> handOver(tap, reader));
    } catch (ErrnoException e) {
      // no reader: nothing is being read either
    }
  }

  /**
   * Sets up a socket with a ring in {@code old}'s namespace (its set-up waits for an RCU grace
   * period: here, on a background thread), binds it, and closes {@code old} once the ring reads; the
   * frames both got meanwhile are kept once ({@link Handover}). Anything that fails leaves the
   * namespace on {@code old}, as recording without a ring works too.
   */
  private void handOver(PacketTap old, CaptureReader reader) {
    String what = "AF_PACKET socket of netns " + old.label;
    int fd;
    PacketRing ring;
    try {
      fd = CaptureSockets.open(List.of(new Target(old.label, old.namespace)), false, reader)[0];
    } catch (ErrnoException | RuntimeException e) {
      return; // the namespace closed meanwhile, or no socket: it stays on recvmmsg
    }
    try {
      ring = PacketRing.setUp(fd, snapLength, what);
    } catch (ErrnoException | RuntimeException e) {
      reader.close(fd);
      return;
    }
    Handover handover = new Handover(old);
    PacketTap next = PacketTap.successor(old, fd, ring);
    synchronized (this) {
      if (stopped) {
        CaptureSockets.closeLater(reader, fd, ring);
        return;
      }
      handovers.add(handover);
      old.handover = handover;
      next.handover = handover;
      try {
        Syscalls.bindPacketAll(fd, what);
        reader.watch(next);
      } catch (ErrnoException | RuntimeException e) {
        reader.unwatch(next);
        CaptureSockets.closeLater(reader, fd, ring);
        settle(handover); // whatever the old tap held back is kept: the ring has nothing
        return;
      }
      taps.add(next);
    }
    HANDED_OVER.incrementAndGet();
    old.stop(reader); // reads what it still holds (held back), notes its drops, closes it
    synchronized (this) {
      handover.oldClosed = true;
      for (Packet packet : handover.fromOld) {
        handover.oldLatest = Math.max(handover.oldLatest, packet.nanos());
      }
      if (handover.fromOld.isEmpty()) {
        settle(handover);
      }
    }
  }

  /** How many namespaces recordings have handed over to a tap with a ring (a statistic, and for tests). */
  public static long handedOver() {
    return HANDED_OVER.get();
  }

  synchronized void tapFailed(PacketTap tap, Exception e) {
    problems.add("reading netns " + tap.label + " stopped: " + e.getMessage());
  }

  /**
   * Stops recording: reads what the sockets hold, learns the interfaces' names while the
   * namespaces are still open, and closes the sockets. What was recorded stays for
   * {@link #writeTo} and {@link #summary}. Idempotent.
   */
  public void stop() {
    synchronized (this) {
      if (stopped) {
        return;
      }
      stopped = true; // a hand-over not yet bound gives up
    }
    CaptureReader reader;
    try {
      reader = CaptureReader.get();
    } catch (ErrnoException e) {
      return; // never started: no tap exists
    }
    for (PacketTap tap : taps) {
      tap.stop(reader);
    }
    synchronized (this) {
      for (Handover handover : new ArrayList<>(handovers)) {
        settle(handover); // every socket is read to its end: the ring shows all it will
      }
    }
    learnNames();
  }

  /** Stops recording and forgets the frames, without reading what is still queued. Idempotent. */
  @Override
  public void close() {
    boolean wasRunning;
    synchronized (this) {
      wasRunning = !stopped;
      stopped = true;
    }
    if (wasRunning) {
      try {
        CaptureReader reader = CaptureReader.get();
        for (PacketTap tap : taps) {
          tap.discard(reader);
        }
      } catch (ErrnoException e) {
        // never started: no tap exists
      }
    }
    synchronized (this) {
      store.clear();
      handovers.clear();
    }
  }

  public boolean isStopped() {
    return stopped;
  }

  /** The frames so far in capture order (by kernel timestamp); reads the sockets first while running. */
  List<Packet> snapshot() {
    if (!stopped) {
      for (PacketTap tap : taps) {
        try {
          tap.drainAll(); // with a ring, the block the kernel is filling too
        } catch (ErrnoException e) {
          tapFailed(tap, e);
        }
      }
      learnNames();
    }
    List<Packet> copy;
    synchronized (this) {
      copy = new ArrayList<>(store.size());
      store.forEach(copy::add);
    }
    copy.sort(Comparator.comparingLong(Packet::nanos)); // stable: one socket's frames keep their order
    return copy;
  }

  /** Names every interface seen so far that has none yet, from its namespace's links while it is open. */
  private void learnNames() {
    Set<PacketTap> unknown = new HashSet<>();
    synchronized (this) {
      for (Packet.Iface iface : store.interfaces()) {
        if (!names.containsKey(iface)) {
          unknown.add(iface.tap());
        }
      }
    }
    for (PacketTap tap : unknown) {
      NsHandle ns = tap.namespace;
      if (ns.isClosed()) {
        continue;
      }
      try {
        RtnlClient client = new RtnlClient(ns::socket, ns::label, e -> new IllegalStateException(e.getMessage(), e));
        List<LinkMessage> links = client.links();
        synchronized (this) {
          for (LinkMessage link : links) {
            names.putIfAbsent(new Packet.Iface(tap, link.index), link.name + "@" + tap.label);
          }
        }
      } catch (RuntimeException e) {
        // closed meanwhile: its interfaces are named by index
      }
    }
  }

  private synchronized String name(Packet.Iface iface) {
    String name = names.get(iface);
    return name != null ? name : "if" + iface.ifindex() + "@" + iface.tap().label;
  }

  /** Frames recorded, kept or not. */
  public synchronized long total() {
    return store.added();
  }

  /** Taps that read through a {@code TPACKET_V3} ring (the others use {@code recvmmsg}). */
  /** Whether the kernel capped the receive buffer of a tap read with {@code recvmmsg} (rootless). */
  boolean buffersCapped() {
    return taps.stream().anyMatch(PacketTap::bufferCapped);
  }

  int ringTaps() {
    return (int) taps.stream().filter(PacketTap::hasRing).count();
  }

  /** How many namespaces are recorded (a namespace handed over to a ring has had two taps). */
  private long namespaces() {
    return taps.stream().map(tap -> tap.identity).distinct().count();
  }

  /** Frames dropped to stay within the memory budget, oldest first. */
  public synchronized long droppedOldest() {
    return store.dropped();
  }

  /** Frames the kernel dropped because the reader fell behind. */
  public long kernelDrops() {
    return taps.stream().mapToLong(PacketTap::kernelDrops).sum();
  }

  /** What was lost, as one sentence, or "" if nothing. */
  private String losses() {
    PacketTap capped = taps.stream().filter(tap -> tap.bufferCapped() && tap.kernelDrops() > 0).findFirst()
        .orElse(null);
    List<String> problemsNow;
    synchronized (this) {
      problemsNow = List.copyOf(problems);
    }
    return CaptureReport.losses(droppedOldest(), limit, kernelDrops(), capped == null ? 0 : capped.receiveBuffer() / 2,
        problemsNow);
  }

  /** Writes the frames kept so far as one pcapng file, creating its directory. */
  public void writeTo(Path file) throws IOException {
    List<Packet> frames = snapshot();
    Path parent = file.toAbsolutePath().getParent();
    if (parent != null) {
      Files.createDirectories(parent);
    }
    try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(file), 1 << 16)) {
      CaptureReport.write(frames, out, "junit-netns capture of " + namespaces() + " namespaces", losses(), snapLength,
          this::name);
    }
  }

  /**
   * The recording as text for a CI log: per interface the packets by protocol, then the last
   * {@value #LAST_PACKETS} packets one line each in tcpdump's style, with repeated SYNs and RSTs
   * marked ({@link CaptureReport#summary}).
   */
  public String summary() {
    return CaptureReport.summary(snapshot(), losses(), this::name);
  }
}
