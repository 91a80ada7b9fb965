package io.github.junitnetns.internal.topology;

import io.github.junitnetns.internal.net.Cidr;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;

/**
 * Turns declarations into a {@link TopologyPlan}: checks each veth, then each bridge, then the
 * interface names and addresses per namespace, in declaration order, so that the first mistake
 * declared is the one reported.
 */
final class Planner {
  private final List<NamespaceSpec> namespaces;
  private final List<String> named = new ArrayList<>();
  private final Supplier<String> hostInterfaceNames;

  /** One link's ends while they are decided: namespaces, names (null: not yet) and addresses (null: none). */
  private static final class Draft {
    final String what;
    final String attribute;
    final String[] namespaces;
    final String[] names;
    final Cidr[] addresses;

    Draft(String what, String attribute, String[] namespaces, String[] names, Cidr[] addresses) {
      this.what = what;
      this.attribute = attribute;
      this.namespaces = namespaces;
      this.names = names;
      this.addresses = addresses;
    }

    /** A veth's ends are named by leftName and rightName; a bridge's members by interfaceNames. */
    String attribute(int end) {
      return attribute != null ? attribute : end == 0 ? "leftName" : "rightName";
    }

    Endpoint end(int i) {
      return new Endpoint(namespaces[i], names[i], addresses[i]);
    }
  }

  Planner(List<NamespaceSpec> namespaces, Supplier<String> hostInterfaceNames) {
    this.namespaces = namespaces;
    this.hostInterfaceNames = hostInterfaceNames;
    namespaces.stream().filter(n -> !n.isUnnamed()).forEach(n -> named.add(n.name()));
  }

  TopologyPlan plan(List<VethSpec> veths, List<BridgeSpec> bridges) {
    List<Draft> drafts = new ArrayList<>();
    for (VethSpec veth : veths) {
      drafts.add(check(veth));
    }
    Set<String> bridgeNames = new HashSet<>();
    for (BridgeSpec bridge : bridges) {
      drafts.add(check(bridge, bridgeNames));
    }
    nameInterfaces(drafts);
    checkAddressesPerNamespace(drafts);
    List<VethPlan> vethPlans = new ArrayList<>();
    for (int i = 0; i < veths.size(); i++) {
      VethSpec veth = veths.get(i);
      vethPlans.add(new VethPlan(veth.id(), veth.what(), drafts.get(i).end(0), drafts.get(i).end(1), veth.mtu()));
    }
    List<BridgePlan> bridgePlans = new ArrayList<>();
    for (int i = 0; i < bridges.size(); i++) {
      BridgeSpec bridge = bridges.get(i);
      Draft draft = drafts.get(veths.size() + i);
      List<Endpoint> members = new ArrayList<>();
      for (int m = 0; m < draft.namespaces.length; m++) {
        members.add(draft.end(m));
      }
      bridgePlans.add(new BridgePlan(bridge.id(), bridge.what(), bridge.name(), members, bridge.mtu()));
    }
    return new TopologyPlan(namespaces, vethPlans, bridgePlans);
  }

  // ---- one veth ----

