package io.github.junitnetns.internal.capture;

import com.sun.jna.Memory;
import com.sun.jna.Pointer;
import io.github.junitnetns.internal.linux.ErrnoException;
import io.github.junitnetns.internal.linux.Syscalls;
import io.github.junitnetns.internal.ns.NsHandle;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;

/**
 * One AF_PACKET socket in one namespace: every frame of every interface there, {@code lo} and
 * interfaces added later included. The socket is created by a thread inside the namespace (a
 * socket keeps its namespace) and read from the host by {@link CaptureReader}: through its
 * {@code TPACKET_V3} ring ({@link PacketRing}) when it has one, otherwise {@value #BATCH} frames per
 * {@code recvmmsg}, each with its kernel timestamp ({@code SO_TIMESTAMPNS}) and its
 * {@code sockaddr_ll} (interface index, type, direction).
 *
 * <p>Why a socket may have no ring: setting one up waits for an RCU grace period, which no test
 * should wait for; and some kernels and sandboxes (gVisor, say) offer AF_PACKET without
 * {@code PACKET_RX_RING}. Such sockets are read with {@code recvmmsg}, where the kernel queues a
 * clone of each frame (a whole GSO segment, charged in full to the receive buffer). A test's
 * recording starts so; once a tap has read {@value CaptureSession#RING_AFTER_FRAMES} frames (bulk
 * traffic, which {@code recvmmsg} slows down), its session hands its namespace over to a tap with a
 * ring, set up in the background ({@link Handover}), whose frames count as this
 * tap's interfaces' ({@link #identity}). A tap whose receive buffer the kernel capped (rootless:
 * {@code net.core.rmem_max}) is handed over at once, as a burst would overflow it.
 */
final class PacketTap {
  static final int BATCH = 32;
  // struct mmsghdr on LP64: struct msghdr (56 bytes) then msg_len; 64 bytes with padding.
  private static final int MMSGHDR = 64;
  private static final int IOVEC = 16;
  private static final int NAME = 24; // struct sockaddr_ll is 20 bytes
  private static final int CONTROL = 64; // CMSG_SPACE(sizeof(struct timespec)) is 32
  private static final int SOL_SOCKET = 1;
  /** How long a stop or a read while running waits for the ring's open block at most. */
  private static final long OPEN_BLOCK_WAIT_MILLIS = 4L * PacketRing.RETIRE_MILLIS + 20;

  final String label;
  final NsHandle namespace;
  /** The tap whose interfaces this one's frames belong to: itself, or the tap it took over from. */
  final PacketTap identity;
  private final CaptureSession session;
  private final int snapLength;
  private final PacketRing ring; // null: read with recvmmsg
  private final Messages messages; // null with a ring
  private final Memory memory; // the messages' memory
  private final ByteBuffer view;
  private final int iovecs;
  private final int names;
  private final int controls;
  private final int data;
  private int fd; // guarded by this; -1 once stopped
  private long kernelDrops; // guarded by this
  /** The receive buffer the kernel granted (SO_RCVBUF reads back twice what was set); 0 with a ring. */
  private final int receiveBuffer;
  private long framesRead; // guarded by this
  private boolean ringAsked; // guarded by this
  /** Set while its namespace is handed over to another tap: frames go through it ({@link CaptureSession}). */
  volatile Handover handover;

  private PacketTap(String label, NsHandle namespace, CaptureSession session, int snapLength, int fd,
      PacketRing ring, int receiveBuffer, PacketTap predecessor) {
    this.label = label;
    this.receiveBuffer = receiveBuffer;
    this.namespace = namespace;
    this.identity = predecessor != null ? predecessor.identity : this;
    this.session = session;
    this.snapLength = snapLength;
    this.fd = fd;
    this.ring = ring;
    iovecs = MMSGHDR * BATCH;
    names = iovecs + IOVEC * BATCH;
    controls = names + NAME * BATCH;
    data = controls + CONTROL * BATCH;
    if (ring != null) {
      messages = null;
      memory = null;
      view = null;
      return;
    }
    messages = Messages.take(snapLength);
    memory = messages.memory;
    view = messages.view;
  }

  /**
   * {@code recvmmsg}'s {@value #BATCH} messages with their buffers for one snap length, in native
   * memory that points into itself; a stopped tap gives them back, and the next tap of the same
   * snap length takes them as they are (a test's recording then starts without allocating them).
   */
  private static final class Messages {
    private static final Map<Integer, BlockingQueue<Messages>> FREE = new ConcurrentHashMap<>();
    /** Messages kept for reuse per snap length: more than the taps of most tests at once. */
    private static final int KEPT = 32;
    final int snapLength;
    final Memory memory;
    final ByteBuffer view;

