package io.github.junitnetns.jupiter;

import io.github.junitnetns.internal.net.Cidr;
import io.github.junitnetns.jupiter.IsolatedNetNs.Scope;
import java.lang.reflect.AnnotatedElement;
import java.lang.reflect.Method;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.extension.ExtensionConfigurationException;

/**
 * A test's whole topology, checked: namespaces, cables ({@link Wire}) and LANs ({@link Lan}) with
 * their interface names and addresses decided. Every mistake is found here, before anything is
 * created, and reported as an {@link ExtensionConfigurationException} that names the annotation,
 * the attribute, the value and the fix.
 */
final class Plan {
  private static final AtomicInteger HOST_INTERFACES = new AtomicInteger();

  /** One veth cable. {@code leftAddress}/{@code rightAddress} may be null (no address). */
  static final class Wire {
    final String left;
    final String right;
    String leftName;
    String rightName;
    Cidr leftAddress;
    Cidr rightAddress;
    final int mtu;
    final AnnotatedElement declaredOn;
    final String description;
    String id; // which annotation this is, stable across plans of the same test class

    Wire(VethLink link, AnnotatedElement declaredOn) {
      this.left = link.left();
      this.right = link.right();
      this.mtu = link.mtu();
      this.declaredOn = declaredOn;
      this.description = "@VethLink(left = \"" + left + "\", right = \"" + right + "\") on " + Declaration.where(declaredOn);
    }

    boolean touchesHost() {
      return left.equals(VethLink.HOST) || right.equals(VethLink.HOST);
    }
  }

  /** One bridge with its members; lists are in member order. */
  static final class Lan {
    final String name;
    final List<String> members;
    final List<String> interfaceNames = new ArrayList<>();
    final List<Cidr> addresses = new ArrayList<>();
    final int mtu;
    final AnnotatedElement declaredOn;
    final String description;
    String id;

    Lan(Bridge bridge, AnnotatedElement declaredOn) {
      this.name = bridge.name();
      this.members = List.of(bridge.members());
      this.mtu = bridge.mtu();
      this.declaredOn = declaredOn;
      this.description = "@Bridge(name = \"" + name + "\") on " + Declaration.where(declaredOn);
    }
  }

  final List<Declaration> namespaces;
  final List<Wire> wires = new ArrayList<>();
  final List<Lan> lans = new ArrayList<>();

  private Plan(List<Declaration> namespaces) {
    this.namespaces = namespaces;
  }

  /**
   * Everything a test (or, without a method, a class) declares. With {@code strict} false (a
   * class's plan before its tests' method annotations are known) links naming namespaces that are
   * not declared yet are left out rather than refused; the test's own plan checks them.
   */
  static Plan of(Class<?> testClass, Optional<Method> testMethod, boolean strict) {
    Plan plan = new Plan(Declaration.collect(testClass, testMethod));
    Map<String, Declaration> byName = new LinkedHashMap<>();
    plan.namespaces.forEach(d -> byName.put(d.name, d));
    Map<String, Integer> ordinals = new HashMap<>();
    for (Map.Entry<VethLink, AnnotatedElement> found : Declaration.find(testClass, testMethod, VethLink.class)) {
      Wire wire = new Wire(found.getKey(), found.getValue());
      String key = found.getValue() + " @VethLink";
      wire.id = key + " #" + ordinals.merge(key, 1, Integer::sum);
      if (strict || (known(byName, wire.left) && known(byName, wire.right))) {
        plan.check(wire, found.getKey(), byName);
        plan.wires.add(wire);
      }
    }
    Set<String> lanNames = new HashSet<>();
    for (Map.Entry<Bridge, AnnotatedElement> found : Declaration.find(testClass, testMethod, Bridge.class)) {
      Lan lan = new Lan(found.getKey(), found.getValue());
      String key = found.getValue() + " @Bridge";
      lan.id = key + " #" + ordinals.merge(key, 1, Integer::sum);
      if (strict || lan.members.stream().allMatch(m -> known(byName, m))) {
        plan.check(lan, found.getKey(), byName, lanNames);
        plan.lans.add(lan);
      }
    }
    plan.nameInterfaces();
    plan.checkAddressesPerNamespace();
    return plan;
  }

