package io.github.junitnetns.benchmarks.failpoints;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.github.junitnetns.Network;
import io.github.junitnetns.jupiter.IsolatedNetNs;
import io.github.junitnetns.jupiter.VethLink;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import org.junit.jupiter.api.Test;

/** The test after a failed one, in the same JVM: it must pass. Also the warm-up's second test. */
@IsolatedNetNs({"x", "y"})
@VethLink(left = "x", right = "y", subnet = "10.72.0.0/24")
public class NextTestFixture {
  @Test
  void passes(Network net) throws Exception {
    try (ServerSocket listener = net.ns("y").call(() -> new ServerSocket(7000, 1, net.address("y")))) {
      listener.setSoTimeout(5000);
      try (Socket client = new Socket()) {
        client.connect(new InetSocketAddress(net.address("y"), 7000), 5000);
        try (Socket accepted = listener.accept()) {
          client.getOutputStream().write(7);
          assertEquals(7, accepted.getInputStream().read());
        }
      }
    }
  }
}
