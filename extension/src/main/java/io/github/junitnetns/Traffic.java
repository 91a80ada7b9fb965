package io.github.junitnetns;

import java.util.Locale;
import java.util.Objects;

/**
 * Which packets a fault applies to: all of them, or one protocol, optionally one port, optionally
 * only connection attempts. An immutable value; {@link #newConnectionsOnly()} returns a new one.
 *
 * <pre>{@code
 * net.cut("app", "db", Traffic.tcp(5432));                          // the database connection only
 * net.reject("app", "db", Traffic.tcp(5432));                       // a closed port: refused at once
 * net.cut("app", "db", Traffic.tcp(5432).newConnectionsOnly());     // connect times out, open ones flow
 * net.cutOneWay("app", "dns", Traffic.udp(53));
 * net.cut("app", "db", Traffic.icmp());                             // ping fails, TCP works
 * }</pre>
 *
 * <p>What matches, for a fault between {@code a} and {@code b} (each side by its configured
 * addresses, IPv4 and IPv6):
 * <ul>
 *   <li>{@link #all()}: every packet, of every protocol.
 *   <li>{@link #tcp(int) tcp(p)} / {@link #udp(int) udp(p)}: TCP (UDP) packets with port {@code p}
 *       on either end: in {@code cut(a, b, ...)} that is {@code a -> b:p} and its answers
 *       {@code b:p -> a}, and {@code b -> a:p} and its answers {@code a:p -> b}. A one-way fault
 *       ({@code cutOneWay(from, to, ...)}, {@code reject(from, to, ...)}) matches only packets from
 *       {@code from} to port {@code p} of {@code to}.
 *   <li>{@link #tcp()} / {@link #udp()}: every TCP (UDP) packet, whatever the ports.
 *   <li>{@link #icmp()}: ICMP for IPv4 and ICMPv6 for IPv6 (ping, but also IPv6 neighbour
 *       discovery between the two, which is ICMPv6).
 *   <li>{@link #newConnectionsOnly()}, TCP only: the connection attempts, SYN without ACK, to port
 *       {@code p}; everything else of the established connections, both ways, still passes.
 * </ul>
 *
 * <p>{@link #toString()} gives the form {@link #parse(String)} reads: {@code all}, {@code tcp},
 * {@code tcp:5432}, {@code tcp:5432 new connections}, {@code udp:53}, {@code icmp}.
 */
public final class Traffic {
  /** The protocol a {@link Traffic} selects. */
  public enum Protocol {
    /** Every protocol. */
    ALL,
    TCP,
    UDP,
    /** ICMP for IPv4, ICMPv6 for IPv6. */
    ICMP
  }

  private static final Traffic ALL = new Traffic(Protocol.ALL, 0, false);
  private static final int MAX_PORT = 65_535;

  private final Protocol protocol;
  private final int port;
  private final boolean newConnectionsOnly;

  private Traffic(Protocol protocol, int port, boolean newConnectionsOnly) {
    this.protocol = protocol;
    this.port = port;
    this.newConnectionsOnly = newConnectionsOnly;
  }

  /** Every packet: {@code cut(a, b, Traffic.all())} is {@code cut(a, b)}. */
  public static Traffic all() {
    return ALL;
  }

  /** All TCP, any port. */
  public static Traffic tcp() {
    return new Traffic(Protocol.TCP, 0, false);
  }

  /** TCP with {@code port} (1 to 65535) on either end; see the class description for the directions. */
  public static Traffic tcp(int port) {
    return new Traffic(Protocol.TCP, checkPort(port, "tcp"), false);
  }

  /** All UDP, any port. */
  public static Traffic udp() {
    return new Traffic(Protocol.UDP, 0, false);
  }

  /** UDP with {@code port} (1 to 65535) on either end; see the class description for the directions. */
  public static Traffic udp(int port) {
    return new Traffic(Protocol.UDP, checkPort(port, "udp"), false);
  }

  /** ICMP (IPv4) and ICMPv6 (IPv6). */
  public static Traffic icmp() {
    return new Traffic(Protocol.ICMP, 0, false);
  }