  private static boolean known(Map<String, Declaration> byName, String name) {
    return name.equals(VethLink.HOST) || byName.containsKey(name);
  }

  /** Whether every namespace of a cable or LAN lives for the whole class (the host does too). */
  boolean isClassWide(Wire wire) {
    return classWide(wire.left) && classWide(wire.right);
  }

  boolean isClassWide(Lan lan) {
    return lan.members.stream().allMatch(this::classWide);
  }

  private boolean classWide(String name) {
    return name.equals(VethLink.HOST)
        || namespaces.stream().anyMatch(d -> d.name.equals(name) && d.scope == Scope.CLASS);
  }

  // ---- checks ----

  private void check(Wire wire, VethLink link, Map<String, Declaration> byName) {
    String what = wire.description;
    checkEnd(what, "left", wire.left, byName);
    checkEnd(what, "right", wire.right, byName);
    if (wire.left.equals(wire.right)) {
      throw fail(what, "links " + (wire.left.equals(VethLink.HOST) ? "the host" : "namespace \"" + wire.left + "\"")
          + " to itself. Give left and right two different namespaces.");
    }
    checkMtu(what, link.mtu());
    wire.leftName = checkInterfaceName(what, "leftName", link.leftName());
    wire.rightName = checkInterfaceName(what, "rightName", link.rightName());
    Cidr subnet = parseSubnet(what, link.subnet());
    wire.leftAddress = parseAddress(what, "leftAddress", link.leftAddress(), subnet);
    wire.rightAddress = parseAddress(what, "rightAddress", link.rightAddress(), subnet);
    if (subnet == null && (wire.leftAddress == null) != (wire.rightAddress == null)) {
      throw fail(what, "sets " + (wire.leftAddress == null ? "rightAddress = \"" + link.rightAddress() : "leftAddress = \""
          + link.leftAddress()) + "\" only. Give both"
          + " ends an address, or a subnet (left gets its first host address, right the second).");
    }
    if (subnet != null) {
      requireHosts(what, subnet, 2, "2 ends");
      Cidr first = subnet.host(1);
      Cidr second = subnet.host(2);
      if (wire.leftAddress == null) {
        wire.leftAddress = first.equals(wire.rightAddress) ? second : first;
      }
      if (wire.rightAddress == null) {
        wire.rightAddress = wire.leftAddress.equals(second) ? first : second;
      }
    }
    if (wire.leftAddress != null && wire.leftAddress.isIpv6() != wire.rightAddress.isIpv6()) {
      throw fail(what, "mixes IPv4 and IPv6: leftAddress " + wire.leftAddress + ", rightAddress " + wire.rightAddress
          + ". Use one family per link; add a second @VethLink for the other.");
    }
    if (wire.leftAddress != null && wire.leftAddress.address().equals(wire.rightAddress.address())) {
      throw fail(what, "gives both ends the address " + wire.leftAddress + ". Give each end its own.");
    }
    checkUsable(what, "leftAddress", link.leftAddress(), link.subnet(), wire.leftAddress);
    checkUsable(what, "rightAddress", link.rightAddress(), link.subnet(), wire.rightAddress);
    checkIpv6Mtu(what, link.mtu(), wire.leftAddress);
  }

