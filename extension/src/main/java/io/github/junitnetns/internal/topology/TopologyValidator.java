package io.github.junitnetns.internal.topology;

import io.github.junitnetns.internal.net.Cidr;
import java.math.BigInteger;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.util.regex.Pattern;

/**
 * The checks of single values of a topology: namespace and interface names, MTU, subnets and
 * addresses. Each takes {@code what} (the declaration, as the user wrote it) and the attribute the
 * value came from, and throws {@link InvalidTopologyException} with a sentence that names both,
 * the value and the fix. Empty text means "not given": those methods return null.
 *
 * <p>The rules themselves are the primitives {@link #interfaceNameProblem(String)} and
 * {@link #isMtu(int)}, which throw nothing: the library ({@code VethPair}, {@code Bridge},
 * {@code Link}) applies the same rules and words its own {@code IllegalArgumentException}.
 */
public final class TopologyValidator {
  /** Why a text cannot name an interface; see {@link #interfaceNameProblem(String)}. */
  public enum NameProblem {
    /** null or empty. */
    MISSING,
    /** More than {@link #MAX_INTERFACE_NAME_BYTES} bytes in UTF-8. */
    TOO_LONG,
    /** {@code lo}: every namespace has its loopback interface by that name. */
    LOOPBACK,
    /**
     * What the kernel reads specially: '/' and ':' (sysfs paths, aliases), '%' (a template:
     * {@code x%d} becomes {@code x0}), whitespace, "." and "..".
     */
    RESERVED
  }

  /** The smallest MTU Linux accepts on an Ethernet device (ETH_MIN_MTU, linux/if_ether.h). */
  public static final int MIN_MTU = 68;
  /** The largest MTU of a veth (ETH_MAX_MTU, linux/if_ether.h). */
  public static final int MAX_MTU = 65535;
  /** Below this MTU Linux turns IPv6 off on an interface (IPV6_MIN_MTU, RFC 8200). */
  public static final int IPV6_MIN_MTU = 1280;
  /** Interface names have at most IFNAMSIZ - 1 bytes (linux/if.h). */
  public static final int MAX_INTERFACE_NAME_BYTES = 15;

