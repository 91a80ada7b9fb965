package io.github.junitnetns.internal.net;

import java.math.BigInteger;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Arrays;
import java.util.regex.Pattern;

/**
 * An IPv4 or IPv6 address with a prefix length: {@code 10.0.0.1/24}, {@code fd00::/64}. Parsed
 * strictly from literals, never through DNS. Messages from {@link IllegalArgumentException} say
 * what is wrong with the text; callers prefix them with the annotation or argument they came from.
 */
public final class Cidr {
  private static final Pattern IPV4 = Pattern.compile("(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)(\\.(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)){3}");
  private static final Pattern IPV6_CHARS = Pattern.compile("[0-9A-Fa-f:.]+");

  private final byte[] bytes;
  private final int prefixLength;

  private Cidr(byte[] bytes, int prefixLength) {
    this.bytes = bytes;
    this.prefixLength = prefixLength;
  }

  /** An interface address such as {@code 10.0.0.1/24}; host bits may be set. */
  public static Cidr parse(String text) {
    if (text == null || text.isBlank()) {
      throw new IllegalArgumentException("is empty; write an address with its prefix length, e.g. 10.0.0.1/24 or fd00::1/64");
    }
    int slash = text.indexOf('/');
    if (slash < 0) {
      throw new IllegalArgumentException("\"" + text + "\" has no prefix length; write it as CIDR, e.g. " + text + "/24");
    }
    byte[] address = parseAddress(text.substring(0, slash), text);
    int max = address.length * 8;
    int prefix;
    try {
      prefix = Integer.parseInt(text.substring(slash + 1));
    } catch (NumberFormatException e) {
      prefix = -1;
    }
    if (prefix < 0 || prefix > max) {
      throw new IllegalArgumentException("\"" + text + "\" has prefix length \"" + text.substring(slash + 1)
          + "\"; an " + (max == 32 ? "IPv4" : "IPv6") + " prefix length is a number from 0 to " + max);
    }
    return new Cidr(address, prefix);
  }

  /** A subnet such as {@code 10.0.0.0/24}; host bits must be zero. */
  public static Cidr parseSubnet(String text) {
    Cidr cidr = parse(text);
    if (!cidr.equals(cidr.network())) {
      throw new IllegalArgumentException("\"" + text + "\" has host bits set; the subnet is " + cidr.network());
    }
    return cidr;
  }

  /** An address without prefix, e.g. a gateway: {@code 10.0.0.254} or {@code fd00::1}. */
  public static InetAddress parseHost(String text) {
    if (text == null || text.isBlank()) {
      throw new IllegalArgumentException("is empty; write an IP address such as 10.0.0.254 or fd00::1");
    }
    return toInet(parseAddress(text, text));
  }

  private static byte[] parseAddress(String address, String whole) {
    if (IPV4.matcher(address).matches()) {
      String[] parts = address.split("\\.");
      byte[] out = new byte[4];
      for (int i = 0; i < 4; i++) {
        out[i] = (byte) Integer.parseInt(parts[i]);
      }
      return out;
    }
    if (address.indexOf(':') >= 0 && IPV6_CHARS.matcher(address).matches()) {
      try {
        // A literal with ':' is parsed as IPv6 by the JDK, without any name lookup.
        InetAddress parsed = InetAddress.getByName(address);
        if (parsed instanceof Inet6Address) {
          return parsed.getAddress();
        }
        if (parsed instanceof Inet4Address) { // ::ffff:a.b.c.d is folded to IPv4 by the JDK
          throw new IllegalArgumentException("\"" + whole + "\" is an IPv4-mapped IPv6 address; write the IPv4 address itself");
        }
      } catch (UnknownHostException e) {
        // fall through to the message below
      }
    }
    throw new IllegalArgumentException("\"" + whole + "\" is not an IP address; write e.g. 10.0.0.0/24 or fd00::/64");
  }

  public boolean isIpv6() {
    return bytes.length == 16;
  }

  public int prefixLength() {
    return prefixLength;
  }

  public InetAddress address() {
    return toInet(bytes);
  }

  /** The address bytes (a copy). */
  public byte[] bytes() {
    return bytes.clone();
  }

  /** This prefix with the host bits cleared. */
  public Cidr network() {
    return new Cidr(toBytes(value().and(mask()), bytes.length), prefixLength);
  }

  public boolean contains(Cidr other) {
    return other.bytes.length == bytes.length
        && other.value().and(mask()).equals(value().and(mask()));
  }

  /**
   * How many addresses hosts can use: IPv4 leaves out the network and broadcast addresses (a /31
   * has two, RFC 3021; a /32 one); IPv6 leaves out the subnet-router anycast address (the first).
   */
  public BigInteger usableHosts() {
    int hostBits = bytes.length * 8 - prefixLength;
    BigInteger all = BigInteger.ONE.shiftLeft(hostBits);
    if (isIpv6()) {
      return hostBits == 0 ? BigInteger.ONE : all.subtract(BigInteger.ONE);
    }
    return hostBits <= 1 ? all : all.subtract(BigInteger.TWO);
  }

  /** The {@code n}-th usable host address (1-based) with this prefix length: host(1) of 10.0.0.0/24 is 10.0.0.1/24. */
  public Cidr host(int n) {
    if (n < 1 || BigInteger.valueOf(n).compareTo(usableHosts()) > 0) {
      throw new IllegalArgumentException(network() + " has " + usableHosts() + " usable host address(es), not " + n);
    }
    int hostBits = bytes.length * 8 - prefixLength;
    boolean startsAtZero = !isIpv6() && hostBits <= 1; // /31 and /32: every address is a host
    BigInteger offset = BigInteger.valueOf(startsAtZero ? n - 1 : n);
    return new Cidr(toBytes(network().value().add(offset), bytes.length), prefixLength);
  }

  private BigInteger value() {
    return new BigInteger(1, bytes);
  }

  private BigInteger mask() {
    int bits = bytes.length * 8;
    return BigInteger.ONE.shiftLeft(bits).subtract(BigInteger.ONE)
        .xor(BigInteger.ONE.shiftLeft(bits - prefixLength).subtract(BigInteger.ONE));
  }

  private static byte[] toBytes(BigInteger value, int length) {
    byte[] raw = value.toByteArray();
    byte[] out = new byte[length];
    int copy = Math.min(raw.length, length);
    System.arraycopy(raw, raw.length - copy, out, length - copy, copy);
    return out;
  }

  private static InetAddress toInet(byte[] raw) {
    try {
      return InetAddress.getByAddress(raw);
    } catch (UnknownHostException e) {
      throw new IllegalStateException(e); // 4 or 16 bytes by construction
    }
  }

  @Override
  public boolean equals(Object other) {
    return other instanceof Cidr && ((Cidr) other).prefixLength == prefixLength
        && Arrays.equals(((Cidr) other).bytes, bytes);
  }

  @Override
  public int hashCode() {
    return 31 * Arrays.hashCode(bytes) + prefixLength;
  }

  /** E.g. {@code 10.0.0.1/24}, {@code fd00::1/64}. */
  @Override
  public String toString() {
    return Addresses.format(address()) + "/" + prefixLength;
  }
}
