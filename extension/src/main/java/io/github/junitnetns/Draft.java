package io.github.junitnetns;

import io.github.junitnetns.internal.topology.BridgeSpec;
import io.github.junitnetns.internal.topology.NamespaceSpec;
import io.github.junitnetns.internal.topology.TopologyPlan;
import io.github.junitnetns.internal.topology.TopologyValidator;
import io.github.junitnetns.internal.topology.VethSpec;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * What a {@link NetworkBuilder} has been told, as declarations for the one planner the annotations
 * use too ({@link TopologyPlan#of}): same checks, same defaults, same messages, naming the call.
 */
final class Draft {
  private final Map<String, NetNs> existing = new LinkedHashMap<>();
  /** Every namespace named so far, in the order first named, and whether it forwards. */
  private final Map<String, Boolean> namespaces = new LinkedHashMap<>();
  private final List<VethSpec> veths = new ArrayList<>();
  private final List<BridgeSpec> bridges = new ArrayList<>();
  /** Namespace name and interface, for each masquerade(...) call, with the call for messages. */
  private final List<String[]> masquerades = new ArrayList<>();

  static String quote(String text) {
    return text == null ? "null" : "\"" + text + "\"";
  }

  void namespace(String name, NetNs handle, String call) {
    name(name, call);
    if (handle != null) {
      if (handle.isClosed()) {
        throw new IllegalArgumentException("Network.builder()." + call + ": " + handle + " is closed. Give an open"
            + " namespace, or leave it out to have one created.");
      }
      existing.put(name, handle);
    }
  }

  void forwarding(String name, String call) {
    name(name, call);
    namespaces.put(name, true);
  }

  void masquerade(String name, String outInterface, String call) {
    name(name, call);
    if (name.equals(Network.HOST)) {
      throw new IllegalArgumentException("Network.builder()." + call + ": junit-netns never translates the host's"
          + " traffic. Masquerade in a router namespace of the test.");
    }
    if (outInterface == null || outInterface.isBlank()) {
      throw new IllegalArgumentException("Network.builder()." + call + ": give the interface the translated packets"
          + " leave through, e.g. masquerade(\"router\", \"eth1\")");
    }
    masquerades.add(new String[] {name, outInterface, call});
  }

  /** The masquerades, namespace name to interfaces, in call order. */
  Map<String, List<String>> masquerades() {
    Map<String, List<String>> byName = new LinkedHashMap<>();
    for (String[] m : masquerades) {
      byName.computeIfAbsent(m[0], k -> new ArrayList<>()).add(m[1]);
    }
    return byName;
  }

  void veth(String left, String right, NetworkBuilder.VethOptions o, String call) {
    String what = "Network.builder()." + call;
    name(left, call);
    name(right, call);
    veths.add(new VethSpec("veth #" + (veths.size() + 1), what, left, right, text(o.subnet), text(o.leftAddress),
        text(o.rightAddress), text(o.leftName), text(o.rightName), o.mtu));
  }

  void bridge(String name, List<String> members, NetworkBuilder.BridgeOptions o, String call) {
    String what = "Network.builder()." + call;
    if (members == null || o.addresses == null || o.names == null || members.stream().anyMatch(Objects::isNull)
        || o.addresses.stream().anyMatch(Objects::isNull) || o.names.stream().anyMatch(Objects::isNull)) {
      throw new IllegalArgumentException(what + ": a list or one of its items is null. Give the members (and"
          + " addresses and names, if any) as non-null strings.");
    }
    members.forEach(member -> name(member, call));
    bridges.add(new BridgeSpec("bridge " + name, what, text(name), members, text(o.subnet), o.addresses, o.names,
        o.mtu));
  }

  /** Declares {@code name} (not the host) if it is new. */
  private void name(String name, String call) {
    if (name == null || name.isBlank()) {
      throw new IllegalArgumentException("Network.builder()." + call + ": a namespace name is "
          + (name == null ? "null" : "empty") + ". Name it, e.g. \"server\".");
    }
    if (name.equals(Network.HOST)) {
      return;
    }
    if (!TopologyValidator.isNamespaceName(name)) {
      throw new IllegalArgumentException("Network.builder()." + call + ": \"" + name + "\" is not a usable"
          + " namespace name. Use 1 to 32 letters, digits, '.', '_' or '-', starting with a letter or digit,"
          + " e.g. \"server\".");
    }
    namespaces.putIfAbsent(name, false);
  }

  private static String text(String value) {
    return value == null ? "" : value;
  }

  /** The namespace handles given to the builder, by name. */
  Map<String, NetNs> existing() {
    return existing;
  }

  /**
   * Checks everything and decides what was left open; creates nothing.
   *
   * @throws IllegalArgumentException ({@code InvalidTopologyException}) for the first mistake
   */
  TopologyPlan plan() {
    List<NamespaceSpec> specs = new ArrayList<>();
    namespaces.forEach((name, forwarding) -> specs.add(new NamespaceSpec(name, forwarding)));
    TopologyPlan plan = TopologyPlan.of(specs, veths, bridges);
    for (String[] m : masquerades) {
      String name = m[0];
      String what = "Network.builder()." + m[2];
      if (!namespaces.get(name)) {
        throw new IllegalArgumentException(what + ": \"" + name + "\" does not forward, so no packet would pass"
            + " through it to be masqueraded. Add .forwarding(\"" + name + "\").");
      }
      List<String> interfaces = new ArrayList<>();
      plan.veths().forEach(v -> {
        if (v.left().namespace().equals(name)) {
          interfaces.add(v.left().interfaceName());
        }
        if (v.right().namespace().equals(name)) {
          interfaces.add(v.right().interfaceName());
        }
      });
      plan.bridges().forEach(b -> b.members().stream().filter(e -> e.namespace().equals(name))
          .forEach(e -> interfaces.add(e.interfaceName())));
      if (!interfaces.contains(m[1])) {
        throw new IllegalArgumentException(what + ": \"" + name + "\" has no interface " + m[1] + " in this network;"
            + " it has " + interfaces + ".");
      }
    }
    return plan;
  }
}
