package io.github.junitnetns.internal.netlink;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.junitnetns.NetNsException;
import io.github.junitnetns.internal.linux.Errno;
import io.github.junitnetns.internal.linux.ErrnoException;
import org.junit.jupiter.api.Test;

class ErrnoTest {
  @Test
  void namesErrnoAsTheHeadersDo() {
    assertThat(Errno.name(17)).isEqualTo("EEXIST");
    assertThat(Errno.describe(1)).isEqualTo("EPERM (Operation not permitted)");
    assertThat(Errno.name(4095)).isEqualTo("errno 4095");
  }

  @Test
  void kernelErrorsSayOperationObjectAndErrno() {
    ErrnoException e = new ErrnoException("RTM_NEWLINK", "veth eth0@client <-> eth0@server", Errno.EEXIST);
    assertThat(e.getMessage()).isEqualTo("RTM_NEWLINK veth eth0@client <-> eth0@server: EEXIST (File exists)");
    NetNsException pub = new NetNsException("RTM_NEWLINK", "veth eth0@client <-> eth0@server", Errno.EEXIST, "");
    assertThat(pub.getMessage()).isEqualTo(e.getMessage());
    assertThat(pub.errnoName()).isEqualTo("EEXIST");
    assertThat(pub.operation()).isEqualTo("RTM_NEWLINK");
  }
}
