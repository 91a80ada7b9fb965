package io.github.junitnetns.jupiter;

import io.github.junitnetns.NetNs;
import io.github.junitnetns.internal.ns.Attachment;
import io.github.junitnetns.internal.ns.Carrier;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * What the extension made for one test (or, for CLASS scope, one class) from its {@link Plan}:
 * namespaces by name in declaration order, bridges, who is plugged in where, the carrier thread
 * the test's code runs on, and what must be undone. Closed exactly once, whether by the extension's after-callback or, as a
 * safety net, by JUnit closing the store (it implements both {@code AutoCloseable} and
 * {@code CloseableResource} so JUnit 5.10 through 6.x close it).
 */
final class BuiltTopology implements AutoCloseable, ExtensionContext.Store.CloseableResource {
  private final Map<String, NetNs> byName = new LinkedHashMap<>();
  private final Map<String, NetNs> borrowed = new LinkedHashMap<>();
  /** Namespaces this topology created and must close; CLASS-scoped ones of outer classes are only borrowed. */
  private final List<NetNs> owned = new ArrayList<>();
  /** Undone before the namespaces close, last first: bridges, links to the host. */
  private final List<AutoCloseable> undo = new ArrayList<>();
  private final Map<String, io.github.junitnetns.Bridge> bridges = new LinkedHashMap<>();
  private final List<Attachment> attachments = new ArrayList<>();
  private final Set<String> built = new HashSet<>();
  /** Host ends of {@code @VethLink(HOST)} veths, by name; kept (not deleted) when the namespaces are pinned. */
  private final Map<String, AutoCloseable> hostLinks = new LinkedHashMap<>();
  private boolean keepHostLinks;
  private boolean failed;
  private final String primary;
  private final Carrier runner;
  private final String workerNamespace;
  private boolean closed;

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

  synchronized void undo(AutoCloseable action) {
    undo.add(action);
  }

  synchronized void undoHostLink(AutoCloseable action, String name) {
    hostLinks.put(name, action);
  }

  /** The host's ends of veths, by name. */
  synchronized Set<String> hostLinks() {
    return new LinkedHashSet<>(hostLinks.keySet());
  }

  /** Leaves the host ends of veths in place at close: the pinned namespaces keep their peers. */
  synchronized void keepHostLinks() {
    keepHostLinks = true;
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
    bridges.forEach((name, bridge) -> result.put("bridge-" + name, bridge.netNs()));
    return result;
  }

  synchronized void addBridge(io.github.junitnetns.Bridge bridge) {
    bridges.put(bridge.name(), bridge);
    undo.add(bridge);
  }

  synchronized void attach(Attachment attachment) {
    attachments.add(attachment);
  }

  /** Records that the veth or bridge with this plan id exists here, so inner contexts do not build it again. */
  synchronized void built(String id) {
    built.add(id);
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

  synchronized Map<String, io.github.junitnetns.Bridge> bridges() {
    return new LinkedHashMap<>(bridges);
  }

  synchronized List<Attachment> attachments() {
    return new ArrayList<>(attachments);
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
    if (!keepHostLinks) {
      for (AutoCloseable hostLink : hostLinks.values()) {
        failure = attempt(hostLink, failure);
      }
    }
    for (int i = undo.size() - 1; i >= 0; i--) {
      failure = attempt(undo.get(i), failure);
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
