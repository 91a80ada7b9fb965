package io.github.junitnetns.jupiter;

import io.github.junitnetns.internal.topology.BridgePlan;
import io.github.junitnetns.internal.topology.BridgeSpec;
import io.github.junitnetns.internal.topology.Endpoint;
import io.github.junitnetns.internal.topology.InvalidTopologyException;
import io.github.junitnetns.internal.topology.NamespaceSpec;
import io.github.junitnetns.internal.topology.TopologyPlan;
import io.github.junitnetns.internal.topology.VethPlan;
import io.github.junitnetns.internal.topology.VethSpec;
import io.github.junitnetns.jupiter.IsolatedNetNs.Scope;
import java.lang.reflect.AnnotatedElement;
import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.extension.ExtensionConfigurationException;

/**
 * What a test (or, without a method, a class) declares, read from its annotations and checked:
 * its namespaces, and the {@link TopologyPlan} of the veths and bridges between them with every
 * interface name and address decided. Every mistake is found when the plan is made, before
 * anything is created, and reported as an {@link ExtensionConfigurationException} that names the
 * annotation, the attribute, the value and the fix.
 */
record Plan(List<Declaration> namespaces, TopologyPlan topology) {

  /**
   * Reads and checks the annotations. With {@code strict} false (a class's plan, before its tests'
   * method annotations are known) a {@code @VethLink} or {@code @Bridge} naming a namespace that
   * is not declared yet is left out rather than refused; each test's own plan checks it.
   */
  static Plan of(Class<?> testClass, Optional<Method> testMethod, boolean strict) {
    List<Declaration> namespaces = Declaration.collect(testClass, testMethod);
    Set<String> known = new HashSet<>(List.of(VethLink.HOST));
    namespaces.forEach(d -> known.add(d.name()));
    Map<String, Integer> ordinals = new HashMap<>();
    List<VethSpec> veths = new ArrayList<>();
    for (Map.Entry<VethLink, AnnotatedElement> found : Declaration.find(testClass, testMethod, VethLink.class)) {
      VethSpec veth = spec(found.getKey(), found.getValue(), id(ordinals, found.getValue(), "@VethLink"));
      if (strict || (known.contains(found.getKey().left()) && known.contains(found.getKey().right()))) {
        veths.add(veth);
      }
    }
    List<BridgeSpec> bridges = new ArrayList<>();
    for (Map.Entry<Bridge, AnnotatedElement> found : Declaration.find(testClass, testMethod, Bridge.class)) {
      BridgeSpec bridge = spec(found.getKey(), found.getValue(), id(ordinals, found.getValue(), "@Bridge"));
      if (strict || known.containsAll(bridge.members())) {
        bridges.add(bridge);
      }
    }
    List<NamespaceSpec> specs = namespaces.stream().map(Declaration::spec).toList();
    try {
      return new Plan(namespaces, TopologyPlan.of(specs, veths, bridges));
    } catch (InvalidTopologyException e) {
      throw new ExtensionConfigurationException(e.getMessage());
    }
  }

  /** Which annotation this is, the same in every plan of one test class: where it is, and its place there. */
  private static String id(Map<String, Integer> ordinals, AnnotatedElement on, String annotation) {
    String key = on + " " + annotation;
    return key + " #" + ordinals.merge(key, 1, Integer::sum);
  }

  private static VethSpec spec(VethLink link, AnnotatedElement on, String id) {
    String what = "@VethLink(left = \"" + link.left() + "\", right = \"" + link.right() + "\") on "
        + Declaration.where(on);
    return new VethSpec(id, what, end(link.left()), end(link.right()), link.subnet(), link.leftAddress(),
        link.rightAddress(), link.leftName(), link.rightName(), link.mtu());
  }

  private static BridgeSpec spec(Bridge bridge, AnnotatedElement on, String id) {
    String what = "@Bridge(name = \"" + bridge.name() + "\") on " + Declaration.where(on);
    return new BridgeSpec(id, what, bridge.name(), List.of(bridge.members()), bridge.subnet(),
        List.of(bridge.addresses()), List.of(bridge.interfaceNames()), bridge.mtu());
  }

  /** The annotation's name for the host end, in the plan's words. */
  private static String end(String name) {
    return name.equals(VethLink.HOST) ? TopologyPlan.HOST : name;
  }

  List<VethPlan> veths() {
    return topology.veths();
  }

  List<BridgePlan> bridges() {
    return topology.bridges();
  }

  /** Whether every namespace of a veth lives for the whole class (the host does too). */
  boolean isClassWide(VethPlan veth) {
    return classWide(veth.left()) && classWide(veth.right());
  }

  boolean isClassWide(BridgePlan bridge) {
    return bridge.members().stream().allMatch(this::classWide);
  }

  private boolean classWide(Endpoint end) {
    return end.isHost() || namespaces.stream().anyMatch(d -> d.name().equals(end.namespace()) && d.scope() == Scope.CLASS);
  }
}
