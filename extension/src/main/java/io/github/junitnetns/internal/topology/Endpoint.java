package io.github.junitnetns.internal.topology;

import io.github.junitnetns.internal.net.Cidr;
import java.net.InetAddress;

/**
 * One interface as planned: the namespace it lives in (or {@link TopologyPlan#HOST}), its name,
 * decided, and its address with prefix length, or null for none.
 */
public record Endpoint(String namespace, String interfaceName, Cidr address) {

  public boolean isHost() {
    return namespace.equals(TopologyPlan.HOST);
  }

  /** The address without prefix length, or null. */
  public InetAddress ip() {
    return address == null ? null : address.address();
  }
}
