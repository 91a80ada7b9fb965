package io.github.junitnetns.testsupport;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.junitnetns.NetNs;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.concurrent.CompletableFuture;

/** A timed bulk TCP transfer between two namespaces, for tests that measure a link's rate. */
public final class BulkTransfer {
  private BulkTransfer() {}

  /**
   * Seconds to send {@code bytes} over TCP from {@code from} to {@code address}, a listener in
   * {@code to}. The transfer is timed, not the handshake: a SYN lost on a fresh link costs TCP's
   * initial 1 s retransmission timeout, which says nothing about the link's rate.
   */
  public static double seconds(NetNs from, NetNs to, String address, int bytes) throws Exception {
    InetAddress target = InetAddress.getByName(address);
    try (ServerSocket server = to.call(() -> new ServerSocket(0, 50, target))) {
      CompletableFuture<Long> received = CompletableFuture.supplyAsync(() -> {
        try (Socket socket = server.accept(); InputStream in = socket.getInputStream()) {
          long total = 0;
          byte[] buffer = new byte[64 * 1024];
          for (int n; (n = in.read(buffer)) > 0; ) {
            total += n;
          }
          return total;
        } catch (java.io.IOException e) {
          throw new java.io.UncheckedIOException(e);
        }
        // A thread of its own: on 2 cores the common pool runs one task at a time (JDK 25), so a
        // second receiver would wait for the first and its sender would stall on a full window.
      }, task -> new Thread(task, "receiver").start());
      return from.call(() -> {
        try (Socket socket = new Socket()) {
          socket.connect(new InetSocketAddress(target, server.getLocalPort()), 5000);
          long start = System.nanoTime();
          OutputStream out = socket.getOutputStream();
          out.write(new byte[bytes]);
          socket.shutdownOutput();
          assertThat(received.get()).isEqualTo(bytes);
          return (System.nanoTime() - start) / 1e9;
        }
      });
    }
  }
}
