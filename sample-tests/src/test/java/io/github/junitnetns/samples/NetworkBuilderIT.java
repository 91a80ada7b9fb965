package io.github.junitnetns.samples;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import io.github.junitnetns.NetNsException;
import io.github.junitnetns.Network;
import java.io.DataInputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Use case: the network model without any junit-netns annotation, as TestNG, Spock, Kotest or a
 * {@code main} would use it. The test builds its own world in {@code @BeforeEach} and removes it in
 * {@code @AfterEach}; its code enters the namespaces with {@code ns.call(...)}.
 *
 * <pre>
 *   client 10.0.1.1 --- 10.0.1.2 router 10.0.2.1 --- 10.0.2.2 server
 * </pre>
 */
class NetworkBuilderIT {
  private Network net;

  @BeforeEach
  void buildTheNetwork() {
    try {
      net = build();
    } catch (NetNsException e) {
      // Without the extension nothing turns a missing privilege into a skip: this test does it itself.
      assumeFalse(e.is("EPERM"), e.getMessage());
      throw e;
    }
    net.ns("client").addRoute("default", "10.0.1.2");
    net.ns("server").addRoute("default", "10.0.2.1");
  }

  private static Network build() {
    return Network.builder()
        .namespace("client").namespace("server").namespace("router")
        .forwarding("router")
        .veth("client", "router", "10.0.1.0/24")
        .veth("router", "server", "10.0.2.0/24")
        .build();
  }

  @AfterEach
  void removeIt() {
    if (net != null) {
      net.close();
    }
  }

  @Test
  void theClientReachesTheServerUntilTheServerIsIsolated() throws Exception {
    try (ServerSocket server = net.ns("server").call(() -> new ServerSocket(7000))) {
      assertThat(request(server)).isEqualTo("10.0.1.1"); // the server sees the client's own address

      net.isolate("server");
      assertThatThrownBy(() -> request(server)).isInstanceOf(SocketTimeoutException.class);

      net.heal();
      assertThat(request(server)).isEqualTo("10.0.1.1");
    }
  }

  /** Connects from "client" to the server and returns the address the server saw. */
  private String request(ServerSocket server) throws Exception {
    return net.ns("client").call(() -> {
      try (Socket client = new Socket()) {
        client.connect(new InetSocketAddress("10.0.2.2", 7000), 500);
        try (Socket accepted = server.accept()) {
          accepted.getOutputStream().write(42);
          assertThat(new DataInputStream(client.getInputStream()).read()).isEqualTo(42);
          return accepted.getInetAddress().getHostAddress();
        }
      }
    });
  }
}
