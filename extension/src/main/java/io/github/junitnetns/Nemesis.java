package io.github.junitnetns;

import io.github.junitnetns.internal.ns.Carrier;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * Random faults on a schedule, after Jepsen's nemesis: while it runs it alternates a fault, chosen
 * at random among the ones given, and a heal, one step every interval; {@link #close()} stops it and
 * heals its faults. The choices come from one {@link Random} seeded with {@link #seed(long)}, and
 * depend only on the seed and the network's namespaces, never on timing: the same seed on the same
 * network gives the same sequence of faults, and {@link #timeline()} says what happened when.
 *
 * <pre>{@code
 * @IsolatedNetNs({"n1", "n2", "n3"})
 * @Bridge(name = "lan", members = {"n1", "n2", "n3"}, subnet = "10.0.1.0/24")
 * class ClusterTest {
 *   @Test
 *   void survivesANemesis(Network net) throws Exception {
 *     startCluster(net);
 *     try (Nemesis nemesis = Nemesis.on(net)
 *             .seed(42)
 *             .every(Duration.ofMillis(500))
 *             .faults(Nemesis.isolateRandomNode(), Nemesis.partitionHalves(), Nemesis.partitionMajoritiesRing())
 *             .start()) {
 *       runWorkload();
 *     }                                  // stopped and healed: the cluster must converge now
 *     await().until(() -> clusterSize(net) == 3);
 *   }
 * }
 * }</pre>
 *
 * <p>The schedule: one interval after {@link #start()} the first fault, one interval later a heal,
 * then the next fault, and so on, each step due at a whole number of intervals after the start
 * (a late step does not push the later ones back). The steps run on a daemon thread of the JVM's
 * own namespace, never inside a test's namespaces.
 *
 * <p>Its faults are its own: they are applied through a separate view of the network, so its heals
 * and its {@code close()} remove only them, never the faults the test applied itself through
 * {@code net} (a pair both cut stays cut until both have healed). A nemesis that is still running
 * when its {@code Network} view is restored or closed (after a test, in the extension) is stopped
 * and healed then; when a test fails, its nemeses' timelines are in the failure report.
 */
public final class Nemesis implements AutoCloseable {
  /** The most recent events {@link #describe()} shows; {@link #timeline()} has them all. */
  static final int DESCRIBED_EVENTS = 100;

  /**
   * One step of the timeline: when it happened, counted from {@link #start()}, and what was done,
   * e.g. {@code "isolate n2"}, {@code "partition [n1, n2] | [n3]"} or {@code "heal"}.
   */
  public record Event(Duration offset, String description) {
    @Override
    public String toString() {
      return Nemesis.offset(offset) + " " + description;
    }
  }

  /**
   * A kind of fault a nemesis can choose: given the nemesis's own view of the network, the names of
   * the namespaces it can tell apart (those with an address, in declaration order) and its seeded
   * random, it applies one fault through {@code net} and says what it did. The presets
   * ({@link #isolateRandomNode()}, ...) cover the usual partitions; an implementation of your own
   * must take every choice from {@code random}, so that a seed repeats it:
   *
   * <pre>{@code
   * Nemesis.Disruption cutOnePair = (net, nodes, random) -> {
   *   String a = nodes.get(random.nextInt(nodes.size()));
   *   String b = nodes.get(random.nextInt(nodes.size()));
   *   if (a.equals(b)) {
   *     return "nothing";
   *   }
   *   net.cut(a, b);
   *   return "cut " + a + " " + b;
   * };
   * }</pre>
   */
  @FunctionalInterface
  public interface Disruption {
    /** Applies one fault through {@code net} and returns its description for the timeline. */
    String apply(Network net, List<String> nodes, Random random);
  }

  /** The fault a preset chose: what the timeline says and what it does to the nemesis's view. */
  record Move(String description, Consumer<Network> action) {}

  /** A preset: chooses its move from the nodes and the random, then applies it. */
  record Preset(String name, Chooser chooser) implements Disruption {
    @Override
    public String apply(Network net, List<String> nodes, Random random) {
      Move move = chooser.choose(nodes, random);
      move.action().accept(net);
      return move.description();
    }

    @Override
    public String toString() {
      return name;
    }
  }

  /** How a preset chooses, a pure function of the nodes and the random: the presets' tests call it alone. */
  interface Chooser {
    Move choose(List<String> nodes, Random random);
  }

  private final Network target;
  private final List<String> nodes;
  private long seed = ThreadLocalRandom.current().nextLong();
  private Duration interval = Duration.ofSeconds(1);
  private List<Disruption> faults = List.of();

  private final Object lock = new Object();
  private final List<Event> events = new ArrayList<>(); // guarded by lock
  private Thread thread; // guarded by lock: set by start()
  private boolean closed; // guarded by lock
  private Duration stoppedAt; // guarded by lock
  private final CountDownLatch stop = new CountDownLatch(1);
  private long startNanos;
  /** Whether a fault of this nemesis may be in force: written by its thread, read by close() after joining it. */
  private volatile boolean inForce;
  /** What went wrong on the nemesis's thread, thrown by {@link #close()}. */
  private volatile RuntimeException failure;
  private Network view;

  private Nemesis(Network target, List<String> nodes) {
    this.target = target;
    this.nodes = nodes;
  }

  /**
   * A nemesis for {@code net}, not yet started: give it {@link #faults(Disruption...)}, optionally
   * {@link #seed(long)} and {@link #every(Duration)}, then {@link #start()} it.
   *
   * @throws IllegalArgumentException if {@code net} has fewer than two namespaces with an address
   *     (a nemesis needs two it can cut apart)
   */
  public static Nemesis on(Network net) {
    if (net == null) {
      throw new IllegalArgumentException("Nemesis.on(null): give the test's Network, e.g. Nemesis.on(net)");
    }
    List<String> nodes = List.copyOf(net.peers());
    if (nodes.size() < 2) {
      throw new IllegalArgumentException("Nemesis.on(" + net + "): a nemesis needs at least two namespaces with an"
          + " address to cut apart, and this network has " + nodes.size() + (nodes.isEmpty() ? "" : " " + nodes)
          + "; connect two or more namespaces with a @VethLink or @Bridge that has a subnet or addresses");
    }
    return new Nemesis(net, nodes);
  }

  /**
   * The seed of the random that chooses the faults; without it a random seed is chosen, and
   * {@link #describe()} shows it so that a run can be repeated.
   */
  public Nemesis seed(long seed) {
    configuring("seed(" + seed + ")");
    this.seed = seed;
    return this;
  }

  /** The time between two steps (a fault, then a heal, then a fault...); one second unless set. */
  public Nemesis every(Duration interval) {
    configuring("every(" + interval + ")");
    if (interval == null || interval.isZero() || interval.isNegative()) {
      throw new IllegalArgumentException("Nemesis.every(" + interval + "): the interval must be positive, e.g."
          + " every(Duration.ofMillis(500))");
    }
    this.interval = interval;
    return this;
  }

  /** The faults to choose from at each fault step, each time one at random. */
  public Nemesis faults(Disruption... faults) {
    configuring("faults(...)");
    if (faults == null || faults.length == 0) {
      throw new IllegalArgumentException("Nemesis.faults(): give at least one fault to choose from, e.g."
          + " faults(Nemesis.isolateRandomNode(), Nemesis.partitionHalves())");
    }
    for (int i = 0; i < faults.length; i++) {
      if (faults[i] == null) {
        throw new IllegalArgumentException("Nemesis.faults(...): fault " + (i + 1) + " is null; give faults such as"
            + " Nemesis.isolateRandomNode()");
      }
    }
    this.faults = List.copyOf(Arrays.asList(faults));
    return this;
  }

  /** Refuses a setting once the nemesis has started: its thread reads them. */
  private void configuring(String call) {
    synchronized (lock) {
      if (thread != null || closed) {
        throw new IllegalStateException("Nemesis." + call + ": the nemesis was " + (thread != null ? "started already"
            : "closed") + "; configure it before start()");
      }
    }
  }

  /**
   * Starts the schedule on a daemon thread in the JVM's own namespace and returns this nemesis, to
   * be closed (try-with-resources) when the workload is done.
   *
   * @throws IllegalStateException if no faults were given, or if it was started before
   */
  public Nemesis start() {
    synchronized (lock) {
      if (thread != null || closed) {
        throw new IllegalStateException("Nemesis.start(): this nemesis was " + (thread != null ? "started already"
            : "closed") + "; for another run, build a new one with Nemesis.on(net)...start()");
      }
      if (faults.isEmpty()) {
        throw new IllegalStateException("Nemesis.start(): no faults to choose from; give them first, e.g."
            + " Nemesis.on(net).faults(Nemesis.isolateRandomNode(), Nemesis.partitionHalves()).start()");
      }
      view = Network.combine(List.of(target));
      Thread nemesis = new Thread(this::run, "junit-netns-nemesis-" + seed);
      nemesis.setDaemon(true);
      startNanos = System.nanoTime();
      startOutside(nemesis);
      thread = nemesis;
    }
    target.nemeses.add(this);
    return this;
  }

  /**
   * Starts {@code nemesis} from a thread in the JVM's initial namespace: a thread inherits the
   * namespace of the thread that starts it, and the caller may be a test's thread inside one.
   */
  private static void startOutside(Thread nemesis) {
    Carrier carrier = Carrier.acquire();
    try {
      carrier.call(() -> {
        nemesis.start();
        return null;
      });
    } catch (RuntimeException | Error e) {
      throw e;
    } catch (Throwable t) {
      throw new IllegalStateException("Nemesis.start(): cannot start its thread: " + t, t);
    } finally {
      carrier.release();
    }
  }

  private void run() {
    Random random = new Random(seed);
    long intervalNanos = saturatedNanos(interval);
    String step = "";
    try {
      for (long n = 1; ; n++) {
        long due = n > Long.MAX_VALUE / intervalNanos ? Long.MAX_VALUE : n * intervalNanos;
        if (stopRequested(due)) {
          return;
        }
        if (n % 2 == 1) {
          Disruption fault = faults.get(random.nextInt(faults.size()));
          step = String.valueOf(fault);
          inForce = true;
          record(fault.apply(view, nodes, random));
        } else {
          step = "heal";
          view.heal();
          inForce = false;
          record("heal");
        }
      }
    } catch (RuntimeException | Error e) {
      record("failed: " + step + ": " + e.getMessage());
      failure = new IllegalStateException("The nemesis (seed " + seed + ") failed at " + offset(sinceStart())
          + " applying " + step + ": " + e.getMessage() + "; it stopped there", e);
    }
  }

  /** Waits until {@code dueNanos} after the start; true if asked to stop meanwhile. */
  private boolean stopRequested(long dueNanos) {
    long left = dueNanos - (System.nanoTime() - startNanos);
    try {
      return stop.await(Math.max(0, left), TimeUnit.NANOSECONDS);
    } catch (InterruptedException e) {
      return true; // nobody but close() has a reason to interrupt it
    }
  }

  private static long saturatedNanos(Duration duration) {
    try {
      return duration.toNanos();
    } catch (ArithmeticException e) {
      return Long.MAX_VALUE;
    }
  }

  private Duration sinceStart() {
    return Duration.ofNanos(System.nanoTime() - startNanos);
  }

  private void record(String description) {
    synchronized (lock) {
      events.add(new Event(sinceStart(), description));
    }
  }

  /**
   * Stops the schedule (waiting for a step under way to end) and heals this nemesis's faults; the
   * test's own faults stay. Closing twice is harmless.
   *
   * @throws IllegalStateException if a step failed on the nemesis's thread (its cause is the
   *     failure); the nemesis stopped there, and its faults are healed all the same
   */
  @Override
  public void close() {
    Thread running;
    synchronized (lock) {
      if (closed) {
        return;
      }
      closed = true;
      running = thread;
    }
    if (running == null) {
      return; // never started: nothing applied
    }
    stop.countDown();
    if (running != Thread.currentThread()) {
      joinUninterruptibly(running);
    }
    RuntimeException failed = failure;
    if (inForce) {
      try {
        view.heal();
        inForce = false;
        record("heal");
      } catch (RuntimeException e) {
        record("failed: heal: " + e.getMessage());
        failed = Holdings.collect(failed, e);
      }
    }
    synchronized (lock) {
      stoppedAt = sinceStart();
    }
    if (failed != null) {
      throw failed;
    }
  }

  private static void joinUninterruptibly(Thread thread) {
    boolean interrupted = false;
    while (thread.isAlive()) {
      try {
        thread.join();
      } catch (InterruptedException e) {
        interrupted = true;
      }
    }
    if (interrupted) {
      Thread.currentThread().interrupt();
    }
  }

  /** What happened so far, oldest first. */
  public List<Event> timeline() {
    synchronized (lock) {
      return List.copyOf(events);
    }
  }

  /**
   * The seed, the schedule and the timeline, e.g.
   * <pre>
   * Nemesis seed 42, every 500 ms, faults [isolateRandomNode, partitionHalves], stopped at +2.130 s:
   *   +0.500 s isolate n2
   *   +1.000 s heal
   *   +1.500 s partition [n1, n3] | [n2]
   *   +2.130 s heal
   * </pre>
   */
  public String describe() {
    List<Event> all;
    String state;
    synchronized (lock) {
      all = List.copyOf(events);
      state = thread == null ? "not started" : stoppedAt != null ? "stopped at " + offset(stoppedAt)
          : closed ? "stopping" : "running";
    }
    StringBuilder out = new StringBuilder(header()).append(", ").append(state).append(":\n");
    if (all.size() > DESCRIBED_EVENTS) {
      out.append("  (").append(all.size() - DESCRIBED_EVENTS).append(" earlier events; timeline() has them all)\n");
      all = all.subList(all.size() - DESCRIBED_EVENTS, all.size());
    }
    for (Event event : all) {
      out.append("  ").append(event).append('\n');
    }
    return out.toString();
  }

  private String header() {
    return "Nemesis seed " + seed + ", every " + interval.toMillis() + " ms, faults " + faults;
  }

  @Override
  public String toString() {
    synchronized (lock) {
      return header() + ", " + events.size() + " events";
    }
  }

  /** {@code +1.500 s}: an offset as the timeline shows it. */
  static String offset(Duration offset) {
    long millis = offset.toMillis();
    return "+" + millis / 1000 + "." + String.format("%03d", millis % 1000) + " s";
  }

  // ---- presets: the shapes come from Presets, the namespaces' order from the seeded random ----

  /** Isolates one namespace chosen at random from everyone else: {@code "isolate n2"}. */
  public static Disruption isolateRandomNode() {
    return new Preset("isolateRandomNode", (nodes, random) -> {
      String chosen = nodes.get(random.nextInt(nodes.size()));
      return new Move("isolate " + chosen, net -> net.isolate(chosen));
    });
  }

  /**
   * Splits the namespaces, shuffled, into two halves (the smaller first) that cannot reach each
   * other: {@code "partition [n1] | [n2, n3]"}, each side in declaration order.
   */
  public static Disruption partitionHalves() {
    return new Preset("partitionHalves", (nodes, random) -> {
      List<Set<String>> sides = Presets.halves(shuffled(nodes, random));
      List<String> first = inOrder(nodes, sides.get(0));
      List<String> second = inOrder(nodes, sides.get(1));
      return new Move("partition " + first + " | " + second, net -> net.partition(sides.get(0), sides.get(1)));
    });
  }

  /**
   * Puts the namespaces, shuffled, on a ring where each sees only its nearest neighbours: enough
   * for a majority, but no two see the same majority ({@link Network#partitionMajoritiesRing()}).
   * With three namespaces each neighbour is a majority, so nothing is cut:
   * {@code "majorities ring [n2, n3, n1]: nothing to cut"}; with five,
   * {@code "majorities ring [n4, n1, n5, n2, n3]: cut n4-n5, n4-n2, ..."}.
   */
  public static Disruption partitionMajoritiesRing() {
    return new Preset("partitionMajoritiesRing", (nodes, random) -> {
      List<String> ring = shuffled(nodes, random);
      List<List<String>> cuts = Presets.majoritiesRingCuts(ring);
      return new Move("majorities ring " + ring + ": " + cuts(cuts), cutting(cuts));
    });
  }

  /**
   * Splits the namespaces, shuffled, into two halves that cannot reach each other, joined by one
   * namespace that reaches both ({@link Network#partitionBridge()}):
   * {@code "bridge n3 between [n1] | [n2]"}.
   */
  public static Disruption partitionBridge() {
    return new Preset("partitionBridge", (nodes, random) -> {
      List<String> order = shuffled(nodes, random);
      int middle = Presets.bridgeMiddle(order);
      List<List<String>> cuts = Presets.bridgeCuts(order);
      return new Move("bridge " + order.get(middle) + " between " + inOrder(nodes, order.subList(0, middle)) + " | "
          + inOrder(nodes, order.subList(middle + 1, order.size())), cutting(cuts));
    });
  }

  private static List<String> shuffled(List<String> nodes, Random random) {
    List<String> order = new ArrayList<>(nodes);
    Collections.shuffle(order, random);
    return order;
  }

  /** {@code some} in the order of {@code nodes}: sides read more easily in declaration order. */
  private static List<String> inOrder(List<String> nodes, java.util.Collection<String> some) {
    List<String> ordered = new ArrayList<>(nodes);
    ordered.retainAll(some);
    return ordered;
  }

  private static String cuts(List<List<String>> cuts) {
    if (cuts.isEmpty()) {
      return "nothing to cut";
    }
    List<String> pairs = new ArrayList<>();
    cuts.forEach(pair -> pairs.add(pair.get(0) + "-" + pair.get(1)));
    return "cut " + String.join(", ", pairs);
  }

  private static Consumer<Network> cutting(List<List<String>> cuts) {
    return net -> cuts.forEach(pair -> net.cut(pair.get(0), pair.get(1)));
  }
}
