package io.github.junitnetns;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.github.junitnetns.internal.netlink.Qdiscs;
import io.github.junitnetns.internal.netlink.Tc;
import io.github.junitnetns.testsupport.Netem;
import io.github.junitnetns.testsupport.Samples;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.parallel.Isolated;

/**
 * Shaping requests against the real kernel: a TCP transfer through tbf takes as long as the rate
 * says, on the sender's egress and on the receiver's ingress (through an ifb); netem is refused
 * clearly where the kernel lacks it. Needs CAP_SYS_ADMIN. {@code @Isolated}: rates are measured
 * against the clock, so nothing else loads the CPU; each duration is the median of
 * {@link Samples#RUNS} transfers.
 */
@Isolated
@Tag("privileged")
class ShapingPrivilegedTest {
  private static final long RATE = 8_000_000; // 8 Mbit/s = 1,000,000 bytes/s
  private static final double TOLERANCE = 0.10;

  @Test
  void tbfOnTheSendersEgressHoldsATcpTransferToTheRate() throws Exception {
    try (NetNs client = NetNs.create("client"); NetNs server = NetNs.create("server")) {
      Link out = vethBetween(client, server);
      int burst = Qdiscs.defaultBurstBytes(RATE, out.mtu());
      // A queue of a second of the rate: no drops in this transfer. A drop in the sender's own qdisc is a
      // local drop, which TCP may answer by waiting out a retransmission timeout (>= 200 ms): with a
      // 100 ms queue, one run in three or so took 2.45 s instead of 2.19 s.
      int limit = Qdiscs.defaultLimitBytes(RATE, burst);
      client.client().replaceRootTbf(out.index(), RATE, burst, limit, "eth0@client");
      // What the kernel made of it, as tc reads it back: 1,000,000 bytes/s, the burst in bytes.
      assertThat(tc(client, "-j", "-d", "qdisc", "show", "dev", "eth0"))
          .contains("\"kind\":\"tbf\"", "\"handle\":\"1:\"", "\"rate\":1000000", "\"burst\":\"" + burst + "b");

      int bytes = 1024 * 1024;
      Samples shaped = Samples.of(() -> seconds(transfer(client, server, bytes)));
      tc(client, "qdisc", "del", "dev", "eth0", "root");
      assertThat(tc(client, "qdisc", "show", "dev", "eth0")).doesNotContain("tbf");
      Samples unshaped = Samples.of(() -> seconds(transfer(client, server, bytes)));

      double expected = wireSeconds(bytes, out.mtu(), RATE);
      assertThat(shaped.median()).as("%d bytes shaped: %s (%.3f s on the wire)", bytes, shaped, expected)
          .isBetween(expected * (1 - TOLERANCE), expected * (1 + TOLERANCE));
      assertThat(unshaped.median() * 10).as("unshaped %s, shaped %s", unshaped, shaped).isLessThan(shaped.median());
    }
  }

  @Test
  void tbfOnAnIfbShapesTheReceiversIngress() throws Exception {
    try (NetNs client = NetNs.create("client"); NetNs server = NetNs.create("server")) {
      vethBetween(client, server);
      Link in = server.link("eth0").orElseThrow();
      // ip link add ifb0 type ifb; tc qdisc add dev eth0 clsact;
      // tc filter add dev eth0 ingress u32 match u32 0 0 action mirred egress redirect dev ifb0
      server.client().newIfb("ifb0", in.mtu(), "ifb0@server");
      Link ifb = server.link("ifb0").orElseThrow();
      ifb.up();
      server.client().addClsact(in.index(), "eth0@server");
      server.client().redirectIngress(in.index(), 1, ifb.index(), "eth0@server", "ifb0@server");
      int burst = Qdiscs.defaultBurstBytes(RATE, in.mtu());
      server.client().replaceRootTbf(ifb.index(), RATE, burst, Qdiscs.defaultLimitBytes(RATE, burst), "ifb0@server");
      assertThat(tc(server, "filter", "show", "dev", "eth0", "ingress"))
          .contains("u32", "mirred (Egress Redirect to device ifb0)");

      int bytes = 1024 * 1024;
      Samples shaped = Samples.of(() -> seconds(transfer(client, server, bytes)));
      double expected = wireSeconds(bytes, in.mtu(), RATE);
      assertThat(shaped.median()).as("%d bytes through the ifb: %s (%.3f s on the wire)", bytes, shaped, expected)
          .isBetween(expected * (1 - TOLERANCE), expected * (1 + TOLERANCE));
    }
  }

