package io.github.junitnetns.internal.topology;

import java.util.List;

/** One bridge, checked, with each member's interface name and address decided, in member order. */
public record BridgePlan(String id, String what, String name, List<Endpoint> members, int mtu) {

  public BridgePlan {
    members = List.copyOf(members);
  }

  public Medium medium() {
    return Medium.bridge(name);
  }
}
