package io.github.junitnetns.internal.names;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.List;

/**
 * What the resolver provider (JDK 18+, {@code NamesResolverProvider}) does, written against JDK 17
 * types so that it is compiled and tested with the rest: on a thread inside a network's namespaces
 * its names resolve to their addresses and back; every other lookup goes to the JDK's built-in
 * resolver, through {@link HostCache}.
 */
final class NameResolution {
  /** A reverse lookup through the JDK's built-in resolver. */
  @FunctionalInterface
  interface ReverseLookup {
    String lookup() throws UnknownHostException;
  }

  private final HostCache cache;

  NameResolution(HostCache cache) {
    this.cache = cache;
  }

  /** Called once, when the JVM loads the provider, before its first lookup is cached. */
  static NameResolution install() {
    return new NameResolution(HostCache.takeOver());
  }

  /** {@code host}'s addresses; {@code characteristics} are the bits of {@code LookupPolicy}. */
  List<InetAddress> byName(String host, int characteristics, HostCache.Lookup builtin) throws UnknownHostException {
    if (Names.isProbe(host)) {
      Names.PROBES.incrementAndGet();
      return List.of(InetAddress.getLoopbackAddress());
    }
    NameTable table = Names.forCurrentThread();
    List<InetAddress> named = table == null ? null : table.addresses(host, characteristics);
    if (named != null) {
      if (named.isEmpty()) {
        throw new UnknownHostException(host + ": the namespace has no address of the kind this lookup asks for"
            + " (java.net.preferIPv4Stack / preferIPv6Addresses)");
      }
      return named;
    }
    return cache.lookup(host, characteristics, builtin);
  }

  /** The name of {@code address}: a namespace's name when it is one of the network's, else the built-in answer. */
  String byAddress(byte[] address, ReverseLookup builtin) throws UnknownHostException {
    NameTable table = Names.forCurrentThread();
    String name = table == null ? null : table.nameOf(address);
    return name != null ? name : builtin.lookup();
  }
}
