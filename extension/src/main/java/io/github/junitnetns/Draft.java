package io.github.junitnetns;

import io.github.junitnetns.internal.net.Cidr;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;

/** What a {@link NetworkBuilder} has been told, turned into a checked {@link Plan} by {@link #plan()}. */
final class Draft {
  private static final AtomicInteger HOST_INTERFACES = new AtomicInteger();

  record NamespacePlan(String name, NetNs existing, boolean forwarding) {}

  record VethPlan(String description, String left, String right, String leftName, String rightName,
      Cidr leftAddress, Cidr rightAddress, int mtu, int ordinal) {
    boolean touchesHost() {
      return left.equals(Network.HOST) || right.equals(Network.HOST);
    }

    String medium() {
      return "veth " + ordinal;
    }
  }

  record BridgePlan(String description, String name, List<String> members, List<String> names,
      List<Cidr> addresses, int mtu) {}

  record Plan(List<NamespacePlan> namespaces, List<VethPlan> veths, List<BridgePlan> bridges) {}

  private record VethDecl(String description, String left, String right, NetworkBuilder.VethOptions options) {}

  private record BridgeDecl(String description, String name, List<String> members, NetworkBuilder.BridgeOptions options) {}

  private final Map<String, NetNs> existing = new LinkedHashMap<>();
  private final Map<String, Boolean> namespaces = new LinkedHashMap<>();
  private final List<VethDecl> veths = new ArrayList<>();
  private final List<BridgeDecl> bridges = new ArrayList<>();

  static String quote(String text) {
    return text == null ? "null" : "\"" + text + "\"";
  }

  void namespace(String name, NetNs handle, String call) {
    mention(name, call);
    if (handle != null) {
      existing.put(name, handle);
    }
  }

  void forwarding(String name, String call) {
    mention(name, call);
    namespaces.put(name, true);
  }

  void veth(String left, String right, NetworkBuilder.VethOptions options, String call) {
    veths.add(new VethDecl("Network.builder()." + call, left, right, options));
  }

  void bridge(String name, List<String> members, NetworkBuilder.BridgeOptions options, String call) {
    bridges.add(new BridgeDecl("Network.builder()." + call, name, members == null ? null : List.copyOf(members), options));
  }

  private void mention(String name, String call) {
    if (name == null || name.isBlank()) {
      throw new IllegalArgumentException("Network.builder()." + call + ": give the namespace a name, e.g. \"server\"");
    }
    namespaces.putIfAbsent(name, false);
  }

  /** Checks everything and decides names and addresses; creates nothing. */
  Plan plan() {
    for (VethDecl veth : veths) {
      for (String end : new String[] {veth.left(), veth.right()}) {
        if (end != null && !end.equals(Network.HOST)) {
          namespaces.putIfAbsent(end, false);
        }
      }
    }
    for (BridgeDecl bridge : bridges) {
      if (bridge.members() != null) {
        bridge.members().forEach(m -> {
          if (m != null && !m.equals(Network.HOST)) {
            namespaces.putIfAbsent(m, false);
          }
        });
      }
    }
    List<NamespacePlan> planned = new ArrayList<>();
    namespaces.forEach((name, forwarding) -> planned.add(new NamespacePlan(name, existing.get(name), forwarding)));
    Map<String, Set<String>> taken = new HashMap<>();
    Map<String, Integer> next = new HashMap<>();
    List<VethPlan> vethPlans = new ArrayList<>();
    int ordinal = 0;
    for (VethDecl veth : veths) {
      NetworkBuilder.VethOptions o = veth.options();
      Cidr subnet = o.subnet.isEmpty() ? null : Cidr.parseSubnet(o.subnet);
      Cidr leftAddress = !o.leftAddress.isEmpty() ? Cidr.parse(o.leftAddress) : subnet == null ? null : subnet.host(1);
      Cidr rightAddress = !o.rightAddress.isEmpty() ? Cidr.parse(o.rightAddress) : subnet == null ? null : subnet.host(2);
      vethPlans.add(new VethPlan(veth.description(), veth.left(), veth.right(),
          name(taken, next, veth.left(), o.leftName), name(taken, next, veth.right(), o.rightName),
          leftAddress, rightAddress, o.mtu, ++ordinal));
    }
    List<BridgePlan> bridgePlans = new ArrayList<>();
    for (BridgeDecl bridge : bridges) {
      NetworkBuilder.BridgeOptions o = bridge.options();
      Cidr subnet = o.subnet.isEmpty() ? null : Cidr.parseSubnet(o.subnet);
      List<String> names = new ArrayList<>();
      List<Cidr> addresses = new ArrayList<>();
      for (int i = 0; i < bridge.members().size(); i++) {
        String member = bridge.members().get(i);
        names.add(name(taken, next, member, o.names.isEmpty() ? "" : o.names.get(i)));
        addresses.add(!o.addresses.isEmpty() ? Cidr.parse(o.addresses.get(i)) : subnet == null ? null : subnet.host(i + 1));
      }
      bridgePlans.add(new BridgePlan(bridge.description(), bridge.name(), bridge.members(), names, addresses, o.mtu));
    }
    return new Plan(planned, vethPlans, bridgePlans);
  }

  private static String name(Map<String, Set<String>> taken, Map<String, Integer> next, String ns, String given) {
    Set<String> used = taken.computeIfAbsent(ns, k -> new HashSet<>());
    if (!given.isEmpty()) {
      used.add(given);
      return given;
    }
    if (ns.equals(Network.HOST)) {
      return "jn" + Long.toString(ProcessHandle.current().pid(), 36) + "-"
          + Integer.toString(HOST_INTERFACES.incrementAndGet(), 36);
    }
    int k = next.getOrDefault(ns, 0);
    while (used.contains("eth" + k)) {
      k++;
    }
    next.put(ns, k + 1);
    used.add("eth" + k);
    return "eth" + k;
  }
}
