package io.github.junitnetns.jupiter;

import static io.github.junitnetns.jupiter.EngineRuns.describe;
import static io.github.junitnetns.jupiter.EngineRuns.run;
import static java.util.stream.Collectors.joining;
import static org.assertj.core.api.Assertions.assertThat;

import io.github.junitnetns.Link;
import io.github.junitnetns.Network;
import io.github.junitnetns.internal.ns.NetNsAccess;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtensionConfigurationException;
import org.junit.jupiter.api.parallel.Isolated;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.testkit.engine.EngineExecutionResults;
import org.junit.platform.testkit.engine.Event;

/**
 * Bad {@code @VethLink}/{@code @Bridge} topologies (alone and with {@code @IsolatedNetNs}) are
 * refused with an ExtensionConfigurationException that names the annotation (and where it is),
 * the attribute, the offending value and the fix; nothing is created. Valid edge cases are
 * accepted and built as declared. {@code @Isolated}: nothing else runs meanwhile, so the
 * library's creation counter (namespaces, bridges' hidden namespaces included) proves "nothing".
 *
 * <p>Each fixture's body is empty (bad ones) or only records what was built (good ones), so a
 * failure can only come from validation.
 */
@Isolated
@Tag("privileged")
class TopologyValidationPrivilegedTest {

  // ================================================================ bad: unknown namespaces

  @IsolatedNetNs({"a", "b"})
  @VethLink(left = "nope", right = "b")
  static class UnknownLeft {
    @Test void test() {}
  }

  @IsolatedNetNs({"a", "b"})
  @VethLink(left = "a", right = "nope")
  static class UnknownRight {
    @Test void test() {}
  }

  @IsolatedNetNs({"a", "b"})
  @Bridge(name = "lan", members = {"a", "nope"})
  static class UnknownMember {
    @Test void test() {}
  }

  @IsolatedNetNs({"a", "b"})
  static class UnknownOnMethod {
    @Test @VethLink(left = "a", right = "c") void test() {}
  }

  @IsolatedNetNs
  @IsolatedNetNs("b")
  @VethLink(left = "", right = "b")
  static class LinkToUnnamed {
    @Test void test() {}
  }

  // ================================================================ bad: duplicate names

  @IsolatedNetNs({"a", "b"})
  @IsolatedNetNs("a")
  @VethLink(left = "a", right = "b")
  static class DuplicateNamespace {
    @Test void test() {}
  }

  @IsolatedNetNs({"a", "b"})
  @Bridge(name = "a", members = {"a", "b"})
  static class BridgeNamedLikeNamespace {
    @Test void test() {}
  }

  @IsolatedNetNs({"a", "b", "c"})
  @Bridge(name = "lan", members = {"a", "b"})
  @Bridge(name = "lan", members = {"b", "c"})
  static class TwoBridgesOneName {
    @Test void test() {}
  }

  @IsolatedNetNs({"a", "b"})
  @Bridge(name = "lan", members = {"a", "b", "a"})
  static class MemberTwice {
    @Test void test() {}
  }

  // ================================================================ bad: self links

  @IsolatedNetNs({"a", "b"})
  @VethLink(left = "a", right = "a")
  static class SelfLink {
    @Test void test() {}
  }

  @IsolatedNetNs("a")
  @VethLink(left = VethLink.HOST, right = VethLink.HOST)
  static class HostToHost {
    @Test void test() {}
  }

  // ================================================================ bad: CIDR syntax

  @IsolatedNetNs({"a", "b"})
  @VethLink(left = "a", right = "b", subnet = "10.0.0.0/33")
  static class SubnetPrefix33 {
    @Test void test() {}
  }

  @IsolatedNetNs({"a", "b"})
  @VethLink(left = "a", right = "b", subnet = "10.0.0.256/24")
  static class SubnetOctet256 {
    @Test void test() {}
  }

  @IsolatedNetNs({"a", "b"})
  @VethLink(left = "a", right = "b", subnet = "not-an-ip/24")
  static class SubnetNotAnIp {
    @Test void test() {}
  }

  @IsolatedNetNs({"a", "b"})
  @VethLink(left = "a", right = "b", subnet = "10.0.0.1/24")
  static class SubnetHostBits {
    @Test void test() {}
  }

  @IsolatedNetNs({"a", "b"})
  @VethLink(left = "a", right = "b", subnet = "fd00::/129")
  static class SubnetIpv6Prefix129 {
    @Test void test() {}
  }

  @IsolatedNetNs({"a", "b"})
  @VethLink(left = "a", right = "b", leftAddress = "fd00::1/129", rightAddress = "fd00::2/64")
  static class AddressIpv6Prefix129 {
    @Test void test() {}
  }

  @IsolatedNetNs({"a", "b"})
  @VethLink(left = "a", right = "b", leftAddress = "10.0.0.1", rightAddress = "10.0.0.2")
  static class AddressWithoutPrefixOrSubnet {
    @Test void test() {}
  }

