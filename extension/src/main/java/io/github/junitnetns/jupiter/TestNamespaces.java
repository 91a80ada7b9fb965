package io.github.junitnetns.jupiter;

import io.github.junitnetns.NetNs;
import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ExtensionContext.Namespace;

/**
 * Which test (or class) of this JVM made each namespace, by the kernel's namespace id, while the
 * test runs and, after it, as long as threads of the JVM are left inside: so that a failing test
 * can be told that a pool it used has its threads in another test's namespace. One entry per live
 * namespace; an entry goes when its test ends with nothing left inside. Tests are compared only
 * within one engine run (a test kit's run inside a test is a run of its own).
 */
final class TestNamespaces {
  /** A namespace's owner: the test ("Test X.y" or "Test class X"), the namespace's label, its run, and whether it has ended. */
  record Owner(String test, String label, Object run, boolean ended) {}

  private static final Namespace NAMESPACE = Namespace.create(TestNamespaces.class);
  private static final Map<String, Owner> BY_ID = new ConcurrentHashMap<>();

  private TestNamespaces() {}

  /** A token of the engine run {@code context} belongs to (not the context itself, which is not kept). */
  private static Object run(ExtensionContext context) {
    ExtensionContext.Store store = context.getRoot().getStore(NAMESPACE);
    synchronized (TestNamespaces.class) {
      Object token = store.get(Owner.class);
      if (token == null) {
        token = new Object();
        store.put(Owner.class, token);
      }
      return token;
    }
  }

  /** {@code test} ("Test X.y", "Test class X") of {@code context} made {@code namespaces} and runs now. */
  static void started(ExtensionContext context, String test, Collection<NetNs> namespaces) {
    Object run = run(context);
    for (NetNs ns : namespaces) {
      BY_ID.put(ns.id(), new Owner(test, ns.label(), run, false));
    }
  }

  /** The test that made {@code namespaces} has ended; those whose id is in {@code inhabited} still have threads inside. */
  static void ended(Collection<NetNs> namespaces, Set<String> inhabited) {
    for (NetNs ns : namespaces) {
      if (inhabited.contains(ns.id())) {
        BY_ID.computeIfPresent(ns.id(), (id, owner) -> new Owner(owner.test(), owner.label(), owner.run(), true));
      } else {
        BY_ID.remove(ns.id());
      }
    }
  }

  /** An ended test's namespace that nobody is inside any more: the kernel has freed it, and its id may come again. */
  static void forget(String id) {
    BY_ID.computeIfPresent(id, (key, owner) -> owner.ended() ? null : owner);
  }

  /** The namespaces of the other tests of {@code context}'s run, running or ended: all but {@code mine}. */
  static Map<String, Owner> others(ExtensionContext context, Set<String> mine) {
    Object run = run(context);
    Map<String, Owner> others = new HashMap<>();
    BY_ID.forEach((id, owner) -> {
      if (owner.run() == run && !mine.contains(id)) {
        others.put(id, owner);
      }
    });
    return others;
  }
}
