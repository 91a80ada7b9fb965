package io.github.junitnetns;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import org.junit.jupiter.api.Test;

class LinkAddressTest {
  @Test
  void anAddressIsAValueWrittenAsCidr() throws Exception {
    Link.Address v4 = new Link.Address(InetAddress.getByName("10.0.0.1"), 24);
    Link.Address v6 = new Link.Address(InetAddress.getByName("fd00::1"), 64);
    assertThat(v4).hasToString("10.0.0.1/24").isEqualTo(new Link.Address(InetAddress.getByName("10.0.0.1"), 24))
        .hasSameHashCodeAs(new Link.Address(InetAddress.getByName("10.0.0.1"), 24))
        .isNotEqualTo(new Link.Address(InetAddress.getByName("10.0.0.1"), 25));
    assertThat(v4.address()).isEqualTo(InetAddress.getByName("10.0.0.1"));
    assertThat(v4.prefixLength()).isEqualTo(24);
    assertThat(v4.isIpv6()).isFalse();
    assertThat(v6).hasToString("fd00::1/64");
    assertThat(v6.isIpv6()).isTrue();
  }

  @Test
  void aMissingAddressOrAPrefixOutOfRangeIsRefused() throws Exception {
    assertThatThrownBy(() -> new Link.Address(null, 24)).isInstanceOf(IllegalArgumentException.class)
        .hasMessage("Link.Address(null, 24): give an address, e.g. InetAddress.getByName(\"10.0.0.1\")");
    assertThatThrownBy(() -> new Link.Address(InetAddress.getByName("10.0.0.1"), 33))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("Link.Address(10.0.0.1, 33): the prefix length of an IPv4 address is 0 to 32");
    assertThatThrownBy(() -> new Link.Address(InetAddress.getByName("fd00::1"), -1))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("Link.Address(fd00::1, -1): the prefix length of an IPv6 address is 0 to 128");
  }
}
