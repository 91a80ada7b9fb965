package io.github.junitnetns;

import io.github.junitnetns.internal.client.SockDiagClient;
import io.github.junitnetns.internal.linux.ErrnoException;
import io.github.junitnetns.internal.netlink.Rtnl;
import io.github.junitnetns.internal.netlink.SockDiag;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Connection faults: TCP connections of one namespace reset over {@code NETLINK_SOCK_DIAG}
 * (dump, then {@code SOCK_DESTROY}; needs CONFIG_INET_DIAG_DESTROY and CAP_NET_ADMIN).
 *
 * <p>What each side observes (measured on kernel 6.18, JDK 17): the destroyed socket fails its
 * blocked and later reads and writes with ECONNABORTED ({@code SocketException: Software caused
 * connection abort}); the kernel sends a RST, so the peer fails with ECONNRESET
 * ({@code SocketException: Connection reset}) if the RST reaches it.
 */
final class Connections {
  private Connections() {}

  /**
   * Resets, inside {@code ns}, every connected TCP socket (IPv4 and IPv6, dual-stack sockets with
   * IPv4-mapped addresses included) whose peer address is in {@code peers}; returns how many.
   * Sockets that close on their own meanwhile are skipped.
   */
  static int resetTcp(NetNs ns, Set<InetAddress> peers) {
    if (peers.isEmpty()) {
      return 0;
    }
    String what = "TCP connections to " + peers.stream().map(InetAddress::getHostAddress).sorted()
        .collect(Collectors.joining(", ")) + " in netns " + ns.label();
    try {
      // A sock_diag socket sees and destroys the sockets of the namespace it was created in.
      return ns.call(() -> {
        try (SockDiagClient diag = SockDiagClient.open("netns " + ns.label() + " (sock_diag)")) {
          List<SockDiag.Socket> victims = new ArrayList<>();
          for (int family : new int[] {Rtnl.AF_INET, Rtnl.AF_INET6}) {
            for (SockDiag.Socket socket : diag.connectedTcp(family, what)) {
              if (peers.contains(socket.remoteAddress())) {
                victims.add(socket);
              }
            }
          }
          int reset = 0;
          for (SockDiag.Socket socket : victims) {
            if (diag.destroy(socket, socket + " in netns " + ns.label())) {
              reset++;
            }
          }
          return reset;
        }
      });
    } catch (ErrnoException e) {
      throw NetNsException.of(e);
    }
  }
}
