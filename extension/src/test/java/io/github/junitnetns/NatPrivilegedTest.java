package io.github.junitnetns;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.DataInputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * {@link NetNs#masquerade}: a forwarding namespace rewrites the source of what it forwards out of
 * an interface, replies come back; {@code unmasquerade} and close take it back; the builder's option.
 */
@Tag("privileged")
class NatPrivilegedTest {

  /** client 10.15.1.1 -- 10.15.1.2 router 10.15.2.1 (eth1) -- 10.15.2.2 server, no route back on the server. */
  private static NetworkBuilder routed() {
    return Network.builder().forwarding("router")
        .veth("client", "router", "10.15.1.0/24")
        .veth("router", "server", "10.15.2.0/24");
  }

  /** Connects from the client to the server; returns the address the server saw, or null if it timed out. */
  private static String connect(Network net, ServerSocket server) throws Exception {
    return net.ns("client").call(() -> {
      try (Socket client = new Socket()) {
        client.connect(new InetSocketAddress("10.15.2.2", server.getLocalPort()), 1000);
        try (Socket accepted = server.accept()) {
          accepted.getOutputStream().write(7);
          assertThat(new DataInputStream(client.getInputStream()).read()).isEqualTo(7);
          return accepted.getInetAddress().getHostAddress();
        }
      } catch (SocketTimeoutException e) {
        return null;
      }
    });
  }

  @Test
  void theServerSeesTheRouterUntilUnmasqueraded() throws Exception {
    try (Network net = routed().build()) {
      net.ns("client").addRoute("default", "10.15.1.2");
      try (ServerSocket server = net.ns("server").call(() -> new ServerSocket(7000))) {
        assertThat(connect(net, server)).as("no route back without NAT").isNull();
        NetNs router = net.ns("router");
        router.masquerade("eth1");
        router.masquerade("eth1"); // twice is harmless
        assertThat(router.nat().rules(Nat.FAMILY, Nat.TABLE)).hasSize(1);
        assertThat(connect(net, server)).isEqualTo("10.15.2.1");
        router.unmasquerade("eth1");
        router.unmasquerade("eth1"); // so is this
        assertThat(router.nat().hasTable(Nat.FAMILY, Nat.TABLE)).isFalse();
        assertThat(connect(net, server)).isNull();
      }
    }
  }

  @Test
  void theBuilderMasqueradesAndAHandleOnAnOpenedNamespaceTakesItsRuleBackAtClose() throws Exception {
    try (Network net = routed().masquerade("router", "eth1").build()) {
      net.ns("client").addRoute("default", "10.15.1.2");
      try (ServerSocket server = net.ns("server").call(() -> new ServerSocket(7001))) {
        assertThat(connect(net, server)).isEqualTo("10.15.2.1");
      }
      NetNs router = net.ns("router");
      router.unmasquerade("eth1");
      NetNs opened = router.call(() -> NetNs.open(java.nio.file.Path.of("/proc/thread-self/ns/net")));
      opened.masquerade("eth0");
      assertThat(router.nat().rules(Nat.FAMILY, Nat.TABLE)).hasSize(1);
      opened.close();
      assertThat(router.nat().hasTable(Nat.FAMILY, Nat.TABLE)).isFalse();
    }
  }

  @Test
  void theBuilderRefusesMasqueradeWithoutForwardingOrInterfaceBeforeCreatingAnything() {
    assertThatThrownBy(() -> Network.builder().veth("a", "b", "10.15.3.0/30").masquerade("a", "eth0").build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("Network.builder().masquerade(\"a\", \"eth0\"): \"a\" does not forward, so no packet would pass"
            + " through it to be masqueraded. Add .forwarding(\"a\").");
    assertThatThrownBy(() -> routed().masquerade("router", "eth7").build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("Network.builder().masquerade(\"router\", \"eth7\"): \"router\" has no interface eth7 in this"
            + " network; it has [eth0, eth1].");
  }
}
