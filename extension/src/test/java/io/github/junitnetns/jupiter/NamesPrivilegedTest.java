package io.github.junitnetns.jupiter;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import io.github.junitnetns.NetNs;
import io.github.junitnetns.Network;
import java.io.OutputStream;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.UnknownHostException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledForJreRange;
import org.junit.jupiter.api.condition.JRE;
import org.junit.jupiter.api.extension.AfterTestExecutionCallback;
import org.junit.jupiter.api.extension.BeforeTestExecutionCallback;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Names of a test's namespaces in the JVM (JDK 18+, the resolver provider): from the body, a
 * {@code threadFactory} pool, {@code NetNs.call}, an {@code HttpClient}; IPv6; every configured
 * address and the reverse; each test its own answer, never one cached from another test; and the
 * host's answers unchanged, from JUnit's own thread and from a host pool, during the test.
 */
@Tag("privileged")
@EnabledForJreRange(min = JRE.JAVA_18, disabledReason = "names resolve in the JVM from JDK 18 on"
    + " (InetAddressResolverProvider); NamesOnJdk17PrivilegedTest covers JDK 17")
@ExtendWith(NamesPrivilegedTest.HostLookups.class)
class NamesPrivilegedTest {
  /** Threads in the namespace the JVM started in, whichever thread starts them. */
  private static final NetNs HOST = NetNs.open(Path.of("/proc/self/ns/net"));

  /** What the host answers for a name: its addresses, or "unknown". */
  static Object hostAnswer(String name) {
    try {
      return List.of(InetAddress.getAllByName(name));
    } catch (UnknownHostException e) {
      return "unknown";
    }
  }

  /** No address of these tests (10.14.0.0/16, fd00:14::/32) in a host's answer. */
  static void assertNoneOfOurs(Object answer) {
    if (answer instanceof List<?> addresses) {
      assertThat(addresses).allSatisfy(a -> assertThat(((InetAddress) a).getHostAddress())
          .doesNotStartWith("10.14.").doesNotStartWith("fd00:14:"));
    }
  }

  /** The host's answer, from a thread on the host (asserted to be there). */
  static Object onHost(String name) throws Exception {
    ExecutorService pool = Executors.newSingleThreadExecutor(HOST.threadFactory());
    try {
      return pool.submit(() -> {
        assertThat(Files.readSymbolicLink(Path.of("/proc/thread-self/ns/net")))
            .isEqualTo(Files.readSymbolicLink(Path.of("/proc/self/ns/net")));
        return hostAnswer(name);
      }).get(30, TimeUnit.SECONDS);
    } finally {
      pool.shutdownNow();
    }
  }

  /**
   * Runs on JUnit's own thread just before and after each test's body, while its namespaces and
   * names exist: the host's answers for the test's names must be what they are without the test.
   */
  static final class HostLookups implements BeforeTestExecutionCallback, AfterTestExecutionCallback {
    static final Map<String, Object> WITHOUT_TESTS = new ConcurrentHashMap<>();

    @Override
    public void beforeTestExecution(ExtensionContext context) throws Exception {
      check();
    }

    @Override
    public void afterTestExecution(ExtensionContext context) throws Exception {
      check();
    }

    private static void check() throws Exception {
      assertThat(Files.readSymbolicLink(Path.of("/proc/thread-self/ns/net")))
          .as("JUnit's own thread is on the host").isEqualTo(Files.readSymbolicLink(Path.of("/proc/self/ns/net")));
      for (String name : List.of("server", "client", "b6")) {
        Object before = WITHOUT_TESTS.computeIfAbsent(name, n -> {
          try {
            return onHost(n); // the first time, before any name was looked up inside
          } catch (Exception e) {
            throw new IllegalStateException(e);
          }
        });
        assertThat(hostAnswer(name)).as("the host's answer for %s from JUnit's thread", name).isEqualTo(before);
        assertNoneOfOurs(before);
      }
    }
  }

  @Test
  @IsolatedNetNs({"client", "server"})
  @VethLink(left = "client", right = "server", subnet = "10.14.0.0/24")
  @VethLink(left = "client", right = "server", subnet = "fd00:14::/64")
  void theBodyResolvesEveryConfiguredAddressAndBack(Network net) throws Exception {
    Object hostBefore = onHost("server");
    InetAddress server = InetAddress.getByName("server");
    assertThat(server).isEqualTo(net.address("server")).isEqualTo(InetAddress.getByName("10.14.0.2"));
    assertThat(InetAddress.getAllByName("server"))
        .containsExactly(InetAddress.getByName("10.14.0.2"), InetAddress.getByName("fd00:14::2"));
    assertThat(InetAddress.getByName("Server")).isEqualTo(server);
    assertThat(InetAddress.getByAddress(InetAddress.getByName("fd00:14::1").getAddress()).getHostName())
        .isEqualTo("client");
    assertThat(InetAddress.getByAddress(server.getAddress()).getCanonicalHostName()).isEqualTo("server");
    assertThat(InetAddress.getByName("localhost").isLoopbackAddress()).isTrue();
    // A host thread asking during the test, after the body's lookups: the host's own answer.
    assertThat(onHost("server")).isEqualTo(hostBefore);
    assertNoneOfOurs(hostBefore);
  }

