package io.github.junitnetns.internal.ns;

import java.net.InetAddress;

/** One interface of a namespace on one medium (a veth cable or a bridge), as a topology declared it. */
public final class Attachment {
  public final String medium;
  public final String namespace;
  public final String interfaceName;
  /** The interface's configured address, or null. */
  public final InetAddress address;

  public Attachment(String medium, String namespace, String interfaceName, InetAddress address) {
    this.medium = medium;
    this.namespace = namespace;
    this.interfaceName = interfaceName;
    this.address = address;
  }
}
