package io.github.junitnetns.benchmarks.failpoints;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.github.junitnetns.Network;
import io.github.junitnetns.Shaping;
import io.github.junitnetns.jupiter.Bridge;
import io.github.junitnetns.jupiter.IsolatedNetNs;
import io.github.junitnetns.jupiter.VethLink;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import org.junit.jupiter.api.Test;

/**
 * The topology the fault loop fails request by request: everything the library builds.
 *
 * <pre>
 *   a 10.71.1.1 --- 10.71.1.2 router 10.71.2.1 --- 10.71.2.2 b      two veths, a forwarding router
 *   a, b, c on bridge "lan" 10.71.3.0/24                             a bridge of three
 *   c 10.71.9.1 --- 10.71.9.2 host                                   a host-end veth
 * </pre>
 *
 * The body adds routes through the router, shapes router -&gt; b, isolates c and heals, starts a
 * process in b, and talks TCP from a to b through the router.
 */
@IsolatedNetNs({"a", "b", "c"})
@IsolatedNetNs(value = "router", forwarding = true)
@VethLink(left = "a", right = "router", subnet = "10.71.1.0/24")
@VethLink(left = "router", right = "b", subnet = "10.71.2.0/24")
@VethLink(left = "c", right = VethLink.HOST, subnet = "10.71.9.0/30")
@Bridge(name = "lan", members = {"a", "b", "c"}, subnet = "10.71.3.0/24")
public class EverythingFixture {
  @Test
  void everything(Network net) throws Exception {
    net.ns("a").addRoute("10.71.2.0/24", "10.71.1.2");
    net.ns("b").addRoute("10.71.1.0/24", "10.71.2.1");
    net.shape("router", "b", Shaping.rate("50mbit"));
    net.isolate("c");
    net.heal();
    Process sleeper = net.ns("b").exec("sleep", "30");
    InetAddress b = InetAddress.getByName("10.71.2.2");
    try (ServerSocket listener = net.ns("b").call(() -> new ServerSocket(7000, 1, b))) {
      listener.setSoTimeout(5000);
      try (Socket client = new Socket()) {
        client.connect(new InetSocketAddress(b, 7000), 5000);
        try (Socket accepted = listener.accept()) {
          client.getOutputStream().write(42);
          assertEquals(42, accepted.getInputStream().read());
          assertEquals("10.71.1.1", accepted.getInetAddress().getHostAddress());
        }
      }
    }
    assertEquals(true, sleeper.isAlive(), "the process started in b runs until the test ends");
  }
}
