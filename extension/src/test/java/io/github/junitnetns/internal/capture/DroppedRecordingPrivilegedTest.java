package io.github.junitnetns.internal.capture;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.github.junitnetns.NetNs;
import io.github.junitnetns.Network;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * A recording dropped unread (a passing test's) leaves its sockets to the capture reader, which
 * unwatches and closes them: the test's thread makes no system call for them and wakes no thread.
 */
@Tag("privileged")
class DroppedRecordingPrivilegedTest {
  /** The AF_PACKET sockets of {@code ns}'s namespace, from its /proc/net/packet (a header line, then one per socket). */
  private static long packetSockets(NetNs ns) throws Exception {
    return ns.call(() -> Files.readAllLines(Path.of("/proc/thread-self/net/packet")).size() - 1L);
  }

  private static long readerCpuNanos() {
    ThreadMXBean threads = ManagementFactory.getThreadMXBean();
    return Arrays.stream(threads.getThreadInfo(threads.getAllThreadIds()))
        .filter(info -> info != null && info.getThreadName().equals("junit-netns-capture"))
        .mapToLong(info -> threads.getThreadCpuTime(info.getThreadId())).sum();
  }

  /**
   * Recordings one after the other, none open at times, and no frame to wake the reader: each
   * dropped one's socket is closed soon all the same (the reader does not go back to waiting a second
   * at a time between two of them).
   */
  @Test
  void aQuietRecordingDroppedBetweenOthersIsClosedSoon() throws Exception {
    try (Network net = Network.builder().namespace("q").build()) {
      List<CaptureSession.Target> target = List.of(new CaptureSession.Target("q", Handles.of(net.ns("q"))));
      CaptureSession.start(target, 8L << 20, 256, false).close();
      Thread.sleep(1200); // the reader has woken since and settled it, with no recording open
      assertThat(packetSockets(net.ns("q"))).as("the first recording's socket, a second later").isZero();
      CaptureSession.start(target, 8L << 20, 256, false).close();
      await().atMost(Duration.ofMillis(400)).pollInterval(Duration.ofMillis(10))
          .untilAsserted(() -> assertThat(packetSockets(net.ns("q"))).as("the second one's").isZero());
    }
  }

  @Test
  void aDroppedRecordingWithFramesStillQueuedIsClosedByTheReaderWithoutItSpinning() throws Exception {
    try (Network net = Network.builder().namespace("a").namespace("b").veth("a", "b", "10.0.11.0/30").build()) {
      CaptureSession session = CaptureSession.start(List.of(new CaptureSession.Target("a", Handles.of(net.ns("a"))),
          new CaptureSession.Target("b", Handles.of(net.ns("b")))), 8L << 20, 256, false);
      // One socket each; rootless, where the kernel capped its buffer, a second one with a ring takes over.
      assertThat(packetSockets(net.ns("a"))).as("a's recording sockets").isBetween(1L, 2L);
      // Frames go on arriving after the drop, so that the dropped sockets have unread frames: their
      // epoll readiness stays on until the reader unwatches them, and the reader must not spin on it.
      List<Throwable> failed = new java.util.concurrent.CopyOnWriteArrayList<>();
      Thread sender = new Thread(() -> {
        try {
          net.ns("a").run(() -> {
            try (DatagramSocket socket = new DatagramSocket()) {
              InetSocketAddress to = new InetSocketAddress("10.0.11.2", 9);
              for (int i = 0; i < 400; i++) {
                socket.send(new DatagramPacket(new byte[64], 64, to));
                Thread.sleep(1);
              }
            }
          });
        } catch (Exception e) {
          failed.add(e);
        }
      }, "dropped-recording-sender");
      sender.start();
      Thread.sleep(50);
      session.close();
      long cpuBefore = readerCpuNanos();
      long wallBefore = System.nanoTime();
      await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> {
        assertThat(packetSockets(net.ns("a"))).as("a's sockets").isZero();
        assertThat(packetSockets(net.ns("b"))).as("b's sockets").isZero();
      });
      sender.join();
      assertThat(failed).as("the sender").isEmpty();
      long cpu = readerCpuNanos() - cpuBefore;
      long wall = System.nanoTime() - wallBefore;
      assertThat(cpu).as("the reader's CPU time while the dropped sockets were settled, of %d ms", wall / 1_000_000)
          .isLessThan(wall / 4);
    }
  }
}
