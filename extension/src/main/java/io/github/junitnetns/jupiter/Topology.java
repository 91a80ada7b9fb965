package io.github.junitnetns.jupiter;

import io.github.junitnetns.NetNs;
import io.github.junitnetns.internal.ns.Carrier;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * The namespaces of one test (or, for CLASS scope, of one class), by name in declaration order,
 * and the carrier thread its code runs on. Closed exactly once, whether by the extension's
 * after-callback or, as a safety net, by JUnit closing the store (it implements both
 * {@code AutoCloseable} and {@code CloseableResource} so JUnit 5.10 through 6.x close it).
 */
final class Topology implements AutoCloseable, ExtensionContext.Store.CloseableResource {
  private final Map<String, NetNs> byName = new LinkedHashMap<>();
  /** Namespaces this topology created and must close; CLASS-scoped ones of outer classes are only borrowed. */
  private final List<NetNs> owned = new ArrayList<>();
  private final String primary;
  private final Carrier runner;
  private final String workerNamespace;
  private boolean closed;

  Topology(String primary, Carrier runner, String workerNamespace) {
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
    for (int i = owned.size() - 1; i >= 0; i--) {
      try {
        owned.get(i).close();
      } catch (RuntimeException e) {
        if (failure == null) {
          failure = e;
        } else {
          failure.addSuppressed(e);
        }
      }
    }
    if (failure != null) {
      throw failure;
    }
  }
}
