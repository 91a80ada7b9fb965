package io.github.junitnetns;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Connection resets over sock_diag, against the real kernel: "a" and "b" joined by a veth (IPv4
 * and IPv6), "a" and "c" by another. Needs CAP_NET_ADMIN and CONFIG_INET_DIAG_DESTROY.
 */
@Tag("privileged")
class ConnectionsPrivilegedTest {
  /**
   * How long a read that should end, or a thread that should block, is waited for. Not a timing
   * claim: the reads have no timeout (SO_TIMEOUT 0), so without the reset they would block for
   * ever, and any bound proves the reset ended them; a generous one keeps a loaded machine from
   * failing the test.
   */
  private static final Duration BOUND = Duration.ofSeconds(10);
  private static final InetAddress A4 = ip("10.0.0.1");
  private static final InetAddress A6 = ip("fd00::1");
  private static final InetAddress B4 = ip("10.0.0.2");
  private static final InetAddress B6 = ip("fd00::2");
  private static final InetAddress C4 = ip("10.0.1.2");

  private final List<AutoCloseable> resources = new ArrayList<>();
  private NetNs a;
  private NetNs b;
  private NetNs c;

  @BeforeEach
  void topology() {
    a = closeLater(NetNs.create("a"));
    b = closeLater(NetNs.create("b"));
    c = closeLater(NetNs.create("c"));
    VethPair ab = VethPair.create(a, "eth0", b, "eth0");
    ab.left().addAddress("10.0.0.1/24");
    ab.left().addAddress("fd00::1/64");
    ab.right().addAddress("10.0.0.2/24");
    ab.right().addAddress("fd00::2/64");
    VethPair ac = VethPair.create(a, "eth1", c, "eth0");
    ac.left().addAddress("10.0.1.1/24");
    ac.right().addAddress("10.0.1.2/24");
  }

  @AfterEach
  void closeAll() throws Exception {
    for (int i = resources.size() - 1; i >= 0; i--) {
      resources.get(i).close();
    }
  }

  @Test
  void resetsTheConnectionsToAPeerAndLeavesOthersAlone() throws Exception {
    ServerSocket onB = listen(b);
    ServerSocket onC = listen(c);
    Connection v4 = connect(a, B4, onB);
    Connection v6 = connect(a, B6, onB);
    Connection toC = connect(a, C4, onC);
    // Both ends of the IPv4 connection are blocked in read when the reset comes.
    CompletableFuture<Integer> localRead = blockedRead(v4.local);
    CompletableFuture<Integer> remoteRead = blockedRead(v4.remote);

    assertThat(Connections.resetTcp(a, Set.of(B4, B6))).isEqualTo(2);

    // The socket destroyed in "a" fails with ECONNABORTED, the peer gets the RST: ECONNRESET.
    assertThat(failure(localRead)).isInstanceOf(IOException.class).hasMessage("Software caused connection abort");
    assertThat(failure(remoteRead)).isInstanceOf(IOException.class).hasMessage("Connection reset");
    // Writing fails too, on the IPv6 connection (nobody was reading there).
    assertThatThrownBy(() -> v6.local.getOutputStream().write(1)).isInstanceOf(IOException.class)
        .hasMessage("Software caused connection abort");
    assertThatThrownBy(() -> v6.remote.getInputStream().read()).isInstanceOf(IOException.class)
        .hasMessage("Connection reset");

    // Nothing left to reset on either side: the RST closed "b"'s ends.
    assertThat(Connections.resetTcp(a, Set.of(B4, B6))).isZero();
    assertThat(Connections.resetTcp(b, Set.of(A4, A6))).isZero();

    // The connection to "c" is untouched, and new connections to "b" work.
    assertThat(echo(toC)).isEqualTo(42);
    assertThat(echo(connect(a, B4, onB))).isEqualTo(42);
    assertThat(echo(connect(a, B6, onB))).isEqualTo(42);
  }

