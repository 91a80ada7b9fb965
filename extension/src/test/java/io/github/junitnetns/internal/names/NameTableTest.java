package io.github.junitnetns.internal.names;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The names of one network: order, families, case, reverse lookups, the /etc/hosts lines. */
class NameTableTest {
  private static final int IPV4 = 1;
  private static final int IPV6 = 2;
  private static final int IPV4_FIRST = 4;
  private static final int IPV6_FIRST = 8;

  private static InetAddress ip(String literal) throws UnknownHostException {
    return InetAddress.getByName(literal);
  }

  private static NameTable table() throws UnknownHostException {
    return NameTable.builder()
        .namespace("client", "net:[1]").namespace("server", "net:[2]").namespace("localhost", "net:[3]")
        .namespace("bare", "net:[4]").namespace("", "net:[5]")
        .address("server", ip("fd00::2")).address("server", ip("10.0.0.2")).address("server", ip("fd00::2"))
        .address("client", ip("10.0.0.1")).address("localhost", ip("10.0.0.3"))
        .build();
  }

  @Test
  void everyConfiguredAddressInDeclarationOrderEachOnceNamed() throws Exception {
    List<InetAddress> server = table().addresses("server");
    assertThat(server).containsExactly(ip("fd00::2"), ip("10.0.0.2"));
    assertThat(server).extracting(InetAddress::getHostName).containsOnly("server");
    assertThat(table().addresses("SERVER.")).isEqualTo(server); // DNS names ignore case; a trailing dot is the root
  }

  @Test
  void theLookupPolicyPicksAndOrdersTheFamilies() throws Exception {
    NameTable table = table();
    assertThat(table.addresses("server", IPV4 | IPV6)).containsExactly(ip("fd00::2"), ip("10.0.0.2"));
    assertThat(table.addresses("server", IPV4 | IPV6 | IPV4_FIRST)).containsExactly(ip("10.0.0.2"), ip("fd00::2"));
    assertThat(table.addresses("server", IPV4 | IPV6 | IPV6_FIRST)).containsExactly(ip("fd00::2"), ip("10.0.0.2"));
    assertThat(table.addresses("server", IPV4)).containsExactly(ip("10.0.0.2"));
    assertThat(table.addresses("client", IPV6)).isEmpty();
    assertThat(table.addresses("elsewhere", IPV4 | IPV6)).isNull();
  }

  @Test
  void localhostAndNamesWithoutAddressAreNotNames() throws Exception {
    NameTable table = table();
    assertThat(table.addresses("localhost")).isNull();
    assertThat(table.addresses("bare")).isNull();
    assertThat(table.entries()).extracting(NameTable.Entry::name).containsExactly("client", "server");
    assertThat(table.seenFrom("net:[3]")).isTrue(); // the namespace still sees the others' names
    assertThat(table.seenFrom("net:[9]")).isFalse();
  }

  @Test
  void reverseLookupGivesTheName() throws Exception {
    assertThat(table().nameOf(ip("10.0.0.2").getAddress())).isEqualTo("server");
    assertThat(table().nameOf(ip("fd00::2").getAddress())).isEqualTo("server");
    assertThat(table().nameOf(ip("10.0.0.3").getAddress())).isNull();
  }

  @Test
  void hostsLinesListEveryAddress() throws Exception {
    assertThat(table().hostsLines()).isEqualTo("10.0.0.1\tclient\nfd00::2\tserver\n10.0.0.2\tserver\n");
  }
}
