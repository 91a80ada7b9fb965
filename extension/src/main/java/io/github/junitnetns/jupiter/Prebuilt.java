package io.github.junitnetns.jupiter;

import io.github.junitnetns.NetNs;
import io.github.junitnetns.internal.capture.CaptureSession;
import io.github.junitnetns.internal.linux.ErrnoException;
import io.github.junitnetns.internal.linux.Syscalls;
import io.github.junitnetns.internal.ns.Carrier;
import io.github.junitnetns.internal.ns.Namespaces;
import io.github.junitnetns.internal.ns.NsHandle;
import io.github.junitnetns.internal.ns.Residents;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One test's topology built ahead of it by a background thread, while an earlier test runs: its
 * namespaces (a carrier waiting inside the first, as it would run the test), veths and bridges,
 * exactly as {@link Lifecycle#beforeEach} builds them from the same {@link Plan}. It goes to at most
 * one test ({@link #await}) or is {@linkplain #discard discarded}; either way it is never reused.
 *
 * <p>The namespaces are made as spares ({@link NsHandle#SPARE}): nobody has seen them, and the test
 * that receives them names them ({@link NsHandle#adopt}). When that test records its traffic, each
 * namespace (a bridge's hidden one too) is built with its capture socket open, so the recording
 * starts without a carrier entering them on the test's critical path. One daemon thread builds, one topology at
 * a time, in the order asked; it starts with the first request and then idles when there is
 * nothing to build. A test that claims one the thread has not started yet builds it itself. A topology whose build fails is closed, and the test builds its own, which
 * reports the error where it belongs.
 */
final class Prebuilt {
  private enum State { QUEUED, BUILDING, READY, GONE }

  private static final LinkedBlockingQueue<Prebuilt> QUEUE = new LinkedBlockingQueue<>();
  private static final AtomicBoolean STARTED = new AtomicBoolean();
  private static final AtomicLong DISCARDED = new AtomicLong();

  final Plan plan;
  private final String purpose;
  /** Whether the test it is for records its traffic: then each namespace gets its capture socket here. */
  private final boolean packetSockets;
  private final CountDownLatch settled = new CountDownLatch(1);
  private State state = State.QUEUED; // guarded by this
  private boolean wanted = true; // guarded by this: false once discarded, so a build that ends closes what it made
  private BuiltTopology topology; // guarded by this: set while READY
  private volatile boolean failed;

  private Prebuilt(Plan plan, String purpose, boolean packetSockets) {
    this.plan = plan;
    this.purpose = purpose;
    this.packetSockets = packetSockets;
  }

  /**
   * Queues the build of {@code plan}; {@code purpose} names its carrier in thread dumps meanwhile.
   * With {@code packetSockets}, every namespace (a bridge's hidden one too) gets the AF_PACKET
   * socket its test's recording will read ({@link NsHandle#keepPacketSocket}), as a spare does.
   */
  static Prebuilt start(Plan plan, String purpose, boolean packetSockets) {
    Prebuilt prebuilt = new Prebuilt(plan, purpose, packetSockets);
    if (!STARTED.get() && STARTED.compareAndSet(false, true)) {
      Thread builder = new Thread(() -> Residents.homebound(Prebuilt::work), "junit-netns-prebuild");
      builder.setDaemon(true);
      builder.setContextClassLoader(null);
      builder.start();
    }
    QUEUE.add(prebuilt);
    return prebuilt;
  }

  /** How many topologies built (or queued) ahead were never handed to a test: discarded, or failed. */
  static long discarded() {
    return DISCARDED.get();
  }

  private static void work() {
    while (true) {
      try {
        QUEUE.take().build();
      } catch (InterruptedException e) {
        // nobody interrupts this thread on purpose; wait on
      }
    }
  }

  private void build() {
    synchronized (this) {
      if (state != State.QUEUED) {
        return; // discarded before its turn
      }
      state = State.BUILDING;
    }
    BuiltTopology made = null;
    try {
      made = construct();
    } catch (Throwable t) {
      failed = true; // the test builds its own and reports whatever this was
    }
    BuiltTopology unwanted = null;
    synchronized (this) {
      if (made != null && wanted) {
        topology = made;
        state = State.READY;
      } else {
        unwanted = made;
        state = State.GONE;
      }
    }
    if (unwanted != null || failed) {
      DISCARDED.incrementAndGet();
    }
    closeQuietly(unwanted);
    settled.countDown();
  }

  /** Builds the plan as {@link Lifecycle#beforeEach} does: namespaces on the runner (the first last), then the links. */
  private BuiltTopology construct() throws Throwable {
    List<Declaration> declarations = plan.namespaces();
    Declaration primary = declarations.get(0);
    Carrier runner = Carrier.acquire();
    runner.rename("prebuilt for " + purpose);
    BuiltTopology built = new BuiltTopology(primary.name(), runner, Namespaces.initialId());
    try {
      Map<String, NetNs> made = new ConcurrentHashMap<>();
      try {
        // unshare(2) moves the runner into each new namespace: the body's last, so it waits inside it.
        runner.call(() -> {
          for (Declaration declaration : declarations) {
            if (declaration != primary) {
              made.put(declaration.name(), Creation.createHere(NsHandle.SPARE));
            }
          }
          made.put(primary.name(), Creation.createHere(NsHandle.SPARE));
          return null;
        });
      } finally {
        for (Declaration declaration : declarations) {
          NetNs ns = made.get(declaration.name());
          if (ns != null) {
            built.own(declaration.name(), ns);
          }
        }
      }
      Lifecycle.wire(built, plan.veths(), plan.bridges(), built.all(), declarations);
      if (packetSockets) {
        openPacketSockets(runner, built, primary);
      }
      return built;
    } catch (Throwable t) {
      closeQuietly(built);
      throw t;
    }
  }

  /**
   * Opens, on the runner, the capture socket of each namespace (a socket belongs to the namespace
   * of the thread that opens it), then takes the runner back into the body's namespace. Without
   * CAP_NET_RAW a namespace goes without: the test's recording then fails to start and says why.
   */
  private static void openPacketSockets(Carrier runner, BuiltTopology built, Declaration primary) throws Throwable {
    List<NsHandle> namespaces = built.ownedWithBridges().values().stream().map(LibraryInternals::handle).toList();
    NsHandle home = LibraryInternals.handle(built.get(primary.name()));
    runner.call(() -> {
      for (NsHandle ns : namespaces) {
        ns.enterOnCurrentThread();
        try {
          ns.keepPacketSocket(Syscalls.packetSocket("netns " + ns.label()));
        } catch (ErrnoException e) {
          // the recording opens its own socket, and reports the error where it belongs
        }
      }
      home.enterOnCurrentThread();
      return null;
    });
  }

  /**
   * For the one test that claimed this: the topology, after waiting for a build under way, or built
   * right now on the calling thread when the background thread has not started it (busy with
   * another class's); null when the build failed.
   */
  BuiltTopology await() {
    boolean mine;
    synchronized (this) {
      mine = state == State.QUEUED;
      if (mine) {
        state = State.BUILDING; // the background thread skips it
      }
    }
    if (mine) {
      BuiltTopology made = null;
      try {
        made = construct();
      } catch (Throwable t) {
        failed = true;
        DISCARDED.incrementAndGet();
      }
      synchronized (this) {
        wanted = false;
        state = State.GONE;
      }
      settled.countDown();
      return made;
    }
    awaitSettled();
    synchronized (this) {
      BuiltTopology handed = topology;
      topology = null;
      wanted = false;
      state = State.GONE;
      return handed;
    }
  }

  /** Whether it is built or dropped, and if discarded, closed. */
  boolean isSettled() {
    return settled.getCount() == 0;
  }

  /** Whether the build failed: then later tests of the class build their own. */
  boolean failed() {
    return failed;
  }

  /**
   * Closes the topology, now if it is built, else when its build ends; with {@code wait}, returns
   * only once that has happened (a class that ends leaves nothing behind).
   */
  void discard(boolean wait) {
    BuiltTopology ready;
    synchronized (this) {
      ready = topology;
      topology = null;
      if (state == State.QUEUED) {
        drop();
      } else if (state == State.READY) {
        wanted = false;
        state = State.GONE;
        DISCARDED.incrementAndGet();
      } else {
        wanted = false; // BUILDING: closed by build(); GONE: handed over or closed already
      }
    }
    closeQuietly(ready);
    if (wait) {
      awaitSettled();
    }
  }

  /** Not started yet: never will be. Guarded by this. */
  private void drop() {
    wanted = false;
    state = State.GONE;
    DISCARDED.incrementAndGet();
    settled.countDown();
  }

  private void awaitSettled() {
    boolean interrupted = false;
    while (true) {
      try {
        settled.await(); // a latch, not a Future: a ForkJoin worker waiting here adds no compensation thread
        break;
      } catch (InterruptedException e) {
        interrupted = true;
      }
    }
    if (interrupted) {
      Thread.currentThread().interrupt();
    }
  }

  /** Closes a topology nobody has used; closing fresh namespaces and links has nothing to report. */
  private static void closeQuietly(BuiltTopology topology) {
    if (topology == null) {
      return;
    }
    // Capture sockets opened for a test that never came: closed in the background, as closing one waits.
    CaptureSession.discardPrepared(topology.ownedWithBridges().values().stream().map(LibraryInternals::handle).toList());
    try {
      topology.close();
    } catch (RuntimeException e) {
      // nothing inside was used; what the kernel still holds goes with the descriptors
    }
  }
}
