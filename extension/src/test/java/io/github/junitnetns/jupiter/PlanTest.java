package io.github.junitnetns.jupiter;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.junitnetns.internal.topology.BridgePlan;
import io.github.junitnetns.internal.topology.Endpoint;
import io.github.junitnetns.internal.topology.VethPlan;
import java.lang.reflect.Method;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtensionConfigurationException;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Bad declarations are refused when the plan is made, without privileges and before anything
 * exists, with an ExtensionConfigurationException that names the annotation (and where it is), the
 * attribute, the offending value and the fix. Good ones are planned with every interface name and
 * address decided. {@link TopologyValidationPrivilegedTest} and {@link ValidationPrivilegedTest}
 * run a few of these fixtures through the engine, to show that nothing is created.
 *
 * <p>Each fixture's annotations are read as the extension reads them: from the class (and its
 * enclosing classes) and from its method {@code test}, when it has annotations of its own.
 */
class PlanTest {

  // ================================================================ bad: @IsolatedNetNs

  @IsolatedNetNs({"a", "a"})
  static class DuplicateInOne {
    @Test void test() {}
  }

  @IsolatedNetNs("a")
  static class DuplicateAcrossLevels {
    @Test @IsolatedNetNs({"b", "a"}) void test() {}
  }

  @IsolatedNetNs
  static class UnnamedTwice {
    @Test @IsolatedNetNs void test() {}
  }

  static class ClassScopeOnMethod {
    @Test @IsolatedNetNs(scope = IsolatedNetNs.Scope.CLASS) void test() {}
  }

  @IsolatedNetNs("has space")
  static class BadName {
    @Test void test() {}
  }

  @IsolatedNetNs({"ok", ""})
  static class EmptyName {
    @Test void test() {}
  }

  @IsolatedNetNs("abcdefghijklmnopqrstuvwxyz0123456")
  static class NameTooLong {
    @Test void test() {}
  }

  @IsolatedNetNs(value = {"x", "x"}, scope = IsolatedNetNs.Scope.CLASS)
  static class DuplicateClassScoped {
    @Test void test() {}
  }

  // ================================================================ bad: @VethLink and @Bridge

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

  // ================================================================ bad: addresses, names and MTUs the kernel takes badly

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

  private static final String AB = "@VethLink(left = \"a\", right = \"b\") on ";
  private static final String BRIDGE = "@Bridge(name = \"lan\") on ";

