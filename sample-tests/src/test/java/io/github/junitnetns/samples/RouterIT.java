package io.github.junitnetns.samples;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.junitnetns.Network;
import io.github.junitnetns.jupiter.IsolatedNetNs;
import io.github.junitnetns.jupiter.VethLink;
import java.io.DataInputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import org.junit.jupiter.api.Test;

/**
 * Use case: two subnets joined by a router, e.g. to test a client behind a gateway.
 *
 * <pre>
 *   client 10.0.1.1 --- 10.0.1.2 router 10.0.2.1 --- 10.0.2.2 server
 * </pre>
 */
@IsolatedNetNs({"client", "server"})
@IsolatedNetNs(value = "router", forwarding = true)
@VethLink(left = "client", right = "router", subnet = "10.0.1.0/24")
@VethLink(left = "router", right = "server", subnet = "10.0.2.0/24")
class RouterIT {

  @Test
  void clientReachesServerThroughTheRouter(Network net) throws Exception {
    net.ns("client").addRoute("default", "10.0.1.2");      // the router's side of the first subnet
    net.ns("server").addRoute("10.0.1.0/24", "10.0.2.1");  // and the way back

    try (ServerSocket server = net.ns("server").call(() -> new ServerSocket(7000))) {
      try (Socket client = new Socket()) {                  // the body runs in "client"
        client.connect(new InetSocketAddress("10.0.2.2", 7000), 2000);
        try (Socket accepted = server.accept()) {
          accepted.getOutputStream().write(42);
          assertThat(new DataInputStream(client.getInputStream()).read()).isEqualTo(42);
          assertThat(accepted.getInetAddress().getHostAddress()).isEqualTo("10.0.1.1");
        }
      }
    }
  }
}
