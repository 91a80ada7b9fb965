package io.github.junitnetns;

import java.util.Arrays;
import java.util.List;
import java.util.function.Consumer;

/**
 * Declares a network, then {@link #build()}s it. Every namespace named in a call is created
 * (besides {@link Network#HOST}); veth ends get {@code eth0}, {@code eth1}, ... per namespace in
 * declaration order (veths first, then bridges), and a subnet gives the left end its first host
 * address and the right end the second (bridge members in member order). Everything is checked
 * before anything is created: a mistake is an {@link IllegalArgumentException} naming the call,
 * the argument and the fix, and nothing is left behind.
 *
 * <pre>{@code
 * Network net = Network.builder()
 *     .bridge("lan", "10.0.3.0/24", "n1", "n2", "n3")          // n1 10.0.3.1, n2 .2, n3 .3 on eth0
 *     .veth("n1", "backup", v -> v.subnet("fd00:1::/64").names("eth9", "eth0").mtu(1400))
 *     .build();
 * }</pre>
 */
public final class NetworkBuilder {
  private final Draft draft = new Draft();

  NetworkBuilder() {}

  /** A new namespace called {@code name}. Naming it in another call creates it as well. */
  public NetworkBuilder namespace(String name) {
    draft.namespace(name, null, "namespace(" + Draft.quote(name) + ")");
    return this;
  }

  /**
   * Uses {@code existing} under {@code name} instead of creating one, e.g. a namespace opened with
   * {@link NetNs#open}; the network never closes it.
   */
  public NetworkBuilder namespace(String name, NetNs existing) {
    draft.namespace(name, existing, "namespace(" + Draft.quote(name) + ", ns)");
    return this;
  }

  /** Makes {@code name} a router: IPv4 and IPv6 forwarding on. */
  public NetworkBuilder forwarding(String name) {
    draft.forwarding(name, "forwarding(" + Draft.quote(name) + ")");
    return this;
  }

  /**
   * Makes {@code name}, a router declared with {@link #forwarding}, masquerade what it forwards out
   * of its interface {@code outInterface} once the network is built, as {@link NetNs#masquerade} does:
   * {@code .forwarding("router").veth("router", "server", "10.0.2.0/24").masquerade("router", "eth1")}.
   */
  public NetworkBuilder masquerade(String name, String outInterface) {
    draft.masquerade(name, outInterface, "masquerade(" + Draft.quote(name) + ", " + Draft.quote(outInterface) + ")");
    return this;
  }

  /** A veth from {@code left} to {@code right}, the ends addressed from {@code subnet} (first and second host). */
  public NetworkBuilder veth(String left, String right, String subnet) {
    return veth(left, right, veth -> veth.subnet(subnet));
  }

  /**
   * A veth from {@code left} to {@code right} with options:
   * {@code veth("a", "b", v -> v.addresses("10.0.0.1/24", "10.0.0.2/24").names("eth1", "eth1").mtu(9000))}.
   */
  public NetworkBuilder veth(String left, String right, Consumer<VethOptions> options) {
    VethOptions veth = new VethOptions();
    if (options != null) {
      options.accept(veth);
    }
    draft.veth(left, right, veth, "veth(" + Draft.quote(left) + ", " + Draft.quote(right) + ", ...)");
    return this;
  }

  /** A bridge called {@code name} with {@code members} plugged in, addressed from {@code subnet} in member order. */
  public NetworkBuilder bridge(String name, String subnet, String... members) {
    return bridge(name, members == null ? null : Arrays.asList(members), bridge -> bridge.subnet(subnet));
  }

  /** A bridge with options: {@code bridge("lan", List.of("n1", "n2"), b -> b.addresses("10.0.0.5/24", "10.0.0.9/24"))}. */
  public NetworkBuilder bridge(String name, List<String> members, Consumer<BridgeOptions> options) {
    BridgeOptions bridge = new BridgeOptions();
    if (options != null) {
      options.accept(bridge);
    }
    draft.bridge(name, members, bridge, "bridge(" + Draft.quote(name) + ", ...)");
    return this;
  }

  /**
   * Checks the whole declaration, then creates it. On a kernel error everything made so far is
   * removed before the {@link NetNsException} is thrown.
   *
   * @throws IllegalArgumentException for a mistake in the declaration; nothing is created
   */
  public Network build() {
    return Construction.build(draft.plan(), draft.existing(), draft.masquerades());
  }

  /** Options of one veth; see {@link #veth(String, String, Consumer)}. */
  public static final class VethOptions {
    String subnet = "";
    String leftAddress = "";
    String rightAddress = "";
    String leftName = "";
    String rightName = "";
    int mtu;

    VethOptions() {}

    /** The ends get the subnet's first and second host address, e.g. {@code "10.0.0.0/24"} or {@code "fd00::/64"}. */
    public VethOptions subnet(String subnet) {
      this.subnet = subnet;
      return this;
    }

    /** Explicit addresses with prefix length, e.g. {@code addresses("10.0.0.1/24", "10.0.0.2/24")}. */
    public VethOptions addresses(String left, String right) {
      this.leftAddress = left;
      this.rightAddress = right;
      return this;
    }

    /** Interface names of the two ends (at most 15 bytes each) instead of the next free {@code ethN}. */
    public VethOptions names(String left, String right) {
      this.leftName = left;
      this.rightName = right;
      return this;
    }

    /** The MTU of both ends, 68 to 65535 (IPv6 needs 1280); unset: the kernel's default, 1500. */
    public VethOptions mtu(int mtu) {
      this.mtu = mtu;
      return this;
    }
  }

  /** Options of one bridge; see {@link #bridge(String, List, Consumer)}. */
  public static final class BridgeOptions {
    String subnet = "";
    List<String> addresses = List.of();
    List<String> names = List.of();
    int mtu;

    BridgeOptions() {}

    /** Members get the subnet's host addresses in member order. */
    public BridgeOptions subnet(String subnet) {
      this.subnet = subnet;
      return this;
    }

    /** One address per member, in member order, e.g. {@code addresses("10.0.0.5/24", "10.0.0.9/24")}. */
    public BridgeOptions addresses(String... addresses) {
      this.addresses = addresses == null ? null : Arrays.asList(addresses);
      return this;
    }

    /** One interface name per member, in member order, instead of the next free {@code ethN}. */
    public BridgeOptions names(String... names) {
      this.names = names == null ? null : Arrays.asList(names);
      return this;
    }

    /** The MTU of the members' interfaces and the bridge's ports. */
    public BridgeOptions mtu(int mtu) {
      this.mtu = mtu;
      return this;
    }
  }
}