  @IsolatedNetNs({"a", "b"})
  @VethLink(left = "a", right = "b", leftAddress = "10.0.0.1/24", rightAddress = "10.0.0.999/24")
  static class RightAddressNotAnIp {
    @Test void test() {}
  }

  @IsolatedNetNs({"a", "b"})
  @Bridge(name = "lan", members = {"a", "b"}, subnet = "10.0.1.1/24")
  static class BridgeSubnetHostBits {
    @Test void test() {}
  }

  @IsolatedNetNs({"a", "b"})
  @Bridge(name = "lan", members = {"a", "b"}, addresses = {"10.0.1.1", "10.0.1.2"})
  static class BridgeAddressWithoutPrefixOrSubnet {
    @Test void test() {}
  }

  // ================================================================ bad: addresses vs subnet

  @IsolatedNetNs({"a", "b"})
  @VethLink(left = "a", right = "b", subnet = "10.0.0.0/24", leftAddress = "10.0.1.1")
  static class LeftAddressOutsideSubnet {
    @Test void test() {}
  }

  @IsolatedNetNs({"a", "b"})
  @VethLink(left = "a", right = "b", subnet = "10.0.0.0/24", rightAddress = "10.0.1.2/24")
  static class RightAddressOutsideSubnet {
    @Test void test() {}
  }

  @IsolatedNetNs({"a", "b"})
  @VethLink(left = "a", right = "b", subnet = "10.0.0.0/24", leftAddress = "fd00::1")
  static class Ipv6AddressInIpv4Subnet {
    @Test void test() {}
  }

  @IsolatedNetNs({"a", "b"})
  @VethLink(left = "a", right = "b", subnet = "10.0.0.0/24", leftAddress = "10.0.0.5/16")
  static class AddressPrefixDiffersFromSubnet {
    @Test void test() {}
  }

  @IsolatedNetNs({"a", "b"})
  @VethLink(left = "a", right = "b", subnet = "10.0.0.0/24", leftAddress = "10.0.0.0")
  static class NetworkAddress {
    @Test void test() {}
  }

  @IsolatedNetNs({"a", "b"})
  @VethLink(left = "a", right = "b", leftAddress = "10.0.0.1/24", rightAddress = "10.0.0.1/24")
  static class BothEndsOneAddress {
    @Test void test() {}
  }

  @IsolatedNetNs({"a", "b", "c"})
  @Bridge(name = "lan", members = {"a", "b", "c"}, subnet = "10.0.1.0/24", addresses = {"10.0.1.1", "10.0.2.2", "10.0.1.3"})
  static class BridgeAddressOutsideSubnet {
    @Test void test() {}
  }

  @IsolatedNetNs({"a", "b"})
  @Bridge(name = "lan", members = {"a", "b"}, addresses = {"10.0.1.1/24", "10.0.1.1/24"})
  static class BridgeTwoMembersOneAddress {
    @Test void test() {}
  }

  // ================================================================ bad: subnet too small

  @IsolatedNetNs({"a", "b"})
  @VethLink(left = "a", right = "b", subnet = "10.0.0.0/32")
  static class VethSubnetSlash32 {
    @Test void test() {}
  }

  @IsolatedNetNs({"a", "b"})
  @VethLink(left = "a", right = "b", subnet = "fd00::/127")
  static class VethSubnetIpv6Slash127 {
    @Test void test() {}
  }

  @IsolatedNetNs({"a", "b", "c"})
  @Bridge(name = "lan", members = {"a", "b", "c"}, subnet = "10.0.1.0/30")
  static class BridgeSubnetSlash30ThreeMembers {
    @Test void test() {}
  }

  // ================================================================ bad: interface names

  @IsolatedNetNs({"a", "b"})
  @VethLink(left = "a", right = "b", leftName = "abcdefghijklmnop")
  static class LeftNameTooLong {
    @Test void test() {}
  }

  @IsolatedNetNs({"a", "b"})
  @VethLink(left = "a", right = "b", rightName = "lo")
  static class RightNameLo {
    @Test void test() {}
  }

  @IsolatedNetNs({"a", "b"})
  @VethLink(left = "a", right = "b", leftName = "eth0:1")
  static class LeftNameWithColon {
    @Test void test() {}
  }

  @IsolatedNetNs({"a", "b"})
  @Bridge(name = "abcdefghijklmnop", members = {"a", "b"})
  static class BridgeNameTooLong {
    @Test void test() {}
  }

  @IsolatedNetNs({"a", "b"})
  @Bridge(name = "", members = {"a", "b"})
  static class BridgeNameEmpty {
    @Test void test() {}
  }

  @IsolatedNetNs({"a", "b"})
  @Bridge(name = "lan", members = {"a", "b"}, interfaceNames = {"a/b", "x"})
  static class BridgeInterfaceNameWithSlash {
    @Test void test() {}
  }