    private Messages(int snapLength) {
      this.snapLength = snapLength;
      int data = MMSGHDR * BATCH + (IOVEC + NAME + CONTROL) * BATCH;
      memory = new Memory((long) data + (long) snapLength * BATCH);
      memory.clear();
      view = memory.getByteBuffer(0, memory.size()).order(ByteOrder.nativeOrder());
      long base = Pointer.nativeValue(memory);
      int iovecs = MMSGHDR * BATCH;
      int names = iovecs + IOVEC * BATCH;
      int controls = names + NAME * BATCH;
      for (int i = 0; i < BATCH; i++) {
        int header = MMSGHDR * i;
        view.putLong(header, base + names + NAME * i); // msg_name
        view.putLong(header + 16, base + iovecs + IOVEC * i); // msg_iov
        view.putLong(header + 24, 1); // msg_iovlen
        view.putLong(header + 32, base + controls + CONTROL * i); // msg_control
        view.putLong(iovecs + IOVEC * i, base + data + (long) snapLength * i); // iov_base
        view.putLong(iovecs + IOVEC * i + 8, snapLength); // iov_len
      }
    }

    static Messages take(int snapLength) {
      BlockingQueue<Messages> free = FREE.get(snapLength);
      Messages messages = free != null ? free.poll() : null;
      return messages != null ? messages : new Messages(snapLength);
    }

    /** For the next tap; its last user reads it no more (its socket is closed). Beyond {@link #KEPT}, left to the collector. */
    void giveBack() {
      FREE.computeIfAbsent(snapLength, length -> new ArrayBlockingQueue<>(KEPT)).offer(this);
    }
  }

  /**
   * A tap on {@code fd}, an AF_PACKET socket made inside {@code namespace} and set up for
   * {@code recvmmsg} ({@link Syscalls#packetSocket}, {@link Syscalls#configurePacketSocket}: a socket
   * made ahead of need comes so, and a test's recording starts without a system call for it); closes
   * it if it cannot be had.
   */
  static PacketTap of(String label, NsHandle namespace, CaptureSession session, int snapLength, int fd)
      throws ErrnoException {
    try {
      int granted = Syscalls.packetReceiveBuffer(fd, "netns " + label);
      return new PacketTap(label, namespace, session, snapLength, fd, null, granted, null);
    } catch (ErrnoException | RuntimeException e) {
      Syscalls.closeQuietly(fd);
      throw e;
    }
  }

  /** A tap on {@code fd}, an AF_PACKET socket made inside {@code namespace} with its {@code ring} set up. */
  static PacketTap ofRing(String label, NsHandle namespace, CaptureSession session, int snapLength, int fd,
      PacketRing ring) {
    return new PacketTap(label, namespace, session, snapLength, fd, ring, 0, null);
  }

  /** A tap with a ring that takes over {@code predecessor}'s namespace; its frames count as its predecessor's interfaces'. */
  static PacketTap successor(PacketTap predecessor, int fd, PacketRing ring) {
    return new PacketTap(predecessor.label, predecessor.namespace, predecessor.session, predecessor.snapLength, fd,
        ring, 0, predecessor);
  }

  /**
   * Whether the kernel granted less receive buffer than asked for: without CAP_NET_ADMIN over the
   * host (rootless) it caps it at {@code net.core.rmem_max}, often 208 KiB, a few GSO segments.
   */
  boolean bufferCapped() {
    return ring == null && receiveBuffer < 2 * Syscalls.PACKET_RECEIVE_BUFFER;
  }

  /** The receive buffer the kernel granted, in bytes (twice what it lets queue as data). */
  int receiveBuffer() {
    return receiveBuffer;
  }

  /**
   * Asks the session, once, for a ring: after {@value CaptureSession#RING_AFTER_FRAMES} frames, or
   * at once when the buffer is capped (it cannot hold a burst).
   */
  synchronized void askForRing() {
    if (!ringAsked) {
      ringAsked = true;
      session.ringWanted(this); // only queues the hand-over
    }
  }

  /** Whether frames come through a {@code TPACKET_V3} ring (else through {@code recvmmsg}). */
  boolean hasRing() {
    return ring != null;
  }

  synchronized int fd() {
    return fd;
  }

  /**
   * Reads every frame queued now (with a ring: in the blocks the kernel has handed over) and hands
   * it to the session; nothing once stopped.
   */
  synchronized void drain() throws ErrnoException {
    if (ring != null) {
      if (fd >= 0) {
        ring.drain(this::take);
      }
      return;
    }
    while (fd >= 0) {
      for (int i = 0; i < BATCH; i++) {
        int header = MMSGHDR * i;
        view.putInt(header + 8, NAME); // msg_namelen
        view.putLong(header + 40, CONTROL); // msg_controllen
        view.putInt(header + 48, 0); // msg_flags
      }
      int count = Syscalls.recvmmsg(fd, memory, BATCH, Syscalls.MSG_TRUNC, "AF_PACKET socket of netns " + label);
      for (int i = 0; i < count; i++) {
        take(i);
      }
      framesRead += count;
      if (framesRead >= CaptureSession.RING_AFTER_FRAMES) {
        askForRing();
      }
      if (count < BATCH) {
        return;
      }
    }
  }

