package io.github.junitnetns;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What {@link Network}'s fault methods do, checked before anything changes: which drops (whole
 * traffic, policy rules) or which nf_tables rules (scoped to a {@link Traffic}) in which namespace,
 * and under which description the {@link Fault} is recorded in the view's {@link Holdings}.
 */
final class Faulting {
  private final Network net;
  private final Holdings holdings;

  Faulting(Network net, Holdings holdings) {
    this.net = net;
    this.holdings = holdings;
  }

  /** {@code cut(a, b, traffic)}: both ways. */
  Fault cut(String a, String b, Traffic traffic) {
    String call = call("cut", a, b, traffic);
    net.requireTwo("cut", a, b);
    requireTraffic(call, traffic);
    String description = "cut " + a + " <-> " + b + suffix(traffic);
    if (traffic.isAll()) {
      List<Holdings.Drop> drops = new ArrayList<>(dropsAt(b, a, "cut"));
      drops.addAll(dropsAt(a, b, "cut"));
      return holdings.drop(description, drops);
    }
    Map<NetNs, List<Firewall.Placed>> rules = new LinkedHashMap<>();
    rules.put(net.ns(b), FaultRules.arrivals(net.addressesOf(a, "cut"), traffic, true, FaultRules.Action.DROP));
    rules.put(net.ns(a), FaultRules.arrivals(net.addressesOf(b, "cut"), traffic, true, FaultRules.Action.DROP));
    return holdings.rules(description, rules, call);
  }

  /** {@code cutOneWay(from, to, traffic)}: packets from {@code from}, dropped where they arrive at {@code to}. */
  Fault cutOneWay(String from, String to, Traffic traffic) {
    String call = call("cutOneWay", from, to, traffic);
    net.requireTwo("cutOneWay", from, to);
    requireTraffic(call, traffic);
    String description = "cutOneWay " + from + " -> " + to + suffix(traffic);
    if (traffic.isAll()) {
      return holdings.drop(description, dropsAt(to, from, "cutOneWay"));
    }
    return holdings.rules(description, Map.of(net.ns(to), FaultRules.arrivals(net.addressesOf(from, "cutOneWay"),
        traffic, false, FaultRules.Action.DROP)), call);
  }

  /** {@code reject(from, to, traffic)}: refused where it arrives at {@code to}, as by a closed port. */
  Fault reject(String from, String to, Traffic traffic) {
    String call = call("reject", from, to, traffic);
    net.requireTwo("reject", from, to);
    requireTraffic(call, traffic);
    return holdings.rules("reject " + from + " -> " + to + suffix(traffic), Map.of(net.ns(to),
        FaultRules.arrivals(net.addressesOf(from, "reject"), traffic, false, FaultRules.Action.REJECT)), call);
  }

  /** {@code isolate(name)}: cut from every other namespace with an address, as one fault. */
  Fault isolate(String name) {
    net.ns(name);
    List<List<String>> pairs = new ArrayList<>();
    for (String other : net.peers()) {
      if (!other.equals(name)) {
        pairs.add(List.of(name, other));
      }
    }
    return cuts("isolate " + name, pairs, "isolate");
  }

  /** {@code partition(sides...)}: validated, then every pair across two sides cut, as one fault. */
  Fault partition(Set<String>[] sides) {
    if (sides == null) {
      throw new IllegalArgumentException("Network.partition(null): give the sides as sets of namespace names,"
          + " e.g. partition(Set.of(\"n1\", \"n2\"), Set.of(\"n3\"))");
    }
    for (int i = 0; i < sides.length; i++) {
      if (sides[i] == null) {
        throw new IllegalArgumentException("Network.partition(...): side " + (i + 1) + " is null; give each side as a"
            + " set of namespace names, e.g. Set.of(\"n3\")");
      }
    }
    Set<String> seen = new LinkedHashSet<>();
    List<String> described = new ArrayList<>();
    for (Set<String> side : sides) {
      for (String name : side) {
        net.ns(name);
        if (!seen.add(name)) {
          throw new IllegalArgumentException("Network.partition(...): \"" + name + "\" is on two sides; put each"
              + " namespace on one side only");
        }
      }
      described.add(ordered(side).toString());
    }
    List<List<String>> pairs = new ArrayList<>();
    for (int i = 0; i < sides.length; i++) {
      for (int j = i + 1; j < sides.length; j++) {
        for (String a : ordered(sides[i])) {
          for (String b : ordered(sides[j])) {
            pairs.add(List.of(a, b));
          }
        }
      }
    }
    return cuts("partition " + String.join(" | ", described), pairs, "partition");
  }

  /** Every pair cut both ways, whole traffic, as one fault. */
  Fault cuts(String description, List<List<String>> pairs, String method) {
    List<Holdings.Drop> drops = new ArrayList<>();
    for (List<String> pair : pairs) {
      net.requireTwo(method, pair.get(0), pair.get(1));
      drops.addAll(dropsAt(pair.get(1), pair.get(0), method));
      drops.addAll(dropsAt(pair.get(0), pair.get(1), method));
    }
    return holdings.drop(description, drops);
  }

  /** The side's names in the network's order (a Set.of has none of its own), for descriptions. */
  private List<String> ordered(Set<String> side) {
    List<String> names = new ArrayList<>();
    for (String name : net.names()) {
      if (side.contains(name)) {
        names.add(name);
      }
    }
    return names;
  }

  private List<Holdings.Drop> dropsAt(String to, String from, String method) {
    NetNs at = net.ns(to);
    List<InetAddress> sources = net.addressesOf(from, method);
    at.checkOpen("drop traffic in it");
    List<Holdings.Drop> drops = new ArrayList<>();
    for (InetAddress source : sources) {
      drops.add(new Holdings.Drop(at, source));
    }
    return drops;
  }

  private static void requireTraffic(String call, Traffic traffic) {
    if (traffic == null) {
      throw new IllegalArgumentException(call + ": give a Traffic, e.g. Traffic.tcp(5432), or Traffic.all() for"
          + " every packet");
    }
  }

  private static String suffix(Traffic traffic) {
    return traffic == null || traffic.isAll() ? "" : " " + traffic;
  }

  private static String call(String method, String a, String b, Traffic traffic) {
    return "Network." + method + "(\"" + a + "\", \"" + b + "\", " + traffic + ")";
  }
}
