package io.github.junitnetns.internal.net;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class AddressesTest {
  @ParameterizedTest
  @CsvSource({
    "0:0:0:0:0:0:0:1, ::1",
    "fd00:0:0:0:0:0:0:1, fd00::1",
    "2001:db8:0:0:1:0:0:1, 2001:db8::1:0:0:1",
    "2001:db8:0:1:1:1:1:1, 2001:db8:0:1:1:1:1:1",
    "0:0:0:0:0:0:0:0, ::",
    "fe80:0:0:0:a:b:c:d, fe80::a:b:c:d",
    "fd00:14:8:0:0:0:0:2, fd00:14:8::2",
    "1:0:0:0:0:0:0:0, 1::",
    "1:0:0:1:0:0:0:1, 1:0:0:1::1",
    "10.0.0.1, 10.0.0.1",
  })
  void formatsAddressesTheShortWay(String in, String expected) throws Exception {
    assertThat(Addresses.format(InetAddress.getByName(in))).isEqualTo(expected);
  }
}
