package io.github.junitnetns.internal.capture;

import io.github.junitnetns.internal.capture.CaptureSession.Target;
import io.github.junitnetns.internal.linux.ErrnoException;
import io.github.junitnetns.internal.linux.Failpoint;
import io.github.junitnetns.internal.linux.Syscalls;
import io.github.junitnetns.internal.ns.Carrier;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The AF_PACKET sockets of recordings: opened inside each namespace (a socket keeps the namespace it
 * was made in) by one carrier that enters them in turn and goes home afterwards, given rings, and
 * closed in the background (closing one waits for an RCU grace period).
 */
final class CaptureSockets {
  private static final AtomicBoolean RING_REFUSED = new AtomicBoolean();
  private static final AtomicLong OPENED_AT_START = new AtomicLong();

  private CaptureSockets() {}

  /**
   * One socket inside each target's namespace. {@code bound}: receiving already, and a socket the
   * namespace made ahead of need brought along serves (only the others are opened, and counted in
   * {@link #openedAtStart}); otherwise receiving nothing until it is bound, for a ring, and a
   * socket brought along is closed in the background. On a failure the sockets made so far are closed.
   */
  static int[] open(List<Target> targets, boolean bound, CaptureReader reader) throws ErrnoException {
    int[] fds = new int[targets.size()];
    Arrays.fill(fds, -1);
    boolean all = true;
    for (int i = 0; i < fds.length; i++) {
      int prepared = targets.get(i).namespace().takePacketSocket();
      if (bound) {
        fds[i] = prepared;
        all &= prepared >= 0;
      } else if (prepared >= 0) {
        reader.close(prepared); // it has no ring
      }
    }
    if (bound && all) {
      return fds;
    }
    Carrier carrier = Carrier.acquire();
    carrier.rename("capture");
    try {
      carrier.call(() -> {
        for (int i = 0; i < targets.size(); i++) {
          if (fds[i] >= 0) {
            continue;
          }
          Target target = targets.get(i);
          target.namespace().enterOnCurrentThread();
          String what = "netns " + target.label();
          fds[i] = bound ? Syscalls.packetSocket(what) : Syscalls.packetSocketUnbound(what);
          if (bound) {
            OPENED_AT_START.incrementAndGet();
          }
        }
        return null;
      });
      return fds;
    } catch (ErrnoException | RuntimeException | Error e) {
      for (int fd : fds) {
        Syscalls.closeQuietly(fd);
      }
      throw e;
    } catch (Throwable t) {
      throw new IllegalStateException(t);
    } finally {
      carrier.release();
    }
  }

  /**
   * How many sockets recordings had to open when they started, by a carrier entering the
   * namespace: those of namespaces made without one ahead of need.
   */
  static long openedAtStart() {
    return OPENED_AT_START.get();
  }

  /**
   * Sets up a ring on each socket, all at once on the reader's background threads (each waits for an
   * RCU grace period, and waits at once share one); one by one while a failpoint is set, so that
   * requests come in the same order in every run. A ring that cannot be had stays null, the reason
   * logged once: its socket is read with {@code recvmmsg}.
   */
  static void setUpRings(List<Target> targets, int[] fds, PacketRing[] rings, int snapLength, CaptureReader reader) {
    List<CompletableFuture<PacketRing>> futures = new ArrayList<>();
    for (int i = 0; i < fds.length; i++) {
      int fd = fds[i];
      String what = "AF_PACKET socket of netns " + targets.get(i).label();
      CompletableFuture<PacketRing> future = new CompletableFuture<>();
      Runnable work = () -> {
        try {
          future.complete(PacketRing.setUp(fd, snapLength, what));
        } catch (ErrnoException | RuntimeException e) {
          future.completeExceptionally(e);
        }
      };
      if (Failpoint.active() || fds.length == 1) {
        work.run();
      } else {
        reader.background(work);
      }
      futures.add(future);
    }
    for (int i = 0; i < fds.length; i++) {
      try {
        rings[i] = futures.get(i).join();
      } catch (CompletionException e) {
        if (RING_REFUSED.compareAndSet(false, true)) {
          System.getLogger(CaptureSession.class.getName()).log(System.Logger.Level.DEBUG,
              "junit-netns: no TPACKET_V3 ring for capture, recvmmsg instead: " + e.getCause().getMessage());
        }
      }
    }
  }

  /** Closes {@code fd} in the background, and first unmaps its {@code ring} if it has one. */
  static void closeLater(CaptureReader reader, int fd, PacketRing ring) {
    if (ring == null) {
      reader.close(fd);
    } else {
      reader.background(() -> {
        ring.unmap();
        Syscalls.closeQuietly(fd);
      });
    }
  }
}