  private Draft check(VethSpec veth) {
    String what = veth.what();
    checkEnd(what, "left", veth.left());
    checkEnd(what, "right", veth.right());
    if (veth.left().equals(veth.right())) {
      throw new InvalidTopologyException(what, "links " + describe(veth.left())
          + " to itself. Give left and right two different namespaces.");
    }
    TopologyValidator.mtu(what, veth.mtu());
    String leftName = TopologyValidator.interfaceName(what, "leftName", veth.leftName());
    String rightName = TopologyValidator.interfaceName(what, "rightName", veth.rightName());
    Cidr subnet = TopologyValidator.subnet(what, veth.subnet());
    Cidr left = TopologyValidator.address(what, "leftAddress", veth.leftAddress(), subnet);
    Cidr right = TopologyValidator.address(what, "rightAddress", veth.rightAddress(), subnet);
    if (subnet == null && (left == null) != (right == null)) {
      throw new InvalidTopologyException(what, "sets " + (left == null ? "rightAddress = \"" + veth.rightAddress()
          : "leftAddress = \"" + veth.leftAddress()) + "\" only. Give both ends an address, or a subnet (left gets"
          + " its first host address, right the second).");
    }
    if (subnet != null) {
      TopologyValidator.requireHosts(what, subnet, 2, "2 ends");
      Cidr first = subnet.host(1);
      Cidr second = subnet.host(2);
      if (left == null) {
        left = first.equals(right) ? second : first;
      }
      if (right == null) {
        right = left.equals(second) ? first : second;
      }
    }
    if (left != null && left.isIpv6() != right.isIpv6()) {
      throw new InvalidTopologyException(what, "mixes IPv4 and IPv6: leftAddress " + left + ", rightAddress " + right
          + ". Use one family per link; add a second @VethLink for the other.");
    }
    if (left != null && left.address().equals(right.address())) {
      throw new InvalidTopologyException(what, "gives both ends the address " + left + ". Give each end its own.");
    }
    TopologyValidator.usable(what, "leftAddress", veth.leftAddress(), veth.subnet(), left);
    TopologyValidator.usable(what, "rightAddress", veth.rightAddress(), veth.subnet(), right);
    TopologyValidator.ipv6Mtu(what, veth.mtu(), left);
    return new Draft(what, null, new String[] {veth.left(), veth.right()}, new String[] {leftName, rightName},
        new Cidr[] {left, right});
  }

  // ---- one bridge ----

  private Draft check(BridgeSpec bridge, Set<String> bridgeNames) {
    String what = bridge.what();
    if (TopologyValidator.interfaceName(what, "name", bridge.name()) == null) {
      throw new InvalidTopologyException(what, "has an empty name. Name the bridge, e.g. name = \"lan\".");
    }
    if (!bridgeNames.add(bridge.name())) {
      throw new InvalidTopologyException(what, "is the second bridge called \"" + bridge.name()
          + "\". Give each bridge its own name.");
    }
    if (named.contains(bridge.name())) {
      throw new InvalidTopologyException(what, "has the name of a namespace, \"" + bridge.name()
          + "\". Names of bridges and namespaces must differ.");
    }
    List<String> members = bridge.members();
    int count = members.size();
    if (count == 0) {
      throw new InvalidTopologyException(what, "has no members. List the namespaces to plug in, e.g."
          + " members = {\"n1\", \"n2\"}.");
    }
    Set<String> seen = new HashSet<>();
    for (String member : members) {
      if (member.equals(TopologyPlan.HOST)) {
        throw new InvalidTopologyException(what, "lists VethLink.HOST as a member: a bridge never touches the host."
            + " Link the host with @VethLink(left = VethLink.HOST, right = \"...\") instead.");
      }
      checkEnd(what, "members", member);
      if (!seen.add(member)) {
        throw new InvalidTopologyException(what, "lists member \"" + member + "\" twice. Plug each namespace in once.");
      }
    }
    TopologyValidator.mtu(what, bridge.mtu());
    List<String> givenNames = bridge.interfaceNames();
    if (!givenNames.isEmpty() && givenNames.size() != count) {
      throw new InvalidTopologyException(what, "has " + givenNames.size() + " interfaceNames for " + count
          + " members. Give one per member, in member order, or none for eth0, eth1, ...");
    }
    String[] names = new String[count];
    for (int i = 0; i < count && !givenNames.isEmpty(); i++) {
      names[i] = TopologyValidator.interfaceName(what, "interfaceNames", givenNames.get(i));
    }
    Cidr subnet = TopologyValidator.subnet(what, bridge.subnet());
    List<String> given = bridge.addresses();
    if (!given.isEmpty() && given.size() != count) {
      throw new InvalidTopologyException(what, "has " + given.size() + " addresses for " + count + " members. Give"
          + " one per member, in member order, or a subnet.");
    }
    if (given.isEmpty() && subnet != null) {
      TopologyValidator.requireHosts(what, subnet, count, count + " members");
    }
    Cidr[] addresses = new Cidr[count];
    Set<InetAddress> used = new HashSet<>();
    for (int i = 0; i < count; i++) {
      Cidr address = given.isEmpty()
          ? (subnet == null ? null : subnet.host(i + 1))
          : TopologyValidator.address(what, "addresses", given.get(i), subnet);
      if (address != null && i > 0 && addresses[0] != null && address.isIpv6() != addresses[0].isIpv6()) {
        throw new InvalidTopologyException(what, "mixes IPv4 and IPv6 in addresses: " + addresses[0] + " and "
            + address + ". Use one family per bridge; add a second @Bridge for the other.");
      }
      if (address != null && !used.add(address.address())) {
        throw new InvalidTopologyException(what, "gives two members the address " + address + ". Give each its own.");
      }
      TopologyValidator.usable(what, "addresses", given.isEmpty() ? "" : given.get(i), bridge.subnet(), address);
      addresses[i] = address;
    }
    TopologyValidator.ipv6Mtu(what, bridge.mtu(), addresses[0]);
    return new Draft(what, "interfaceNames", members.toArray(new String[0]), names, addresses);
  }

