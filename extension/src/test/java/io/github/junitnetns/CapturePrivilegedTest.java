package io.github.junitnetns;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.junitnetns.testsupport.Tshark;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link Capture} without JUnit's extension: {@code net.capture()} and {@code ns.capture()}. */
@Tag("privileged")
class CapturePrivilegedTest {
  private static void sendUdp(NetNs from, String to, int port) throws Exception {
    from.run(() -> {
      try (DatagramSocket socket = new DatagramSocket()) {
        byte[] data = "hello".getBytes(StandardCharsets.US_ASCII);
        socket.send(new DatagramPacket(data, data.length, InetAddress.getByName(to), port));
      }
    });
  }

  @Test
  void aNetworksCaptureHoldsEveryNamespaceAndTheBridgesAndStaysReadableAfterClose(@TempDir Path dir)
      throws Exception {
    try (Network net = Network.builder().namespace("client").namespace("server").namespace("a").namespace("b")
        .veth("client", "server", "10.0.9.0/30").bridge("lan", "10.0.8.0/24", "a", "b").build()) {
      Capture capture = net.capture();
      sendUdp(net.ns("client"), "10.0.9.2", 7007);
      sendUdp(net.ns("a"), "10.0.8.2", 7008);
      capture.close();
      sendUdp(net.ns("client"), "10.0.9.2", 7009); // after close: not recorded
      String summary = capture.summary();
      // The counts: every interface of both namespaces' links and the bridge's ports saw its one datagram,
      // and the one sent after close() was not recorded. (The tail of the last 20 packets may hold only
      // the IPv6 multicast listener reports the bridge's ports send when they come up, so the datagrams'
      // lines are read from the file below; PacketLineTest pins the line format.)
      assertThat(summary)
          .containsPattern("\n  eth0@client: [0-9]+ \\(ARP [0-9]+, .*UDP 1\\)")
          .containsPattern("\n  eth0@server: [0-9]+ \\(.*UDP 1\\)")
          .containsPattern("\n  eth0@a: [0-9]+ \\(.*UDP 1\\)")
          .containsPattern("\n  port[0-9]@bridge-lan: [0-9]+ \\(.*UDP 1\\)")
          .containsPattern("\n  eth0@b: [0-9]+ \\(.*UDP 1\\)")
          .doesNotContain(".7009");
      Path file = capture.writeTo(dir.resolve("sub/net.pcapng"));
      assertThat(file).exists();
      Tshark.assumeInstalled();
      List<String> udp = Tshark.fields(file, "udp", "frame.interface_name", "udp.dstport").stream()
          .map(row -> row.get(0) + " " + row.get(1)).collect(Collectors.toList());
      assertThat(udp).contains("eth0@client 7007", "eth0@server 7007", "eth0@a 7008", "eth0@b 7008")
          .anyMatch(s -> s.matches("port[0-9]@bridge-lan 7008"));
    }
  }

  @Test
  void aNamespacesCaptureSeesItsLoopbackOnce() throws Exception {
    try (NetNs ns = NetNs.create(); Capture capture = ns.capture()) {
      sendUdp(ns, "127.0.0.1", 7010);
      assertThat(capture.summary())
          .containsPattern("lo@" + ns.label() + " In IP 127\\.0\\.0\\.1\\.[0-9]+ > 127\\.0\\.0\\.1\\.7010: UDP, length 5")
          .doesNotContain("lo@" + ns.label() + " Out IP 127.0.0.1");
    }
  }

  @Test
  void aClosedNamespaceCannotBeCaptured() {
    NetNs ns = NetNs.create();
    ns.close();
    assertThatThrownBy(ns::capture).isInstanceOf(IllegalStateException.class)
        .hasMessageStartingWith("netns " + ns.label()).hasMessageContaining("cannot capture its traffic");
  }
}