  /** Fixture, how the message starts (annotation and where), then what it must contain: attribute, value, fix. */
  static Stream<Arguments> badDeclarations() {
    return Stream.of(
        // @IsolatedNetNs
        row(DuplicateInOne.class, "@IsolatedNetNs declares",
            "\"a\" twice: on DuplicateInOne and on DuplicateInOne. Give each namespace its own name."),
        row(DuplicateAcrossLevels.class, "@IsolatedNetNs declares",
            "\"a\" twice: on DuplicateAcrossLevels and on DuplicateAcrossLevels.test()."),
        row(UnnamedTwice.class, "@IsolatedNetNs declares",
            "the unnamed namespace twice: on UnnamedTwice and on UnnamedTwice.test(). Give them names"),
        row(ClassScopeOnMethod.class, "@IsolatedNetNs(scope = CLASS) on method ClassScopeOnMethod.test():",
            "CLASS scope shares namespaces across a class's tests, so it belongs on the class."),
        row(BadName.class, "@IsolatedNetNs on BadName:",
            "value contains \"has space\", which is not a usable namespace name."),
        row(EmptyName.class, "@IsolatedNetNs on EmptyName:", "value contains \"\","),
        row(NameTooLong.class, "@IsolatedNetNs on NameTooLong:",
            "value contains \"abcdefghijklmnopqrstuvwxyz0123456\"", "Use 1 to 32 letters"),
        row(DuplicateClassScoped.class, "@IsolatedNetNs declares", "\"x\" twice"),
        // unknown namespaces
        row(UnknownLeft.class, "@VethLink(left = \"nope\", right = \"b\") on UnknownLeft",
            "left names \"nope\", which is not a namespace of this test; declared: [a, b].",
            "Fix the name, or declare it with @IsolatedNetNs(\"nope\")."),
        row(UnknownRight.class, "@VethLink(left = \"a\", right = \"nope\") on UnknownRight",
            "right names \"nope\", which is not a namespace of this test; declared: [a, b].",
            "@IsolatedNetNs(\"nope\")"),
        row(UnknownMember.class, BRIDGE + "UnknownMember",
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
        row(TwoBridgesOneName.class, BRIDGE + "TwoBridgesOneName",
            "is the second bridge called \"lan\".", "Give each bridge its own name."),
        row(MemberTwice.class, BRIDGE + "MemberTwice",
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
        row(BridgeSubnetHostBits.class, BRIDGE + "BridgeSubnetHostBits",
            "subnet \"10.0.1.1/24\"", "has host bits set; the subnet is 10.0.1.0/24"),
        row(BridgeAddressWithoutPrefixOrSubnet.class, BRIDGE + "BridgeAddressWithoutPrefixOrSubnet",
            "addresses \"10.0.1.1\"", "has no prefix length"),
        // addresses vs subnet
        row(LeftAddressOutsideSubnet.class, AB + "LeftAddressOutsideSubnet",
            "has leftAddress \"10.0.1.1\", outside subnet 10.0.0.0/24.",
            "Use an address of the subnet (e.g. 10.0.0.1/24), or drop the subnet."),
        row(RightAddressOutsideSubnet.class, AB + "RightAddressOutsideSubnet",
            "has rightAddress \"10.0.1.2/24\", outside subnet 10.0.0.0/24."),
        row(Ipv6AddressInIpv4Subnet.class, AB + "Ipv6AddressInIpv4Subnet",
            "has leftAddress \"fd00::1\", outside subnet 10.0.0.0/24."),
        row(AddressPrefixDiffersFromSubnet.class, AB + "AddressPrefixDiffersFromSubnet",
            "has leftAddress \"10.0.0.5/16\", whose prefix length /16 differs from subnet 10.0.0.0/24.",
            "Write it as 10.0.0.5/24 or without a prefix, or drop the subnet."),
        row(NetworkAddress.class, AB + "NetworkAddress",
            "has leftAddress \"10.0.0.0\", the network address of 10.0.0.0/24.", "Use a host address such as 10.0.0.1/24."),
        row(BothEndsOneAddress.class, AB + "BothEndsOneAddress",
            "gives both ends the address 10.0.0.1/24.", "Give each end its own."),
        row(BridgeAddressOutsideSubnet.class, BRIDGE + "BridgeAddressOutsideSubnet",
            "has addresses \"10.0.2.2\", outside subnet 10.0.1.0/24."),
        row(BridgeTwoMembersOneAddress.class, BRIDGE + "BridgeTwoMembersOneAddress",
            "gives two members the address 10.0.1.1/24.", "Give each its own."),
        row(SameAddressTwiceInOneNamespace.class,
            "@VethLink(left = \"a\", right = \"c\") on SameAddressTwiceInOneNamespace",
            "gives namespace \"a\" the address 10.0.0.1/24, which @VethLink(left = \"a\", right = \"b\") on"
                + " SameAddressTwiceInOneNamespace gives it already.", "Use another subnet or address."),
        // subnet too small (a /31 has 2 usable addresses, RFC 3021; an IPv6 /127 has 1: the first is the subnet-router anycast)
        row(VethSubnetSlash32.class, AB + "VethSubnetSlash32",
            "has subnet 10.0.0.0/32 with 1 usable address(es), too few for 2 ends.", "Use a larger subnet, e.g. 10.0.0.0/"),
        row(VethSubnetIpv6Slash127.class, AB + "VethSubnetIpv6Slash127",
            "has subnet fd00::/127 with 1 usable address(es), too few for 2 ends.", "Use a larger subnet, e.g. fd00::/126."),
        row(BridgeSubnetSlash30ThreeMembers.class, BRIDGE + "BridgeSubnetSlash30ThreeMembers",
            "has subnet 10.0.1.0/30 with 2 usable address(es), too few for 3 members.", "Use a larger subnet, e.g. 10.0.1.0/29."),
        // unicast host addresses only
        row(BroadcastAddress.class, AB + "BroadcastAddress",
            "has leftAddress \"10.0.0.255\", the broadcast address of 10.0.0.0/24.", "Use a unicast host address"),
        row(Ipv4MulticastSubnet.class, AB + "Ipv4MulticastSubnet", "subnet \"224.0.0.0/24\"", "multicast"),
        row(Ipv6MulticastSubnet.class, AB + "Ipv6MulticastSubnet", "subnet \"ff00::/64\"", "multicast"),
        row(Ipv6LoopbackInSubnet.class, AB + "Ipv6LoopbackInSubnet", "subnet \"::/126\"", "loopback"),
        // interface names
        row(LeftNameTooLong.class, AB + "LeftNameTooLong",
            "has leftName = \"abcdefghijklmnop\", 16 bytes; Linux interface names have at most 15", "Shorten it."),
        row(RightNameLo.class, AB + "RightNameLo", "has rightName = \"lo\"", "loopback", "Pick another name"),
        row(LeftNameWithColon.class, AB + "LeftNameWithColon",
            "has leftName = \"eth0:1\", which cannot name an interface here."),
        row(PercentInLeftName.class, AB + "PercentInLeftName", "has leftName = \"x%d\""),
        row(BridgeNameTooLong.class, "@Bridge(name = \"abcdefghijklmnop\") on BridgeNameTooLong",
            "has name = \"abcdefghijklmnop\", 16 bytes"),
        row(BridgeNameEmpty.class, "@Bridge(name = \"\") on BridgeNameEmpty",
            "has an empty name.", "Name the bridge, e.g. name = \"lan\"."),
        row(PercentInBridgeName.class, "@Bridge(name = \"b%d\") on PercentInBridgeName", "has name = \"b%d\""),
        row(BridgeInterfaceNameWithSlash.class, BRIDGE + "BridgeInterfaceNameWithSlash",
            "has interfaceNames = \"a/b\", which cannot name an interface here."),
        row(TwoLeftNamesClash.class, "@VethLink(left = \"a\", right = \"c\") on TwoLeftNamesClash",
            "has leftName = \"up\", already used by another interface in namespace \"a\".", "Give each interface its own name."),
        row(RightNameClashesWithLeftName.class, "@VethLink(left = \"c\", right = \"a\") on RightNameClashesWithLeftName",
            "has rightName = \"x\", already used by another interface in namespace \"a\"."),
        row(BridgeInterfaceNameClashesWithVeth.class, BRIDGE + "BridgeInterfaceNameClashesWithVeth",
            "has interfaceNames = \"eth0\", already used by another interface in namespace \"a\"."),
        // address families
        row(LinkMixesFamilies.class, AB + "LinkMixesFamilies",
            "mixes IPv4 and IPv6: leftAddress 10.0.0.1/24, rightAddress fd00::2/64.",
            "Use one family per link; add a second @VethLink for the other."),
        row(BridgeMixesFamilies.class, BRIDGE + "BridgeMixesFamilies",
            "mixes IPv4 and IPv6 in addresses: 10.0.1.1/24 and fd00::2/64.",
            "Use one family per bridge; add a second @Bridge for the other."),
        // the host
        row(HostAsBridgeMember.class, BRIDGE + "HostAsBridgeMember",
            "lists VethLink.HOST as a member: a bridge never touches the host.",
            "@VethLink(left = VethLink.HOST, right = \"...\") instead."),
        // counts and ranges
        row(OnlyLeftAddress.class, AB + "OnlyLeftAddress",
            "sets leftAddress = \"10.0.0.1/24\" only.", "Give both ends an address, or a subnet"),
        row(OnlyRightAddress.class, AB + "OnlyRightAddress",
            "sets rightAddress = \"10.0.0.2/24\" only.", "Give both ends an address, or a subnet"),
        row(BridgeAddressCount.class, BRIDGE + "BridgeAddressCount",
            "has 2 addresses for 3 members.", "Give one per member, in member order, or a subnet."),
        row(BridgeInterfaceNamesCount.class, BRIDGE + "BridgeInterfaceNamesCount",
            "has 1 interfaceNames for 2 members.", "Give one per member, in member order, or none"),
        row(BridgeWithoutMembers.class, BRIDGE + "BridgeWithoutMembers",
            "has no members.", "members = {\"n1\", \"n2\"}"),
        row(VethMtuTooSmall.class, AB + "VethMtuTooSmall",
            "has mtu = 10.", "Use 68 to 65535, or leave it out"),
        row(BridgeMtuTooLarge.class, BRIDGE + "BridgeMtuTooLarge",
            "has mtu = 70000.", "Use 68 to 65535"),
        row(Ipv6MtuBelow1280.class, AB + "Ipv6MtuBelow1280", "has mtu = 1000", "IPv6 needs at least 1280"),
        row(BridgeIpv6MtuBelow1280.class, BRIDGE + "BridgeIpv6MtuBelow1280", "has mtu = 1000", "IPv6 needs at least 1280"),
        row(ClassScopeWithBadMethodLink.class, AB + "ClassScopeWithBadMethodLink.test()", "has mtu = 10."),
        // no @IsolatedNetNs at all: the unknown-namespace check answers first, with an empty list
        row(VethLinkWithoutNamespaces.class, AB + "VethLinkWithoutNamespaces",
            "left names \"a\", which is not a namespace of this test; declared: [].",
            "declare it with @IsolatedNetNs(\"a\")"),
        row(BridgeWithoutNamespaces.class, BRIDGE + "BridgeWithoutNamespaces",
            "members names \"a\", which is not a namespace of this test; declared: []."),
        row(MethodVethLinkWithoutNamespaces.class,
            "@VethLink(left = \"<host>\", right = \"a\") on MethodVethLinkWithoutNamespaces.test()",
            "right names \"a\", which is not a namespace of this test; declared: []."));
  }

  static Arguments row(Class<?> fixture, String start, String... fragments) {
    return Arguments.of(Named.of(fixture.getSimpleName(), fixture), start, List.of(fragments));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("badDeclarations")
  void isRefusedWhenThePlanIsMade(Class<?> fixture, String start, List<String> fragments) {
    assertThatThrownBy(() -> planOf(fixture)).isInstanceOf(ExtensionConfigurationException.class)
        .hasMessageStartingWith(start + " ")
        .satisfies(thrown -> fragments.forEach(fragment -> assertThat(thrown).hasMessageContaining(fragment)));
  }

  /** The plan of a fixture's test, as the extension makes it before the test. */
  static Plan planOf(Class<?> fixture) throws NoSuchMethodException {
    Method test = fixture.getDeclaredMethod("test");
    return Plan.of(fixture, Optional.of(test), true);
  }

  // ================================================================ good: everything decided in the plan

  @IsolatedNetNs({"a", "b", "c"})
  @VethLink(left = "a", right = "b", subnet = "10.0.1.0/24")
  @VethLink(left = "a", right = "c", subnet = "10.0.2.0/24", leftName = "eth0")
  @Bridge(name = "lan", members = {"c", "a", "b"}, subnet = "fd00:2::/64", interfaceNames = {"", "lan0", ""})
  static class NamesAndAddresses {
    @Test void test() {}
  }

  @Test
  void namesAndAddressesAreDecidedInDeclarationOrder() throws Exception {
    Plan plan = planOf(NamesAndAddresses.class);
    assertThat(plan.veths()).extracting(PlanTest::describe).containsExactly(
        "a eth1 10.0.1.1/24 <-> b eth0 10.0.1.2/24",
        "a eth0 10.0.2.1/24 <-> c eth0 10.0.2.2/24");
    assertThat(plan.bridges()).extracting(PlanTest::describe).containsExactly(
        "lan: c eth1 fd00:2::1/64, a lan0 fd00:2::2/64, b eth1 fd00:2::3/64");
  }

  @IsolatedNetNs("a")
  @VethLink(left = VethLink.HOST, right = "a", subnet = "10.0.0.0/30")
  @VethLink(left = "a", right = VethLink.HOST, subnet = "10.0.1.0/30", rightName = "mine0")
  static class HostEnds {
    @Test void test() {}
  }

  @Test
  void aHostEndIsNamedWhenThePlanIsMadeAndKeepsAGivenName() throws Exception {
    Plan plan = planOf(HostEnds.class);
    String prefix = "jn" + Long.toString(ProcessHandle.current().pid(), 36) + "-";
    Endpoint host = plan.veths().get(0).left();
    assertThat(host.isHost()).isTrue();
    assertThat(host.interfaceName()).startsWith(prefix).hasSizeLessThanOrEqualTo(15);
    assertThat(plan.veths().get(1).right().interfaceName()).isEqualTo("mine0");
    // Each plan names its host ends anew: two tests never build the same host interface.
    assertThat(planOf(HostEnds.class).veths().get(0).left().interfaceName()).isNotEqualTo(host.interfaceName());
  }

  @Test
  void aPlanCannotBeChangedAfterItIsMade() throws Exception {
    Plan plan = planOf(NamesAndAddresses.class);
    assertThatThrownBy(() -> plan.veths().clear()).isInstanceOf(UnsupportedOperationException.class);
    assertThatThrownBy(() -> plan.bridges().get(0).members().clear()).isInstanceOf(UnsupportedOperationException.class);
    assertThatThrownBy(() -> plan.namespaces().clear()).isInstanceOf(UnsupportedOperationException.class);
  }

  @IsolatedNetNs(value = "a", scope = IsolatedNetNs.Scope.CLASS)
  @VethLink(left = "a", right = "b", subnet = "10.0.0.0/24")
  static class ClassPlanLeavesOutWhatTestsDeclare {
    @Test @IsolatedNetNs("b") void test() {}
  }

  @Test
  void aClassPlanLeavesOutLinksToNamespacesItsTestsDeclare() throws Exception {
    Plan classPlan = Plan.of(ClassPlanLeavesOutWhatTestsDeclare.class, Optional.empty(), false);
    assertThat(classPlan.veths()).isEmpty();
    Plan testPlan = planOf(ClassPlanLeavesOutWhatTestsDeclare.class);
    assertThat(testPlan.veths()).singleElement().satisfies(veth -> assertThat(testPlan.isClassWide(veth)).isFalse());
  }

  private static String describe(VethPlan veth) {
    return describe(veth.left()) + " <-> " + describe(veth.right());
  }

  private static String describe(BridgePlan bridge) {
    return bridge.name() + ": " + bridge.members().stream().map(PlanTest::describe).collect(Collectors.joining(", "));
  }

  private static String describe(Endpoint end) {
    return end.namespace() + " " + end.interfaceName() + (end.address() == null ? "" : " " + end.address());
  }
}
