package io.github.junitnetns.internal.topology;

import java.net.InetAddress;

/**
 * One interface of a built network: the namespace it is in, its name, the veth or bridge it is
 * plugged into, and its configured address (null for none). Two interfaces face each other when
 * they share a medium.
 */
public record Attachment(Medium medium, String namespace, String interfaceName, InetAddress address) {

  public static Attachment of(Medium medium, Endpoint end) {
    return new Attachment(medium, end.namespace(), end.interfaceName(), end.ip());
  }

  /** A veth carries only its other end's traffic; a bridge port carries every member's. */
  public boolean isVeth() {
    return medium.kind() == Medium.Kind.VETH;
  }
}
