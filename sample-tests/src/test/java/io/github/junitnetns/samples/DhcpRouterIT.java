package io.github.junitnetns.samples;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.sun.net.httpserver.HttpServer;
import io.github.junitnetns.Link;
import io.github.junitnetns.NetNs;
import io.github.junitnetns.Network;
import io.github.junitnetns.jupiter.Bridge;
import io.github.junitnetns.jupiter.IsolatedNetNs;
import io.github.junitnetns.jupiter.VethLink;
import java.io.File;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Use case: the router of a small network, as a home router is: it leases addresses on its LAN
 * with DHCP (dnsmasq) and masquerades the LAN towards the servers. A client with no address of
 * its own gets one with a DHCP client (busybox udhcpc), then reaches the server by name; the
 * server sees the router's address. The programs run inside the test's namespaces with
 * {@code NetNs.exec}; the names come from the /etc/hosts that exec gives them.
 *
 * <pre>
 *   client (DHCP) --- bridge "lan" --- 10.0.1.1 router (eth1 on the LAN, eth0 10.0.2.1 masquerading) --- 10.0.2.2 server
 * </pre>
 *
 * Needs dnsmasq (Debian/Ubuntu package dnsmasq-base) and busybox (package busybox); skipped
 * without them.
 */
@IsolatedNetNs({"client", "server"})
@IsolatedNetNs(value = "router", forwarding = true)
@VethLink(left = "router", right = "server", subnet = "10.0.2.0/24")  // router eth0 10.0.2.1, server eth0 10.0.2.2
@Bridge(name = "lan", members = {"router", "client"})                 // no subnet: the client gets its address by DHCP
class DhcpRouterIT {

  /** A DHCP client script: udhcpc runs it with the lease in its environment. */
  private static final String LEASE_SCRIPT = String.join("\n",
      "#!/bin/sh",
      "case \"$1\" in",
      "  bound|renew)",
      "    busybox ip addr add \"$ip/$mask\" dev \"$interface\"",
      "    busybox ip route add default via \"$router\"",
      "    echo \"leased $ip/$mask via $router\" ;;",
      "esac",
      "");

  @Test
  void aClientLeasesAnAddressAndReachesTheServerByName(Network net, @TempDir Path dir) throws Exception {
    String dnsmasqProgram = program("dnsmasq");
    String busybox = program("busybox");
    assumeTrue(dnsmasqProgram != null, "dnsmasq is not installed: apt-get install dnsmasq-base");
    assumeTrue(busybox != null, "busybox (for udhcpc) is not installed: apt-get install busybox");
    NetNs router = net.ns("router");
    NetNs client = net.ns("client");

    // The router: an address on the LAN, DHCP there, and NAT towards the server (which has no route back).
    Link lan = net.link("router", "client");                   // the router's port on the bridge, eth1
    lan.addAddress("10.0.1.1/24");
    router.masquerade("eth0");
    Process dnsmasq = router.exec(dnsmasqProgram, "--no-daemon", "--conf-file=/dev/null", "--port=0", "--user=root",
        "--interface=" + lan.name(), "--bind-interfaces", "--dhcp-authoritative", "--log-dhcp",
        "--dhcp-range=10.0.1.100,10.0.1.150,255.255.255.0,1h", "--dhcp-option=option:router,10.0.1.1",
        "--leasefile-ro", "--pid-file=");  // no files: leases in memory (Ubuntu's AppArmor profile allows few paths)
    await().atMost(Duration.ofSeconds(20)).until(() -> router.output(dnsmasq).contains("DHCP, IP range"));

    // The server, a plain HTTP server that answers with the address it sees.
    HttpServer server = net.ns("server").call(() -> {
      HttpServer http = HttpServer.create(new InetSocketAddress(8080), 0);
      http.createContext("/", exchange -> {
        byte[] body = ("you are " + exchange.getRemoteAddress().getAddress().getHostAddress())
            .getBytes(StandardCharsets.UTF_8);
        exchange.sendResponseHeaders(200, body.length);
        try (OutputStream out = exchange.getResponseBody()) {
          out.write(body);
        }
      });
      http.start();
      return http;
    });
    try {
      // The client asks for an address: -q quits once it has one, -n gives up if none comes.
      Path script = Files.writeString(dir.resolve("lease.sh"), LEASE_SCRIPT);
      Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwxr-xr-x"));
      Process udhcpc = client.exec(busybox, "udhcpc", "-i", "eth0", "-f", "-q", "-n", "-t", "10", "-T", "1",
          "-s", script.toString());
      assertThat(udhcpc.waitFor(60, TimeUnit.SECONDS)).isTrue();
      assertThat(client.output(udhcpc)).containsPattern("leased 10\\.0\\.1\\.1[0-5][0-9]/24 via 10\\.0\\.1\\.1\n");
      String leased = client.output(udhcpc).replaceAll("(?s).*leased ([0-9.]+)/.*", "$1");
      assertThat(client.link("eth0").orElseThrow().addresses().toString()).contains(leased);
      assertThat(router.output(dnsmasq)).contains("DHCPACK(" + lan.name() + ") " + leased);

      // By name: exec's /etc/hosts lists the test's names; the server sees the router.
      Process wget = client.exec(busybox, "wget", "-q", "-O", "-", "http://server:8080/");
      assertThat(wget.waitFor(30, TimeUnit.SECONDS)).isTrue();
      assertThat(client.output(wget)).isEqualTo("you are 10.0.2.1");
    } finally {
      server.stop(0);
    }
  }

  /** The program's path, on the PATH or in the sbin directories a user's PATH may lack; null if it is nowhere. */
  private static String program(String name) {
    String path = System.getenv().getOrDefault("PATH", "") + File.pathSeparator + "/usr/sbin" + File.pathSeparator + "/sbin";
    for (String dir : path.split(File.pathSeparator)) {
      if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, name))) {
        return Path.of(dir, name).toString();
      }
    }
    return null;
  }
}
