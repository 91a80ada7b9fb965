package io.github.junitnetns;

import io.github.junitnetns.internal.topology.Attachment;
import io.github.junitnetns.internal.topology.TopologyPlan;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A test's whole topology by name: its namespaces, the veths and bridges between them, and their
 * addresses. Declare a parameter of this type in a test with {@code @IsolatedNetNs}.
 *
 * <pre>{@code
 * @IsolatedNetNs({"n1", "n2", "n3"})
 * @Bridge(name = "lan", members = {"n1", "n2", "n3"}, subnet = "10.0.1.0/24")
 * class ClusterTest {
 *   @Test
 *   void everyoneSeesEveryone(Network net) throws Exception {
 *     InetAddress n3 = net.address("n3");                       // 10.0.1.3
 *     assertThat(net.ns("n1").call(() -> n3.isReachable(1000))).isTrue();
 *     Link n1ToN2 = net.link("n1", "n2");                        // n1's eth0
 *   }
 * }
 * }</pre>
 */
public final class Network implements AutoCloseable {
  private final Map<String, NetNs> namespaces;
  private final Map<String, Bridge> bridges;
  private final List<Attachment> attachments;
  /** What {@link #close()} removes, last first: bridges, namespaces it created, the host's handle. */
  private final List<AutoCloseable> owned;
  /** The host's ends of veths, removed first at close unless {@link #keepHostLinks()} was called. */
  private final List<AutoCloseable> hostLinks;
  private final AtomicBoolean closed = new AtomicBoolean();
  private volatile boolean keepHostLinks;
  /** The drops and shaping applied through this view: what its {@link #heal()} and {@link #restore()} take back. */
  private final Holdings holdings = new Holdings(this);
  /** The nemeses started on this view ({@link Nemesis#on}): reported with it, stopped by {@link #restore()} and {@link #close()}. */
  final Nemeses nemeses = new Nemeses();
  private final Faulting faulting = new Faulting(this, holdings);
  /** This network's names while it is built and open; withdrawn first at close. */
  private volatile AutoCloseable names = () -> {};

  Network(Map<String, NetNs> namespaces, Map<String, Bridge> bridges, List<Attachment> attachments,
      List<AutoCloseable> owned, List<AutoCloseable> hostLinks) {
    this.namespaces = Collections.unmodifiableMap(new LinkedHashMap<>(namespaces));
    this.bridges = Collections.unmodifiableMap(new LinkedHashMap<>(bridges));
    this.attachments = List.copyOf(attachments);
    this.owned = List.copyOf(owned);
    this.hostLinks = List.copyOf(hostLinks);
  }

  /**
   * One view of several networks, e.g. a test's own on top of its class's: every namespace, veth
   * and bridge of each, later ones winning a name. It owns no namespace, veth or bridge (closing it
   * is harmless), but the faults and shaping applied through it are its own: its {@link #heal()}
   * and {@link #restore()} remove those and no other view's.
   */
  static Network combine(List<Network> parts) {
    Map<String, NetNs> namespaces = new LinkedHashMap<>();
    Map<String, Bridge> bridges = new LinkedHashMap<>();
    List<Attachment> attachments = new ArrayList<>();
    for (Network part : parts) {
      namespaces.putAll(part.namespaces);
      bridges.putAll(part.bridges);
      attachments.addAll(part.attachments);
    }
    return new Network(namespaces, bridges, attachments, List.of(), List.of());
  }

  /**
   * Leaves the host's ends of veths in place at {@link #close()}, for namespaces pinned to be
   * inspected after the test (their peers must stay).
   */
  void keepHostLinks() {
    keepHostLinks = true;
  }

  /**
   * The host end of a veth: {@code Network.builder().veth(Network.HOST, "client", "10.9.0.0/30")}
   * connects the namespace the JVM started in. Opt-in, since it puts an interface on the host; it
   * is removed when the network is closed.
   */
  public static final String HOST = TopologyPlan.HOST;