  @Test
  void eitherSideCanReset() throws Exception {
    ServerSocket onB = listen(b);
    Connection v4 = connect(a, B4, onB);
    CompletableFuture<Integer> localRead = blockedRead(v4.local);
    CompletableFuture<Integer> remoteRead = blockedRead(v4.remote);

    assertThat(Connections.resetTcp(b, Set.of(A4, A6))).isEqualTo(1);

    assertThat(failure(remoteRead)).hasMessage("Software caused connection abort");
    assertThat(failure(localRead)).hasMessage("Connection reset");
  }

  @Test
  void noMatchingConnectionResetsNothing() throws Exception {
    ServerSocket onC = listen(c);
    Connection toC = connect(a, C4, onC);

    assertThat(Connections.resetTcp(a, Set.of(B4, B6))).isZero();
    assertThat(Connections.resetTcp(b, Set.of(A4, A6))).isZero(); // a namespace without connections
    assertThat(Connections.resetTcp(a, Set.of())).isZero();
    // A listening socket has no peer: never reset.
    assertThat(Connections.resetTcp(c, Set.of(ip("0.0.0.0"), ip("::")))).isZero();

    assertThat(echo(toC)).isEqualTo(42);
  }

  // ---- helpers ----

  private static final class Connection {
    final Socket local;
    final Socket remote;

    Connection(Socket local, Socket remote) {
      this.local = local;
      this.remote = remote;
    }
  }

  /** A dual-stack listener on every address of {@code ns}, port 7000. */
  private ServerSocket listen(NetNs ns) throws IOException {
    return closeLater(ns.call(() -> new ServerSocket(7000)));
  }

  private Connection connect(NetNs from, InetAddress to, ServerSocket server) throws IOException {
    Socket local = closeLater(from.call(() -> {
      Socket socket = new Socket();
      // Not 1 s: on a veth just created, the first packet is sometimes lost (the kernel activates
      // the end that came up first from its rate-limited linkwatch work), and SYN is resent at 1 s.
      socket.connect(new InetSocketAddress(to, server.getLocalPort()), 5000);
      return socket;
    }));
    server.setSoTimeout(5000);
    Socket remote = closeLater(server.accept());
    return new Connection(local, remote);
  }

  /** Sends a byte each way; returns what came back. */
  private static int echo(Connection connection) throws IOException {
    connection.local.setSoTimeout((int) BOUND.toMillis());
    connection.remote.setSoTimeout((int) BOUND.toMillis());
    connection.local.getOutputStream().write(42);
    int received = connection.remote.getInputStream().read();
    connection.remote.getOutputStream().write(received);
    return connection.local.getInputStream().read();
  }

  /** A read on its own thread, started and seen blocked in the kernel before this returns. */
  private static CompletableFuture<Integer> blockedRead(Socket socket) throws IOException {
    InputStream in = socket.getInputStream();
    CompletableFuture<Integer> result = new CompletableFuture<>();
    Thread reader = new Thread(() -> {
      try {
        result.complete(in.read());
      } catch (Throwable t) {
        result.completeExceptionally(t);
      }
    }, "reader " + socket.getLocalSocketAddress());
    reader.setDaemon(true);
    reader.start();
    await().atMost(BOUND).pollInterval(Duration.ofMillis(1))
        .until(() -> result.isDone() || blockedInNative(reader));
    return result;
  }

  private static boolean blockedInNative(Thread thread) {
    StackTraceElement[] stack = thread.getStackTrace();
    return stack.length > 0 && stack[0].isNativeMethod()
        && Arrays.stream(stack).anyMatch(frame -> frame.getMethodName().contains("read"));
  }

  /** The exception {@code read} ends with, within {@link #BOUND}. */
  private static Throwable failure(CompletableFuture<Integer> read) throws Exception {
    try {
      Integer value = read.get(BOUND.toMillis(), TimeUnit.MILLISECONDS);
      throw new AssertionError("the read returned " + value + " instead of failing");
    } catch (java.util.concurrent.ExecutionException e) {
      return e.getCause();
    }
  }

  private <T extends AutoCloseable> T closeLater(T resource) {
    resources.add(resource);
    return resource;
  }

  private static InetAddress ip(String literal) {
    try {
      return InetAddress.getByName(literal);
    } catch (IOException e) {
      throw new IllegalArgumentException(e);
    }
  }
}
