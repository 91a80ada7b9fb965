package io.github.junitnetns.internal.topology;

/**
 * One veth as declared, before any check: the text of each attribute, empty when not given.
 *
 * @param id which declaration this is; stable across plans of one test class
 * @param what the declaration as messages name it, e.g. {@code @VethLink(left = "a", right = "b") on ClientTest}
 * @param left a namespace's name, or {@link TopologyPlan#HOST}
 * @param mtu 0 for the kernel's default
 */
public record VethSpec(String id, String what, String left, String right, String subnet, String leftAddress,
    String rightAddress, String leftName, String rightName, int mtu) {

  public boolean touchesHost() {
    return left.equals(TopologyPlan.HOST) || right.equals(TopologyPlan.HOST);
  }
}