  @IsolatedNetNs({"a", "b", "c"})
  @VethLink(left = "a", right = "b", leftName = "up")
  @VethLink(left = "a", right = "c", leftName = "up")
  static class TwoLeftNamesClash {
    @Test void test() {}
  }

  @IsolatedNetNs({"a", "b", "c"})
  @VethLink(left = "a", right = "b", leftName = "x")
  @VethLink(left = "c", right = "a", rightName = "x")
  static class RightNameClashesWithLeftName {
    @Test void test() {}
  }

  @IsolatedNetNs({"a", "b"})
  @VethLink(left = "a", right = "b", leftName = "eth0")
  @Bridge(name = "lan", members = {"a", "b"}, interfaceNames = {"eth0", "eth9"})
  static class BridgeInterfaceNameClashesWithVeth {
    @Test void test() {}
  }

  // ================================================================ bad: address families

  @IsolatedNetNs({"a", "b"})
  @VethLink(left = "a", right = "b", leftAddress = "10.0.0.1/24", rightAddress = "fd00::2/64")
  static class LinkMixesFamilies {
    @Test void test() {}
  }

  @IsolatedNetNs({"a", "b"})
  @Bridge(name = "lan", members = {"a", "b"}, addresses = {"10.0.1.1/24", "fd00::2/64"})
  static class BridgeMixesFamilies {
    @Test void test() {}
  }

  // ================================================================ bad: the host

  @IsolatedNetNs({"a", "b"})
  @Bridge(name = "lan", members = {"a", VethLink.HOST})
  static class HostAsBridgeMember {
    @Test void test() {}
  }

  // ================================================================ bad: counts and ranges

  @IsolatedNetNs({"a", "b"})
  @VethLink(left = "a", right = "b", leftAddress = "10.0.0.1/24")
  static class OnlyLeftAddress {
    @Test void test() {}
  }

  @IsolatedNetNs({"a", "b"})
  @VethLink(left = "a", right = "b", rightAddress = "10.0.0.2/24")
  static class OnlyRightAddress {
    @Test void test() {}
  }

  @IsolatedNetNs({"a", "b", "c"})
  @Bridge(name = "lan", members = {"a", "b", "c"}, addresses = {"10.0.1.1/24", "10.0.1.2/24"})
  static class BridgeAddressCount {
    @Test void test() {}
  }

  @IsolatedNetNs({"a", "b"})
  @Bridge(name = "lan", members = {"a", "b"}, interfaceNames = "lan0")
  static class BridgeInterfaceNamesCount {
    @Test void test() {}
  }

  @IsolatedNetNs({"a", "b"})
  @Bridge(name = "lan", members = {})
  static class BridgeWithoutMembers {
    @Test void test() {}
  }

  @IsolatedNetNs({"a", "b"})
  @VethLink(left = "a", right = "b", mtu = 10)
  static class VethMtuTooSmall {
    @Test void test() {}
  }

  @IsolatedNetNs({"a", "b"})
  @Bridge(name = "lan", members = {"a", "b"}, mtu = 70000)
  static class BridgeMtuTooLarge {
    @Test void test() {}
  }

  // ================================================================ bad: no @IsolatedNetNs at all

  @VethLink(left = "a", right = "b", subnet = "10.0.0.0/24")
  static class VethLinkWithoutNamespaces {
    @Test void test() {}
  }

  @Bridge(name = "lan", members = {"a", "b"})
  static class BridgeWithoutNamespaces {
    @Test void test() {}
  }

  static class MethodVethLinkWithoutNamespaces {
    @Test @VethLink(left = VethLink.HOST, right = "a") void test() {}
  }

  private static final String AB = "@VethLink(left = \"a\", right = \"b\") on ";
  private static final String LAN = "@Bridge(name = \"lan\") on ";

