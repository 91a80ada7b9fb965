package io.github.junitnetns;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * A virtual Ethernet switch. It lives in a hidden namespace of its own, never in the host's;
 * members are attached by veth pairs, one end a port of the bridge, the other an interface of the
 * member. Spanning tree is off, so ports forward at once.
 *
 * <pre>{@code
 * try (Bridge lan = Bridge.create("lan")) {
 *   lan.attach(n1, "eth0").addAddress("10.0.1.1/24");
 *   lan.attach(n2, "eth0").addAddress("10.0.1.2/24");
 * }
 * }</pre>
 */
public final class Bridge implements AutoCloseable {
  private final String name;
  private final NetNs home;
  private final int index;
  private final AtomicInteger ports = new AtomicInteger();

  private Bridge(String name, NetNs home, int index) {
    this.name = name;
    this.home = home;
    this.index = index;
  }

  /** Creates a bridge called {@code name} (at most 15 bytes) in a new hidden namespace. */
  public static Bridge create(String name) {
    VethPair.checkName(name, "name", "Bridge.create(" + (name == null ? "null" : "\"" + name + "\"") + ")");
    NetNs home = NetNs.create("bridge-" + name);
    try {
      home.client().newBridge(name, "bridge " + name + "@" + home.label());
      Link bridge = Link.read(home, name);
      bridge.up();
      return new Bridge(name, home, bridge.index());
    } catch (RuntimeException e) {
      home.close();
      throw e;
    }
  }

  /**
   * Plugs {@code member} into this bridge with a veth pair and returns the member's end, called
   * {@code interfaceName} and up. The bridge's end is a port named {@code port1}, {@code port2}, ...
   */
  public Link attach(NetNs member, String interfaceName) {
    return attach(member, interfaceName, 0);
  }

  /**
   * As {@link #attach(NetNs, String)}, with the MTU of both ends of the veth ({@code 68} to
   * {@code 65535}; {@code 0}: the kernel's default).
   */
  public Link attach(NetNs member, String interfaceName, int mtu) {
    if (home.isClosed()) {
      throw new IllegalStateException("Bridge.attach(" + (member == null ? "null" : member.label()) + ", \""
          + interfaceName + "\"): bridge " + name + " is closed. Close a bridge only after its last attach (an"
          + " @Bridge is closed when its test ends), or create a new one with Bridge.create(\"" + name + "\").");
    }
    String port = "port" + ports.incrementAndGet();
    String object = "veth " + port + "@" + home.label() + " (master " + name + ") <-> " + interfaceName + "@"
        + (member == null ? "?" : member.label());
    if (member == null) {
      throw new IllegalArgumentException("Bridge.attach(" + object + "): the member namespace is required");
    }
    VethPair.checkName(interfaceName, "interfaceName", "Bridge.attach(" + object + ")");
    VethPair.checkMtu(mtu, "Bridge.attach(" + object + ")");
    int portIndex = VethPair.createPair(home, port, member, interfaceName, mtu, index, object);
    home.client().linkUp(portIndex, port + "@" + home.label());
    member.client().linkUp(portIndex + 1, interfaceName + "@" + member.label());
    return Link.read(member, interfaceName);
  }

  public String name() {
    return name;
  }

  /** The hidden namespace the bridge lives in, e.g. to {@link NetNs#describe()} its ports. */
  public NetNs netNs() {
    return home;
  }

  /** Removes the bridge with its namespace; the members' ends of its veths go with it. */
  @Override
  public void close() {
    home.close();
  }

  @Override
  public String toString() {
    return "bridge " + name + " in " + home;
  }
}