  @Test
  void netemIsRefusedClearlyWhereTheKernelHasNoSchNetem() {
    Netem.assumeMissing();
    try (NetNs ns = NetNs.create("netem")) {
      Link lo = ns.link("lo").orElseThrow();
      Shaping lossy = Shaping.delay(Duration.ofMillis(50)).withJitter(Duration.ofMillis(5)).withLoss(1);
      NetNsException e = catchThrowableOfType(NetNsException.class,
          () -> ns.client().replaceRootNetem(lo.index(), Shaper.netem(lossy), "lo@netem"));
      assertThat(e).as("the kernel's refusal").isNotNull();
      assertThat(e.is("ENOENT")).isTrue();
      assertThat(e.getMessage()).contains("netem delay 50ms jitter 5ms loss 1% on lo@netem",
          "Specified qdisc kind is unknown");
      assertThat(Shaper.isUnknownKind(e)).isTrue();
      assertThat(Shaper.netemMissingMessage(lossy, "lo@netem")).contains("sch_netem", "modprobe");
      assertThat(tc(ns, "qdisc", "show", "dev", "lo")).doesNotContain("netem");
    }
  }

  @Test
  void theKernelReadsBackTheNetemRequestAsTcWouldHaveMadeIt() {
    Netem.assumePresent();
    try (NetNs ns = NetNs.create("netem")) {
      Link lo = ns.link("lo").orElseThrow();
      Shaping lossy = Shaping.delay(Duration.ofMillis(50)).withJitter(Duration.ofMillis(5)).withLoss(1);
      ns.client().replaceRootNetem(lo.index(), Shaper.netem(lossy), "lo@netem");
      assertThat(tc(ns, "qdisc", "show", "dev", "lo"))
          .contains("netem 1:", "limit 1000", "delay 50ms", "5ms", "loss 1%");
    }
  }

  // ---- helpers ----

  /** client eth0 10.0.0.1/24 <-> server eth0 10.0.0.2/24; returns the client's end. */
  private static Link vethBetween(NetNs client, NetNs server) {
    VethPair veth = VethPair.create(client, "eth0", server, "eth0");
    veth.left().addAddress("10.0.0.1/24");
    veth.right().addAddress("10.0.0.2/24");
    return veth.left();
  }

  /**
   * Sends {@code bytes} from client to server over TCP; the time from the first write until the
   * server has read the last byte.
   */
  private static Duration transfer(NetNs client, NetNs server, int bytes) throws Exception {
    ExecutorService reader = Executors.newSingleThreadExecutor();
    try (ServerSocket listener = server.call(() -> new ServerSocket(0, 1, InetAddress.getByName("10.0.0.2")))) {
      Future<Long> lastByte = reader.submit(() -> {
        try (Socket accepted = listener.accept(); InputStream in = accepted.getInputStream()) {
          byte[] buffer = new byte[64 * 1024];
          long total = 0;
          for (int n; (n = in.read(buffer)) > 0; ) {
            total += n;
          }
          assertThat(total).isEqualTo(bytes);
          return System.nanoTime();
        }
      });
      try (Socket socket = client.call(() -> {
        Socket s = new Socket();
        s.connect(new InetSocketAddress("10.0.0.2", listener.getLocalPort()), 2_000);
        return s;
      })) {
        long start = System.nanoTime();
        socket.getOutputStream().write(new byte[bytes]);
        socket.shutdownOutput();
        return Duration.ofNanos(lastByte.get(30, TimeUnit.SECONDS) - start);
      }
    } finally {
      reader.shutdownNow();
    }
  }

  /**
   * Seconds that {@code payload} bytes of TCP take on an Ethernet link of {@code mtu} at
   * {@code rate}: tbf counts whole frames, so each segment of MSS = MTU - 20 (IP) - 20 (TCP)
   * - 12 (timestamps) bytes costs 66 bytes more (with the 14-byte Ethernet header).
   */
  private static double wireSeconds(long payload, int mtu, long rateBitsPerSecond) {
    int mss = mtu - 20 - 20 - 12;
    long segments = (payload + mss - 1) / mss;
    long wireBytes = payload + segments * (20 + 20 + 12 + Tc.ETH_HLEN);
    return wireBytes * 8.0 / rateBitsPerSecond;
  }

  private static double seconds(Duration duration) {
    return duration.toNanos() / 1e9;
  }

  /** {@code tc ARGS} inside {@code ns}, to cross-check what the kernel made of a request. */
  private static String tc(NetNs ns, String... args) {
    String[] command = new String[args.length + 1];
    command[0] = "tc";
    System.arraycopy(args, 0, command, 1, args.length);
    Process process = ns.exec(new ProcessBuilder(command).redirectErrorStream(true));
    try {
      String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      assertThat(process.waitFor(10, TimeUnit.SECONDS)).as("tc %s ended", String.join(" ", args)).isTrue();
      assertThat(process.exitValue()).as("exit status of tc %s, which said: %s", String.join(" ", args), output)
          .isZero();
      return output;
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }
}