  /** Fixture, how the message starts (annotation and where), then what it must contain: attribute, value, fix. */
  static Stream<Arguments> badTopologies() {
    return Stream.of(
        // unknown namespaces
        row(UnknownLeft.class, "@VethLink(left = \"nope\", right = \"b\") on UnknownLeft",
            "left names \"nope\", which is not a namespace of this test; declared: [a, b].",
            "Fix the name, or declare it with @IsolatedNetNs(\"nope\")."),
        row(UnknownRight.class, "@VethLink(left = \"a\", right = \"nope\") on UnknownRight",
            "right names \"nope\", which is not a namespace of this test; declared: [a, b].",
            "@IsolatedNetNs(\"nope\")"),
        row(UnknownMember.class, LAN + "UnknownMember",
            "members names \"nope\", which is not a namespace of this test; declared: [a, b].",
            "@IsolatedNetNs(\"nope\")"),
        row(UnknownOnMethod.class, "@VethLink(left = \"a\", right = \"c\") on UnknownOnMethod.test()",
            "right names \"c\", which is not a namespace of this test; declared: [a, b]."),
        row(LinkToUnnamed.class, "@VethLink(left = \"\", right = \"b\") on LinkToUnnamed",
            "left names \"\", which is not a namespace of this test; declared: [b]."),
        // duplicate names
        row(DuplicateNamespace.class, "@IsolatedNetNs declares",
            "\"a\" twice: on DuplicateNamespace and on DuplicateNamespace.", "Give each namespace its own name."),
        row(BridgeNamedLikeNamespace.class, "@Bridge(name = \"a\") on BridgeNamedLikeNamespace",
            "has the name of a namespace, \"a\".", "Names of bridges and namespaces must differ."),
        row(TwoBridgesOneName.class, LAN + "TwoBridgesOneName",
            "is the second bridge called \"lan\".", "Give each bridge its own name."),
        row(MemberTwice.class, LAN + "MemberTwice",
            "lists member \"a\" twice.", "Plug each namespace in once."),
        // self links
        row(SelfLink.class, "@VethLink(left = \"a\", right = \"a\") on SelfLink",
            "links namespace \"a\" to itself.", "Give left and right two different namespaces."),
        row(HostToHost.class, "@VethLink(left = \"<host>\", right = \"<host>\") on HostToHost",
            "links the host to itself.", "Give left and right two different namespaces."),
        // CIDR syntax
        row(SubnetPrefix33.class, AB + "SubnetPrefix33",
            "subnet \"10.0.0.0/33\"", "prefix length \"33\"; an IPv4 prefix length is a number from 0 to 32"),
        row(SubnetOctet256.class, AB + "SubnetOctet256",
            "subnet \"10.0.0.256/24\"", "is not an IP address; write e.g. 10.0.0.0/24 or fd00::/64"),
        row(SubnetNotAnIp.class, AB + "SubnetNotAnIp",
            "subnet \"not-an-ip/24\"", "is not an IP address"),
        row(SubnetHostBits.class, AB + "SubnetHostBits",
            "subnet \"10.0.0.1/24\"", "has host bits set; the subnet is 10.0.0.0/24"),
        row(SubnetIpv6Prefix129.class, AB + "SubnetIpv6Prefix129",
            "subnet \"fd00::/129\"", "prefix length \"129\"; an IPv6 prefix length is a number from 0 to 128"),
        row(AddressIpv6Prefix129.class, AB + "AddressIpv6Prefix129",
            "leftAddress \"fd00::1/129\"", "an IPv6 prefix length is a number from 0 to 128"),
        row(AddressWithoutPrefixOrSubnet.class, AB + "AddressWithoutPrefixOrSubnet",
            "leftAddress \"10.0.0.1\"", "has no prefix length; write it as CIDR, e.g. 10.0.0.1/24"),
        row(RightAddressNotAnIp.class, AB + "RightAddressNotAnIp",
            "rightAddress \"10.0.0.999/24\"", "is not an IP address"),
        row(BridgeSubnetHostBits.class, LAN + "BridgeSubnetHostBits",
            "subnet \"10.0.1.1/24\"", "has host bits set; the subnet is 10.0.1.0/24"),
        row(BridgeAddressWithoutPrefixOrSubnet.class, LAN + "BridgeAddressWithoutPrefixOrSubnet",
            "addresses \"10.0.1.1\"", "has no prefix length"),
        // addresses vs subnet
        row(LeftAddressOutsideSubnet.class, AB + "LeftAddressOutsideSubnet",
            "has leftAddress \"10.0.1.1\", outside subnet 10.0.0.0/24.",
            "Use an address of the subnet (e.g. 10.0.0.1/24), or drop the subnet."),
        row(RightAddressOutsideSubnet.class, AB + "RightAddressOutsideSubnet",
            "has rightAddress \"10.0.1.2/24\", outside subnet 10.0.0.0/24."),
        row(Ipv6AddressInIpv4Subnet.class, AB + "Ipv6AddressInIpv4Subnet",
            "has leftAddress \"fd00::1\", outside subnet 10.0.0.0/24."),
        // The wording ("outside") is misleading here: the address is inside, its prefix differs. See the gaps below.
        row(AddressPrefixDiffersFromSubnet.class, AB + "AddressPrefixDiffersFromSubnet",
            "has leftAddress \"10.0.0.5/16\"", "subnet 10.0.0.0/24"),
        row(NetworkAddress.class, AB + "NetworkAddress",
            "has leftAddress \"10.0.0.0\", the network address of 10.0.0.0/24.", "Use a host address such as 10.0.0.1/24."),
        row(BothEndsOneAddress.class, AB + "BothEndsOneAddress",
            "gives both ends the address 10.0.0.1/24.", "Give each end its own."),
        row(BridgeAddressOutsideSubnet.class, LAN + "BridgeAddressOutsideSubnet",
            "has addresses \"10.0.2.2\", outside subnet 10.0.1.0/24."),
        row(BridgeTwoMembersOneAddress.class, LAN + "BridgeTwoMembersOneAddress",
            "gives two members the address 10.0.1.1/24.", "Give each its own."),
        // subnet too small (a /31 has 2 usable addresses, RFC 3021; an IPv6 /127 has 1: the first is the subnet-router anycast)
        row(VethSubnetSlash32.class, AB + "VethSubnetSlash32",
            "has subnet 10.0.0.0/32 with 1 usable address(es), too few for 2 ends.", "Use a larger subnet, e.g. 10.0.0.0/"),
        row(VethSubnetIpv6Slash127.class, AB + "VethSubnetIpv6Slash127",
            "has subnet fd00::/127 with 1 usable address(es), too few for 2 ends.", "Use a larger subnet, e.g. fd00::/126."),
        row(BridgeSubnetSlash30ThreeMembers.class, LAN + "BridgeSubnetSlash30ThreeMembers",
            "has subnet 10.0.1.0/30 with 2 usable address(es), too few for 3 members.", "Use a larger subnet, e.g. 10.0.1.0/29."),
        // interface names
        row(LeftNameTooLong.class, AB + "LeftNameTooLong",
            "has leftName = \"abcdefghijklmnop\", 16 bytes; Linux interface names have at most 15", "Shorten it."),
        // The fix text ("Use letters, digits, ...") misleads for "lo"; see the gaps below.
        row(RightNameLo.class, AB + "RightNameLo", "has rightName = \"lo\""),
        row(LeftNameWithColon.class, AB + "LeftNameWithColon",
            "has leftName = \"eth0:1\", which cannot name an interface here."),
        row(BridgeNameTooLong.class, "@Bridge(name = \"abcdefghijklmnop\") on BridgeNameTooLong",
            "has name = \"abcdefghijklmnop\", 16 bytes"),
        row(BridgeNameEmpty.class, "@Bridge(name = \"\") on BridgeNameEmpty",
            "has an empty name.", "Name the bridge, e.g. name = \"lan\"."),
        row(BridgeInterfaceNameWithSlash.class, LAN + "BridgeInterfaceNameWithSlash",
            "has interfaceNames = \"a/b\", which cannot name an interface here."),
        row(TwoLeftNamesClash.class, "@VethLink(left = \"a\", right = \"c\") on TwoLeftNamesClash",
            "has leftName = \"up\", already used by another interface in namespace \"a\".", "Give each interface its own name."),
        row(RightNameClashesWithLeftName.class, "@VethLink(left = \"c\", right = \"a\") on RightNameClashesWithLeftName",
            "has rightName = \"x\", already used by another interface in namespace \"a\"."),
        row(BridgeInterfaceNameClashesWithVeth.class, LAN + "BridgeInterfaceNameClashesWithVeth",
            "has interfaceNames = \"eth0\", already used by another interface in namespace \"a\"."),
        // address families
        row(LinkMixesFamilies.class, AB + "LinkMixesFamilies",
            "mixes IPv4 and IPv6: leftAddress 10.0.0.1/24, rightAddress fd00::2/64.",
            "Use one family per link; add a second @VethLink for the other."),
        row(BridgeMixesFamilies.class, LAN + "BridgeMixesFamilies",
            "mixes IPv4 and IPv6 in addresses: 10.0.1.1/24 and fd00::2/64.",
            "Use one family per bridge; add a second @Bridge for the other."),
        // the host
        row(HostAsBridgeMember.class, LAN + "HostAsBridgeMember",
            "lists VethLink.HOST as a member: a bridge never touches the host.",
            "@VethLink(left = VethLink.HOST, right = \"...\") instead."),
        // counts and ranges
        // These name the attribute but not its value yet; see the gaps below.
        row(OnlyLeftAddress.class, AB + "OnlyLeftAddress",
            "sets leftAddress", " only. Give both ends an address, or a subnet"),
        row(OnlyRightAddress.class, AB + "OnlyRightAddress",
            "sets rightAddress", " only. Give both ends an address, or a subnet"),
        row(BridgeAddressCount.class, LAN + "BridgeAddressCount",
            "has 2 addresses for 3 members.", "Give one per member, in member order, or a subnet."),
        row(BridgeInterfaceNamesCount.class, LAN + "BridgeInterfaceNamesCount",
            "has 1 interfaceNames for 2 members.", "Give one per member, in member order, or none"),
        row(BridgeWithoutMembers.class, LAN + "BridgeWithoutMembers",
            "has no members.", "members = {\"n1\", \"n2\"}"),
        row(VethMtuTooSmall.class, AB + "VethMtuTooSmall",
            "has mtu = 10.", "Use 68 to 65535, or leave it out"),
        row(BridgeMtuTooLarge.class, LAN + "BridgeMtuTooLarge",
            "has mtu = 70000.", "Use 68 to 65535"),
        // no @IsolatedNetNs at all: the unknown-namespace check answers first, with an empty list
        row(VethLinkWithoutNamespaces.class, AB + "VethLinkWithoutNamespaces",
            "left names \"a\", which is not a namespace of this test; declared: [].",
            "declare it with @IsolatedNetNs(\"a\")"),
        row(BridgeWithoutNamespaces.class, LAN + "BridgeWithoutNamespaces",
            "members names \"a\", which is not a namespace of this test; declared: []."),
        row(MethodVethLinkWithoutNamespaces.class,
            "@VethLink(left = \"<host>\", right = \"a\") on MethodVethLinkWithoutNamespaces.test()",
            "right names \"a\", which is not a namespace of this test; declared: []."));
  }

