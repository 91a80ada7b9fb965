package io.github.junitnetns;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.time.Duration;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** {@link Network#builder()} without JUnit's help: the network it builds, and what close() removes. Needs CAP_SYS_ADMIN. */
@Tag("privileged")
class NetworkBuilderPrivilegedTest {

  @Test
  void aRouterForwardsBetweenTwoSubnets() throws Exception {
    try (Network net = Network.builder()
        .namespace("client").namespace("server").namespace("router")
        .forwarding("router")
        .veth("client", "router", "10.0.1.0/24")
        .veth("router", "server", "10.0.2.0/24")
        .build()) {
      net.ns("client").addRoute("default", "10.0.1.2");
      net.ns("server").addRoute("default", "10.0.2.1");
      assertThat(net.names()).containsExactly("client", "server", "router");
      assertThat(net.address("client")).isEqualTo(InetAddress.getByName("10.0.1.1"));
      assertThat(net.address("server")).isEqualTo(InetAddress.getByName("10.0.2.2"));
      assertThat(net.ns("router").sysctl("net.ipv4.ip_forward")).isEqualTo("1");
      assertThat(net.ns("router").link("eth1").orElseThrow().addresses())
          .extracting(Link.Address::toString).contains("10.0.2.1/24");
      try (ServerSocket server = net.ns("server").call(() -> new ServerSocket(7000))) {
        assertThat(echo(net.ns("client"), server, "10.0.2.2")).isEqualTo(42);
      }
    }
  }

  @Test
  void bridgeMembersGetAddressesInMemberOrderAndFaultsWork() throws Exception {
    try (Network net = Network.builder()
        .bridge("lan", "10.0.3.0/24", "n1", "n2", "n3")
        .build()) {
      assertThat(net.names()).containsExactly("n1", "n2", "n3");
      assertThat(net.address("n3")).isEqualTo(InetAddress.getByName("10.0.3.3"));
      assertThat(net.link("n1", "n2").name()).isEqualTo("eth0");
      try (ServerSocket server = net.ns("n3").call(() -> new ServerSocket(7000))) {
        assertThat(echo(net.ns("n1"), server, "10.0.3.3")).isEqualTo(42);
        net.isolate("n3");
        assertThat(net.isCut("n1", "n3")).isTrue();
        assertThatThrownBy(() -> net.ns("n1").run(() -> {
          try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("10.0.3.3", 7000), 300);
          }
        })).isInstanceOf(SocketTimeoutException.class);
        net.heal();
        assertThat(echo(net.ns("n1"), server, "10.0.3.3")).isEqualTo(42);
      }
    }
  }

  @Test
  void vethOptionsNameAddressAndSizeTheEnds() {
    try (Network net = Network.builder()
        .veth("a", "b", v -> v.addresses("fd00:5::a/64", "fd00:5::b/64").names("up0", "down0").mtu(1400))
        .build()) {
      Link up = net.ns("a").link("up0").orElseThrow();
      assertThat(up.mtu()).isEqualTo(1400);
      assertThat(up.addresses()).extracting(Link.Address::toString).contains("fd00:5::a/64");
      assertThat(net.ns("b").link("down0").orElseThrow().addresses())
          .extracting(Link.Address::toString).contains("fd00:5::b/64");
    }
  }

  @Test
  void closeRemovesWhatItBuiltAndLeavesWhatItWasGiven() {
    try (NetNs mine = NetNs.create("mine")) {
      Network net = Network.builder()
          .namespace("given", mine)
          .bridge("lan", "10.0.4.0/24", "given", "made")
          .build();
      NetNs made = net.ns("made");
      NetNs bridge = net.bridge("lan").netNs();
      assertThat(mine.link("eth0")).isPresent();
      net.close();
      net.close(); // harmless
      assertThat(made.isClosed()).isTrue();
      assertThat(bridge.isClosed()).isTrue();
      assertThat(mine.isClosed()).isFalse();
      // The veth goes with the bridge's namespace, which the kernel destroys in the background.
      await().atMost(Duration.ofSeconds(10))
          .untilAsserted(() -> assertThat(mine.links()).extracting(Link::name).containsExactly("lo"));
    }
  }

  @Test
  void aKernelRefusalHalfWayRemovesEverythingMadeSoFar() {
    try (NetNs squatter = NetNs.create("squatter"); NetNs elsewhere = NetNs.create("elsewhere")) {
      VethPair.create(squatter, "eth0", elsewhere, "eth0"); // the name the builder will ask for
      // The first veth is built; the kernel refuses the second (EEXIST), and the first goes again.
      assertThatThrownBy(() -> Network.builder()
          .namespace("given", squatter)
          .veth("given", "other", v -> v.subnet("10.0.5.0/24").names("eth1", "eth0"))
          .veth("given", "third", v -> v.subnet("10.0.6.0/24").names("eth0", "eth0"))
          .build())
          .isInstanceOf(NetNsException.class).hasMessageContaining("EEXIST");
      // "other" and its end eth1 go with its namespace, which the kernel destroys in the background.
      await().atMost(Duration.ofSeconds(10)).untilAsserted(
          () -> assertThat(squatter.links()).extracting(Link::name).containsExactlyInAnyOrder("lo", "eth0"));
    }
  }

  @Test
  void aMistakeIsRefusedBeforeAnythingIsCreated() {
    try (NetNs given = NetNs.create("given")) {
      assertThatThrownBy(() -> Network.builder()
          .namespace("given", given)
          .veth("given", "b", "10.0.7.0/24")
          .veth("given", "c", v -> v.subnet("10.0.8.0/24").mtu(20))
          .build())
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessage("Network.builder().veth(\"given\", \"c\", ...) has mtu = 20. Use 68 to 65535, or leave it out"
              + " for the kernel's default (1500).");
      assertThat(given.links()).extracting(Link::name).containsExactly("lo"); // the first veth was never made
      assertThatThrownBy(() -> Network.builder().bridge("lan", "10.0.9.0/24", "n1", null))
          .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("is null");
      assertThatThrownBy(() -> Network.builder().veth("client", "my server", "10.0.9.0/24"))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessage("Network.builder().veth(\"client\", \"my server\", ...): \"my server\" is not a usable namespace"
              + " name. Use 1 to 32 letters, digits, '.', '_' or '-', starting with a letter or digit, e.g. \"server\".");
      assertThatThrownBy(() -> Network.builder().namespace(" "))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessage("Network.builder().namespace(\" \"): a namespace name is empty. Name it, e.g. \"server\".");
    }
  }

  private static int echo(NetNs client, ServerSocket server, String address) throws Exception {
    Thread acceptor = new Thread(() -> {
      try (Socket accepted = server.accept(); InputStream in = accepted.getInputStream();
          OutputStream out = accepted.getOutputStream()) {
        out.write(in.read());
      } catch (Exception ignored) {
        // the client's assertion reports it
      }
    });
    acceptor.start();
    try {
      return client.call(() -> {
        try (Socket socket = new Socket()) {
          socket.connect(new InetSocketAddress(address, server.getLocalPort()), 2000);
          socket.setSoTimeout(2000);
          socket.getOutputStream().write(42);
          return socket.getInputStream().read();
        }
      });
    } finally {
      acceptor.join(2000);
    }
  }

}
