package io.github.junitnetns;

import io.github.junitnetns.internal.client.NftClient;
import io.github.junitnetns.internal.client.RtnlClient;
import io.github.junitnetns.internal.linux.Errno;
import io.github.junitnetns.internal.linux.ErrnoException;
import io.github.junitnetns.internal.names.Names;
import io.github.junitnetns.internal.ns.JdkNio;
import io.github.junitnetns.internal.ns.NsHandle;
import io.github.junitnetns.internal.process.ProcessSupervisor;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A Linux network namespace: its own interfaces, addresses, routes, ports and firewall, held by
 * an O_CLOEXEC file descriptor. A namespace from {@link #create()} is anonymous, so the kernel
 * reclaims it when it is closed or when the JVM dies, even by SIGKILL; it starts with {@code lo}
 * up.
 *
 * <p>Code runs inside with {@link #run} and {@link #call}, on a thread that is inside for the
 * duration; the calling thread never changes namespace. Sockets stay in the namespace where they
 * were created, whichever thread uses them later.
 *
 * <pre>{@code
 * try (NetNs ns = NetNs.create("server")) {
 *   ServerSocket socket = ns.call(() -> new ServerSocket(8080)); // port 8080 of "server", not of the host
 *   ...
 * }
 * }</pre>
 *
 * <p>Needs CAP_SYS_ADMIN: run the JVM as root, or rootless with only the JVM (never a build tool,
 * which would have no network) under {@code unshare --user --map-root-user --net}; for Maven, the
 * junit-netns Maven plugin elevates only the test JVMs (docs/privileges-and-ci.md).
 */
public final class NetNs implements AutoCloseable {
  /** A block of code that may throw {@code E}; used by {@link #run}. */
  @FunctionalInterface
  public interface ThrowingRunnable<E extends Throwable> {
    void run() throws E;
  }

  /** A block of code that returns a value and may throw {@code E}; used by {@link #call}. */
  @FunctionalInterface
  public interface ThrowingCallable<T, E extends Throwable> {
    T call() throws E;
  }

  private static final AtomicInteger UNNAMED = new AtomicInteger();

  static {
    JdkNio.settleOnHost(); // before any thread of this library enters a namespace
  }

  private final NsHandle handle;
  private final RtnlClient client;
  private final ProcessSupervisor processes;
  /** Who holds which of the library's drop rules here, through this handle. */
  private final Faults.Ledger faults = new Faults.Ledger();
  /** Who holds which shaping here, through this handle. */
  private final Shaper.Ledger shaping = new Shaper.Ledger();
  /** The JVM's initial namespace from {@link #host()}: never closed. */
  private final boolean host;

  /** junit-netns's nf_tables table here. */
  private final Firewall firewall;

  /** The interfaces masqueraded through this handle. */
  private final Nat.Ledger nat = new Nat.Ledger();

  NetNs(NsHandle handle) {
    this(handle, false);
  }

  NetNs(NsHandle handle, boolean host) {
    this.handle = handle;
    this.host = host;
    this.client = new RtnlClient(handle::socket, handle::label, NetNsException::of);
    this.firewall = new Firewall(this, Netfilter.client(handle));
    this.processes = new ProcessSupervisor(handle, NetNsException::of, hosts -> Names.hostsFileFor(handle.id(), hosts));
  }

  /** Creates a new, anonymous namespace with {@code lo} up. */
  public static NetNs create() {
    return create("netns-" + UNNAMED.incrementAndGet());
  }

  /**
   * Creates a new, anonymous namespace with {@code lo} up; {@code label} names it in messages,
   * thread names and {@link #describe()}.
   *
   * @throws NetNsException with errno EPERM when the process lacks CAP_SYS_ADMIN; its message says
   *     how to run with it
   */
  public static NetNs create(String label) {
    if (label == null || label.isBlank()) {
      throw new IllegalArgumentException("NetNs.create(label): the label is empty; give a name such as \"server\"");
    }
    try {
      return new NetNs(NsHandle.create(label));
    } catch (ErrnoException e) {
      throw NetNsException.of(e);
    }
  }

  /**
   * Opens an existing namespace by path: a pin such as {@code /run/netns/NAME} (made by
   * {@code ip netns add}) or a process's {@code /proc/PID/ns/net}. Closing the handle leaves the
   * namespace itself alone.
   */
  public static NetNs open(Path path) {
    if (path == null) {
      throw new IllegalArgumentException("NetNs.open(path): path is null; give e.g. Path.of(\"/run/netns/NAME\")");
    }
    NsHandle handle;
    try {
      handle = NsHandle.open(path);
    } catch (ErrnoException e) {
      throw NetNsException.of(e);
    }
    if (!handle.id().startsWith("net:[")) {
      handle.beginClose();
      handle.release();
      throw new IllegalArgumentException("NetNs.open(" + path + "): not a network namespace but "
          + handle.id() + "; give /run/netns/NAME or /proc/PID/ns/net");
    }
    return new NetNs(handle);
  }

  /**
   * The network namespace the JVM started in, labelled {@code "host"}: to start from anywhere, on
   * the host, what serves every test or outlives one, such as a library's shared threads. Threads
   * take the namespace of the thread that starts them, so a pool that a test happens to start
   * first would otherwise keep its threads in that test's namespace (docs/diagnostics.md, "Shared
   * pools"). The same handle on every call; {@link #close()} leaves it open.
   *
   * <pre>{@code
   * @BeforeAll
   * static void startTheLibrary() {
   *   NetNs.host().run(() -> Library.start()); // the threads it starts are born on the host
   * }
   *
   * // Threads on the host whichever test starts them; tasks given to them run on the host too.
   * static final ExecutorService HOUSEKEEPING = Executors.newCachedThreadPool(NetNs.host().threadFactory());
   * }</pre>
   *
   * <p>{@link #run} and {@link #call} run the code on the calling thread when it is on the host
   * already (a {@code @BeforeAll} method, {@code main}), otherwise (in a test, inside its namespace)
   * on a library thread that enters the host's namespace for the duration, which needs
   * CAP_SYS_ADMIN. Work that runs on the host reaches the host's ports, not a test's: a test's own
   * connections belong on the test's threads or its own pool ({@code ns.threadFactory()}). Links,
   * routes and sysctls changed through this handle are the host's own. In a JVM started inside a
   * namespace of its own (rootless), that namespace is the one returned.
   */
  public static NetNs host() {
    return HostHandle.HANDLE;
  }

  /** Opens the namespace of a running process, like {@code ip netns exec} does via {@code /proc/PID/ns/net}. */
  public static NetNs ofPid(long pid) {
    if (pid <= 0) {
      throw new IllegalArgumentException("NetNs.ofPid(" + pid + "): a pid is a positive number, e.g. ProcessHandle.current().pid()");
    }
    try {
      return open(Path.of("/proc/" + pid + "/ns/net"));
    } catch (NetNsException e) {
      if (e.errno() == Errno.ENOENT) {
        throw new NetNsException(e.operation(), e.object(), e.errno(), "NetNs.ofPid(" + pid + "): no process " + pid
            + " is running (it has ended, or the pid is wrong); give the pid of a live process, e.g. process.pid()");
      }
      if (e.errno() == Errno.EACCES) {
        // proc(5): opening /proc/PID/ns/* takes ptrace read access (man 2 ptrace, "Ptrace access mode checking").
        throw new NetNsException(e.operation(), e.object(), e.errno(), "NetNs.ofPid(" + pid + "): not allowed to"
            + " inspect process " + pid + ", which belongs to another user or has capabilities this JVM lacks;"
            + " run as root or as that process's user with at least its capabilities");
      }
      throw e;
    }
  }

  /** The label given at creation, or the path this namespace was opened from. */
  public String label() {
    return handle.label();
  }

  /** The kernel's identity of this namespace, as {@code lsns} and {@code ls -l /proc/PID/ns} show it: {@code net:[4026532301]}. */
  public String id() {
    return handle.id();
  }

  public boolean isClosed() {
    return handle.isClosed();
  }

  /**
   * Runs {@code action} on a thread inside this namespace and waits for it. Its exception is
   * rethrown unchanged; an interrupt of the caller is passed on to it. When the calling thread is
   * already inside, the action runs right there.
   */
  public <E extends Throwable> void run(ThrowingRunnable<E> action) throws E {
    if (action == null) {
      throw new IllegalArgumentException("NetNs.run(null): give the code to run inside, e.g. ns.run(() -> server.start())");
    }
    call(() -> {
      action.run();
      return null;
    });
  }

  /**
   * Runs {@code action} on a thread inside this namespace and returns its result, e.g. a server
   * socket bound inside: {@code ServerSocket s = ns.call(() -> new ServerSocket(80));}.
   *
   * @see #run
   */
  public <T, E extends Throwable> T call(ThrowingCallable<T, E> action) throws E {
    if (action == null) {
      throw new IllegalArgumentException("NetNs.call(null): give the code to run inside, e.g. ns.call(() -> new ServerSocket(80))");
    }
    try {
      return handle.call(action::call);
    } catch (ErrnoException e) {
      throw NetNsException.of(e);
    } catch (Throwable t) {
      throw NetNs.<RuntimeException>sneaky(t);
    }
  }

  /**
   * Threads that enter this namespace before running their task, for executors and servers that
   * create sockets on their own threads:
   * {@code Executors.newFixedThreadPool(4, ns.threadFactory())}. The threads are platform threads
   * (a virtual thread moves between OS threads and cannot stay inside a namespace).
   *
   * @throws IllegalStateException once this namespace is closed, also from a factory made
   *     earlier, so that an executor's {@code submit} fails instead of queueing a task no thread runs
   */
  public ThreadFactory threadFactory() {
    checkOpen("make a thread factory for it");
    AtomicInteger count = new AtomicInteger();
    return task -> {
      // Refused here, in the caller (e.g. ExecutorService.submit): a thread that cannot enter never
      // runs its task, and whoever waits for that task would wait forever.
      checkOpen("start a thread in it");
      return new Thread(() -> {
        try {
          handle.enterUnlessInside();
        } catch (ErrnoException e) {
          throw NetNsException.of(e);
        }
        task.run();
      }, label() + "-thread-" + count.incrementAndGet());
    };
  }

  /**
   * Starts a process inside this namespace, e.g. {@code ns.exec("python3", "-m", "http.server", "8000")}.
   * The process (with its descendants) is killed when this namespace is closed, and also when the
   * JVM dies, even by SIGKILL. Its output is captured: read it from {@link Process#getInputStream()}
   * as usual, or all at once with {@link #output(Process)}; a failing test's report shows its end.
   * In a namespace of a {@link Network} (or of an {@code @IsolatedNetNs} test) the process reads an
   * {@code /etc/hosts} that lists the network's names first, then the host's entries, so
   * {@code curl http://server:8080/} works; the host's file is not changed (docs/names.md).
   *
   * <pre>{@code
   * Process server = ns.exec("python3", "-m", "http.server", "8000");
   * ...
   * assertThat(ns.output(server)).contains("GET / HTTP/1.1");
   * }</pre>
   *
   * @throws java.io.UncheckedIOException when the program cannot be started, e.g. it is not on the PATH
   */
  public Process exec(String... command) {
    if (command == null || command.length == 0) {
      throw new IllegalArgumentException("NetNs.exec(): give the program and its arguments, e.g. exec(\"sleep\", \"60\")");
    }
    for (int i = 0; i < command.length; i++) {
      if (command[i] == null) {
        throw new IllegalArgumentException("NetNs.exec" + Arrays.toString(command).replace('[', '(')
            .replace(']', ')') + ": argument " + i + " is null; give every argument as a string");
      }
    }
    return exec(new ProcessBuilder(command));
  }

  /**
   * Starts {@code builder}'s process inside this namespace, as {@link #exec(String...)} does. Standard
   * output and error that the builder leaves as pipes are captured; other redirects are kept as given.
   */
  public Process exec(ProcessBuilder builder) {
    if (builder == null) {
      throw new IllegalArgumentException("NetNs.exec((ProcessBuilder) null): give a ProcessBuilder, e.g."
          + " exec(new ProcessBuilder(\"sleep\", \"60\").inheritIO())");
    }
    checkOpen("start a process in it");
    List<String> command = List.copyOf(builder.command());
    if (command.isEmpty()) {
      throw new IllegalArgumentException("NetNs.exec(builder): the builder has no command; give the program and"
          + " its arguments, e.g. new ProcessBuilder(\"sleep\", \"60\")");
    }
    return processes.exec(builder, command);
  }

  /**
   * Everything a process started by {@link #exec} of this namespace has written so far to its
   * standard output, then its standard error (after a {@code --- stderr ---} line), as UTF-8. Still
   * available after this namespace is closed (the last MiB of each). Streams the builder redirected
   * elsewhere are not captured.
   *
   * @throws IllegalArgumentException if {@code process} was not started by this namespace's exec
   */
  public String output(Process process) {
    if (!processes.started(process)) {
      throw new IllegalArgumentException("NetNs.output(" + process + "): only processes started by exec() of netns "
          + label() + " are captured; start it with ns.exec(...)");
    }
    return processes.output(process);
  }

  /**
   * Starts recording every interface of this namespace, {@code lo} included:
   * {@code try (Capture c = ns.capture()) { ...; c.writeTo(Path.of("ns.pcapng")); }}. Needs
   * {@code CAP_NET_RAW} over the namespace.
   */
  public Capture capture() {
    return Capture.of(List.of(this));
  }

  /** The interfaces of this namespace with their addresses, like {@code ip addr}, read over rtnetlink. */
  public List<Link> links() {
    checkOpen("list its links");
    return Link.readAll(this);
  }

  /** The interface called {@code name}, if there is one. */
  public Optional<Link> link(String name) {
    return links().stream().filter(l -> l.name().equals(name)).findFirst();
  }

  /**
   * Adds a route to the main table, like {@code ip route add DESTINATION via GATEWAY}:
   * {@code ns.addRoute("10.0.2.0/24", "10.0.1.1")} or {@code ns.addRoute("default", "fd00:1::1")}.
   * The gateway must be reachable on a link of this namespace.
   */
  public void addRoute(String destination, String via) {
    Routes.add(this, destination, via);
  }

  /**
   * Sets a sysctl of this namespace, like {@code ip netns exec NS sysctl -w NAME=VALUE}: e.g.
   * {@code ns.setSysctl("net.ipv4.ip_forward", "1")}. Only {@code net.*} settings belong to a
   * network namespace; they are written from a thread inside, as /proc/sys/net follows the writer.
   */
  public void setSysctl(String name, String value) {
    Sysctl.set(this, name, value);
  }

  /** Reads a {@code net.*} sysctl of this namespace, e.g. {@code sysctl("net.ipv4.ip_forward")} is {@code "1"}. */
  public String sysctl(String name) {
    return Sysctl.get(this, name);
  }

  /**
   * Makes this namespace, a router, rewrite the source address of the packets it forwards out of
   * {@code outInterface} to that interface's own address, like
   * {@code iptables -t nat -A POSTROUTING -o eth1 -j MASQUERADE} (source NAT); replies are
   * translated back. So a server behind the router sees the router, and needs no route back to
   * the clients' network. Done with nf_tables over netlink (a {@code nat} chain on
   * {@code postrouting} in a table of its own, {@code inet junit_netns_nat}), IPv4 and IPv6,
   * inside this namespace only. Masquerading an interface twice is harmless.
   *
   * <pre>{@code
   * @IsolatedNetNs({"client", "server"})
   * @IsolatedNetNs(value = "router", forwarding = true)
   * @VethLink(left = "client", right = "router", subnet = "10.0.1.0/24")
   * @VethLink(left = "router", right = "server", subnet = "10.0.2.0/24")   // router's eth1
   * ...
   * net.ns("client").addRoute("default", "10.0.1.2");
   * net.ns("router").masquerade("eth1");        // the server sees 10.0.2.1, and needs no route back
   * }</pre>
   *
   * <p>It stays until {@link #unmasquerade} or until the namespace is gone; a handle on a namespace
   * it did not create ({@link #open}) takes its masquerading back at {@link #close()}.
   *
   * @throws IllegalArgumentException if this namespace has no interface {@code outInterface}
   * @throws IllegalStateException if it does not forward (nothing would pass through to translate)
   * @throws NetNsException if the kernel refuses, e.g. one without nf_tables NAT support
   */
  public void masquerade(String outInterface) {
    Nat.masquerade(this, outInterface);
  }

  /** Stops {@link #masquerade masquerading} on {@code outInterface}; harmless when it is not. */
  public void unmasquerade(String outInterface) {
    Nat.unmasquerade(this, outInterface);
  }

  /**
   * A readable account of this namespace, like {@code ip addr} followed by {@code ip route}:
   * interfaces with state, addresses and counters, then the routes of the main table.
   */
  public String describe() {
    return Description.of(this);
  }

  /**
   * Kills the processes started by {@link #exec} and releases this handle. The kernel removes the
   * namespace once nothing else refers to it: no other handle, pin, process or thread inside.
   * Closing twice is harmless. The handle of {@link #host()} is never closed: this does nothing
   * to it (and processes its {@code exec} started run on until they end, or the JVM does).
   */
  @Override
  public void close() {
    if (host) {
      return;
    }
    if (!handle.owned() && !handle.isClosed()) {
      Nat.release(this); // a namespace we did not create outlives the handle: take our rules back
    }
    if (handle.beginClose()) {
      processes.closeAll();
      handle.release();
    }
  }

  /** Two handles are equal when they refer to the same namespace. */
  @Override
  public boolean equals(Object other) {
    return other instanceof NetNs && ((NetNs) other).id().equals(id());
  }

  @Override
  public int hashCode() {
    return id().hashCode();
  }

  @Override
  public String toString() {
    return "NetNs[" + label() + " " + id() + (isClosed() ? " closed" : "") + "]";
  }

  // ---- inside the library ----

  /** This namespace's rtnetlink operations; they refuse once it is closed and throw {@link NetNsException}. */
  RtnlClient client() {
    return client;
  }

  /** The holders of this namespace's fault rules (through this handle). */
  Faults.Ledger faults() {
    return faults;
  }

  /** The holders of the shaping of arrivals in this namespace (through this handle). */
  Shaper.Ledger shaping() {
    return shaping;
  }

  /** junit-netns's nf_tables table in this namespace (through this handle). */
  Firewall firewall() {
    return firewall;
  }

  /** Who masqueraded what here, through this handle. */
  Nat.Ledger natLedger() {
    return nat;
  }

  /** An nf_tables client for this namespace's NAT; each call opens and closes its own socket. */
  NftClient nat() {
    return Netfilter.client(handle);
  }

  /** The namespace core: descriptor, identity, label, socket. */
  NsHandle handle() {
    return handle;
  }

  /** The processes exec started here, with the end of their output, for failure reports; empty if none. */
  String processReport() {
    return processes.report();
  }

  /** Refuses use after {@link #close()}; {@code action} completes "cannot ...", e.g. "list its links". */
  void checkOpen(String action) {
    handle.checkOpen(action);
  }

  @SuppressWarnings("unchecked")
  private static <X extends Throwable> RuntimeException sneaky(Throwable t) throws X {
    throw (X) t;
  }
}
