package io.github.junitnetns.internal.capture;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** A recording's frames within its memory budget, oldest dropped first, no object per frame kept. */
class PacketStoreTest {

  /** Adds frame {@code n}: {@code size} captured bytes, each {@code (byte) n}, on interface {@code n % 3 + 1}. */
  private static void add(PacketStore store, int n, int size) {
    byte[] bytes = new byte[size + 10];
    Arrays.fill(bytes, 10, 10 + size, (byte) n);
    store.add(1_000_000_000L * n, null, n % 3 + 1, Packet.ARPHRD_ETHER, n % 2 == 0 ? Packet.OUTGOING : Packet.HOST,
        1500 + n, ByteBuffer.wrap(bytes), 10, size);
  }

  private static List<Packet> all(PacketStore store) {
    List<Packet> all = new ArrayList<>();
    store.forEach(all::add);
    return all;
  }

  @Test
  void keepsEveryFieldAndTheCapturedBytesInOrder() {
    PacketStore store = new PacketStore(8L << 20);
    for (int n = 0; n < 100; n++) {
      add(store, n, n % 40);
    }
    List<Packet> all = all(store);
    assertThat(all).hasSize(100);
    for (int n = 0; n < 100; n++) {
      Packet packet = all.get(n);
      assertThat(packet.nanos()).isEqualTo(1_000_000_000L * n);
      assertThat(packet.ifindex()).isEqualTo(n % 3 + 1);
      assertThat(packet.hardwareType()).isEqualTo(Packet.ARPHRD_ETHER);
      assertThat(packet.direction()).isEqualTo(n % 2 == 0 ? Packet.OUTGOING : Packet.HOST);
      assertThat(packet.length()).isEqualTo(1500 + n);
      byte[] expected = new byte[n % 40];
      Arrays.fill(expected, (byte) n);
      assertThat(packet.data()).isEqualTo(expected);
    }
    assertThat(store.added()).isEqualTo(100);
    assertThat(store.dropped()).isZero();
    assertThat(store.interfaces()).extracting(Packet.Iface::ifindex).containsExactlyInAnyOrder(1, 2, 3);
  }

  @Test
  void staysWithinTheBudgetByDroppingTheOldestFirst() {
    long limit = 64 << 10;
    PacketStore store = new PacketStore(limit);
    int frames = 5_000;
    for (int n = 0; n < frames; n++) {
      add(store, n, 100);
      assertThat(store.capacity()).as("bytes held after frame " + n).isLessThanOrEqualTo(limit);
    }
    List<Packet> kept = all(store);
    assertThat(store.dropped() + kept.size()).isEqualTo(frames);
    assertThat(store.dropped()).isPositive();
    // The newest frames, all of them, in order: what was dropped is a run of the oldest.
    for (int i = 0; i < kept.size(); i++) {
      assertThat(kept.get(i).nanos()).isEqualTo(1_000_000_000L * (store.dropped() + i));
    }
    // Dropping whole chunks keeps the budget to within one chunk: at least half of it holds frames.
    assertThat((long) kept.size() * (PacketStore.HEADER + 100)).isGreaterThan(limit / 2);
  }

  @Test
  void aFrameLargerThanTheBudgetIsKeptAloneAsTheNewest() {
    PacketStore store = new PacketStore(64 << 10);
    add(store, 1, 100);
    add(store, 2, 70_000);
    assertThat(all(store)).extracting(Packet::nanos).containsExactly(2_000_000_000L);
    assertThat(store.dropped()).isEqualTo(1);
    add(store, 3, 100);
    assertThat(all(store)).extracting(Packet::nanos).containsExactly(3_000_000_000L);
    assertThat(store.capacity()).isLessThanOrEqualTo(64 << 10);
  }

  @Test
  void clearForgetsTheFramesButNotTheCounts() {
    PacketStore store = new PacketStore(1 << 20);
    add(store, 1, 10);
    store.clear();
    assertThat(all(store)).isEmpty();
    assertThat(store.capacity()).isZero();
    assertThat(store.added()).isEqualTo(1);
  }
}
