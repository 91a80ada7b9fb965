package io.github.junitnetns.internal.topology;

import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

/**
 * A whole topology, checked, with every interface name and address decided: nothing is left to
 * choose when it is built, and every mistake was found before anything exists. Made by
 * {@link #of}; immutable.
 */
public record TopologyPlan(List<NamespaceSpec> namespaces, List<VethPlan> veths, List<BridgePlan> bridges) {
  /** The end of a veth in the namespace the JVM started in (the host's, usually). */
  public static final String HOST = "<host>";

  private static final AtomicInteger HOST_INTERFACES = new AtomicInteger();

  public TopologyPlan {
    namespaces = List.copyOf(namespaces);
    veths = List.copyOf(veths);
    bridges = List.copyOf(bridges);
  }

  /**
   * Checks the declarations and decides what they left open, in declaration order: namespace ends
   * get {@code eth0}, {@code eth1}, ... (skipping names given explicitly), host ends a name from
   * {@link #hostInterfaceName()}, addresses come from subnets.
   *
   * @throws InvalidTopologyException for the first mistake, in declaration order
   */
  public static TopologyPlan of(List<NamespaceSpec> namespaces, List<VethSpec> veths, List<BridgeSpec> bridges) {
    return of(namespaces, veths, bridges, TopologyPlan::hostInterfaceName);
  }

  /** As {@link #of(List, List, List)}, with host interface names from {@code hostInterfaceNames}. */
  public static TopologyPlan of(List<NamespaceSpec> namespaces, List<VethSpec> veths, List<BridgeSpec> bridges,
      Supplier<String> hostInterfaceNames) {
    return new Planner(namespaces, hostInterfaceNames).plan(veths, bridges);
  }

  /**
   * The file descriptors this topology holds while it exists: each namespace's handle and its
   * rtnetlink socket, the same for each bridge (it lives in a hidden namespace of its own), and for
   * the JVM's own namespace when a veth reaches it (its handle and socket for the host ends).
   * What a message says when descriptors run out half-way.
   */
  public int descriptorsNeeded() {
    boolean host = veths.stream().anyMatch(VethPlan::touchesHost);
    return 2 * (namespaces.size() + bridges.size()) + (host ? 2 : 0);
  }

  /**
   * A host interface name nobody else uses: {@code jn<pid>-<n>}, both numbers in base 36 so that it
   * stays within 15 bytes (a pid below 2^22 is at most 5 digits, leaving 7 for the counter).
   */
  public static String hostInterfaceName() {
    return "jn" + Long.toString(ProcessHandle.current().pid(), 36) + "-"
        + Integer.toString(HOST_INTERFACES.incrementAndGet(), 36);
  }
}
