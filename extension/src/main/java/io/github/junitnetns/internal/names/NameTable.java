package io.github.junitnetns.internal.names;

import io.github.junitnetns.internal.net.Addresses;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The names of one network's namespaces: which namespaces (by kernel identity, {@code net:[...]})
 * see them, and each name's addresses, the first being what {@code Network.address(name)} gives.
 * Immutable. Names are matched without regard to case, as DNS and /etc/hosts do; {@code localhost}
 * is never one of them (a namespace may be called so, but the name keeps meaning loopback).
 */
public final class NameTable {
  private final Set<String> namespaceIds;
  /** By lower-case name, in declaration order. */
  private final Map<String, Entry> byName;

  /** A name and its addresses, the primary one first. */
  public record Entry(String name, List<InetAddress> addresses) {
    public Entry {
      addresses = List.copyOf(addresses);
    }
  }

  private NameTable(Set<String> namespaceIds, Map<String, Entry> byName) {
    this.namespaceIds = Collections.unmodifiableSet(namespaceIds);
    this.byName = Collections.unmodifiableMap(byName);
  }

  /** Builds a table; names with no address are left out (there is nothing to resolve them to). */
  public static Builder builder() {
    return new Builder();
  }

  /** Collects the namespaces that see the names and the names' addresses. */
  public static final class Builder {
    private final Set<String> namespaceIds = new LinkedHashSet<>();
    private final Map<String, String> names = new LinkedHashMap<>();
    private final Map<String, List<InetAddress>> addresses = new LinkedHashMap<>();

    private Builder() {}

    /** A namespace of the network, {@code name} (may be empty for the unnamed one) with identity {@code id}. */
    public Builder namespace(String name, String id) {
      namespaceIds.add(id);
      if (!name.isEmpty() && !isLocalhost(name)) {
        names.putIfAbsent(key(name), name);
      }
      return this;
    }

    /** One more address of namespace {@code name} (duplicates are kept once). */
    public Builder address(String name, InetAddress address) {
      if (!name.isEmpty() && !isLocalhost(name)) {
        List<InetAddress> list = addresses.computeIfAbsent(key(name), k -> new ArrayList<>());
        if (!list.contains(address)) {
          list.add(address);
        }
      }
      return this;
    }

    public NameTable build() {
      Map<String, Entry> byName = new LinkedHashMap<>();
      names.forEach((key, name) -> {
        List<InetAddress> list = addresses.getOrDefault(key, List.of());
        if (!list.isEmpty()) {
          List<InetAddress> named = new ArrayList<>();
          for (InetAddress address : list) {
            named.add(withName(name, address));
          }
          byName.put(key, new Entry(name, named));
        }
      });
      return new NameTable(new LinkedHashSet<>(namespaceIds), byName);
    }
  }

  /** Whether a thread in namespace {@code id} sees these names. */
  public boolean seenFrom(String id) {
    return namespaceIds.contains(id);
  }

  /** The identities of the namespaces that see these names. */
  public Set<String> namespaceIds() {
    return namespaceIds;
  }

  /** Every name with its addresses, in declaration order. */
  public List<Entry> entries() {
    return List.copyOf(byName.values());
  }

  /** {@code host}'s addresses, primary first, or null if it is not one of these names. */
  public List<InetAddress> addresses(String host) {
    Entry entry = byName.get(key(host));
    return entry == null ? null : entry.addresses();
  }

  /**
   * {@code host}'s addresses as a lookup with these characteristics wants them (the bits of
   * {@code java.net.spi.InetAddressResolver.LookupPolicy}: 1 IPv4, 2 IPv6, 4 IPv4 first, 8 IPv6
   * first), or null if it is not one of these names. Without a "first" bit the declaration order
   * stays, so the first is {@code Network.address(host)}.
   */
  public List<InetAddress> addresses(String host, int characteristics) {
    List<InetAddress> all = addresses(host);
    if (all == null) {
      return null;
    }
    List<InetAddress> v4 = new ArrayList<>();
    List<InetAddress> v6 = new ArrayList<>();
    List<InetAddress> both = new ArrayList<>();
    for (InetAddress address : all) {
      boolean isV4 = address instanceof Inet4Address;
      if (isV4 ? (characteristics & 1) != 0 : (characteristics & 2) != 0) {
        (isV4 ? v4 : v6).add(address);
        both.add(address);
      }
    }
    List<InetAddress> result = new ArrayList<>();
    if ((characteristics & 4) != 0) {
      result.addAll(v4);
      result.addAll(v6);
    } else if ((characteristics & 8) != 0) {
      result.addAll(v6);
      result.addAll(v4);
    } else {
      result.addAll(both);
    }
    return result;
  }

  /** The name that has {@code address} (raw bytes, 4 or 16), or null. */
  public String nameOf(byte[] address) {
    for (Entry entry : byName.values()) {
      for (InetAddress candidate : entry.addresses()) {
        if (java.util.Arrays.equals(candidate.getAddress(), address)) {
          return entry.name();
        }
      }
    }
    return null;
  }

  /** Lines for /etc/hosts, {@code address<TAB>name}, in declaration order; empty if there are none. */
  public String hostsLines() {
    StringBuilder lines = new StringBuilder();
    for (Entry entry : byName.values()) {
      for (InetAddress address : entry.addresses()) {
        String text = Addresses.format(address);
        lines.append(text).append('\t').append(entry.name()).append('\n');
      }
    }
    return lines.toString();
  }

  static boolean isLocalhost(String name) {
    String lower = key(name);
    return lower.equals("localhost") || lower.endsWith(".localhost") || lower.equals("localhost.localdomain");
  }

  private static String key(String name) {
    String lower = name.toLowerCase(Locale.ROOT);
    return lower.endsWith(".") ? lower.substring(0, lower.length() - 1) : lower;
  }

  private static InetAddress withName(String name, InetAddress address) {
    try {
      return InetAddress.getByAddress(name, address.getAddress());
    } catch (UnknownHostException e) {
      throw new IllegalStateException("an address of " + name + " has " + address.getAddress().length + " bytes", e);
    }
  }
}
