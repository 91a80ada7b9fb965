package io.github.junitnetns;

import io.github.junitnetns.internal.net.Addresses;
import io.github.junitnetns.internal.net.Cidr;
import io.github.junitnetns.internal.netlink.AddressMessage;
import io.github.junitnetns.internal.netlink.LinkMessage;
import io.github.junitnetns.internal.netlink.Rtnl;
import io.github.junitnetns.internal.topology.TopologyValidator;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;

/**
 * A network interface of a {@link NetNs}, as read over rtnetlink when it was listed: its name,
 * state, MTU, addresses and counters. The getters describe that moment; the actions
 * ({@link #up()}, {@link #down()}, {@link #setMtu(int)}) act on the kernel's interface now. Read
 * the namespace's {@link NetNs#links() links} again to see changes.
 *
 * <pre>{@code
 * Link lo = ns.link("lo").orElseThrow();
 * assertThat(lo.isUp()).isTrue();
 * assertThat(lo.addresses()).extracting(Link.Address::toString).contains("127.0.0.1/8");
 * }</pre>
 */
public final class Link {
  /**
   * An address on an interface with its prefix length; {@code toString()} gives the CIDR form.
   *
   * @param address the IPv4 or IPv6 address
   * @param prefixLength the prefix length, 0 to 32 for IPv4, 0 to 128 for IPv6
   */
  public record Address(InetAddress address, int prefixLength) {
    /** @throws IllegalArgumentException if the address is null or the prefix length out of its range */
    public Address {
      if (address == null) {
        throw new IllegalArgumentException("Link.Address(null, " + prefixLength + "): give an address, e.g."
            + " InetAddress.getByName(\"10.0.0.1\")");
      }
      int max = address.getAddress().length * 8;
      if (prefixLength < 0 || prefixLength > max) {
        throw new IllegalArgumentException("Link.Address(" + Addresses.format(address) + ", " + prefixLength + "): the"
            + " prefix length of an " + (max == 32 ? "IPv4" : "IPv6") + " address is 0 to " + max);
      }
    }

    /** Whether this is an IPv6 address. */
    public boolean isIpv6() {
      return address instanceof Inet6Address;
    }

    /** E.g. {@code 10.0.0.1/24} or {@code fd00::1/64}. */
    @Override
    public String toString() {
      return Addresses.format(address) + "/" + prefixLength;
    }
  }

  private final NetNs ns;
  private final LinkMessage message;
  private final List<Address> addresses;

  Link(NetNs ns, LinkMessage message, List<AddressMessage> allAddresses) {
    this.ns = ns;
    this.message = message;
    this.addresses = allAddresses.stream()
        .filter(a -> a.index == message.index && a.address != null)
        .map(a -> new Address(a.address, a.prefixLength))
        .toList();
  }

  /** Every interface of {@code ns} with its addresses, read now. */
  static List<Link> readAll(NetNs ns) {
    List<LinkMessage> messages = ns.client().links();
    List<AddressMessage> addresses = ns.client().addresses();
    List<Link> links = new ArrayList<>(messages.size());
    for (LinkMessage message : messages) {
      links.add(new Link(ns, message, addresses));
    }
    return links;
  }

  /** One interface of {@code ns} by name, with its addresses, read now. */
  static Link read(NetNs ns, String name) {
    ns.checkOpen("read its link " + name);
    LinkMessage message = ns.client().link(name);
    return new Link(ns, message, ns.client().addresses());
  }

  /** The interface name, e.g. {@code eth0}. */
  public String name() {
    return message.name;
  }

  /** The kernel's interface index inside its namespace. */
  public int index() {
    return message.index;
  }

  /** The namespace this interface lives in. */
  public NetNs netNs() {
    return ns;
  }

  /** Whether the interface is administratively up (IFF_UP). */
  public boolean isUp() {
    return (message.flags & Rtnl.IFF_UP) != 0;
  }