  /**
   * Reads the form {@link #toString()} writes: {@code all}, {@code tcp}, {@code tcp:5432},
   * {@code udp}, {@code udp:53}, {@code icmp}, each optionally followed by {@code new connections}
   * (TCP only); case does not matter. Handy in parameterized tests.
   */
  public static Traffic parse(String text) {
    if (text == null) {
      throw new IllegalArgumentException("Traffic.parse(null): give e.g. \"tcp:5432\", \"udp:53\", \"icmp\" or \"all\"");
    }
    String spec = text.trim().toLowerCase(Locale.ROOT);
    boolean newOnly = spec.endsWith(" new connections");
    if (newOnly) {
      spec = spec.substring(0, spec.length() - " new connections".length()).trim();
    }
    int colon = spec.indexOf(':');
    String name = colon < 0 ? spec : spec.substring(0, colon);
    Integer port = null;
    if (colon >= 0) {
      try {
        port = Integer.parseInt(spec.substring(colon + 1));
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException("Traffic.parse(\"" + text + "\"): \"" + spec.substring(colon + 1)
            + "\" is not a port; give a number from 1 to 65535, e.g. \"tcp:5432\"", e);
      }
    }
    Traffic traffic;
    switch (name) {
      case "tcp": traffic = port == null ? tcp() : tcp(port); break;
      case "udp": traffic = port == null ? udp() : udp(port); break;
      case "icmp": traffic = requireNoPort(text, name, port, icmp()); break;
      case "all": traffic = requireNoPort(text, name, port, all()); break;
      default:
        throw new IllegalArgumentException("Traffic.parse(\"" + text + "\"): unknown protocol \"" + name
            + "\"; give tcp, udp, icmp or all, e.g. \"tcp:5432\"");
    }
    return newOnly ? traffic.newConnectionsOnly() : traffic;
  }

  /**
   * Only connection attempts: TCP SYN without ACK to the port, so that a new {@code connect} times
   * out (or, with {@code reject}, is refused) while established connections keep exchanging data
   * both ways. TCP only: UDP and ICMP have no connection attempt to tell apart.
   */
  public Traffic newConnectionsOnly() {
    if (protocol != Protocol.TCP) {
      throw new IllegalArgumentException("Traffic." + factoryCall() + ".newConnectionsOnly(): only TCP has connection"
          + " attempts (SYN) to tell apart; " + (protocol == Protocol.UDP ? "UDP has no connections, so cut all of it"
          + " with Traffic.udp(port)" : "use Traffic.tcp(port).newConnectionsOnly()"));
    }
    return new Traffic(protocol, port, true);
  }

  /** The protocol selected. */
  public Protocol protocol() {
    return protocol;
  }

  /** The port, or 0 for any. */
  public int port() {
    return port;
  }

  /** Whether only connection attempts (TCP SYN without ACK) are selected. */
  public boolean isNewConnectionsOnly() {
    return newConnectionsOnly;
  }

  /** Whether this is {@link #all()}: every packet. */
  public boolean isAll() {
    return protocol == Protocol.ALL;
  }

  @Override
  public boolean equals(Object other) {
    if (!(other instanceof Traffic)) {
      return false;
    }
    Traffic that = (Traffic) other;
    return protocol == that.protocol && port == that.port && newConnectionsOnly == that.newConnectionsOnly;
  }

  @Override
  public int hashCode() {
    return Objects.hash(protocol, port, newConnectionsOnly);
  }

  /** {@code all}, {@code tcp}, {@code tcp:5432}, {@code tcp:5432 new connections}, {@code udp:53}, {@code icmp}. */
  @Override
  public String toString() {
    return protocol.name().toLowerCase(Locale.ROOT) + (port > 0 ? ":" + port : "")
        + (newConnectionsOnly ? " new connections" : "");
  }

  /** The factory call that makes this selector, e.g. {@code udp(53)}, for messages. */
  private String factoryCall() {
    return protocol.name().toLowerCase(Locale.ROOT) + "(" + (port > 0 ? String.valueOf(port) : "") + ")";
  }

  private static int checkPort(int port, String method) {
    if (port < 1 || port > MAX_PORT) {
      throw new IllegalArgumentException("Traffic." + method + "(" + port + "): a port is from 1 to " + MAX_PORT
          + "; for every port use Traffic." + method + "()");
    }
    return port;
  }

  private static Traffic requireNoPort(String text, String name, Integer port, Traffic traffic) {
    if (port != null) {
      throw new IllegalArgumentException("Traffic.parse(\"" + text + "\"): " + name + " has no ports; give \""
          + name + "\" alone");
    }
    return traffic;
  }
}
