package io.github.junitnetns.internal.netlink;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;

/**
 * {@code NETLINK_SOCK_DIAG} for TCP: a dump of a namespace's sockets and {@code SOCK_DESTROY} of
 * one of them (man 7 sock_diag, linux/sock_diag.h, linux/inet_diag.h). Constants carry the
 * kernel's names.
 *
 * <p>A Java socket is usually an {@code AF_INET6} socket even for IPv4 traffic (dual stack), and
 * the kernel reports it under AF_INET6 with IPv4-mapped addresses ({@code ::ffff:10.0.0.1}); dump
 * both families. {@link Socket#remoteAddress()} turns mapped addresses back into IPv4 ones, and
 * {@link #destroy} sends the id exactly as the dump reported it, which the kernel looks up in the
 * IPv4 table when both addresses are mapped.
 */
public final class SockDiag {
  private SockDiag() {}

  // linux/netlink.h
  public static final int NETLINK_SOCK_DIAG = 4;

  // linux/sock_diag.h: message types
  public static final int SOCK_DIAG_BY_FAMILY = 20;
  public static final int SOCK_DESTROY = 21;

  // netinet/in.h
  public static final int IPPROTO_TCP = 6;

  // TCP states (the kernel's enum in net/tcp_states.h, as listed in man 7 sock_diag), and their
  // bits for idiag_states: TCPF_x = 1 << TCP_x.
  public static final int TCP_ESTABLISHED = 1;
  public static final int TCP_SYN_SENT = 2;
  public static final int TCP_SYN_RECV = 3;
  public static final int TCP_FIN_WAIT1 = 4;
  public static final int TCP_FIN_WAIT2 = 5;
  public static final int TCP_TIME_WAIT = 6;
  public static final int TCP_CLOSE = 7;
  public static final int TCP_CLOSE_WAIT = 8;
  public static final int TCP_LAST_ACK = 9;
  public static final int TCP_LISTEN = 10;
  public static final int TCP_CLOSING = 11;

  public static final int TCPF_ESTABLISHED = 1 << TCP_ESTABLISHED;

  /**
   * Sockets that have a peer and hold a connection the application can still use or is closing:
   * a RST would reach an application in these. Not LISTEN (no peer), not TIME_WAIT (the
   * application is done) and not SYN_RECV (request sockets, not yet accepted).
   */
  public static final int TCPF_CONNECTED = TCPF_ESTABLISHED | 1 << TCP_SYN_SENT | 1 << TCP_FIN_WAIT1
      | 1 << TCP_FIN_WAIT2 | 1 << TCP_CLOSE_WAIT | 1 << TCP_LAST_ACK | 1 << TCP_CLOSING;

  /** struct inet_diag_sockid: sport, dport (be16), src[4], dst[4] (be32), if, cookie[2]. */
  public static final int INET_DIAG_SOCKID_LEN = 48;
  /** struct inet_diag_req_v2: family, protocol, ext, pad (u8), states (u32), then the sockid. */
  public static final int INET_DIAG_REQ_V2_LEN = 8 + INET_DIAG_SOCKID_LEN;
  /** struct inet_diag_msg: family, state, timer, retrans (u8), sockid, expires, rqueue, wqueue, uid, inode (u32). */
  public static final int INET_DIAG_MSG_LEN = 4 + INET_DIAG_SOCKID_LEN + 20;
  /** idiag_cookie when the caller has none; SOCK_DESTROY needs the real one. */
  public static final int INET_DIAG_NOCOOKIE = ~0;

  /** A dump (NetlinkSocket.dump adds NLM_F_DUMP) of the TCP sockets of {@code family} in {@code states}. */
  public static NlMessage dumpTcp(int family, int states, String object) {
    NlMessage message = new NlMessage(SOCK_DIAG_BY_FAMILY, 0, object);
    message.u8(family).u8(IPPROTO_TCP).u8(0).u8(0).u32(states);
    // An all-zero id, cookie "none": the dump filters by family and states only.
    message.bytes(new byte[INET_DIAG_SOCKID_LEN - 8]).u32(INET_DIAG_NOCOOKIE).u32(INET_DIAG_NOCOOKIE);
    return message;
  }

  /**
   * SOCK_DESTROY of one socket, identified as a dump reported it (addresses, ports, interface and
   * cookie). The kernel aborts it: the owner's calls fail with ECONNABORTED and a RST goes to the
   * peer.
   */
  public static NlMessage destroy(Socket socket, String object) {
    NlMessage message = new NlMessage(SOCK_DESTROY, 0, object);
    message.u8(socket.family).u8(IPPROTO_TCP).u8(0).u8(0).u32(1 << socket.state);
    message.bytes(socket.id);
    return message;
  }

  /** Decodes one SOCK_DIAG_BY_FAMILY reply (an inet_diag_msg), or throws if it is too short. */
  public static Socket decode(NlReply reply) {
    if (reply.end - reply.body < INET_DIAG_MSG_LEN) {
      throw new IllegalArgumentException("inet_diag_msg of " + (reply.end - reply.body) + " bytes, expected "
          + INET_DIAG_MSG_LEN);
    }
    int at = reply.body;
    ByteBuffer in = ByteBuffer.wrap(reply.data).order(ByteOrder.nativeOrder());
    return new Socket(reply.data[at] & 0xff, reply.data[at + 1] & 0xff,
        Arrays.copyOfRange(reply.data, at + 4, at + 4 + INET_DIAG_SOCKID_LEN), in.getInt(at + 4 + INET_DIAG_SOCKID_LEN + 16));
  }

  /** One TCP socket as the kernel reported it. */
  public static final class Socket {
    private final int family;
    private final int state;
    private final byte[] id; // struct inet_diag_sockid, raw: handed back unchanged to SOCK_DESTROY
    private final int inode;

    Socket(int family, int state, byte[] id, int inode) {
      this.family = family;
      this.state = state;
      this.id = id;
      this.inode = inode;
    }

    public int family() {
      return family;
    }

    public int state() {
      return state;
    }

    public int localPort() {
      return port(0);
    }

    public int remotePort() {
      return port(2);
    }

    /** The local address; IPv4-mapped IPv6 addresses come back as IPv4 ones. */
    public InetAddress localAddress() {
      return address(4);
    }

    /** The peer's address; IPv4-mapped IPv6 addresses come back as IPv4 ones. */
    public InetAddress remoteAddress() {
      return address(20);
    }

    /** The socket's inode (0 for sockets no file refers to any more). */
    public long inode() {
      return inode & 0xffffffffL;
    }

    private int port(int offset) {
      return (id[offset] & 0xff) << 8 | (id[offset + 1] & 0xff);
    }

    private InetAddress address(int offset) {
      int length = family == Rtnl.AF_INET ? 4 : 16;
      try {
        // getByAddress turns ::ffff:a.b.c.d into the Inet4Address a.b.c.d.
        return InetAddress.getByAddress(Arrays.copyOfRange(id, offset, offset + length));
      } catch (UnknownHostException e) {
        throw new IllegalStateException(e); // only for a length other than 4 or 16
      }
    }

    @Override
    public String toString() {
      return "tcp " + format(localAddress(), localPort()) + " -> " + format(remoteAddress(), remotePort())
          + " state " + state;
    }

    private static String format(InetAddress address, int port) {
      String host = address.getHostAddress();
      return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + port;
    }
  }
}
