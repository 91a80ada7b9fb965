package io.github.junitnetns.testsupport;

import io.github.junitnetns.NetNs;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Numbered UDP datagrams from one namespace to another, each carrying its send time, and what
 * arrived: how many, which twice, and how long each took (one JVM, one clock). To measure what a
 * kernel's qdisc does to packets, independent of the code that set it up.
 */
public final class UdpProbe {
  /** One datagram that arrived: its number and the time from its send to its receipt. */
  public record Arrival(int seq, long latencyNanos) {}

  /** What arrived of {@code sent} datagrams, in order of arrival. */
  public record Result(int sent, List<Arrival> arrivals) {
    /** How many different datagrams arrived. */
    public int distinct() {
      BitSet seen = new BitSet(sent);
      arrivals.forEach(a -> seen.set(a.seq()));
      return seen.cardinality();
    }

    /** How many arrivals were copies of one that had arrived already. */
    public int duplicates() {
      return arrivals.size() - distinct();
    }

    /** The latencies in milliseconds, sorted. */
    public List<Double> sortedLatenciesMillis() {
      List<Double> millis = new ArrayList<>();
      arrivals.forEach(a -> millis.add(a.latencyNanos() / 1e6));
      Collections.sort(millis);
      return millis;
    }

    /** The {@code q}-quantile (0 to 1) of the latencies, in milliseconds. */
    public double latencyQuantileMillis(double q) {
      List<Double> sorted = sortedLatenciesMillis();
      return sorted.get((int) Math.min(sorted.size() - 1, Math.round(q * (sorted.size() - 1))));
    }
  }

  private UdpProbe() {}

  /**
   * Sends {@code count} datagrams from {@code from} to {@code address} in {@code to}, {@code burst}
   * at a time with a millisecond's pause between bursts (so no socket buffer overflows), and
   * collects what arrives until nothing has for {@code quietMillis}.
   */
  public static Result send(NetNs from, NetNs to, String address, int count, int burst, int quietMillis)
      throws Exception {
    ExecutorService receiving = Executors.newSingleThreadExecutor();
    try (DatagramSocket receiver = to.call(() -> new DatagramSocket(new InetSocketAddress(address, 0)));
        DatagramSocket sender = from.call(DatagramSocket::new)) {
      receiver.setSoTimeout(quietMillis);
      AtomicBoolean sent = new AtomicBoolean();
      Future<List<Arrival>> received = receiving.submit(() -> {
        List<Arrival> arrivals = new ArrayList<>();
        DatagramPacket packet = new DatagramPacket(new byte[64], 64);
        while (true) {
          try {
            receiver.receive(packet);
            long now = System.nanoTime();
            ByteBuffer data = ByteBuffer.wrap(packet.getData(), 0, packet.getLength());
            arrivals.add(new Arrival(data.getInt(), now - data.getLong()));
          } catch (SocketTimeoutException e) {
            if (sent.get()) {
              return arrivals;
            }
          }
        }
      });
      InetSocketAddress target = new InetSocketAddress(address, receiver.getLocalPort());
      byte[] payload = new byte[64];
      for (int seq = 0; seq < count; seq++) {
        ByteBuffer.wrap(payload).putInt(seq).putLong(System.nanoTime());
        sender.send(new DatagramPacket(payload, payload.length, target));
        if ((seq + 1) % burst == 0) {
          Thread.sleep(1);
        }
      }
      sent.set(true);
      return new Result(count, received.get(60, TimeUnit.SECONDS));
    } finally {
      receiving.shutdownNow();
    }
  }
}
