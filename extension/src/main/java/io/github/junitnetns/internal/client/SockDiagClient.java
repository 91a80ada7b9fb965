package io.github.junitnetns.internal.client;

import io.github.junitnetns.internal.linux.Errno;
import io.github.junitnetns.internal.linux.ErrnoException;
import io.github.junitnetns.internal.netlink.NetlinkSocket;
import io.github.junitnetns.internal.netlink.NlReply;
import io.github.junitnetns.internal.netlink.SockDiag;
import java.util.ArrayList;
import java.util.List;

/**
 * A {@code NETLINK_SOCK_DIAG} socket of one namespace: lists its TCP sockets and destroys them
 * ({@code SOCK_DESTROY}, which needs CONFIG_INET_DIAG_DESTROY and CAP_NET_ADMIN). A sock_diag
 * socket sees and destroys the sockets of the namespace it was created in, so open it from a
 * thread inside.
 */
public final class SockDiagClient implements AutoCloseable {
  private final NetlinkSocket socket;

  private SockDiagClient(NetlinkSocket socket) {
    this.socket = socket;
  }

  /** Opens one in the calling thread's namespace; {@code where} names it in errors. */
  public static SockDiagClient open(String where) throws ErrnoException {
    return new SockDiagClient(NetlinkSocket.open(where, SockDiag.NETLINK_SOCK_DIAG));
  }

  /** The connected TCP sockets of one family (AF_INET or AF_INET6); {@code what} names the dump in errors. */
  public List<SockDiag.Socket> connectedTcp(int family, String what) throws ErrnoException {
    List<NlReply> replies;
    try {
      replies = socket.dump(SockDiag.dumpTcp(family, SockDiag.TCPF_CONNECTED, what));
    } catch (ErrnoException e) {
      throw renamed("SOCK_DIAG_BY_FAMILY", e);
    }
    List<SockDiag.Socket> sockets = new ArrayList<>(replies.size());
    for (NlReply reply : replies) {
      sockets.add(SockDiag.decode(reply));
    }
    return sockets;
  }

  /** Destroys {@code victim}; false when it is gone already (closed, or reset by the peer's RST since the dump). */
  public boolean destroy(SockDiag.Socket victim, String object) throws ErrnoException {
    try {
      socket.execute(SockDiag.destroy(victim, object));
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

  @Override
  public void close() {
    socket.close();
  }
}