  private void checkEnd(String what, String attribute, String name) {
    if (!name.equals(TopologyPlan.HOST) && !named.contains(name)) {
      throw new InvalidTopologyException(what, attribute + " names \"" + name + "\", which is not a namespace of this"
          + " test; declared: " + named + ". Fix the name, or declare it with @IsolatedNetNs(\"" + name + "\").");
    }
  }

  // ---- across links, per namespace ----

  /**
   * Names given explicitly must differ within a namespace; the others become eth0, eth1, ... per
   * namespace in declaration order (veths, then bridges), skipping the names given. Host ends get
   * a name of their own from {@code hostInterfaceNames}: the host's other interfaces are not ours.
   */
  private void nameInterfaces(List<Draft> drafts) {
    Map<String, Set<String>> taken = new HashMap<>();
    for (Draft draft : drafts) {
      for (int i = 0; i < draft.namespaces.length; i++) {
        String name = draft.names[i];
        String ns = draft.namespaces[i];
        if (name != null && !taken.computeIfAbsent(ns, k -> new HashSet<>()).add(name)) {
          throw new InvalidTopologyException(draft.what, "has " + draft.attribute(i) + " = \"" + name + "\", already"
              + " used by another interface in " + describe(ns) + ". Give each interface its own name.");
        }
      }
    }
    Map<String, Integer> next = new HashMap<>();
    for (Draft draft : drafts) {
      for (int i = 0; i < draft.namespaces.length; i++) {
        if (draft.names[i] == null) {
          draft.names[i] = defaultName(taken, next, draft.namespaces[i]);
        }
      }
    }
  }

  private String defaultName(Map<String, Set<String>> taken, Map<String, Integer> next, String ns) {
    if (ns.equals(TopologyPlan.HOST)) {
      return hostInterfaceNames.get();
    }
    Set<String> used = taken.computeIfAbsent(ns, k -> new HashSet<>());
    int k = next.getOrDefault(ns, 0);
    while (used.contains("eth" + k)) {
      k++;
    }
    next.put(ns, k + 1);
    used.add("eth" + k);
    return "eth" + k;
  }

  /** One address on two interfaces of a namespace (a copied subnet, usually) makes routing ambiguous. */
  private static void checkAddressesPerNamespace(List<Draft> drafts) {
    Map<String, Map<InetAddress, String>> seen = new HashMap<>();
    for (Draft draft : drafts) {
      for (int i = 0; i < draft.namespaces.length; i++) {
        Cidr address = draft.addresses[i];
        String ns = draft.namespaces[i];
        if (address == null) {
          continue;
        }
        String earlier = seen.computeIfAbsent(ns, k -> new HashMap<>()).putIfAbsent(address.address(), draft.what);
        if (earlier != null) {
          throw new InvalidTopologyException(draft.what, "gives " + describe(ns) + " the address " + address
              + ", which " + earlier + " gives it already. Use another subnet or address.");
        }
      }
    }
  }

  private static String describe(String ns) {
    return ns.equals(TopologyPlan.HOST) ? "the host" : "namespace \"" + ns + "\"";
  }
}
