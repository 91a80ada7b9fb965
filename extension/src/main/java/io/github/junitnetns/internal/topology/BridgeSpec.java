package io.github.junitnetns.internal.topology;

import java.util.List;

/**
 * One bridge as declared, before any check. {@code addresses} and {@code interfaceNames} are empty
 * or one per member, in member order; {@code subnet} is empty when not given.
 *
 * @param id which declaration this is; stable across plans of one test class
 * @param what the declaration as messages name it, e.g. {@code @Bridge(name = "lan") on ClusterTest}
 * @param mtu 0 for the kernel's default
 */
public record BridgeSpec(String id, String what, String name, List<String> members, String subnet,
    List<String> addresses, List<String> interfaceNames, int mtu) {

  public BridgeSpec {
    members = List.copyOf(members);
    addresses = List.copyOf(addresses);
    interfaceNames = List.copyOf(interfaceNames);
  }
}