  private void check(Lan lan, Bridge bridge, Map<String, Declaration> byName, Set<String> lanNames) {
    String what = lan.description;
    if (checkInterfaceName(what, "name", bridge.name()) == null) {
      throw fail(what, "has an empty name. Name the bridge, e.g. name = \"lan\".");
    }
    if (!lanNames.add(lan.name)) {
      throw fail(what, "is the second bridge called \"" + lan.name + "\". Give each bridge its own name.");
    }
    if (byName.containsKey(lan.name)) {
      throw fail(what, "has the name of a namespace, \"" + lan.name + "\". Names of bridges and namespaces must differ.");
    }
    if (lan.members.isEmpty()) {
      throw fail(what, "has no members. List the namespaces to plug in, e.g. members = {\"n1\", \"n2\"}.");
    }
    Set<String> seen = new HashSet<>();
    for (String member : lan.members) {
      if (member.equals(VethLink.HOST)) {
        throw fail(what, "lists VethLink.HOST as a member: a bridge never touches the host. Link the host with"
            + " @VethLink(left = VethLink.HOST, right = \"...\") instead.");
      }
      checkEnd(what, "members", member, byName);
      if (!seen.add(member)) {
        throw fail(what, "lists member \"" + member + "\" twice. Plug each namespace in once.");
      }
    }
    checkMtu(what, bridge.mtu());
    String[] names = bridge.interfaceNames();
    if (names.length != 0 && names.length != lan.members.size()) {
      throw fail(what, "has " + names.length + " interfaceNames for " + lan.members.size() + " members. Give one per"
          + " member, in member order, or none for eth0, eth1, ...");
    }
    for (int i = 0; i < lan.members.size(); i++) {
      lan.interfaceNames.add(names.length == 0 ? null : checkInterfaceName(what, "interfaceNames", names[i]));
    }
    Cidr subnet = parseSubnet(what, bridge.subnet());
    String[] addresses = bridge.addresses();
    if (addresses.length != 0 && addresses.length != lan.members.size()) {
      throw fail(what, "has " + addresses.length + " addresses for " + lan.members.size() + " members. Give one per"
          + " member, in member order, or a subnet.");
    }
    if (addresses.length == 0 && subnet != null) {
      requireHosts(what, subnet, lan.members.size(), lan.members.size() + " members");
    }
    Set<Object> used = new HashSet<>();
    for (int i = 0; i < lan.members.size(); i++) {
      Cidr address = addresses.length == 0
          ? (subnet == null ? null : subnet.host(i + 1))
          : parseAddress(what, "addresses", addresses[i], subnet);
      if (address != null && i > 0 && lan.addresses.get(0) != null && address.isIpv6() != lan.addresses.get(0).isIpv6()) {
        throw fail(what, "mixes IPv4 and IPv6 in addresses: " + lan.addresses.get(0) + " and " + address
            + ". Use one family per bridge; add a second @Bridge for the other.");
      }
      if (address != null && !used.add(address.address())) {
        throw fail(what, "gives two members the address " + address + ". Give each its own.");
      }
      checkUsable(what, "addresses", addresses.length == 0 ? "" : addresses[i], bridge.subnet(), address);
      lan.addresses.add(address);
    }
    checkIpv6Mtu(what, bridge.mtu(), lan.addresses.get(0));
  }

  /** An address the kernel accepts on an Ethernet interface and that works as a unicast host address. */
  private static void checkUsable(String what, String attribute, String given, String subnet, Cidr address) {
    if (address == null) {
      return;
    }
    java.net.InetAddress ip = address.address();
    String problem = ip.isMulticastAddress() ? "a multicast address"
        : ip.isLoopbackAddress() ? "a loopback address (it belongs to lo)"
        : ip.isAnyLocalAddress() ? "the unspecified address"
        : null;
    if (problem == null && !address.isIpv6() && address.prefixLength() < 31) {
      byte[] bytes = address.bytes();
      int hostBits = 32 - address.prefixLength();
      long value = ((bytes[0] & 0xffL) << 24) | ((bytes[1] & 0xffL) << 16) | ((bytes[2] & 0xffL) << 8) | (bytes[3] & 0xffL);
      long hostMask = (1L << hostBits) - 1;
      if ((value & hostMask) == hostMask) {
        problem = "the broadcast address of " + address.network();
      }
    }
    if (problem == null) {
      return;
    }
    String source = given.isEmpty()
        ? "subnet \"" + subnet + "\", whose address " + address + " for " + attribute + " is " + problem
        : attribute + " \"" + given + "\", " + problem;
    throw fail(what, "has " + source + ". Use a unicast host address, e.g. from 10.0.0.0/24 or fd00::/64.");
  }

  /** Linux turns IPv6 off on an interface whose MTU is below 1280 (RFC 8200), so adding the address fails. */
  private static void checkIpv6Mtu(String what, int mtu, Cidr address) {
    if (address != null && address.isIpv6() && mtu != 0 && mtu < 1280) {
      throw fail(what, "has mtu = " + mtu + " with IPv6 address " + address + "; IPv6 needs at least 1280."
          + " Use mtu >= 1280, or IPv4.");
    }
  }

