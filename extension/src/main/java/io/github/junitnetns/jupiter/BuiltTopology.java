package io.github.junitnetns.jupiter;

import io.github.junitnetns.NetNs;
import io.github.junitnetns.Network;
import io.github.junitnetns.internal.topology.BridgePlan;
import io.github.junitnetns.internal.topology.VethPlan;
import io.github.junitnetns.internal.ns.Carrier;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * What the extension made for one test (or, for CLASS scope, one class) from its {@link Plan}:
 * namespaces by name in declaration order, the network of veths and bridges built between them,
 * the carrier thread the test's code runs on. Closed exactly once, whether by the extension's after-callback or, as a
 * safety net, by JUnit closing the store (it implements both {@code AutoCloseable} and
 * {@code CloseableResource} so JUnit 5.10 through 6.x close it).
 */
@SuppressWarnings("deprecation") // CloseableResource: deprecated in JUnit 6; the store cleanup JUnit 5.10 knows
final class BuiltTopology implements AutoCloseable, ExtensionContext.Store.CloseableResource {
  private final Map<String, NetNs> byName = new LinkedHashMap<>();
  private final Map<String, NetNs> borrowed = new LinkedHashMap<>();
  /** Namespaces this topology created and must close; CLASS-scoped ones of outer classes are only borrowed. */
  private final List<NetNs> owned = new ArrayList<>();
  /** The veths and bridges built at this level by {@link Wiring}; closed before the namespaces. */
  private Network network;
  /**
   * The test's (or class phase's) one {@code Network} view of its network and its enclosing
   * classes': every {@code Network} parameter of the test gets it, so the faults and shaping
   * applied through any of them are the test's, removed after it.
   */
  private Network view;
  private final List<String> bridgeNames = new ArrayList<>();
  private final Set<String> hostLinks = new LinkedHashSet<>();
  private final Set<String> built = new HashSet<>();
  private boolean failed;
  private final String primary;
  private final Carrier runner;
  private final String workerNamespace;
  private boolean closed;
  /** The names of this level together with its enclosing classes', when there are such (see {@link #publishNames}). */
  private AutoCloseable names;

  BuiltTopology(String primary, Carrier runner, String workerNamespace) {
    this.primary = primary;
    this.runner = runner;
    this.workerNamespace = workerNamespace;
  }

  synchronized void own(String name, NetNs ns) {
    byName.put(name, ns);
    owned.add(ns);
  }

  synchronized void borrow(String name, NetNs ns) {
    byName.put(name, ns);
    borrowed.put(name, ns);
  }

  /** The namespaces of enclosing class contexts this test uses (CLASS scope). */
  synchronized Map<String, NetNs> borrowed() {
    return new LinkedHashMap<>(borrowed);
  }

  /**
   * Records what {@link Wiring} built at this level for these plans: the network owning the veths
   * and bridges, the names of the host's ends, and the plan ids, so inner contexts do not build
   * them again.
   */
  synchronized void built(Network built, List<VethPlan> veths, List<BridgePlan> bridges) {
    network = built;
    for (VethPlan veth : veths) {
      this.built.add(veth.id());
      if (veth.touchesHost()) {
        hostLinks.add((veth.left().isHost() ? veth.left() : veth.right()).interfaceName());
      }
    }
    for (BridgePlan bridge : bridges) {
      this.built.add(bridge.id());
      bridgeNames.add(bridge.name());
    }
  }

  /**
   * Publishes the names of this level's network together with {@code outer}'s (the enclosing
   * classes' topologies), so that a test's namespaces see the class's names too; until closed. A
   * level alone needs nothing: its network published its own names when it was built.
   */
  synchronized void publishNames(List<BuiltTopology> outer) {
    List<Network> parts = new ArrayList<>();
    for (BuiltTopology topology : outer) {
      if (topology.network() != null) {
        parts.add(topology.network());
      }
    }
    if (parts.isEmpty()) {
      return;
    }
    if (network != null) {
      parts.add(network);
    }
    names = LibraryInternals.publishNames(LibraryInternals.combine(parts));
  }

  /** This level's network: its namespaces, veths and bridges (null before {@link #built}). */
  synchronized Network network() {
    return network;
  }

  /** The test's {@code Network} view, made by {@code make} the first time it is asked for. */
  synchronized Network view(Supplier<Network> make) {
    if (view == null) {
      view = make.get();
    }
    return view;
  }

  /** The view if a {@code Network} parameter asked for it, or null. */
  synchronized Network view() {
    return view;
  }

  /** The host's ends of veths, by name. */
  synchronized Set<String> hostLinks() {
    return new LinkedHashSet<>(hostLinks);
  }

  /** Leaves the host ends of veths in place at close: the pinned namespaces keep their peers. */
  synchronized void keepHostLinks() {
    if (network != null) {
      LibraryInternals.keepHostLinks(network);
    }
  }

  /** Marks that a test using these namespaces failed (for keep-on-failure of CLASS-scoped ones). */
  synchronized void failed() {
    failed = true;
  }

  synchronized boolean hasFailed() {
    return failed;
  }

  /** The namespaces this topology created, by name, with the bridges' hidden ones. */
  synchronized Map<String, NetNs> ownedWithBridges() {
    Map<String, NetNs> result = new LinkedHashMap<>();
    byName.forEach((name, ns) -> {
      if (owned.contains(ns)) {
        result.put(name, ns);
      }
    });
    bridgeNames.forEach(name -> result.put("bridge-" + name, network.bridge(name).netNs()));
    return result;
  }

  synchronized boolean hasBuilt(String id) {
    return built.contains(id);
  }

  /** The namespace the body runs in. */
  synchronized NetNs primary() {
    return byName.get(primary);
  }

  synchronized NetNs get(String name) {
    return byName.get(name);
  }

  synchronized Map<String, NetNs> all() {
    return Collections.unmodifiableMap(new LinkedHashMap<>(byName));
  }

  Carrier runner() {
    return runner;
  }

  /** The namespace the JUnit worker thread was in when the test started. */
  String workerNamespace() {
    return workerNamespace;
  }

  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    if (runner != null) {
      runner.release();
    }
    RuntimeException failure = null;
    if (names != null) {
      failure = attempt(names, failure);
    }
    if (view != null) {
      failure = attempt(view, failure); // owns nothing, but stops the nemeses started on it while the namespaces exist
    }
    if (network != null) {
      failure = attempt(network, failure);
    }
    for (int i = owned.size() - 1; i >= 0; i--) {
      failure = attempt(owned.get(i), failure);
    }
    if (failure != null) {
      throw failure;
    }
  }

  private static RuntimeException attempt(AutoCloseable action, RuntimeException failure) {
    try {
      action.close();
      return failure;
    } catch (Exception e) {
      RuntimeException wrapped = e instanceof RuntimeException ? (RuntimeException) e : new IllegalStateException(e);
      if (failure == null) {
        return wrapped;
      }
      failure.addSuppressed(wrapped);
      return failure;
    }
  }
}
