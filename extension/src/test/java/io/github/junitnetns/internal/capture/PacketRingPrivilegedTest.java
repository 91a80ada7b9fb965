package io.github.junitnetns.internal.capture;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.junitnetns.NetNs;
import io.github.junitnetns.Network;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * A recording through {@code TPACKET_V3} rings ({@link CaptureSession#start} with rings, as
 * {@code net.capture()} starts one): every socket gets its ring, the kernel copies the snap length
 * of each frame and stamps it with the time of day, and what the open block holds is read on stop.
 */
@Tag("privileged")
class PacketRingPrivilegedTest {
  @Test
  void aTcpTransferAcrossAVethIsRecordedThroughRingsWithItsSnapLengthFullLengthsAndWallClockTimes()
      throws Exception {
    try (Network net = Network.builder().namespace("client").namespace("server")
        .veth("client", "server", "10.0.7.0/30").build()) {
      CaptureSession session = CaptureSession.start(List.of(
          new CaptureSession.Target("client", Handles.of(net.ns("client"))),
          new CaptureSession.Target("server", Handles.of(net.ns("server")))), 8L << 20, 128, true);
      long before = System.currentTimeMillis() * 1_000_000L;
      int sent = 4 << 20;
      try {
        long received = net.ns("server").call(() -> {
          try (ServerSocket server = new ServerSocket()) {
            server.bind(new InetSocketAddress("10.0.7.2", 0));
            CompletableFuture<Void> client = CompletableFuture.runAsync(() -> {
              try {
                net.ns("client").run(() -> {
                  try (Socket socket = new Socket("10.0.7.2", server.getLocalPort());
                      OutputStream out = socket.getOutputStream()) {
                    byte[] chunk = new byte[64 << 10];
                    for (int done = 0; done < sent; done += chunk.length) {
                      out.write(chunk);
                    }
                  }
                });
              } catch (Exception e) {
                throw new IllegalStateException(e);
              }
            });
            long total = 0;
            try (Socket accepted = server.accept(); InputStream in = accepted.getInputStream()) {
              byte[] buffer = new byte[64 << 10];
              for (int n; (n = in.read(buffer)) > 0; ) {
                total += n;
              }
            }
            client.join();
            return total;
          }
        });
        assertThat(received).isEqualTo(sent);
        session.stop();
        long after = System.currentTimeMillis() * 1_000_000L;

        assertThat(session.ringTaps()).isEqualTo(2);
        List<Packet> packets = session.snapshot();
        assertThat(packets).isNotEmpty();
        assertThat(packets).allSatisfy(p -> {
          assertThat(p.nanos()).isBetween(before - 1_000_000_000L, after + 1_000_000_000L);
          assertThat(p.data().length).isEqualTo(Math.min(p.length(), 128));
        });
        // Both ends saw the data go by, each a frame longer than the snap length kept as its first 128 bytes.
        assertThat(packets).filteredOn(p -> p.length() > 1000 && p.tap().label.equals("client")
            && p.direction() == Packet.OUTGOING).isNotEmpty();
        assertThat(packets).filteredOn(p -> p.length() > 1000 && p.tap().label.equals("server")
            && p.direction() == Packet.HOST).isNotEmpty();
        assertThat(session.summary()).contains("10.0.7.1.", " > 10.0.7.2.", "Flags [S]");
      } finally {
        session.close();
      }
    }
  }

  @Test
  void aRecordingReadWhileRunningHoldsWhatTheOpenBlockHas() throws Exception {
    try (NetNs ns = NetNs.create()) {
      CaptureSession session = CaptureSession.start(List.of(new CaptureSession.Target(ns.label(), Handles.of(ns))),
          8L << 20, 256, true);
      try {
        ns.run(() -> {
          try (java.net.DatagramSocket socket = new java.net.DatagramSocket()) {
            socket.send(new java.net.DatagramPacket(new byte[5], 5, java.net.InetAddress.getLoopbackAddress(), 7011));
          }
        });
        // One datagram is far from filling a block: it is read from the block the kernel is filling.
        // (and the ICMP port unreachable that answers it: nothing listens)
        assertThat(session.summary()).contains(" > 127.0.0.1.7011: UDP, length 5")
            .containsPattern("lo@" + ns.label() + ": 2 \\(ICMP 1, UDP 1\\)");
      } finally {
        session.close();
      }
    }
  }
}
