package io.github.junitnetns.internal.names;

import java.io.IOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Which names a thread sees: the tables of the networks whose namespaces it is in. A network
 * publishes its table when it is built and withdraws it when closed; a namespace that is in
 * several published networks (a class's, shared by its tests, and a test's view on top) sees the
 * most recently published one. The thread's namespace is read from
 * {@code /proc/thread-self/ns/net} at each lookup, so threads started inside, pools of
 * {@code NetNs.threadFactory()} and carriers all count, and no thread outside ever does.
 */
public final class Names {
  /** Newest last. */
  private static final List<NameTable> TABLES = new CopyOnWriteArrayList<>();
  private static final Path THREAD_SELF_NET = Path.of("/proc/thread-self/ns/net");
  /** Lookups of probe names that reached this library's resolver; see {@link #whyNamesDoNotResolve()}. */
  static final AtomicInteger PROBES = new AtomicInteger();
  static final String PROBE_SUFFIX = ".junit-netns-probe.invalid";
  private static volatile String verdict;

  private Names() {}

  /** Makes {@code table}'s names visible to threads in its namespaces until the returned handle is closed. */
  public static AutoCloseable publish(NameTable table) {
    if (table.namespaceIds().isEmpty()) {
      return () -> {};
    }
    TABLES.add(table);
    return () -> TABLES.remove(table);
  }

  /** The names seen from namespace {@code id}, or null if it is in no published network. */
  public static NameTable forNamespace(String id) {
    for (int i = TABLES.size() - 1; i >= 0; i--) {
      NameTable table;
      try {
        table = TABLES.get(i);
      } catch (IndexOutOfBoundsException e) {
        continue; // withdrawn meanwhile
      }
      if (table.seenFrom(id)) {
        return table;
      }
    }
    return null;
  }

  /** The names seen from the calling thread's namespace, or null (at once when nothing is published). */
  public static NameTable forCurrentThread() {
    if (TABLES.isEmpty()) {
      return null;
    }
    String id;
    try {
      id = Files.readSymbolicLink(THREAD_SELF_NET).toString();
    } catch (IOException | UnsupportedOperationException e) {
      return null;
    }
    return forNamespace(id);
  }

  /**
   * The /etc/hosts a process in namespace {@code id} should see: the names of its network, then
   * the host's own {@code hosts} file, or null when the namespace has no names.
   */
  public static String hostsFileFor(String id, Path hosts) {
    NameTable table = forNamespace(id);
    if (table == null || table.entries().isEmpty()) {
      return null;
    }
    String own;
    try {
      own = Files.readString(hosts);
    } catch (IOException e) {
      own = "";
    }
    return "# junit-netns: the names of this test's namespaces, then the host's " + hosts + "\n"
        + table.hostsLines() + "\n" + own;
  }

  // ---- the in-JVM resolver (JDK 18+) ----

  /** Whether {@code host} is one of the names a probe asks for. */
  static boolean isProbe(String host) {
    return host.endsWith(PROBE_SUFFIX);
  }

  /**
   * Null when names resolve in this JVM; otherwise why not, in a sentence. Checked with a name
   * only this library's resolver answers, looked up twice: both lookups must reach it (the first
   * shows that the JVM uses it, the second that the JDK's address cache does not answer for it).
   * Once it has held, it holds for the JVM's life.
   */
  public static String whyNamesDoNotResolve() {
    String known = verdict;
    if (known != null) {
      return known.isEmpty() ? null : known;
    }
    String reason = check();
    if (reason == null || Runtime.version().feature() < 18) {
      verdict = reason == null ? "" : reason;
    }
    return reason;
  }

  private static String check() {
    if (Runtime.version().feature() < 18) {
      return "names of namespaces resolve only on JDK 18 and later, through an InetAddressResolverProvider (an SPI"
          + " added in JDK 18); this JVM is " + Runtime.version().feature() + ". Use net.address(\"NAME\"), or run the"
          + " tests on JDK 18+ (NetNs.exec processes see the names on every JDK)";
    }
    String probe = "p" + System.nanoTime() + PROBE_SUFFIX;
    int before = PROBES.get();
    try {
      InetAddress.getAllByName(probe);
      InetAddress.getAllByName(probe);
    } catch (UnknownHostException e) {
      // the built-in resolver answered: counted below
    }
    int reached = PROBES.get() - before;
    if (reached >= 2) {
      return null;
    }
    if (reached == 0) {
      return "the JVM does not use junit-netns's InetAddressResolverProvider: another provider on the class path came"
          + " first, the system property jdk.net.hosts.file is set, or the first name lookup ran with a context class"
          + " loader that cannot see the junit-netns jar";
    }
    return "the JDK's address cache answers for names (networkaddress.cache.ttl was read before junit-netns could turn"
        + " it off, or is fixed by a security manager), so one test's answer could reach another";
  }
}