  @Test
  @IsolatedNetNs({"client", "server"})
  @VethLink(left = "client", right = "server", subnet = "10.14.1.0/24")
  void aPoolOfTheThreadFactoryAndNetNsCallResolveToo(Network net) throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(2, net.ns("client").threadFactory());
    try {
      assertThat(pool.submit(() -> InetAddress.getByName("server")).get()).isEqualTo(net.address("server"));
    } finally {
      pool.shutdownNow();
      assertThat(pool.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
    }
    assertThat(net.ns("server").call(() -> InetAddress.getByName("client"))).isEqualTo(net.address("client"));
    assertThat(net.ns("server").call(() -> InetAddress.getByName("server"))).isEqualTo(net.address("server"));
  }

  /** Two tests, each with its own "server" (they may run at once): neither ever gets the other's. */
  @Test
  @IsolatedNetNs({"client", "server"})
  @VethLink(left = "client", right = "server", subnet = "10.14.2.0/24")
  void eachTestGetsItsOwnServer(Network net) throws Exception {
    looksUpItsOwnServerRepeatedly(net);
  }

  @Test
  @IsolatedNetNs({"client", "server"})
  @VethLink(left = "client", right = "server", subnet = "10.14.3.0/24")
  void eachTestGetsItsOwnServerToo(Network net) throws Exception {
    looksUpItsOwnServerRepeatedly(net);
  }

  private static void looksUpItsOwnServerRepeatedly(Network net) throws Exception {
    long end = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(300);
    int lookups = 0;
    while (System.nanoTime() < end || lookups < 50) {
      assertThat(InetAddress.getByName("server")).isEqualTo(net.address("server"));
      lookups++;
    }
  }

  @Test
  @IsolatedNetNs({"a6", "b6"})
  @VethLink(left = "a6", right = "b6", subnet = "fd00:14:6::/64")
  void ipv6NamesConnect(Network net) throws Exception {
    InetAddress b6 = InetAddress.getByName("b6");
    assertThat(b6).isInstanceOf(Inet6Address.class).isEqualTo(net.address("b6"));
    try (ServerSocket listener = net.ns("b6").call(() -> new ServerSocket(7000, 50, InetAddress.getByName("b6")));
        Socket socket = new Socket("b6", 7000);
        Socket accepted = listener.accept()) {
      assertThat(accepted.getInetAddress()).isEqualTo(net.address("a6"));
      assertThat(socket.getInetAddress().getHostName()).isEqualTo("b6");
    }
  }

  @Test
  @EnabledForJreRange(min = JRE.JAVA_21, disabledReason = "the test closes its HttpClient, AutoCloseable from JDK 21 on")
  @IsolatedNetNs({"client", "server"})
  @VethLink(left = "client", right = "server", subnet = "10.14.4.0/24")
  void anHttpClientReachesTheServerByName(Network net) throws Exception {
    HttpServer server = net.ns("server").call(() -> {
      HttpServer http = HttpServer.create(new InetSocketAddress(8080), 0);
      http.createContext("/", exchange -> {
        byte[] body = ("hello " + exchange.getRemoteAddress().getAddress().getHostAddress())
            .getBytes(StandardCharsets.UTF_8);
        exchange.sendResponseHeaders(200, body.length);
        try (OutputStream out = exchange.getResponseBody()) {
          out.write(body);
        }
      });
      http.start();
      return http;
    });
    HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
    try {
      HttpResponse<String> response = client.send(HttpRequest.newBuilder(URI.create("http://server:8080/")).build(),
          HttpResponse.BodyHandlers.ofString());
      assertThat(response.body()).isEqualTo("hello 10.14.4.1");
    } finally {
      ((AutoCloseable) client).close();
      server.stop(0);
    }
  }

  @Test
  void theBuilderPublishesItsNamesUntilClosed() throws Exception {
    List<String> seen = new ArrayList<>();
    try (Network net = Network.builder().veth("left", "right", "10.14.5.0/30").build()) {
      seen.add(net.ns("left").call(() -> InetAddress.getByName("right").getHostAddress()));
      seen.add(net.ns("right").call(() -> InetAddress.getByName("left").getHostAddress()));
      try (NetNs stranger = NetNs.create("stranger")) {
        seen.add(String.valueOf(stranger.call(() -> hostAnswer("right")).equals(onHost("right"))));
      }
    }
    assertThat(seen).containsExactly("10.14.5.2", "10.14.5.1", "true");
  }
}