  private static final Pattern NAMESPACE_NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,31}");

  private TopologyValidator() {}

  /** Whether {@code name} can name a namespace: 1 to 32 letters, digits, '.', '_' or '-', starting with a letter or digit. */
  public static boolean isNamespaceName(String name) {
    return name != null && NAMESPACE_NAME.matcher(name).matches();
  }

  /** Whether Linux accepts {@code mtu} on a veth or bridge: {@value #MIN_MTU} to {@value #MAX_MTU}. */
  public static boolean isMtu(int mtu) {
    return mtu >= MIN_MTU && mtu <= MAX_MTU;
  }

  /** Refuses an MTU outside 68..65535; 0 (the kernel's default) passes. */
  public static void mtu(String what, int mtu) {
    if (mtu != 0 && !isMtu(mtu)) {
      throw new InvalidTopologyException(what, "has mtu = " + mtu + ". Use " + MIN_MTU + " to " + MAX_MTU
          + ", or leave it out for the kernel's default (1500).");
    }
  }

  /** Linux turns IPv6 off on an interface whose MTU is below 1280, so adding the address would fail. */
  public static void ipv6Mtu(String what, int mtu, Cidr address) {
    if (address != null && address.isIpv6() && mtu != 0 && mtu < IPV6_MIN_MTU) {
      throw new InvalidTopologyException(what, "has mtu = " + mtu + " with IPv6 address " + address
          + "; IPv6 needs at least " + IPV6_MIN_MTU + ". Use mtu >= " + IPV6_MIN_MTU + ", or IPv4.");
    }
  }

  /**
   * Why {@code name} cannot name an interface that the library creates, or null when it can: the
   * kernel refuses or rewrites the name, or (for {@code lo}) has it in every namespace already.
   */
  public static NameProblem interfaceNameProblem(String name) {
    if (name == null || name.isEmpty()) {
      return NameProblem.MISSING;
    }
    if (name.getBytes(StandardCharsets.UTF_8).length > MAX_INTERFACE_NAME_BYTES) {
      return NameProblem.TOO_LONG;
    }
    if (name.equals("lo")) {
      return NameProblem.LOOPBACK;
    }
    if (name.contains("/") || name.contains(":") || name.contains("%") || name.chars().anyMatch(Character::isWhitespace)
        || name.equals(".") || name.equals("..")) {
      return NameProblem.RESERVED;
    }
    return null;
  }

  /**
   * The interface name, or null when empty (a default is chosen later). Refused: what
   * {@link #interfaceNameProblem(String)} refuses.
   */
  public static String interfaceName(String what, String attribute, String name) {
    NameProblem problem = interfaceNameProblem(name);
    if (problem == null) {
      return name;
    }
    switch (problem) {
      case MISSING:
        return null;
      case TOO_LONG:
        throw new InvalidTopologyException(what, "has " + attribute + " = \"" + name + "\", "
            + name.getBytes(StandardCharsets.UTF_8).length + " bytes; Linux interface names have at most "
            + MAX_INTERFACE_NAME_BYTES + " (IFNAMSIZ - 1). Shorten it.");
      case LOOPBACK:
        throw new InvalidTopologyException(what, "has " + attribute + " = \"lo\": every namespace has its loopback"
            + " interface called lo. Pick another name, e.g. \"eth0\".");
      default:
        throw new InvalidTopologyException(what, "has " + attribute + " = \"" + name + "\", which cannot name an"
            + " interface here. Use letters, digits, '-', '_' or '.', e.g. \"eth0\".");
    }
  }

  /** The subnet, or null when empty; host bits must be clear. */
  public static Cidr subnet(String what, String subnet) {
    if (subnet.isEmpty()) {
      return null;
    }
    try {
      return Cidr.parseSubnet(subnet);
    } catch (IllegalArgumentException e) {
      throw new InvalidTopologyException(what, "has subnet " + e.getMessage() + ".");
    }
  }

  /**
   * The address, or null when empty. Inside a {@code subnet} (when given) a bare address takes the
   * subnet's prefix length; a written one must match it. The network address of a subnet with more
   * than two hosts is refused.
   */
  public static Cidr address(String what, String attribute, String text, Cidr subnet) {
    if (text.isEmpty()) {
      return null;
    }
    Cidr address;
    try {
      address = subnet != null && text.indexOf('/') < 0
          ? Cidr.parse(text + "/" + subnet.prefixLength())
          : Cidr.parse(text);
    } catch (IllegalArgumentException e) {
      throw new InvalidTopologyException(what, "has " + attribute + " " + e.getMessage() + ".");
    }
    if (subnet != null && subnet.contains(address) && address.prefixLength() != subnet.prefixLength()) {
      throw new InvalidTopologyException(what, "has " + attribute + " \"" + text + "\", whose prefix length /"
          + address.prefixLength() + " differs from subnet " + subnet + ". Write it as " + bare(address)
          + "/" + subnet.prefixLength() + " or without a prefix, or drop the subnet.");
    }
    if (subnet != null && !subnet.contains(address)) {
      throw new InvalidTopologyException(what, "has " + attribute + " \"" + text + "\", outside subnet " + subnet
          + ". Use an address of the subnet (e.g. " + subnet.host(1) + "), or drop the subnet.");
    }
    if (address.equals(address.network()) && address.usableHosts().compareTo(BigInteger.TWO) > 0) {
      throw new InvalidTopologyException(what, "has " + attribute + " \"" + text + "\", the network address of "
          + address.network() + ". Use a host address such as " + address.network().host(1) + ".");
    }
    return address;
  }

  /**
   * Refuses an address that the kernel accepts on an Ethernet interface but that cannot work as a
   * unicast host address: multicast, loopback, unspecified, IPv4 broadcast. {@code given} is the
   * text of the attribute (empty when the address came from {@code subnet}).
   */
  public static void usable(String what, String attribute, String given, String subnet, Cidr address) {
    if (address == null) {
      return;
    }
    InetAddress ip = address.address();
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
    throw new InvalidTopologyException(what, "has " + source + ". Use a unicast host address, e.g. from 10.0.0.0/24"
        + " or fd00::/64.");
  }

  /** Refuses a subnet with fewer than {@code needed} usable addresses, suggesting the smallest that fits. */
  public static void requireHosts(String what, Cidr subnet, int needed, String who) {
    if (subnet.usableHosts().compareTo(BigInteger.valueOf(needed)) >= 0) {
      return;
    }
    // The smallest subnet that fits: IPv4 loses the network and broadcast addresses, IPv6 the first.
    int reserved = subnet.isIpv6() ? 1 : 2;
    int hostBits = 32 - Integer.numberOfLeadingZeros(needed + reserved - 1);
    int prefix = (subnet.isIpv6() ? 128 : 32) - hostBits;
    Cidr larger = Cidr.parse(bare(subnet) + "/" + prefix).network();
    throw new InvalidTopologyException(what, "has subnet " + subnet + " with " + subnet.usableHosts()
        + " usable address(es), too few for " + who + ". Use a larger subnet, e.g. " + larger + ".");
  }

  /** The address without prefix length or IPv6 scope. */
  private static String bare(Cidr cidr) {
    return cidr.address().getHostAddress().replaceAll("%.*", "");
  }
}