  private static Arguments row(Class<?> fixture, String annotation, String... fragments) {
    return Arguments.of(Named.of(fixture.getSimpleName(), fixture), annotation, List.of(fragments));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("badTopologies")
  void isRefusedBeforeAnythingIsCreated(Class<?> fixture, String annotation, List<String> fragments) {
    long created = NetNsAccess.createdCount();
    EngineExecutionResults results = run(fixture);
    assertThat(failures(results)).as(describe(results.allEvents())).singleElement().satisfies(thrown -> {
      assertThat(thrown).isInstanceOf(ExtensionConfigurationException.class).hasMessageStartingWith(annotation + " ");
      fragments.forEach(fragment -> assertThat(thrown).hasMessageContaining(fragment));
    });
    assertThat(results.testEvents().succeeded().count()).as("tests that ran").isZero();
    assertThat(NetNsAccess.createdCount()).as("namespaces created").isEqualTo(created);
  }

  // ================================================================ gaps: not refused (well) yet

  @IsolatedNetNs({"a", "b"})
  @VethLink(left = "a", right = "b", subnet = "10.0.0.0/24", leftAddress = "10.0.0.255")
  static class BroadcastAddress {
    @Test void test() {}
  }

  @IsolatedNetNs({"a", "b"})
  @VethLink(left = "a", right = "b", subnet = "224.0.0.0/24")
  static class Ipv4MulticastSubnet {
    @Test void test() {}
  }

  @IsolatedNetNs({"a", "b"})
  @VethLink(left = "a", right = "b", subnet = "ff00::/64")
  static class Ipv6MulticastSubnet {
    @Test void test() {}
  }

  @IsolatedNetNs({"a", "b"})
  @VethLink(left = "a", right = "b", subnet = "::/126")
  static class Ipv6LoopbackInSubnet {
    @Test void test() {}
  }

  @IsolatedNetNs({"a", "b"})
  @VethLink(left = "a", right = "b", subnet = "fd00::/64", mtu = 1000)
  static class Ipv6MtuBelow1280 {
    @Test void test() {}
  }

  @IsolatedNetNs({"a", "b"})
  @Bridge(name = "lan", members = {"a", "b"}, subnet = "fd00::/64", mtu = 1000)
  static class BridgeIpv6MtuBelow1280 {
    @Test void test() {}
  }

  @IsolatedNetNs({"a", "b"})
  @VethLink(left = "a", right = "b", leftName = "x%d")
  static class PercentInLeftName {
    @Test void test() {}
  }

  @IsolatedNetNs({"a", "b"})
  @Bridge(name = "b%d", members = {"a", "b"})
  static class PercentInBridgeName {
    @Test void test() {}
  }

  @IsolatedNetNs({"a", "b", "c"})
  @VethLink(left = "a", right = "b", subnet = "10.0.0.0/24")
  @VethLink(left = "a", right = "c", subnet = "10.0.0.0/24")
  static class SameAddressTwiceInOneNamespace {
    @Test void test() {}
  }

  @IsolatedNetNs(value = {"a", "b"}, scope = IsolatedNetNs.Scope.CLASS)
  static class ClassScopeWithBadMethodLink {
    @Test @VethLink(left = "a", right = "b", mtu = 10) void test() {}
  }

  /**
   * Found while writing this test (see the report): the first rows build broken topologies or fail
   * in the kernel after namespaces exist; the last ones are refused in time but the message misses
   * the value or misleads. Enable when Plan checks them. (A HOST end named like an existing host
   * interface, e.g. rightName = "eth0", also fails late with EEXIST; left out here on purpose, it
   * needs the host.)
   */
  static Stream<Arguments> knownGaps() {
    return Stream.of(
        row(BroadcastAddress.class, AB + "BroadcastAddress",
            "has leftAddress \"10.0.0.255\", the broadcast address of 10.0.0.0/24."),
        row(Ipv4MulticastSubnet.class, AB + "Ipv4MulticastSubnet", "subnet \"224.0.0.0/24\"", "multicast"),
        row(Ipv6MulticastSubnet.class, AB + "Ipv6MulticastSubnet", "subnet \"ff00::/64\"", "multicast"),
        row(Ipv6LoopbackInSubnet.class, AB + "Ipv6LoopbackInSubnet", "subnet \"::/126\"", "loopback"),
        row(Ipv6MtuBelow1280.class, AB + "Ipv6MtuBelow1280", "has mtu = 1000", "IPv6 needs at least 1280"),
        row(BridgeIpv6MtuBelow1280.class, LAN + "BridgeIpv6MtuBelow1280", "has mtu = 1000", "IPv6 needs at least 1280"),
        row(PercentInLeftName.class, AB + "PercentInLeftName", "has leftName = \"x%d\""),
        row(PercentInBridgeName.class, "@Bridge(name = \"b%d\") on PercentInBridgeName", "has name = \"b%d\""),
        row(SameAddressTwiceInOneNamespace.class, "@VethLink(left = \"a\", right = \"c\") on SameAddressTwiceInOneNamespace",
            "10.0.0.1/24", "namespace \"a\""),
        row(ClassScopeWithBadMethodLink.class, AB + "ClassScopeWithBadMethodLink.test()", "has mtu = 10."),
        row(OnlyLeftAddress.class, AB + "OnlyLeftAddress", "sets leftAddress = \"10.0.0.1/24\" only."),
        row(AddressPrefixDiffersFromSubnet.class, AB + "AddressPrefixDiffersFromSubnet",
            "has leftAddress \"10.0.0.5/16\", whose prefix length /16 differs from subnet 10.0.0.0/24"),
        row(RightNameLo.class, AB + "RightNameLo", "has rightName = \"lo\"", "loopback"));
  }
  @ParameterizedTest(name = "{0}")
  @MethodSource("knownGaps")
  void refusesAlsoTheCasesFoundByThisTable(Class<?> fixture, String annotation, List<String> fragments) {
    isRefusedBeforeAnythingIsCreated(fixture, annotation, fragments);
  }

  // ================================================================ good: valid edge cases build

  static final Map<Class<?>, String> BUILT = new ConcurrentHashMap<>();

  /** What a fixture's body saw: per namespace, its interfaces (not lo) with MTU (when not 1500) and global addresses. */
  static void record(Object test, Network net) {
    BUILT.put(test.getClass(), net.names().stream()
        .map(name -> name + ": " + net.ns(name).links().stream()
            .filter(link -> !link.name().equals("lo"))
            .map(TopologyValidationPrivilegedTest::describeLink)
            .sorted()
            .collect(joining("; ")))
        .collect(joining(" | ")));
  }

  private static String describeLink(Link link) {
    return link.name() + (link.mtu() == 1500 ? "" : " mtu " + link.mtu()) + link.addresses().stream()
        .filter(a -> !a.address().isLinkLocalAddress())
        .map(a -> " " + a)
        .collect(joining());
  }

  @IsolatedNetNs({"a", "b"})
  @VethLink(left = "a", right = "b", subnet = "10.0.0.0/24", leftAddress = "10.0.0.7")
  static class LeftAddressGivenRightDefaulted {
    @Test void test(Network net) { record(this, net); }
  }

  @IsolatedNetNs({"a", "b"})
  @VethLink(left = "a", right = "b", subnet = "10.0.0.0/24", rightAddress = "10.0.0.1")
  static class RightTakesTheFirstAddress {
    @Test void test(Network net) { record(this, net); }
  }

  @IsolatedNetNs({"a", "b"})
  @VethLink(left = "a", right = "b", subnet = "10.0.0.0/24", leftAddress = "10.0.0.10", rightAddress = "10.0.0.20/24")
  static class BareAndCidrAddressesInSubnet {
    @Test void test(Network net) { record(this, net); }
  }

  @IsolatedNetNs({"a", "b"})
  @VethLink(left = "a", right = "b", leftAddress = "192.168.5.1/30", rightAddress = "192.168.5.2/30")
  static class CidrAddressesWithoutSubnet {
    @Test void test(Network net) { record(this, net); }
  }

  @IsolatedNetNs({"a", "b"})
  @VethLink(left = "a", right = "b", subnet = "10.0.0.0/31")
  static class Ipv4Slash31 {
    @Test void test(Network net) { record(this, net); }
  }

  @IsolatedNetNs({"a", "b"})
  @VethLink(left = "a", right = "b", subnet = "fd00::/126")
  static class Ipv6Slash126 {
    @Test void test(Network net) { record(this, net); }
  }

  @IsolatedNetNs({"a", "b"})
  @VethLink(left = "a", right = "b", subnet = "fd00:1::/64", rightAddress = "fd00:1::beef", mtu = 1280)
  static class Ipv6BareAddressAndMinimumMtu {
    @Test void test(Network net) { record(this, net); }
  }

  @IsolatedNetNs({"a", "b"})
  @VethLink(left = "a", right = "b", subnet = "10.0.0.0/24", mtu = 68)
  static class SmallestMtu {
    @Test void test(Network net) { record(this, net); }
  }

  @IsolatedNetNs({"a", "b", "c"})
  @VethLink(left = "a", right = "b", subnet = "10.0.1.0/24")
  @VethLink(left = "a", right = "c", subnet = "10.0.2.0/24", leftName = "eth0")
  static class ExplicitEth0BesideADefault {
    @Test void test(Network net) { record(this, net); }
  }

  @IsolatedNetNs({"a", "b"})
  @Bridge(name = "lan", members = {"a", "b"}, subnet = "10.0.1.0/30", interfaceNames = {"lan0", "lan1"}, mtu = 65535)
  static class BridgeExactlyFullAndLargestMtu {
    @Test void test(Network net) { record(this, net); }
  }

  @IsolatedNetNs({"a", "b", "c"})
  @Bridge(name = "lan", members = {"a", "b", "c"}, subnet = "10.0.1.0/24", addresses = {"10.0.1.30", "10.0.1.20", "10.0.1.10/24"})
  static class BridgeBareAddressesInSubnet {
    @Test void test(Network net) { record(this, net); }
  }

  @IsolatedNetNs({"a", "b"})
  @VethLink(left = "a", right = "b", subnet = "10.0.0.0/24")
  @Bridge(name = "lan", members = {"b", "a"}, subnet = "fd00:2::/64")
  static class VethBeforeBridgeInOneNamespace {
    @Test void test(Network net) { record(this, net); }
  }

  @IsolatedNetNs("a")
  @VethLink(left = "a", right = "b", subnet = "10.0.0.0/24")
  static class ClassLinkToMethodNamespace {
    @Test @IsolatedNetNs("b") void test(Network net) { record(this, net); }
  }

  static Stream<Arguments> goodTopologies() {
    return Stream.of(
        good(LeftAddressGivenRightDefaulted.class, "a: eth0 10.0.0.7/24 | b: eth0 10.0.0.2/24"),
        good(RightTakesTheFirstAddress.class, "a: eth0 10.0.0.2/24 | b: eth0 10.0.0.1/24"),
        good(BareAndCidrAddressesInSubnet.class, "a: eth0 10.0.0.10/24 | b: eth0 10.0.0.20/24"),
        good(CidrAddressesWithoutSubnet.class, "a: eth0 192.168.5.1/30 | b: eth0 192.168.5.2/30"),
        good(Ipv4Slash31.class, "a: eth0 10.0.0.0/31 | b: eth0 10.0.0.1/31"),
        good(Ipv6Slash126.class, "a: eth0 fd00::1/126 | b: eth0 fd00::2/126"),
        good(Ipv6BareAddressAndMinimumMtu.class, "a: eth0 mtu 1280 fd00:1::1/64 | b: eth0 mtu 1280 fd00:1::beef/64"),
        good(SmallestMtu.class, "a: eth0 mtu 68 10.0.0.1/24 | b: eth0 mtu 68 10.0.0.2/24"),
        good(ExplicitEth0BesideADefault.class,
            "a: eth0 10.0.2.1/24; eth1 10.0.1.1/24 | b: eth0 10.0.1.2/24 | c: eth0 10.0.2.2/24"),
        good(BridgeExactlyFullAndLargestMtu.class, "a: lan0 mtu 65535 10.0.1.1/30 | b: lan1 mtu 65535 10.0.1.2/30"),
        good(BridgeBareAddressesInSubnet.class, "a: eth0 10.0.1.30/24 | b: eth0 10.0.1.20/24 | c: eth0 10.0.1.10/24"),
        good(VethBeforeBridgeInOneNamespace.class,
            "a: eth0 10.0.0.1/24; eth1 fd00:2::2/64 | b: eth0 10.0.0.2/24; eth1 fd00:2::1/64"),
        good(ClassLinkToMethodNamespace.class, "a: eth0 10.0.0.1/24 | b: eth0 10.0.0.2/24"));
  }

  private static Arguments good(Class<?> fixture, String built) {
    return Arguments.of(Named.of(fixture.getSimpleName(), fixture), built);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("goodTopologies")
  void isAcceptedAndBuilt(Class<?> fixture, String built) {
    BUILT.remove(fixture);
    long created = NetNsAccess.createdCount();
    EngineExecutionResults results = run(fixture);
    assertThat(failures(results)).as(describe(results.allEvents())).isEmpty();
    results.testEvents().assertStatistics(s -> s.started(1).succeeded(1));
    assertThat(NetNsAccess.createdCount()).as("namespaces created").isGreaterThan(created);
    assertThat(BUILT.get(fixture)).isEqualTo(built);
  }

  /** Failures of tests and of containers (a class-level declaration can fail the class). */
  private static List<Throwable> failures(EngineExecutionResults results) {
    return results.allEvents().failed().stream()
        .map((Event e) -> e.getRequiredPayload(TestExecutionResult.class).getThrowable().orElseThrow())
        .toList();
  }
}
