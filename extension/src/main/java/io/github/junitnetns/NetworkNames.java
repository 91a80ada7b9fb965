package io.github.junitnetns;

import io.github.junitnetns.internal.names.NameTable;
import io.github.junitnetns.internal.names.Names;
import io.github.junitnetns.internal.topology.Attachment;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** What a {@link Network}'s names stand for: its namespaces' addresses, for name lookups and for faults. */
final class NetworkNames {
  private NetworkNames() {}

  /**
   * Publishes the names of {@code namespaces} (each with every configured address, its first
   * address first) for threads and processes inside them, until the handle is closed. The most
   * recently published table of a namespace is the one it sees.
   */
  static AutoCloseable publish(Map<String, NetNs> namespaces, List<Attachment> attachments) {
    NameTable.Builder table = NameTable.builder();
    namespaces.forEach((name, ns) -> {
      if (!ns.isClosed()) {
        table.namespace(name, ns.id());
      }
    });
    for (Attachment attachment : attachments) {
      if (attachment.address() != null && namespaces.containsKey(attachment.namespace())) {
        table.address(attachment.namespace(), attachment.address());
      }
    }
    return Names.publish(table.build());
  }

  /** The names among {@code names} that have an address: the ones faults can tell apart. */
  static Set<String> peers(Set<String> names, List<Attachment> attachments) {
    Set<String> peers = new LinkedHashSet<>();
    for (String name : names) {
      if (attachments.stream().anyMatch(a -> a.namespace().equals(name) && a.address() != null)) {
        peers.add(name);
      }
    }
    return peers;
  }

  /** {@code name}'s configured addresses, each once; refused, naming {@code method}, when it has none. */
  static List<InetAddress> addressesOf(String name, String method, List<Attachment> attachments) {
    List<InetAddress> addresses = new ArrayList<>();
    for (Attachment attachment : attachments) {
      if (attachment.namespace().equals(name) && attachment.address() != null && !addresses.contains(attachment.address())) {
        addresses.add(attachment.address());
      }
    }
    if (addresses.isEmpty()) {
      throw new IllegalStateException("Network." + method + ": namespace \"" + name + "\" has no configured address,"
          + " so its packets cannot be told apart; give its @VethLink or @Bridge a subnet or addresses");
    }
    return addresses;
  }
}