  private static void checkEnd(String what, String attribute, String name, Map<String, Declaration> byName) {
    if (name.equals(VethLink.HOST)) {
      return;
    }
    Declaration declaration = byName.get(name);
    if (declaration == null || declaration.isUnnamed()) {
      List<String> names = new ArrayList<>(byName.keySet());
      names.remove(Declaration.UNNAMED);
      throw fail(what, attribute + " names \"" + name + "\", which is not a namespace of this test; declared: "
          + names + ". Fix the name, or declare it with @IsolatedNetNs(\"" + name + "\").");
    }
  }

  private static void checkMtu(String what, int mtu) {
    if (mtu != 0 && (mtu < 68 || mtu > 65535)) {
      throw fail(what, "has mtu = " + mtu + ". Use 68 to 65535, or leave it out for the kernel's default (1500).");
    }
  }

  /** The name, or null when not given (a default will be chosen). */
  private static String checkInterfaceName(String what, String attribute, String name) {
    if (name.isEmpty()) {
      return null;
    }
    int bytes = name.getBytes(StandardCharsets.UTF_8).length;
    if (bytes > 15) {
      throw fail(what, "has " + attribute + " = \"" + name + "\", " + bytes + " bytes; Linux interface names have at"
          + " most 15 (IFNAMSIZ - 1). Shorten it.");
    }
    if (name.equals("lo")) {
      throw fail(what, "has " + attribute + " = \"lo\": every namespace has its loopback interface called lo."
          + " Pick another name, e.g. \"eth0\".");
    }
    if (name.contains("/") || name.contains(":") || name.contains("%") || name.chars().anyMatch(Character::isWhitespace)
        || name.equals(".") || name.equals("..")) {
      throw fail(what, "has " + attribute + " = \"" + name + "\", which cannot name an interface here. Use letters,"
          + " digits, '-', '_' or '.', e.g. \"eth0\".");
    }
    return name;
  }

  private static Cidr parseSubnet(String what, String subnet) {
    if (subnet.isEmpty()) {
      return null;
    }
    try {
      return Cidr.parseSubnet(subnet);
    } catch (IllegalArgumentException e) {
      throw fail(what, "has subnet " + e.getMessage() + ".");
    }
  }

  private static Cidr parseAddress(String what, String attribute, String text, Cidr subnet) {
    if (text.isEmpty()) {
      return null;
    }
    Cidr address;
    try {
      address = subnet != null && text.indexOf('/') < 0
          ? Cidr.parse(text + "/" + subnet.prefixLength())
          : Cidr.parse(text);
    } catch (IllegalArgumentException e) {
      throw fail(what, "has " + attribute + " " + e.getMessage() + ".");
    }
    if (subnet != null && subnet.contains(address) && address.prefixLength() != subnet.prefixLength()) {
      throw fail(what, "has " + attribute + " \"" + text + "\", whose prefix length /" + address.prefixLength()
          + " differs from subnet " + subnet + ". Write it as " + address.address().getHostAddress().replaceAll("%.*", "")
          + "/" + subnet.prefixLength() + " or without a prefix, or drop the subnet.");
    }
    if (subnet != null && !subnet.contains(address)) {
      throw fail(what, "has " + attribute + " \"" + text + "\", outside subnet " + subnet + ". Use an address of the"
          + " subnet (e.g. " + subnet.host(1) + "), or drop the subnet.");
    }
    if (address.equals(address.network()) && address.usableHosts().compareTo(BigInteger.TWO) > 0) {
      throw fail(what, "has " + attribute + " \"" + text + "\", the network address of " + address.network()
          + ". Use a host address such as " + address.network().host(1) + ".");
    }
    return address;
  }

  private static void requireHosts(String what, Cidr subnet, int needed, String who) {
    if (subnet.usableHosts().compareTo(BigInteger.valueOf(needed)) >= 0) {
      return;
    }
    // The smallest subnet that fits: IPv4 loses the network and broadcast addresses, IPv6 the first.
    int reserved = subnet.isIpv6() ? 1 : 2;
    int hostBits = 32 - Integer.numberOfLeadingZeros(needed + reserved - 1);
    int prefix = (subnet.isIpv6() ? 128 : 32) - hostBits;
    Cidr larger = Cidr.parse(subnet.address().getHostAddress().replaceAll("%.*", "") + "/" + prefix).network();
    throw fail(what, "has subnet " + subnet + " with " + subnet.usableHosts() + " usable address(es), too few for "
        + who + ". Use a larger subnet, e.g. " + larger + ".");
  }

