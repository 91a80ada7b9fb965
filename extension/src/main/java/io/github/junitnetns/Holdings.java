package io.github.junitnetns;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What one {@link Network} view has applied and must take back: its faults (whole-traffic drops
 * kept in the kernel by {@link Faults}, nf_tables rules kept by each namespace's {@link Firewall})
 * and the arrivals it shaped (kept by each namespace's {@link Shaper.Ledger}).
 * Views sharing namespaces (tests running at once in CLASS-scoped namespaces) each have their own,
 * so a view's {@link Network#heal()} and {@link Network#restore()} take back its own and no other's.
 * Every method holds this object's lock while it changes the kernel's state, so the record and the
 * kernel never disagree for a caller of the same view.
 */
final class Holdings {
  /** One drop rule as a view holds it: packets from {@code source} dropped where they arrive at {@code at}. */
  record Drop(NetNs at, InetAddress source) {}

  /** The owner under which shaping is applied: the view these holdings belong to. */
  private final Object owner;
  /** How many of this view's faults hold each drop; the kernel's rule is held once per view. */
  private final Map<Drop, Integer> drops = new LinkedHashMap<>();
  private final List<Fault> faults = new ArrayList<>();
  /** The arrivals this view shaped, by {@link Shaper.Arrivals#key()}. */
  private final Map<String, Shaper.Arrivals> shaped = new LinkedHashMap<>();

  Holdings(Object owner) {
    this.owner = owner;
  }

  /**
   * A whole-traffic fault: drops {@code wanted} by policy rules, each counted by an nf_tables rule
   * in its namespace's prerouting chain (added first, so that no dropped packet goes uncounted;
   * left out on a kernel without nf_tables, where the fault works uncounted).
   */
  synchronized Fault drop(String description, List<Drop> wanted) {
    Set<Drop> unique = new LinkedHashSet<>(wanted);
    Map<NetNs, List<Firewall.Placed>> counters = new LinkedHashMap<>();
    for (Drop drop : unique) {
      counters.computeIfAbsent(drop.at(), k -> new ArrayList<>()).add(FaultRules.counterOf(drop.source()));
    }
    Fault attempt = new Fault(description, this, new ArrayList<>(unique), new ArrayList<>(counters.keySet()), true);
    Fault fault = addRules(attempt, counters, description, true) ? attempt
        : new Fault(description, this, new ArrayList<>(unique), List.of(), false);
    List<Drop> held = new ArrayList<>();
    try {
      for (Drop drop : unique) {
        int count = drops.getOrDefault(drop, 0);
        if (count == 0) {
          Faults.hold(drop.at(), drop.source());
        }
        drops.put(drop, count + 1);
        held.add(drop);
      }
    } catch (RuntimeException e) {
      held.forEach(this::letGo);
      fault.ruled.forEach(ns -> ns.firewall().remove(fault.comment()));
      throw e;
    }
    faults.add(fault);
    return fault;
  }

  /** A traffic-scoped fault: nf_tables {@code rules} by namespace, all or none; {@code what} names the call. */
  synchronized Fault rules(String description, Map<NetNs, List<Firewall.Placed>> rules, String what) {
    Fault fault = new Fault(description, this, List.of(), new ArrayList<>(rules.keySet()), true);
    Map<NetNs, List<Firewall.Placed>> named = new LinkedHashMap<>(rules);
    addRules(fault, named, what, false);
    faults.add(fault);
    return fault;
  }

  /**
   * Adds {@code fault}'s rules namespace by namespace; on a failure removes those added and throws,
   * except that with {@code tolerateMissing} a kernel without nf_tables returns false instead.
   */
  private static boolean addRules(Fault fault, Map<NetNs, List<Firewall.Placed>> rules, String what,
      boolean tolerateMissing) {
    List<NetNs> done = new ArrayList<>();
    try {
      for (Map.Entry<NetNs, List<Firewall.Placed>> entry : rules.entrySet()) {
        entry.getKey().firewall().add(fault.comment(), entry.getValue(), what);
        done.add(entry.getKey());
      }
      return true;
    } catch (NetNsException e) {
      for (NetNs ns : done) {
        try {
          ns.firewall().remove(fault.comment());
        } catch (RuntimeException cleanup) {
          e.addSuppressed(cleanup);
        }
      }
      if (tolerateMissing && Firewall.isMissing(e)) {
        return false;
      }
      throw e;
    }
  }

  /** Heals {@code fault} if it is this view's and in force: its rules go, and its drops unless another of this view's faults holds them. */
  synchronized void heal(Fault fault) {
    if (fault.isHealed() || !faults.contains(fault)) {
      return;
    }
    RuntimeException failure = null;
    long packets = 0;
    if (fault.counted) {
      try {
        packets = fault.packets();
      } catch (RuntimeException e) {
        failure = e; // the count is lost: said once the healing is done
      }
    }
    for (NetNs ns : fault.ruled) {
      try {
        ns.firewall().remove(fault.comment());
      } catch (RuntimeException e) {
        failure = collect(failure, e);
      }
    }
    for (Drop drop : fault.drops) {
      try {
        letGo(drop);
      } catch (RuntimeException e) {
        failure = collect(failure, e);
      }
    }
    faults.remove(fault);
    fault.healed(packets);
    if (failure != null) {
      throw failure;
    }
  }

  /** One fewer of this view's faults holds {@code drop}; the kernel's rule is released with the last. */
  private void letGo(Drop drop) {
    int count = drops.getOrDefault(drop, 0);
    if (count > 1) {
      drops.put(drop, count - 1);
      return;
    }
    drops.remove(drop);
    if (count == 1) {
      Faults.release(drop.at(), drop.source());
    }
  }

  /** The faults in force through this view, oldest first. */
  synchronized List<Fault> faults() {
    return List.copyOf(faults);
  }

  /** Applies {@code shaping} to {@code arrivals} for this view ({@link Shaping#none()} takes it back). */
  synchronized void shape(NetNs at, Shaper.Arrivals arrivals, Shaping shaping) {
    at.shaping().apply(owner, arrivals, shaping);
    if (shaping.isNone()) {
      shaped.remove(arrivals.key());
    } else {
      shaped.put(arrivals.key(), arrivals);
    }
  }

  /** Heals every fault; each is forgotten even when its healing fails, and the first failure is thrown. */
  void releaseDrops() {
    RuntimeException failure = null;
    synchronized (this) {
      for (Fault fault : new ArrayList<>(faults)) {
        try {
          heal(fault);
        } catch (RuntimeException e) {
          failure = collect(failure, e);
        }
      }
    }
    if (failure != null) {
      throw failure;
    }
  }

  /** Takes back every shaping, as {@link #releaseDrops()} does the faults. */
  void releaseShaping() {
    RuntimeException failure = null;
    synchronized (this) {
      for (Shaper.Arrivals arrivals : new ArrayList<>(shaped.values())) {
        try {
          arrivals.link().netNs().shaping().release(owner, arrivals);
        } catch (RuntimeException e) {
          failure = collect(failure, e);
        }
        shaped.remove(arrivals.key());
      }
    }
    if (failure != null) {
      throw failure;
    }
  }

  /** {@code first} with {@code next} suppressed in it, or {@code next} when there is no first. */
  static RuntimeException collect(RuntimeException first, RuntimeException next) {
    if (first == null) {
      return next;
    }
    first.addSuppressed(next);
    return first;
  }
}
