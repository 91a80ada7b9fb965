package io.github.junitnetns.internal.topology;

/** One veth, checked, with both ends' names and addresses decided. {@code mtu} 0 is the kernel's default. */
public record VethPlan(String id, String what, Endpoint left, Endpoint right, int mtu) {

  public boolean touchesHost() {
    return left.isHost() || right.isHost();
  }

  public Medium medium() {
    return Medium.veth(id);
  }
}