  /** The operational state as {@code ip link} prints it: {@code UP}, {@code DOWN}, {@code UNKNOWN}, ... */
  public String state() {
    return message.operStateName();
  }

  public int mtu() {
    return message.mtu;
  }

  /** The link kind ({@code veth}, {@code bridge}, ...), or empty for {@code lo} and other plain devices. */
  public String kind() {
    return message.kind == null ? "" : message.kind;
  }

  /** The addresses on this interface, IPv4 and IPv6, in the kernel's order. */
  public List<Address> addresses() {
    return addresses;
  }

  public long rxPackets() {
    return message.rxPackets;
  }

  public long txPackets() {
    return message.txPackets;
  }

  public long rxBytes() {
    return message.rxBytes;
  }

  public long txBytes() {
    return message.txBytes;
  }

  public long rxDropped() {
    return message.rxDropped;
  }

  public long txDropped() {
    return message.txDropped;
  }

  /** Sets the interface administratively up, like {@code ip link set NAME up}. */
  public void up() {
    ns.client().linkUp(index(), describeName());
  }

  /**
   * Sets the interface down, like {@code ip link set NAME down}. On a veth the other end loses its
   * carrier too, so no traffic passes either way until this end is {@link #up()} again.
   */
  public void down() {
    ns.client().linkDown(index(), describeName());
  }

  /**
   * Adds an address, like {@code ip addr add 10.0.0.1/24 dev NAME}: IPv4 or IPv6 in CIDR form.
   * IPv6 addresses skip duplicate address detection (IFA_F_NODAD), so they work at once.
   */
  public void addAddress(String cidr) {
    Cidr address;
    try {
      address = Cidr.parse(cidr);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("addAddress(\"" + cidr + "\") on " + describeName() + ": " + e.getMessage(), e);
    }
    ns.client().addAddress(index(), address.bytes(), address.prefixLength(), address + " on " + describeName());
  }

  /** The same interface read again from the kernel: current state, addresses and counters. */
  public Link refresh() {
    return read(ns, name());
  }

  /** Sets the MTU, like {@code ip link set NAME mtu N}. */
  public void setMtu(int mtu) {
    if (!TopologyValidator.isMtu(mtu)) {
      throw new IllegalArgumentException("setMtu(" + mtu + ") on " + describeName() + ": an MTU must be between "
          + TopologyValidator.MIN_MTU + " (the IPv4 minimum) and " + TopologyValidator.MAX_MTU);
    }
    ns.client().setMtu(index(), describeName(), mtu);
  }

  /** One {@code ip addr}-style paragraph, e.g. {@code 2: eth0: <BROADCAST,UP,LOWER_UP> mtu 1500 state UP}. */
  String describe(List<Link> siblings) {
    StringBuilder out = new StringBuilder();
    out.append(index()).append(": ").append(name())
        .append(": <").append(message.flagNames()).append("> mtu ").append(mtu())
        .append(" state ").append(state());
    if (!kind().isEmpty()) {
      out.append(" kind ").append(kind());
    }
    if (message.master != 0) {
      out.append(" master ").append(siblings.stream().filter(l -> l.index() == message.master)
          .map(Link::name).findFirst().orElse("if" + message.master));
    }
    out.append('\n');
    for (Address a : addresses) {
      out.append("    ").append(a.isIpv6() ? "inet6 " : "inet ").append(a).append('\n');
    }
    out.append("    RX ").append(rxPackets()).append(" packets ").append(rxBytes()).append(" bytes ")
        .append(rxDropped()).append(" dropped; TX ").append(txPackets()).append(" packets ")
        .append(txBytes()).append(" bytes ").append(txDropped()).append(" dropped\n");
    return out.toString();
  }

  private String describeName() {
    return name() + "@" + ns.label();
  }

  @Override
  public String toString() {
    return name() + "@" + ns.label() + " " + state() + " " + addresses;
  }
}
