package io.github.junitnetns;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;

/**
 * What one {@link Network} view has applied and must take back: its drops (kept in the kernel by
 * {@link Faults}) and the arrivals it shaped (kept by each namespace's {@link Shaper.Ledger}).
 * Views sharing namespaces (tests running at once in CLASS-scoped namespaces) each have their own,
 * so a view's {@link Network#heal()} and {@link Network#restore()} take back its own and no other's.
 * Every method holds this object's lock while it changes the kernel's state, so the record and the
 * kernel never disagree for a caller of the same view.
 */
final class Holdings {
  /** One drop rule as a view holds it: packets from {@code source} dropped where they arrive at {@code at}. */
  private record Drop(NetNs at, InetAddress source) {}

  /** The owner under which shaping is applied: the view these holdings belong to. */
  private final Object owner;
  private final Set<Drop> drops = new LinkedHashSet<>();
  /** The arrivals this view shaped, by {@link Shaper.Arrivals#key()}. */
  private final Map<String, Shaper.Arrivals> shaped = new LinkedHashMap<>();

  Holdings(Object owner) {
    this.owner = owner;
  }

  /** Drops packets from {@code source} at {@code at}, unless this view already does. */
  synchronized void drop(NetNs at, InetAddress source) {
    Drop drop = new Drop(at, source);
    if (!drops.contains(drop)) {
      Faults.hold(at, source);
      drops.add(drop);
    }
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

  /** Lets go of every drop; each is forgotten even when its release fails, and the first failure is thrown. */
  void releaseDrops() {
    RuntimeException failure = null;
    synchronized (this) {
      for (Drop drop : new ArrayList<>(drops)) {
        try {
          Faults.release(drop.at(), drop.source());
        } catch (RuntimeException e) {
          failure = collect(failure, e);
        }
        drops.remove(drop);
      }
    }
    if (failure != null) {
      throw failure;
    }
  }

  /** Takes back every shaping, as {@link #releaseDrops()} does the drops. */
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