  private void take(int slot) {
    int header = MMSGHDR * slot;
    int length = view.getInt(header + 56); // msg_len: the frame's full length (MSG_TRUNC)
    int name = names + NAME * slot;
    int ifindex = view.getInt(name + 4);
    int hardwareType = Short.toUnsignedInt(view.getShort(name + 8));
    int direction = Byte.toUnsignedInt(view.get(name + 10));
    if (hardwareType == Packet.ARPHRD_LOOPBACK && direction == Packet.OUTGOING) {
      return; // lo shows each frame going out and coming in; keep it once, as tcpdump does
    }
    long nanos = timestamp(header, controls + CONTROL * slot);
    session.received(this, nanos, ifindex, hardwareType, direction, length, view, data + snapLength * slot,
        Math.min(length, snapLength));
  }

  /** A frame of the ring. */
  private void take(long nanos, int ifindex, int hardwareType, int direction, int length, ByteBuffer frames, int at,
      int captured) {
    if (hardwareType == Packet.ARPHRD_LOOPBACK && direction == Packet.OUTGOING) {
      return; // as above
    }
    session.received(this, nanos, ifindex, hardwareType, direction, length, frames, at,
        Math.min(captured, snapLength));
  }

  /**
   * Reads every frame the kernel holds for this tap up to now: with a ring, it waits (up to
   * {@value #OPEN_BLOCK_WAIT_MILLIS} ms) for the block being filled to be handed over.
   */
  void drainAll() throws ErrnoException {
    drain();
    if (ring == null) {
      return;
    }
    long deadline = System.nanoTime() + OPEN_BLOCK_WAIT_MILLIS * 1_000_000L;
    while (openBlockHasFrames() && System.nanoTime() < deadline) {
      try {
        Thread.sleep(1); // without the lock: the reader thread goes on with the other taps meanwhile
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        break;
      }
      drain();
    }
    drain();
  }

  private synchronized boolean openBlockHasFrames() {
    return fd >= 0 && ring.openBlockHasFrames();
  }

  /** The SCM_TIMESTAMPNS control message's time, or now when the kernel gave none. */
  private long timestamp(int header, int control) {
    long controlLength = view.getLong(header + 40);
    int offset = 0;
    while (offset + 16 <= controlLength) {
      long cmsgLength = view.getLong(control + offset);
      int level = view.getInt(control + offset + 8);
      int type = view.getInt(control + offset + 12);
      if (level == SOL_SOCKET && type == Syscalls.SO_TIMESTAMPNS && cmsgLength >= 32) {
        return view.getLong(control + offset + 16) * 1_000_000_000L + view.getLong(control + offset + 24);
      }
      if (cmsgLength < 16) {
        break;
      }
      offset += (int) ((cmsgLength + 7) & ~7L);
    }
    long millis = System.currentTimeMillis();
    return millis * 1_000_000L;
  }

  /**
   * Stops the tap: reads what is queued, notes the kernel's drop count and hands the socket to
   * {@code closer} (closing an AF_PACKET socket waits for an RCU grace period). Idempotent.
   */
  void stop(CaptureReader reader) {
    if (fd() < 0) {
      return;
    }
    reader.unwatch(this);
    try {
      drainAll();
    } catch (ErrnoException e) {
      session.tapFailed(this, e);
    }
    synchronized (this) {
      if (fd < 0) {
        return;
      }
      try {
        Memory stats = new Memory(12); // struct tpacket_stats (tp_packets, tp_drops), tpacket_stats_v3 with a ring
        Syscalls.getsockopt(fd, Syscalls.SOL_PACKET, Syscalls.PACKET_STATISTICS, stats, "AF_PACKET socket of netns "
            + label);
        kernelDrops += Integer.toUnsignedLong(stats.getInt(4));
      } catch (ErrnoException e) {
        // the drop count is a courtesy; the packets are what matters
      }
      close(reader);
    }
  }

  private void close(CaptureReader reader) {
    int closing = fd;
    fd = -1;
    CaptureSockets.closeLater(reader, closing, ring);
    if (messages != null) {
      messages.giveBack(); // drain() reads nothing more: fd is -1, under this lock
    }
  }

  /**
   * Stops the tap without reading what is queued: the recording is not wanted. The reader unwatches
   * and closes its socket ({@link CaptureReader#retire}). Idempotent.
   */
  synchronized void discard(CaptureReader reader) {
    if (fd < 0) {
      return;
    }
    int closing = fd;
    fd = -1;
    reader.retire(this, closing, ring);
    if (messages != null) {
      messages.giveBack(); // drain() reads nothing more: fd is -1, under this lock
    }
  }

  /** Reading failed: the session notes it and goes on without this tap. */
  void failed(Exception e) {
    session.tapFailed(this, e);
  }

  /** Frames the kernel dropped because the reader fell behind (the socket's buffer, or its ring, was full). */
  synchronized long kernelDrops() {
    return kernelDrops;
  }
}
