package io.github.junitnetns.jupiter;

import io.github.junitnetns.NetNs;
import io.github.junitnetns.Network;
import io.github.junitnetns.internal.ns.NsHandle;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.util.List;

/**
 * The few package-private parts of the library the extension needs, beyond the public API: a
 * {@code NetNs} for a namespace the extension made on its own carrier thread (unshare(2) moves the
 * thread that runs the test into it, which no public call may do), the handle behind a
 * {@code NetNs} (to enter or pin it), the report of processes a namespace started, one view of
 * the networks of a test and its enclosing classes, undoing that view's faults and shaping, and
 * the timelines of the nemeses started on it.
 *
 * <p>They are reached through a private lookup rather than through a hook the library registers:
 * the library then has no replaceable accessor and {@code internal.*} never refers to the public
 * API. The jar's packages are open (class path, or an automatic module), which such a lookup needs.
 */
final class LibraryInternals {
  private static final MethodHandle NEW_NET_NS;
  private static final MethodHandle HANDLE;
  private static final MethodHandle PROCESS_REPORT;
  private static final MethodHandle COMBINE;
  private static final MethodHandle KEEP_HOST_LINKS;
  private static final MethodHandle RESTORE;
  private static final MethodHandle NEMESIS_REPORT;
  private static final MethodHandle PUBLISH_NAMES;

  static {
    try {
      MethodHandles.Lookup netNs = MethodHandles.privateLookupIn(NetNs.class, MethodHandles.lookup());
      NEW_NET_NS = netNs.findConstructor(NetNs.class, MethodType.methodType(void.class, NsHandle.class));
      HANDLE = netNs.findVirtual(NetNs.class, "handle", MethodType.methodType(NsHandle.class));
      PROCESS_REPORT = netNs.findVirtual(NetNs.class, "processReport", MethodType.methodType(String.class));
      MethodHandles.Lookup network = MethodHandles.privateLookupIn(Network.class, MethodHandles.lookup());
      COMBINE = network.findStatic(Network.class, "combine", MethodType.methodType(Network.class, List.class));
      KEEP_HOST_LINKS = network.findVirtual(Network.class, "keepHostLinks", MethodType.methodType(void.class));
      RESTORE = network.findVirtual(Network.class, "restore", MethodType.methodType(void.class));
      NEMESIS_REPORT = network.findVirtual(Network.class, "nemesisReport", MethodType.methodType(String.class));
      PUBLISH_NAMES = network.findVirtual(Network.class, "publishNames", MethodType.methodType(AutoCloseable.class));
    } catch (ReflectiveOperationException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  private LibraryInternals() {}

  /** The public handle of a namespace this extension created; closing it closes the namespace. */
  static NetNs wrap(NsHandle handle) {
    return invoke(() -> (NetNs) NEW_NET_NS.invokeExact(handle));
  }

  static NsHandle handle(NetNs ns) {
    return invoke(() -> (NsHandle) HANDLE.invokeExact(ns));
  }

  /** The processes {@code ns} started with exec, with the end of their output; empty if none. */
  static String processReport(NetNs ns) {
    return invoke(() -> (String) PROCESS_REPORT.invokeExact(ns));
  }

  /** One view of several networks, owning nothing: a test's together with its enclosing classes'. */
  static Network combine(List<Network> parts) {
    return invoke(() -> (Network) COMBINE.invokeExact(parts));
  }

  /** Leaves the host's ends of the network's veths when it is closed: its namespaces are pinned. */
  static void keepHostLinks(Network network) {
    invoke(() -> {
      KEEP_HOST_LINKS.invokeExact(network);
      return null;
    });
  }

  /** Heals the faults applied through {@code view} and removes its shaping; other views' stay. */
  static void restore(Network view) {
    invoke(() -> {
      RESTORE.invokeExact(view);
      return null;
    });
  }

  /** The timelines of the nemeses started on {@code view}; empty if none. */
  static String nemesisReport(Network view) {
    return invoke(() -> (String) NEMESIS_REPORT.invokeExact(view));
  }

  /**
   * Makes the names of {@code view}'s namespaces (a test's together with its enclosing classes')
   * the ones threads and processes inside them see, until the handle is closed.
   */
  static AutoCloseable publishNames(Network view) {
    return invoke(() -> (AutoCloseable) PUBLISH_NAMES.invokeExact(view));
  }

  /** A method handle's call; what it throws is unchecked (the methods behind them declare nothing). */
  private interface Call<T> {
    T invoke() throws Throwable;
  }

  private static <T> T invoke(Call<T> call) {
    try {
      return call.invoke();
    } catch (RuntimeException | Error e) {
      throw e;
    } catch (Throwable t) {
      throw new IllegalStateException(t);
    }
  }
}