  /**
   * A network built without JUnit: namespaces, veths between them and bridges, created by
   * {@link NetworkBuilder#build()} and removed by {@link #close()}.
   *
   * <pre>{@code
   * try (Network net = Network.builder()
   *         .namespace("client").namespace("server").namespace("router")
   *         .forwarding("router")
   *         .veth("client", "router", "10.0.1.0/24")
   *         .veth("router", "server", "10.0.2.0/24")
   *         .build()) {
   *   net.ns("client").addRoute("default", "10.0.1.2");
   *   net.ns("server").addRoute("default", "10.0.2.1");
   *   net.isolate("server");
   *   net.heal();
   * }
   * }</pre>
   */
  public static NetworkBuilder builder() {
    return new NetworkBuilder();
  }

  /**
   * Removes what {@link NetworkBuilder#build()} created: links to the host, bridges, then the namespaces
   * (with the processes started in them). Namespaces passed in with
   * {@link NetworkBuilder#namespace(String, NetNs)} are left alone. Closing twice is harmless.
   */
  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    RuntimeException failure = nemeses.stop(null);
    List<AutoCloseable> all = new ArrayList<>(owned);
    all.add(names); // withdrawn first: the namespaces' identities may be reused once they are gone
    if (!keepHostLinks) {
      all.addAll(hostLinks);
    }
    for (int i = all.size() - 1; i >= 0; i--) {
      try {
        all.get(i).close();
      } catch (Exception e) {
        RuntimeException wrapped = e instanceof RuntimeException ? (RuntimeException) e : new IllegalStateException(e);
        if (failure == null) {
          failure = wrapped;
        } else {
          failure.addSuppressed(wrapped);
        }
      }
    }
    if (failure != null) {
      throw failure;
    }
  }

  /** Makes this network's names resolve inside its namespaces (JDK 18+, and exec) until {@link #close()}. */
  void publishOwnNames() {
    names = publishNames();
  }

  /** Publishes this view's names for threads and processes inside its namespaces until closed ({@link NetworkNames}). */
  AutoCloseable publishNames() {
    return NetworkNames.publish(namespaces, attachments);
  }

  /** The names of the namespaces, in declaration order. */
  public Set<String> names() {
    Set<String> names = new LinkedHashSet<>(namespaces.keySet());
    names.remove("");
    return Collections.unmodifiableSet(names);
  }

  /** The namespace called {@code name}. */
  public NetNs ns(String name) {
    NetNs ns = namespaces.get(name);
    if (ns == null || name.isEmpty()) {
      throw new IllegalArgumentException("Network.ns(\"" + name + "\"): no such namespace; the test has " + names());
    }
    return ns;
  }

  /** The address of {@code name}'s first configured interface (veths first, then bridges, in declaration order). */
  public InetAddress address(String name) {
    ns(name);
    for (Attachment attachment : attachments) {
      if (attachment.namespace().equals(name) && attachment.address() != null) {
        return attachment.address();
      }
    }
    throw new IllegalStateException("Network.address(\"" + name + "\"): namespace \"" + name + "\" has no configured"
        + " address; give its @VethLink or @Bridge a subnet or addresses");
  }

  /**
   * {@code a}'s interface toward {@code b}: its end of their veth, or its port on a bridge they
   * share; read from the kernel now.
   */
  public Link link(String a, String b) {
    ns(a);
    ns(b);
    List<Attachment> shared = facing(a, b);
    if (shared.isEmpty()) {
      throw new IllegalArgumentException("Network.link(\"" + a + "\", \"" + b + "\"): the two are not on one veth"
          + " or bridge; connect them with @VethLink or @Bridge");
    }
    return Link.read(namespaces.get(a), shared.get(0).interfaceName());
  }

  /** {@code a}'s interfaces on a veth or bridge that {@code b} is on too, in declaration order. */
  List<Attachment> facing(String a, String b) {
    List<Attachment> shared = new ArrayList<>();
    for (Attachment mine : attachments) {
      if (mine.namespace().equals(a) && attachments.stream()
          .anyMatch(theirs -> theirs.namespace().equals(b) && theirs.medium().equals(mine.medium()))) {
        shared.add(mine);
      }
    }
    return shared;
  }

  /** The bridge called {@code name}. */
  public Bridge bridge(String name) {
    Bridge bridge = bridges.get(name);
    if (bridge == null) {
      throw new IllegalArgumentException("Network.bridge(\"" + name + "\"): no such bridge; the test has " + bridges.keySet());
    }
    return bridge;
  }

  /**
   * Starts recording every interface of every namespace of this network, the bridges' hidden
   * namespaces included: {@code try (Capture c = net.capture()) { ...; c.writeTo(Path.of("net.pcapng")); }}.
   */
  public Capture capture() {
    List<NetNs> all = new ArrayList<>(namespaces.values());
    bridges.values().forEach(bridge -> all.add(bridge.netNs()));
    return Capture.of(all);
  }

  // ---- faults ----

  /**
   * Cuts {@code a} and {@code b} apart both ways, like a pulled cable or a firewall DROP on each
   * side: packets are dropped silently where they arrive, so a connect times out
   * ({@code SocketTimeoutException}, never an instant error) and established TCP connections stall,
   * resuming after {@link #heal()} if nothing timed out meanwhile. Applying it twice is harmless.
   * Works on every kernel (policy rules); {@link Fault#packets()} needs nf_tables.
   */
  public Fault cut(String a, String b) {
    return cut(a, b, Traffic.all());
  }

  /**
   * Cuts the {@code traffic} between {@code a} and {@code b}, both ways, silently (see
   * {@link Traffic} for exactly what matches): {@code net.cut("app", "db", Traffic.tcp(5432))}
   * makes a connect to db:5432 time out while db:8080 and ping still work. Drops where the packets
   * arrive, in junit-netns's nf_tables table ({@code inet junit_netns}) of each namespace;
   * {@link Traffic#all()} uses the policy rules of {@link #cut(String, String)}.
   *
   * @throws NetNsException naming nf_tables when the kernel lacks it (scoped faults need it)
   */
  public Fault cut(String a, String b, Traffic traffic) {
    return faulting.cut(a, b, traffic);
  }

  /** Drops traffic from {@code from} at {@code to}; traffic from {@code to} still reaches {@code from}. */
  public Fault cutOneWay(String from, String to) {
    return cutOneWay(from, to, Traffic.all());
  }

  /**
   * Drops the {@code traffic} from {@code from} where it arrives at {@code to}, silently:
   * {@code net.cutOneWay("app", "dns", Traffic.udp(53))} drops app's queries to dns:53, and
   * nothing else (see {@link Traffic}).
   */
  public Fault cutOneWay(String from, String to, Traffic traffic) {
    return faulting.cutOneWay(from, to, traffic);
  }

  /**
   * Refuses the {@code traffic} from {@code from} where it arrives at {@code to}, as a closed port
   * does: TCP is answered with a RST ({@code ConnectException: Connection refused} at once; an
   * established connection is reset), anything else with ICMP (ICMPv6 for IPv6) port unreachable
   * ({@code PortUnreachableException} on a connected UDP socket). One way: {@code to}'s own
   * traffic to {@code from} is untouched. Needs nf_tables.
   *
   * <pre>{@code
   * Fault dbDown = net.reject("app", "db", Traffic.tcp(5432));  // db "crashed": its port is closed
   * }</pre>
   */
  public Fault reject(String from, String to, Traffic traffic) {
    return faulting.reject(from, to, traffic);
  }

  /** Cuts {@code name} off from every other namespace of the network, as one {@link Fault}. */
  public Fault isolate(String name) {
    return faulting.isolate(name);
  }

  /**
   * Splits the network into sides that cannot reach each other, while each side stays whole:
   * {@code net.partition(Set.of("n1", "n2"), Set.of("n3", "n4", "n5"))}. Namespaces in no side keep
   * reaching everyone. One {@link Fault} for all of it.
   */
  @SafeVarargs
  @SuppressWarnings("varargs") // handed on as is, only read
  public final Fault partition(Set<String>... sides) {
    return faulting.partition(sides);
  }

  /**
   * The faults in force that were applied through this view, oldest first, each with its counter:
   * {@code net.faults().forEach(System.out::println)} prints e.g. {@code cut app <-> db tcp:5432: 3 packets}.
   */
  public List<Fault> faults() {
    return holdings.faults();
  }

  /**
   * Resets the established TCP connections between {@code a} and {@code b}, as a crashed peer or a
   * middlebox would: the peer of each connection gets a RST ({@code SocketException: Connection
   * reset}), and the socket reset locally fails with {@code Software caused connection abort}.
   * Works during a cut too (then both sides are aborted locally). Returns how many sockets were reset.
   */
  public int resetConnections(String a, String b) {
    requireTwo("resetConnections", a, b);
    return Connections.resetTcp(ns(a), new HashSet<>(addressesOf(b, "resetConnections")))
        + Connections.resetTcp(ns(b), new HashSet<>(addressesOf(a, "resetConnections")));
  }

  /**
   * Shapes the traffic from {@code from} to {@code to} like a slow or bad link:
   * {@code net.shape("client", "server", Shaping.rate("8mbit"))}. It is applied where packets
   * arrive at {@code to}: on each interface of {@code to} that shares a {@code @VethLink} or a
   * {@code @Bridge} with {@code from}, {@code from}'s packets are redirected to an ifb of their own
   * in {@code to}'s namespace (named {@code ifb<ifindex in hex>p<n>}, {@code n} being {@code from}'s
   * place among {@link #names()}, from 1), whose qdisc shapes them. So losses look like the wire's,
   * not like local drops. On a veth everything arriving is {@code from}'s; on a bridge,
   * {@code from}'s packets are told apart by their source address (any of {@code from}'s
   * configured addresses, IPv4 or IPv6), and the other members' traffic to {@code to} is not
   * shaped. Each pair is shaped on its own: {@code shape("n1", "n3", ...)} and
   * {@code shape("n2", "n3", ...)} give two independent links into n3.
   *
   * <p>A rate works on every kernel with sch_tbf; delay, jitter, loss, duplication, reordering and
   * corruption need netem, and without it {@link Shaping.NetemUnavailableException} is thrown (the
   * extension then aborts the test) and nothing is left behind. Shaping the pair again replaces its
   * shaping; {@link Shaping#none()} removes it (and its ifb), leaving other pairs' alone.
   *
   * <p>Like faults, shaping belongs to the {@code Network} it was applied through, and the
   * extension removes a test's shaping after it. When tests running at once in shared
   * (CLASS-scoped) namespaces shape the same pair, the most recent shaping is in force; when its
   * test ends or unshapes the pair, the shaping of the other test that still holds it is put back.
   *
   * @throws IllegalArgumentException if the two share no veth or bridge
   * @throws IllegalStateException if they share only a bridge and {@code from} has no configured
   *     address to tell its packets apart by
   */
  public void shape(String from, String to, Shaping shaping) {
    Shaper.shape(this, holdings, from, to, shaping);
  }

  /**
   * Removes the shaping of traffic from {@code from} to {@code to}; harmless when there is none.
   * If another test sharing the namespaces shaped the pair too, its shaping is put back instead.
   */
  public void unshape(String from, String to) {
    shape(from, to, Shaping.none());
  }

  /**
   * Removes the faults ({@link #cut}, {@link #cutOneWay}, {@link #reject}, {@link #isolate},
   * {@link #partition} and the presets) applied through this {@code Network}, restoring each
   * namespace's rules and nf_tables ruleset exactly as before the first one. Shaping stays (see {@link #unshape}). Harmless when there are none.
   *
   * <p>Faults belong to the {@code Network} they were applied through. In a test, that is the
   * test's {@code Network} parameter: on namespaces of {@code @IsolatedNetNs(scope = CLASS)},
   * shared by tests that may run at the same time, {@code heal()} removes this test's faults only;
   * a fault another test applied stays until that test heals it or ends (a drop both applied stays
   * until both have let go). After each test the extension heals the test's faults and removes
   * its shaping.
   *
   * <pre>{@code
   * net.cut("a", "b");
   * net.heal();          // a and b reach each other again, unless another test cut them too
   * }</pre>
   */
  public void heal() {
    holdings.releaseDrops();
  }

  /**
   * What the extension does after a test: {@link #heal()}, then removes the shaping applied
   * through this view (where another view shaped the same pair too, its shaping is put back).
   */
  void restore() {
    RuntimeException failure = nemeses.stop(null);
    try {
      heal();
    } catch (RuntimeException e) {
      failure = Holdings.collect(failure, e);
    }
    try {
      holdings.releaseShaping();
    } catch (RuntimeException e) {
      failure = Holdings.collect(failure, e);
    }
    if (failure != null) {
      throw failure;
    }
  }

  /**
   * Whether packets from {@code from} are dropped at {@code to} now by this library's whole-traffic
   * faults (whoever applied them). Faults scoped to a {@link Traffic} are not counted here; see
   * {@link #faults()}.
   */
  public boolean isCut(String from, String to) {
    requireTwo("isCut", from, to);
    List<InetAddress> dropped = Faults.droppedSources(ns(to));
    return addressesOf(from, "isCut").stream().anyMatch(dropped::contains);
  }

  /** Preset: the first half of the namespaces (in declaration order) against the rest. Returns the two sides. */
  public List<Set<String>> partitionHalves() {
    List<Set<String>> sides = Presets.halves(new ArrayList<>(peers()));
    partition(sides.get(0), sides.get(1));
    return sides;
  }

  /** Preset: isolates one namespace chosen at random and returns its name. */
  public String isolateRandomNode() {
    List<String> all = new ArrayList<>(peers());
    String chosen = all.get(ThreadLocalRandom.current().nextInt(all.size()));
    isolate(chosen);
    return chosen;
  }

  /**
   * Preset: with the namespaces on a ring (declaration order), each sees only its nearest
   * neighbours: enough for a majority, but no two see the same majority.
   */
  public Fault partitionMajoritiesRing() {
    return faulting.cuts("partitionMajoritiesRing " + peers(), Presets.majoritiesRingCuts(new ArrayList<>(peers())),
        "partitionMajoritiesRing");
  }

  /**
   * Preset: two halves that cannot reach each other, joined by the middle namespace (in
   * declaration order), which reaches both. Returns the middle one's name.
   */
  public String partitionBridge() {
    List<String> all = new ArrayList<>(peers());
    String middle = all.get(Presets.bridgeMiddle(all));
    faulting.cuts("partitionBridge via " + middle, Presets.bridgeCuts(all), "partitionBridge");
    return middle;
  }

  /** The named namespaces that have an address: the ones faults can tell apart. */
  Set<String> peers() {
    return NetworkNames.peers(names(), attachments);
  }

  /** {@code name}'s configured addresses; refused, naming {@code method}, when it has none. */
  List<InetAddress> addressesOf(String name, String method) {
    return NetworkNames.addressesOf(name, method, attachments);
  }

  void requireTwo(String method, String a, String b) {
    ns(a);
    ns(b);
    if (a.equals(b)) {
      throw new IllegalArgumentException("Network." + method + "(\"" + a + "\", \"" + b + "\"): name two different namespaces");
    }
  }

  /**
   * Every namespace's {@link NetNs#describe()}, bridges included, then this view's {@link #faults()}
   * with their counters and the timelines of the nemeses started on it.
   */
  public String describe() {
    StringBuilder out = new StringBuilder();
    namespaces.values().forEach(ns -> out.append(ns.describe()));
    bridges.values().forEach(bridge -> out.append(bridge.netNs().describe()));
    List<Fault> faults = faults();
    if (!faults.isEmpty()) {
      out.append("faults in force (this view's):\n");
      faults.forEach(fault -> out.append("    ").append(fault).append('\n'));
    }
    return out.append(nemesisReport()).toString();
  }

  /** Each nemesis's {@link Nemesis#describe()}, for reports; empty when none was started on this view. */
  String nemesisReport() {
    return nemeses.report();
  }

  @Override
  public String toString() {
    List<String> media = new ArrayList<>();
    for (Attachment attachment : attachments) {
      media.add(attachment.interfaceName() + "@" + attachment.namespace() + " on " + attachment.medium()
          + (attachment.address() == null ? "" : " " + attachment.address().getHostAddress()));
    }
    return "Network" + names() + " " + media;
  }
}
