package io.github.junitnetns.internal.ns;

import io.github.junitnetns.Bridge;
import io.github.junitnetns.NetNs;
import io.github.junitnetns.NetNsException;
import io.github.junitnetns.Network;
import io.github.junitnetns.internal.linux.ErrnoException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/**
 * What the JUnit extension may do with a {@link NetNs} beyond its public API, registered by
 * {@code NetNs} itself (the JDK's "shared secrets" pattern) so those operations stay off the
 * public surface.
 */
public abstract class NetNsAccess {
  private static volatile NetNsAccess instance;
  private static final AtomicLong CREATED = new AtomicLong();

  /** Counts a namespace created by this library (so tests can prove that bad input created nothing). */
  public static void countCreated() {
    CREATED.incrementAndGet();
  }

  /** How many namespaces this library has created in this JVM. */
  public static long createdCount() {
    return CREATED.get();
  }

  public static void register(NetNsAccess access) {
    instance = access;
  }

  public static NetNsAccess get() {
    NetNsAccess access = instance;
    if (access == null) {
      try {
        Class.forName(NetNs.class.getName(), true, NetNs.class.getClassLoader());
      } catch (ClassNotFoundException e) {
        throw new IllegalStateException(e);
      }
      access = instance;
    }
    return access;
  }

  /** Moves the calling thread into a new namespace with {@code lo} up and returns its handle. */
  public abstract NetNs createOnCurrentThread(String label) throws ErrnoException;

  /**
   * Like {@link #createOnCurrentThread}, for a namespace made ahead of need: labelled "spare" and
   * not counted until {@link #adopt} hands it out.
   */
  public abstract NetNs createSpareOnCurrentThread() throws ErrnoException;

  /** Gives a spare namespace, which nobody has seen yet, its label, and counts it as created. */
  public abstract void adopt(NetNs spare, String label);

  /** Moves the calling thread into {@code ns}. */
  public abstract void enterOnCurrentThread(NetNs ns) throws ErrnoException;

  /** A topology handle for tests. */
  public abstract Network newNetwork(Map<String, NetNs> namespaces, Map<String, Bridge> bridges,
      List<Attachment> attachments);

  /** A handle on the namespace the JVM started in, labelled "host"; closing it leaves the namespace alone. */
  public abstract NetNs openInitial();

  /** Bind-mounts {@code ns} on the existing file {@code target}, so that it outlives this JVM (a pin). */
  public abstract void bindMount(NetNs ns, Path target) throws ErrnoException;

  /** The processes {@code ns} started with exec, with the end of their output, for failure reports; empty if none. */
  public abstract String processReport(NetNs ns);

  /** The public form of a failed system call. */
  public abstract NetNsException toPublic(ErrnoException e);
}
