package io.github.junitnetns.internal.capture;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Consumer;

/**
 * The frames a recording keeps, oldest first, within its memory budget: each frame a record of a
 * {@value #HEADER}-byte header and its captured bytes, packed one after another into byte arrays
 * ("chunks"). A frame costs no object of its own: a busy recording (tens of thousands of frames a
 * second, in the JVM whose threads are moving the traffic) would otherwise give the garbage
 * collector that many objects to allocate, trace and copy between young collections while they
 * stay within the budget, and every collection pauses the test's own threads.
 *
 * <p>Chunks grow from {@value #FIRST_CHUNK} bytes (a quiet test's few frames take little) by
 * doubling, up to a sixteenth of the budget and at most {@value #MAX_CHUNK} bytes. When another
 * chunk would take the chunks past the budget, the oldest chunk is dropped whole, its frames
 * counted in {@link #dropped()}, and its array reused: the budget holds, and at most one chunk's
 * worth of frames is dropped earlier than strict oldest-first order would. The newest frame is
 * always kept, even one larger than the budget. Not thread-safe: its session guards it.
 */
final class PacketStore {
  // A record: int captured, long nanos, int tap (index into taps), int ifindex, short hardware type,
  // byte direction, a byte of padding, int length on the wire; then the captured bytes.
  static final int HEADER = 28;
  static final int FIRST_CHUNK = 16 << 10;
  /** Below half of G1's smallest region (1 MiB), so that no chunk is a humongous object. */
  private static final int MAX_CHUNK = 256 << 10;

  private static final class Chunk {
    final byte[] bytes;
    final ByteBuffer view;
    int used;
    int frames;

    Chunk(int size) {
      bytes = new byte[size];
      view = ByteBuffer.wrap(bytes).order(ByteOrder.nativeOrder());
    }
  }

  private final long limit;
  private final int largestChunk;
  private final ArrayDeque<Chunk> chunks = new ArrayDeque<>();
  private final List<PacketTap> taps = new ArrayList<>(); // a record's tap index points here
  private long[] interfaces = new long[8]; // (tap index << 32 | ifindex) of every frame added, each once
  private int interfaceCount;
  private Chunk spare; // the last chunk dropped, for reuse
  private long capacity; // bytes of the chunks held
  private long added;
  private long dropped;

  PacketStore(long limit) {
    this.limit = limit;
    this.largestChunk = (int) Math.max(FIRST_CHUNK, Math.min(MAX_CHUNK, Long.highestOneBit(limit / 16)));
  }

  /** Adds a frame whose captured bytes are {@code from[at, at + captured)}. */
  void add(long nanos, PacketTap tap, int ifindex, int hardwareType, int direction, int length, ByteBuffer from,
      int at, int captured) {
    Chunk chunk = room(HEADER + captured);
    int record = chunk.used;
    int tapIndex = tapIndex(tap);
    chunk.view.putInt(record, captured);
    chunk.view.putLong(record + 4, nanos);
    chunk.view.putInt(record + 12, tapIndex);
    chunk.view.putInt(record + 16, ifindex);
    chunk.view.putShort(record + 20, (short) hardwareType);
    chunk.view.put(record + 22, (byte) direction);
    chunk.view.putInt(record + 24, length);
    from.get(at, chunk.bytes, record + HEADER, captured);
    chunk.used = record + HEADER + captured;
    chunk.frames++;
    added++;
    seen(tapIndex, ifindex);
  }

  /** Adds a frame read earlier into an object (held back during a hand-over). */
  void add(Packet packet) {
    add(packet.nanos(), packet.tap(), packet.ifindex(), packet.hardwareType(), packet.direction(), packet.length(),
        ByteBuffer.wrap(packet.data()), 0, packet.data().length);
  }

  /** Every frame kept, oldest added first, as objects. */
  void forEach(Consumer<Packet> action) {
    for (Chunk chunk : chunks) {
      ByteBuffer view = chunk.view;
      for (int record = 0; record < chunk.used; ) {
        int captured = view.getInt(record);
        byte[] data = new byte[captured];
        System.arraycopy(chunk.bytes, record + HEADER, data, 0, captured);
        action.accept(new Packet(view.getLong(record + 4), taps.get(view.getInt(record + 12)),
            view.getInt(record + 16), Short.toUnsignedInt(view.getShort(record + 20)),
            Byte.toUnsignedInt(view.get(record + 22)), view.getInt(record + 24), data));
        record += HEADER + captured;
      }
    }
  }

  /** The interfaces frames were added on, kept or dropped since. */
  List<Packet.Iface> interfaces() {
    List<Packet.Iface> all = new ArrayList<>(interfaceCount);
    for (int i = 0; i < interfaceCount; i++) {
      all.add(new Packet.Iface(taps.get((int) (interfaces[i] >>> 32)), (int) interfaces[i]));
    }
    return all;
  }

  /** Frames kept. */
  int size() {
    int frames = 0;
    for (Chunk chunk : chunks) {
      frames += chunk.frames;
    }
    return frames;
  }

  /** Frames added, kept or not. */
  long added() {
    return added;
  }

  /** Frames dropped to stay within the budget, oldest first. */
  long dropped() {
    return dropped;
  }

  /** Bytes the chunks take: at most the budget, unless one frame alone is larger. */
  long capacity() {
    return capacity;
  }

  /** Forgets every frame and releases the chunks. */
  void clear() {
    chunks.clear();
    spare = null;
    capacity = 0;
  }

  private Chunk room(int needed) {
    Chunk last = chunks.peekLast();
    if (last != null && last.bytes.length - last.used >= needed) {
      return last;
    }
    int size = Math.max(needed, last == null ? FIRST_CHUNK : Math.min(largestChunk, last.bytes.length * 2));
    while (!chunks.isEmpty() && capacity + size > limit) {
      Chunk oldest = chunks.removeFirst();
      capacity -= oldest.bytes.length;
      dropped += oldest.frames;
      spare = oldest;
    }
    Chunk chunk;
    if (spare != null && spare.bytes.length == size) {
      chunk = spare;
      chunk.used = 0;
      chunk.frames = 0;
    } else {
      chunk = new Chunk(size);
    }
    spare = null;
    chunks.addLast(chunk);
    capacity += size;
    return chunk;
  }

  private int tapIndex(PacketTap tap) {
    int index = taps.indexOf(tap); // one per namespace recorded: a handful
    if (index < 0) {
      taps.add(tap);
      index = taps.size() - 1;
    }
    return index;
  }

  private void seen(int tapIndex, int ifindex) {
    long key = (long) tapIndex << 32 | Integer.toUnsignedLong(ifindex);
    for (int i = 0; i < interfaceCount; i++) {
      if (interfaces[i] == key) {
        return;
      }
    }
    if (interfaceCount == interfaces.length) {
      interfaces = Arrays.copyOf(interfaces, interfaceCount * 2);
    }
    interfaces[interfaceCount++] = key;
  }
}
