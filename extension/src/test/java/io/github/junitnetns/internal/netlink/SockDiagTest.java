package io.github.junitnetns.internal.netlink;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

/** The sock_diag requests against the layouts in linux/inet_diag.h. */
class SockDiagTest {
  private static ByteBuffer le(byte[] bytes) {
    return ByteBuffer.wrap(bytes).order(ByteOrder.nativeOrder());
  }

  @Test
  void aDumpIsAnInetDiagReqV2ForTcpInTheGivenStates() {
    byte[] bytes = SockDiag.dumpTcp(Rtnl.AF_INET6, SockDiag.TCPF_ESTABLISHED, "x").encode(3);
    ByteBuffer in = le(bytes);
    assertThat(in.getInt(0)).isEqualTo(bytes.length).isEqualTo(16 + 56);
    assertThat(in.getShort(4)).isEqualTo((short) SockDiag.SOCK_DIAG_BY_FAMILY);
    // family, protocol, ext, pad, states
    assertThat(HexFormat.of().formatHex(bytes, 16, 20)).isEqualTo("0a060000");
    assertThat(in.getInt(20)).isEqualTo(1 << 1);
    // an empty id (ports, addresses, interface), cookie INET_DIAG_NOCOOKIE
    assertThat(Arrays.copyOfRange(bytes, 24, 24 + 40)).containsOnly(0);
    assertThat(in.getInt(64)).isEqualTo(-1);
    assertThat(in.getInt(68)).isEqualTo(-1);
  }

  @Test
  void aRepliedSocketDecodesAndIsDestroyedByItsExactId() throws Exception {
    // inet_diag_msg of an AF_INET6 socket carrying IPv4 (mapped): 10.0.0.1:40000 -> 10.0.0.2:7000
    byte[] msg = new byte[SockDiag.INET_DIAG_MSG_LEN];
    ByteBuffer out = le(msg);
    msg[0] = (byte) Rtnl.AF_INET6;
    msg[1] = (byte) SockDiag.TCP_ESTABLISHED;
    out.order(ByteOrder.BIG_ENDIAN).putShort(4, (short) 40000).putShort(6, (short) 7000);
    byte[] mapped = HexFormat.of().parseHex("00000000000000000000ffff0a000001");
    System.arraycopy(mapped, 0, msg, 8, 16);
    mapped[15] = 2;
    System.arraycopy(mapped, 0, msg, 24, 16);
    out.order(ByteOrder.nativeOrder()).putInt(40, 5).putInt(44, 0x11223344).putInt(48, 0x55667788);
    out.putInt(4 + 48 + 16, 12345); // idiag_inode

    SockDiag.Socket socket = SockDiag.decode(new NlReply(msg, SockDiag.SOCK_DIAG_BY_FAMILY, 0, 0, msg.length));
    assertThat(socket.family()).isEqualTo(Rtnl.AF_INET6);
    assertThat(socket.localAddress()).isEqualTo(InetAddress.getByName("10.0.0.1"));
    assertThat(socket.remoteAddress()).isEqualTo(InetAddress.getByName("10.0.0.2"));
    assertThat(socket.localPort()).isEqualTo(40000);
    assertThat(socket.remotePort()).isEqualTo(7000);
    assertThat(socket.inode()).isEqualTo(12345);
    assertThat(socket).hasToString("tcp 10.0.0.1:40000 -> 10.0.0.2:7000 state 1");

    byte[] destroy = SockDiag.destroy(socket, "x").encode(4);
    assertThat(le(destroy).getInt(0)).isEqualTo(16 + 56);
    assertThat(le(destroy).getShort(4)).isEqualTo((short) SockDiag.SOCK_DESTROY);
    assertThat(destroy[16]).isEqualTo((byte) Rtnl.AF_INET6);
    assertThat(destroy[17]).isEqualTo((byte) SockDiag.IPPROTO_TCP);
    // the inet_diag_sockid, cookie included, exactly as reported
    assertThat(Arrays.copyOfRange(destroy, 24, 72)).isEqualTo(Arrays.copyOfRange(msg, 4, 52));
  }
}