  /** One address on two interfaces of a namespace (a copied subnet, usually) makes routing ambiguous. */
  private void checkAddressesPerNamespace() {
    Map<String, Map<java.net.InetAddress, String>> seen = new HashMap<>();
    for (Wire wire : wires) {
      claimAddress(seen, wire.description, wire.left, wire.leftAddress);
      claimAddress(seen, wire.description, wire.right, wire.rightAddress);
    }
    for (Lan lan : lans) {
      for (int i = 0; i < lan.members.size(); i++) {
        claimAddress(seen, lan.description, lan.members.get(i), lan.addresses.get(i));
      }
    }
  }

  private static void claimAddress(Map<String, Map<java.net.InetAddress, String>> seen, String what, String ns, Cidr address) {
    if (address == null) {
      return;
    }
    String earlier = seen.computeIfAbsent(ns, k -> new HashMap<>()).putIfAbsent(address.address(), what);
    if (earlier != null) {
      throw fail(what, "gives " + (ns.equals(VethLink.HOST) ? "the host" : "namespace \"" + ns + "\"") + " the address "
          + address + ", which " + earlier + " gives it already. Use another subnet or address.");
    }
  }

  // ---- interface names ----

  /** Default names eth0, eth1, ... per namespace in declaration order (cables, then LANs), skipping names given explicitly. */
  private void nameInterfaces() {
    Map<String, Set<String>> taken = new HashMap<>();
    for (Wire wire : wires) {
      claim(taken, wire.description, "leftName", wire.left, wire.leftName);
      claim(taken, wire.description, "rightName", wire.right, wire.rightName);
    }
    for (Lan lan : lans) {
      for (int i = 0; i < lan.members.size(); i++) {
        claim(taken, lan.description, "interfaceNames", lan.members.get(i), lan.interfaceNames.get(i));
      }
    }
    Map<String, Integer> next = new HashMap<>();
    for (Wire wire : wires) {
      if (wire.leftName == null) {
        wire.leftName = defaultName(taken, next, wire.left);
      }
      if (wire.rightName == null) {
        wire.rightName = defaultName(taken, next, wire.right);
      }
    }
    for (Lan lan : lans) {
      for (int i = 0; i < lan.members.size(); i++) {
        if (lan.interfaceNames.get(i) == null) {
          lan.interfaceNames.set(i, defaultName(taken, next, lan.members.get(i)));
        }
      }
    }
  }

  private static void claim(Map<String, Set<String>> taken, String what, String attribute, String ns, String name) {
    if (name != null && !taken.computeIfAbsent(ns, k -> new HashSet<>()).add(name)) {
      throw fail(what, "has " + attribute + " = \"" + name + "\", already used by another interface in "
          + (ns.equals(VethLink.HOST) ? "the host" : "namespace \"" + ns + "\"") + ". Give each interface its own name.");
    }
  }

  private static String defaultName(Map<String, Set<String>> taken, Map<String, Integer> next, String ns) {
    Set<String> used = taken.computeIfAbsent(ns, k -> new HashSet<>());
    String name;
    if (ns.equals(VethLink.HOST)) {
      return null; // named when built (hostInterfaceName), so that planning twice uses up no names
    } else {
      int k = next.getOrDefault(ns, 0);
      while (used.contains("eth" + k)) {
        k++;
      }
      next.put(ns, k + 1);
      name = "eth" + k;
    }
    used.add(name);
    return name;
  }

  /**
   * A host interface name nobody else uses: {@code jn<pid>-<n>}, both numbers in base 36 so that it
   * stays within 15 bytes (a pid below 2^22 is at most 5 digits, leaving 7 for the counter).
   */
  static String hostInterfaceName() {
    return "jn" + Long.toString(ProcessHandle.current().pid(), 36) + "-"
        + Integer.toString(HOST_INTERFACES.incrementAndGet(), 36);
  }

  private static ExtensionConfigurationException fail(String what, String problem) {
    return new ExtensionConfigurationException(what + " " + problem);
  }
}
