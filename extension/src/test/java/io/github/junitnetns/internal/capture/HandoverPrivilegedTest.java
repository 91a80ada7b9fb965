package io.github.junitnetns.internal.capture;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.github.junitnetns.Network;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * A test's recording starts on {@code recvmmsg} and hands a busy namespace over to a tap with a
 * {@code TPACKET_V3} ring while traffic flows: both sockets receive the frames of the moment in
 * between, and each frame is kept exactly once, on the interface it was seen on.
 */
@Tag("privileged")
class HandoverPrivilegedTest {
  private static final int PORT = 9999;

  @Test
  void aBusyNamespaceIsHandedOverToARingWhileTrafficFlowsAndEveryFrameIsKeptOnce() throws Exception {
    try (Network net = Network.builder().namespace("a").namespace("b").veth("a", "b", "10.0.9.0/30").build()) {
      long handedBefore = CaptureSession.handedOver();
      CaptureSession session = CaptureSession.start(List.of(
          new CaptureSession.Target("a", Handles.of(net.ns("a"))),
          new CaptureSession.Target("b", Handles.of(net.ns("b")))), 64L << 20, 128, false);
      try (DatagramSocket receiver = net.ns("b").call(() -> new DatagramSocket(new InetSocketAddress("10.0.9.2", PORT)))) {
        assertThat(receiver.getLocalPort()).isEqualTo(PORT); // bound in b, so that b answers no datagram with ICMP
        if (!session.buffersCapped()) { // else it is handed over at once (the test below)
          assertThat(session.ringTaps()).as("a test's recording starts without rings").isZero();
        }
        // Datagrams numbered from 0, until both namespaces are handed over and 2,000 more after that.
        int sent = net.ns("a").call(() -> {
          try (DatagramSocket socket = new DatagramSocket()) {
            InetSocketAddress to = new InetSocketAddress("10.0.9.2", PORT);
            long deadline = System.nanoTime() + 20_000_000_000L;
            int after = -1;
            int n = 0;
            while ((after < 0 || n < after) && System.nanoTime() < deadline) {
              socket.send(new DatagramPacket(ByteBuffer.allocate(4).putInt(n).array(), 4, to));
              n++;
              if (n % 100 == 0) {
                Thread.sleep(1); // at most 100,000 a second: the capture keeps up
              }
              if (after < 0 && session.ringTaps() >= 2) {
                after = n + 2_000;
              }
            }
            return n;
          }
        });
        session.stop();
        assertThat(session.ringTaps()).as("namespaces handed over to a ring").isEqualTo(2);
        // Other tests may hand over meanwhile: the statistic grew by at least these two.
        assertThat(CaptureSession.handedOver() - handedBefore).isGreaterThanOrEqualTo(2);
        assertThat(session.kernelDrops()).as("frames the kernel dropped: then not every datagram can be there").isZero();
        assertThat(session.droppedOldest()).isZero();

        Map<String, int[]> seen = new HashMap<>(); // "a out", "b in": how often each number was seen
        for (Packet packet : session.snapshot()) {
          ByteBuffer frame = ByteBuffer.wrap(packet.data());
          if (packet.length() != 46 || frame.getShort(12) != 0x0800 || frame.get(23) != 17
              || Short.toUnsignedInt(frame.getShort(36)) != PORT) {
            continue; // not one of ours: Ethernet, IPv4, UDP to PORT, 4 bytes
          }
          String where = packet.tap().label + (packet.direction() == Packet.OUTGOING ? " out" : " in");
          seen.computeIfAbsent(where, k -> new int[sent])[frame.getInt(42)]++;
        }
        assertThat(seen).containsOnlyKeys("a out", "b in");
        for (Map.Entry<String, int[]> entry : seen.entrySet()) {
          int[] counts = entry.getValue();
          for (int i = 0; i < sent; i++) {
            int number = i;
            assertThat(counts[i]).as(() -> "datagram " + number + " of " + sent + " seen " + entry.getKey()).isEqualTo(1);
          }
        }
      } finally {
        session.close();
      }
    }
  }

  @Test
  void aNamespaceWhoseReceiveBufferTheKernelCappedIsHandedOverAtOnceWithoutTraffic() throws Exception {
    try (Network net = Network.builder().namespace("quiet").build()) {
      long handedBefore = CaptureSession.handedOver();
      CaptureSession session = CaptureSession.start(List.of(new CaptureSession.Target("quiet", Handles.of(net.ns("quiet")))),
          1L << 20, 128, false);
      try {
        assumeTrue(session.buffersCapped(), "the kernel caps a capture socket's receive buffer only for a JVM without"
            + " CAP_NET_ADMIN over the host (rootless; ci/run-rootless runs this)");
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(session.ringTaps()).isEqualTo(1));
        assertThat(CaptureSession.handedOver() - handedBefore).isGreaterThanOrEqualTo(1);
      } finally {
        session.close();
      }
    }
  }
}
