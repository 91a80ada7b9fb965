package io.github.junitnetns;

import io.github.junitnetns.internal.linux.Errno;
import io.github.junitnetns.internal.linux.ErrnoException;
import io.github.junitnetns.internal.netlink.NetlinkSocket;
import io.github.junitnetns.internal.netlink.NlReply;
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
        try (NetlinkSocket diag = NetlinkSocket.open("netns " + ns.label() + " (sock_diag)", SockDiag.NETLINK_SOCK_DIAG)) {
          List<SockDiag.Socket> victims = new ArrayList<>();
          for (int family : new int[] {Rtnl.AF_INET, Rtnl.AF_INET6}) {
            for (NlReply reply : dump(diag, family, what)) {
              SockDiag.Socket socket = SockDiag.decode(reply);
              if (peers.contains(socket.remoteAddress())) {
                victims.add(socket);
              }
            }
          }
          int reset = 0;
          for (SockDiag.Socket socket : victims) {
            if (destroy(diag, socket, ns)) {
              reset++;
            }
          }
          return reset;
        }
      });
    } catch (ErrnoException e) {
      throw NetNs.toPublic(e);
    }
  }

  private static List<NlReply> dump(NetlinkSocket diag, int family, String what) throws ErrnoException {
    try {
      return diag.dump(SockDiag.dumpTcp(family, SockDiag.TCPF_CONNECTED, what));
    } catch (ErrnoException e) {
      throw renamed("SOCK_DIAG_BY_FAMILY", e);
    }
  }

  /** False when the socket is gone already (closed, or reset by the peer's RST since the dump). */
  private static boolean destroy(NetlinkSocket diag, SockDiag.Socket socket, NetNs ns) throws ErrnoException {
    try {
      diag.execute(SockDiag.destroy(socket, socket + " in netns " + ns.label()));
      return true;
    } catch (ErrnoException e) {
      if (e.errno() == Errno.ENOENT) {
        return false;
      }
      if (e.errno() == Errno.EOPNOTSUPP) {
        throw new ErrnoException("SOCK_DESTROY", e.object(), e.errno(),
            "this kernel cannot destroy sockets; it needs CONFIG_INET_DIAG_DESTROY=y");
      }
      throw renamed("SOCK_DESTROY", e);
    }
  }

  // NlMessage names its operation from the rtnetlink type table, where 20 and 21 are RTM_*ADDR.
  private static ErrnoException renamed(String operation, ErrnoException e) {
    return new ErrnoException(operation, e.object(), e.errno(), e.detail());
  }
}
