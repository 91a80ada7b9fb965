package io.github.junitnetns;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.junitnetns.internal.linux.Errno;
import org.junit.jupiter.api.Test;

class NetNsExceptionTest {
  private final NetNsException eexist = new NetNsException("RTM_NEWLINK", "veth eth0@a <-> eth0@b", Errno.EEXIST, "");

  @Test
  void isTellsTheErrnoByName() {
    assertThat(eexist.is("EEXIST")).isTrue();
    assertThat(eexist.is("EPERM")).isFalse();
    assertThat(eexist.errno()).isEqualTo(17);
    assertThat(eexist.errnoName()).isEqualTo("EEXIST");
  }

  @Test
  void aNameThatIsNoErrnoIsRefusedInsteadOfNeverMatching() {
    assertThatThrownBy(() -> eexist.is("EEXISTS")).isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("NetNsException.is(\"EEXISTS\"): not an errno name junit-netns knows; give one of ")
        .hasMessageContaining("EEXIST, ")
        .hasMessageEndingWith(", or compare errno() with the number");
    assertThatThrownBy(() -> eexist.is("eexist")).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> eexist.is(null)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("NetNsException.is(null): not an errno name");
  }

  @Test
  void anErrnoWithoutANameIsStillItsNumber() {
    NetNsException unnamed = new NetNsException("RTM_NEWLINK", "x", 4095, "");
    assertThat(unnamed.errnoName()).isEqualTo("errno 4095");
    assertThat(unnamed.is("EEXIST")).isFalse();
  }
}
