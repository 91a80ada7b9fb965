package io.github.junitnetns.internal.ns;

import io.github.junitnetns.internal.linux.Failpoint;
import io.github.junitnetns.internal.linux.ErrnoException;
import io.github.junitnetns.internal.linux.Syscalls;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Namespaces made ahead of need, so that creating a test's namespaces (unshare(2) alone is most of
 * their cost) overlaps with earlier tests instead of delaying the next one.
 *
 * <p>One daemon thread keeps up to {@value #SIZE} carriers waiting, each inside a fresh namespace
 * of its own with {@code lo} up. {@link #take} hands a spare out at most once (it leaves the queue)
 * and lets the thread make the next. Nothing runs before the first {@code take}. A spare is never
 * reused: whoever takes it owns and closes it like any namespace it created. One that is never
 * taken dies with the JVM: it is anonymous, and its carrier is a daemon thread. If making one fails
 * (no privilege, no descriptors left), no more are made, and callers create their own namespaces,
 * which report the error where it belongs.
 */
public final class SpareNamespaces {
  private static final int SIZE = 2;
  private static final LinkedBlockingQueue<Spare> READY = new LinkedBlockingQueue<>();
  private static final Semaphore ROOM = new Semaphore(SIZE);
  private static final AtomicBoolean STARTED = new AtomicBoolean();
  private static volatile boolean failed;
  private static volatile boolean packetSockets;

  private SpareNamespaces() {}

  /** A carrier inside a fresh namespace, and that namespace; the taker releases the one and closes the other. */
  public static final class Spare {
    public final Carrier carrier;
    public final NsHandle ns;

    Spare(Carrier carrier, NsHandle ns) {
      this.carrier = carrier;
      this.ns = ns;
    }
  }

  /**
   * From now on, spares are made with an AF_PACKET socket open inside ({@link NsHandle#takePacketSocket}),
   * or, with {@code false}, without:
   * a capture of their traffic then starts without a thread entering them. Whoever takes such a
   * spare takes its socket too (or closing the namespace closes it).
   */
  public static void withPacketSockets(boolean wanted) {
    packetSockets = wanted;
  }

  /** A spare labelled {@code label}, or null when none is ready (the caller then creates its own). */
  public static Spare take(String label) {
    if (failed || Failpoint.active()) {
      return null; // with a failpoint, requests come in the same order in every run (see Failpoint)
    }
    if (!STARTED.get() && STARTED.compareAndSet(false, true)) {
      Thread filler = new Thread(() -> Residents.homebound(SpareNamespaces::fill), "junit-netns-spares");
      filler.setDaemon(true);
      filler.setContextClassLoader(null);
      filler.start();
    }
    Spare spare = READY.poll();
    if (spare == null) {
      return null;
    }
    ROOM.release();
    spare.ns.adopt(label);
    return spare;
  }

  private static void fill() {
    while (true) {
      ROOM.acquireUninterruptibly();
      Carrier carrier = Carrier.acquire();
      carrier.rename(NsHandle.SPARE);
      try {
        READY.add(new Spare(carrier, carrier.call(() -> {
          NsHandle ns = NsHandle.createOnCurrentThread(NsHandle.SPARE);
          if (packetSockets) {
            try {
              ns.keepPacketSocket(Syscalls.packetSocket("netns " + NsHandle.SPARE));
            } catch (ErrnoException e) {
              // no CAP_NET_RAW: the capture opens its own socket and reports the error where it belongs
            }
          }
          return ns;
        })));
      } catch (Throwable t) {
        failed = true;
        carrier.release();
        return;
      }
    }
  }
}
