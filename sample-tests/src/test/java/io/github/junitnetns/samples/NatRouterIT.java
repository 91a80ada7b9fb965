package io.github.junitnetns.samples;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.junitnetns.Network;
import io.github.junitnetns.jupiter.IsolatedNetNs;
import io.github.junitnetns.jupiter.VethLink;
import java.io.DataInputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import org.junit.jupiter.api.Test;

/**
 * Use case: a client behind a router that masquerades (source NAT), as a home router or a cloud
 * NAT gateway does: the server sees the router's address, never the client's, and has no route
 * back to the client's network; the replies find their way because the router translates them
 * back. Everything happens inside the test's namespaces.
 *
 * <pre>
 *   client 10.0.1.1 --- 10.0.1.2 router 10.0.2.1 (eth1, masquerading) --- 10.0.2.2 server
 * </pre>
 */
@IsolatedNetNs({"client", "server"})
@IsolatedNetNs(value = "router", forwarding = true)
@VethLink(left = "client", right = "router", subnet = "10.0.1.0/24")  // router's eth0
@VethLink(left = "router", right = "server", subnet = "10.0.2.0/24")  // router's eth1
class NatRouterIT {

  @Test
  void theServerSeesTheRouterAndTheClientGetsItsReply(Network net) throws Exception {
    net.ns("client").addRoute("default", "10.0.1.2");  // the server gets no route back to 10.0.1.0/24

    try (ServerSocket server = net.ns("server").call(() -> new ServerSocket(7000))) {
      // Without NAT the SYN arrives from 10.0.1.1, and the server's answer has nowhere to go.
      try (Socket lost = new Socket()) {
        assertThatThrownBy(() -> lost.connect(new InetSocketAddress("10.0.2.2", 7000), 1000))
            .isInstanceOf(SocketTimeoutException.class);
      }

      net.ns("router").masquerade("eth1");                 // nft: oifname "eth1" masquerade

      try (Socket client = new Socket()) {                  // the body runs in "client"
        client.connect(new InetSocketAddress("10.0.2.2", 7000), 2000);
        try (Socket accepted = server.accept()) {
          assertThat(accepted.getInetAddress().getHostAddress()).isEqualTo("10.0.2.1");  // the router
          accepted.getOutputStream().write(42);
          assertThat(new DataInputStream(client.getInputStream()).read()).isEqualTo(42);
        }
      }
    }
  }
}
