package io.github.junitnetns.internal.capture;

import com.sun.jna.Memory;
import io.github.junitnetns.internal.linux.ErrnoException;
import io.github.junitnetns.internal.linux.Syscalls;
import io.github.junitnetns.internal.ns.Carrier;
import io.github.junitnetns.internal.ns.Namespaces;
import io.github.junitnetns.internal.ns.Residents;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The one thread that reads every capture socket of the JVM: it waits on them all with epoll and
 * drains whichever has frames (a socket with a ring wakes it once per block the kernel hands over).
 * It lives in the JVM's initial namespace (started from a carrier at
 * home), so no capture thread is ever inside a test's namespace; the sockets were created inside
 * and stay there. Sockets are closed by {@value #CLOSERS} closer threads started with it: closing
 * an AF_PACKET socket waits for an RCU grace period (about 13 ms on a 2-core VM), which no test
 * should wait for, and closes at once share one grace period (16 concurrent closes took 12 ms).
 */
final class CaptureReader {
  private static final int CLOSERS = 16;
  private static final int AF_INET = 2;
  private static final int SOCK_DGRAM = 2;
  private static final int SOL_SOCKET = 1;
  private static final int EVENTS = 64;
  /** How long the reader lets frames gather after a wake-up before it reads them. */
  private static final long COALESCE_MILLIS = 1;
  /** How long a retired tap's socket waits for the reader at most, while recordings come and go. */
  private static final long RETIRE_MILLIS = 10;
  /** After this long without a watched or retired socket, the reader waits up to a second at a time. */
  private static final long IDLE_NANOS = 2_000_000_000L;
  private static volatile CaptureReader instance;

  private final int epoll;
  private final Map<Long, PacketTap> taps = new ConcurrentHashMap<>();
  private final Map<PacketTap, Long> tokens = new ConcurrentHashMap<>();
  private final AtomicLong nextToken = new AtomicLong();
  private final LinkedBlockingQueue<Runnable> closing = new LinkedBlockingQueue<>();
  /** Taps dropped unread, for the reader to unwatch and hand to a closer ({@link #retire}). */
  private final ConcurrentLinkedQueue<Retired> retired = new ConcurrentLinkedQueue<>();

  /** A dropped tap's socket, still open (so that its descriptor still names it) until the reader has unwatched it. */
  private record Retired(PacketTap tap, int fd, PacketRing ring) {}

  private CaptureReader(int epoll) {
    this.epoll = epoll;
  }

  /** The reader, started on first use from a carrier in the JVM's initial namespace. */
  static CaptureReader get() throws ErrnoException {
    CaptureReader reader = instance;
    if (reader != null) {
      return reader;
    }
    synchronized (CaptureReader.class) {
      if (instance == null) {
        CaptureReader started = new CaptureReader(Syscalls.epollCreate());
        Carrier carrier = Carrier.acquire();
        try {
          carrier.call(() -> {
            if (!Namespaces.currentThreadId().equals(Namespaces.initialId())) {
              throw new IllegalStateException("junit-netns: a carrier at rest is not in the JVM's initial namespace");
            }
            holdTimestamps();
            // Threads start in the namespace of the thread that starts them: here, the initial one.
            start(started::loop, "junit-netns-capture");
            for (int i = 1; i <= CLOSERS; i++) {
              start(started::closeLoop, "junit-netns-capture-closer-" + i);
            }
            return null;
          });
        } catch (RuntimeException | Error e) {
          throw e;
        } catch (Throwable t) {
          throw new IllegalStateException(t);
        } finally {
          carrier.release();
        }
        instance = started;
      }
      return instance;
    }
  }

  /**
   * Keeps the kernel's receive timestamps switched on for the JVM's life, with one UDP socket in the
   * JVM's initial namespace that asks for them ({@code SO_TIMESTAMPNS}) and is never closed. The
   * kernel timestamps packets only while some socket wants it, and turning that on or off patches
   * its code on every CPU (a static key, flipped from a work item); without this socket each test
   * that records would turn it on when its first socket asks and off again after its last socket
   * closes. Best effort: without it, recording works as before. Runs on a carrier at home, so the
   * socket pins no test's namespace.
   */
  private static void holdTimestamps() {
    try {
      int fd = Syscalls.socket(AF_INET, SOCK_DGRAM, 0);
      try {
        Syscalls.setsockoptInt(fd, SOL_SOCKET, Syscalls.SO_TIMESTAMPNS, 1, "the capture's timestamp socket");
      } catch (ErrnoException e) {
        Syscalls.closeQuietly(fd);
      }
    } catch (ErrnoException e) {
      // the kernel switches timestamps on and off with the recordings' own sockets
    }
  }

  private static void start(Runnable body, String name) {
    Thread thread = new Thread(() -> Residents.homebound(body), name);
    thread.setDaemon(true);
    thread.setContextClassLoader(null);
    thread.start();
  }

  void watch(PacketTap tap) throws ErrnoException {
    long token = nextToken.incrementAndGet();
    taps.put(token, tap);
    tokens.put(tap, token);
    try {
      Syscalls.epollAdd(epoll, tap.fd(), token, "AF_PACKET socket of netns " + tap.label);
    } catch (ErrnoException e) {
      taps.remove(token);
      tokens.remove(tap);
      throw e;
    }
  }

  /** Stops watching {@code tap}'s socket (before it is closed). */
  void unwatch(PacketTap tap) {
    Long token = tokens.remove(tap);
    if (token == null) {
      return;
    }
    taps.remove(token);
    try {
      Syscalls.epollDelete(epoll, tap.fd(), "AF_PACKET socket of netns " + tap.label);
    } catch (ErrnoException e) {
      // not watched any more either way; the close that follows removes it from the epoll set
    }
  }

  /**
   * Stops watching {@code tap}, whose socket {@code fd} (with its {@code ring}, if any) nobody reads
   * any more, and closes it, all on the reader's thread: within {@value #RETIRE_MILLIS} ms while
   * recordings come and go, or at once if the socket has frames. The caller makes no system call and wakes no thread, so that a
   * passing test's end does not wait for either (each costs tens of microseconds on a VM whose other
   * CPU is idle).
   */
  void retire(PacketTap tap, int fd, PacketRing ring) {
    retired.add(new Retired(tap, fd, ring));
  }

  /** Closes a stopped tap's socket in the background. */
  void close(int fd) {
    closing.add(() -> Syscalls.closeQuietly(fd));
  }

  /**
   * Runs {@code work} on a closer thread: closing a socket that has a ring (unmap, then close), or
   * setting rings up, which wait for RCU grace periods too and share them when run at once.
   */
  void background(Runnable work) {
    closing.add(work);
  }

  private void loop() {
    Memory events = new Memory((long) Syscalls.EPOLL_EVENT_SIZE * EVENTS);
    long lastBusy = System.nanoTime() - IDLE_NANOS;
    while (true) {
      long now = System.nanoTime();
      if (settleRetired() || !taps.isEmpty()) {
        lastBusy = now;
      }
      int ready;
      try {
        // While recordings come and go (in a test run, one per test), wake up now and then for the
        // sockets retired meanwhile; a retire wakes nobody, so that a test's end does not wait for it.
        // After a quiet while, once a second: the first socket retired after it waits up to that long.
        ready = Syscalls.epollWait(epoll, events, now - lastBusy < IDLE_NANOS ? (int) RETIRE_MILLIS : 1000);
      } catch (ErrnoException e) {
        System.getLogger(CaptureReader.class.getName()).log(System.Logger.Level.ERROR,
            "junit-netns: the capture reader stops: " + e.getMessage());
        return;
      }
      if (ready > 0) {
        pause(); // let frames gather: one wake-up per burst, not per frame (see the class comment)
      }
      for (int i = 0; i < ready; i++) {
        PacketTap tap = taps.get(events.getLong((long) i * Syscalls.EPOLL_EVENT_SIZE + Syscalls.EPOLL_DATA_OFFSET));
        if (tap != null && tap.fd() >= 0) { // a retired tap's frames are not wanted: settleRetired drops it
          try {
            tap.drain();
          } catch (ErrnoException | RuntimeException e) {
            unwatch(tap);
            tap.failed(e);
          }
        }
      }
    }
  }

  /** Unwatches the retired taps and hands their sockets to the closers; whether there were any. */
  private boolean settleRetired() {
    boolean any = false;
    for (Retired dropped; (dropped = retired.poll()) != null; ) {
      any = true;
      Long token = tokens.remove(dropped.tap());
      if (token != null) {
        taps.remove(token);
        try {
          Syscalls.epollDelete(epoll, dropped.fd(), "AF_PACKET socket of netns " + dropped.tap().label);
        } catch (ErrnoException e) {
          // not watched any more either way; the close removes it from the epoll set
        }
      }
      CaptureSockets.closeLater(this, dropped.fd(), dropped.ring());
    }
    return any;
  }

  private static void pause() {
    try {
      Thread.sleep(COALESCE_MILLIS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private void closeLoop() {
    while (true) {
      try {
        closing.take().run();
      } catch (InterruptedException e) {
        return;
      } catch (RuntimeException e) {
        // a close never throws; a ring's set-up reports through its own future
      }
    }
  }
}
