package io.github.junitnetns;

import io.github.junitnetns.internal.linux.ErrnoException;
import io.github.junitnetns.internal.linux.Syscalls;
import io.github.junitnetns.internal.netlink.AddressMessage;
import io.github.junitnetns.internal.netlink.LinkMessage;
import io.github.junitnetns.internal.netlink.NetlinkSocket;
import io.github.junitnetns.internal.netlink.NlMessage;
import io.github.junitnetns.internal.netlink.NlReply;
import io.github.junitnetns.internal.netlink.Requests;
import io.github.junitnetns.internal.netlink.RouteMessage;
import io.github.junitnetns.internal.netlink.Rtnl;
import io.github.junitnetns.internal.ns.Carrier;
import io.github.junitnetns.internal.ns.JdkNio;
import io.github.junitnetns.internal.ns.NetNsAccess;
import io.github.junitnetns.internal.ns.Namespaces;
import io.github.junitnetns.internal.ns.VirtualThreads;
import io.github.junitnetns.internal.ns.Watchdog;
import io.github.junitnetns.internal.net.Addresses;
import io.github.junitnetns.internal.net.Cidr;
import java.net.InetAddress;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.ReadWriteLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;

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
 * <p>Needs CAP_SYS_ADMIN: run as root, with sudo, or rootless under {@code unshare -Urn}.
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
  private static final AtomicInteger EXEC_COUNT = new AtomicInteger();
  private static final long PROCESS_EXIT_WAIT_MILLIS = 5_000;

  static {
    NetNsAccess.register(new Access());
    JdkNio.settleOnHost(); // before any thread of this library enters a namespace
  }

  // Final but for a spare namespace, which is labelled once when it is handed out (see Access.adopt).
  private volatile String label;
  private final int fd;
  private final String id;
  // setns(fd) and close(fd) must not race: a closed descriptor number may be reused at once.
  private final ReadWriteLock fdLock = new ReentrantReadWriteLock();
  private final List<ExecProcess> processes = new CopyOnWriteArrayList<>();
  /** Created by this library (not opened): everything inside is ours to kill. */
  private final boolean owned;
  private final java.util.concurrent.atomic.AtomicBoolean watched = new java.util.concurrent.atomic.AtomicBoolean();
  private volatile boolean closed;
  private final java.util.concurrent.atomic.AtomicBoolean closing = new java.util.concurrent.atomic.AtomicBoolean();
  private NetlinkSocket netlink; // guarded by this

  private NetNs(String label, int fd, String id, NetlinkSocket netlink, boolean owned) {
    this.owned = owned;
    this.label = label;
    this.fd = fd;
    this.id = id;
    this.netlink = netlink;
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
    requireLabel(label, "create");
    Carrier carrier = Carrier.acquire();
    try {
      return carrier.call(() -> createOnCurrentThread(label));
    } catch (ErrnoException e) {
      throw toPublic(e);
    } catch (Throwable t) {
      throw NetNs.<RuntimeException>sneaky(t);
    } finally {
      carrier.release();
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
    int fd;
    try {
      fd = Syscalls.openReadOnly(path.toString());
    } catch (ErrnoException e) {
      throw toPublic(e);
    }
    String id = Namespaces.idOfFd(fd);
    if (!id.startsWith("net:[")) {
      Syscalls.closeQuietly(fd);
      throw new IllegalArgumentException("NetNs.open(" + path + "): not a network namespace but "
          + id + "; give /run/netns/NAME or /proc/PID/ns/net");
    }
    return new NetNs(path.toString(), fd, id, null, false);
  }

  /** Opens the namespace of a running process, like {@code ip netns exec} does via {@code /proc/PID/ns/net}. */
  public static NetNs ofPid(long pid) {
    if (pid <= 0) {
      throw new IllegalArgumentException("NetNs.ofPid(" + pid + "): a pid is a positive number, e.g. ProcessHandle.current().pid()");
    }
    try {
      return open(Path.of("/proc/" + pid + "/ns/net"));
    } catch (NetNsException e) {
      if (e.errno() == io.github.junitnetns.internal.linux.Errno.ENOENT) {
        throw new NetNsException(e.operation(), e.object(), e.errno(), "NetNs.ofPid(" + pid + "): no process " + pid
            + " is running (it has ended, or the pid is wrong); give the pid of a live process, e.g. process.pid()");
      }
      if (e.errno() == io.github.junitnetns.internal.linux.Errno.EACCES) {
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
    return label;
  }

  /** The kernel's identity of this namespace, as {@code lsns} and {@code ls -l /proc/PID/ns} show it: {@code net:[4026532301]}. */
  public String id() {
    return id;
  }

  public boolean isClosed() {
    return closed;
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
    checkOpen("run code in it");
    if (Namespaces.currentThreadId().equals(id)) {
      return action.call();
    }
    Carrier carrier = Carrier.acquire();
    carrier.rename(label);
    try {
      return carrier.call(() -> {
        enterOnCurrentThread();
        return action.call();
      });
    } catch (ErrnoException e) {
      throw toPublic(e);
    } catch (Throwable t) {
      throw NetNs.<RuntimeException>sneaky(t);
    } finally {
      carrier.release();
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
          enterOnCurrentThread();
        } catch (ErrnoException e) {
          throw toPublic(e);
        }
        task.run();
      }, label + "-thread-" + count.incrementAndGet());
    };
  }

  /**
   * Starts a process inside this namespace, e.g. {@code ns.exec("python3", "-m", "http.server", "8000")}.
   * The process (with its descendants) is killed when this namespace is closed, and also when the
   * JVM dies, even by SIGKILL. Its output is captured: read it from {@link Process#getInputStream()}
   * as usual, or all at once with {@link #output(Process)}; a failing test's report shows its end.
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
        throw new IllegalArgumentException("NetNs.exec" + java.util.Arrays.toString(command).replace('[', '(')
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
    String what = "exec " + command + " in netns " + label;
    Watchdog watchdog = Watchdog.get();
    ProcessBuilder launch = copyOf(builder);
    Path outFile = null;
    Path errFile = null;
    try {
      if (watchdog != null) {
        String base = label.replaceAll("[^A-Za-z0-9._-]+", "_") + "-" + EXEC_COUNT.incrementAndGet();
        if (builder.redirectOutput() == ProcessBuilder.Redirect.PIPE) {
          outFile = java.nio.file.Files.createFile(watchdog.captureDirectory().resolve(base + ".out"));
          launch.redirectOutput(outFile.toFile());
        }
        if (!builder.redirectErrorStream() && builder.redirectError() == ProcessBuilder.Redirect.PIPE) {
          errFile = java.nio.file.Files.createFile(watchdog.captureDirectory().resolve(base + ".err"));
          launch.redirectError(errFile.toFile());
        }
      }
      Process process = start(launch, command, watchdog);
      ExecProcess started = new ExecProcess(process, command, outFile, errFile);
      processes.add(started);
      return started;
    } catch (java.io.IOException e) {
      deleteQuietly(outFile);
      deleteQuietly(errFile);
      throw new java.io.UncheckedIOException(what + ": " + e.getMessage(), e);
    }
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
    if (!(process instanceof ExecProcess) || !processes.contains(process)) {
      throw new IllegalArgumentException("NetNs.output(" + process + "): only processes started by exec() of netns "
          + label + " are captured; start it with ns.exec(...)");
    }
    return ((ExecProcess) process).output();
  }

  /**
   * Starts the process so that it is inside this namespace from its first instruction. With
   * nsenter(1) it is forked by a thread in the JVM's initial namespace, which matters: the JDK
   * starts a "process reaper" thread from the forking thread, and one forked from inside would stay
   * in this namespace (keeping it alive) for a minute after the process ends.
   */
  private Process start(ProcessBuilder launch, List<String> command, Watchdog watchdog) throws java.io.IOException {
    String nsenter = Programs.nsenter();
    Process process;
    if (nsenter == null) {
      watch(watchdog);
      try {
        process = call(launch::start);
      } catch (java.io.IOException | RuntimeException e) {
        throw e;
      } catch (Throwable t) {
        throw new IllegalStateException(t);
      }
    } else {
      List<String> full = new ArrayList<>();
      full.add(nsenter);
      full.add("--net=/proc/" + ProcessHandle.current().pid() + "/fd/" + fd);
      full.add("--");
      full.add(Programs.resolve(command.get(0), launch.directory()));
      full.addAll(command.subList(1, command.size()));
      launch.command(full);
      fdLock.readLock().lock(); // until the child is inside: the descriptor it opens must stay ours
      try {
        checkOpen("start a process in it");
        watch(watchdog);
        Carrier carrier = Carrier.acquire();
        try {
          process = carrier.call(launch::start);
        } catch (java.io.IOException | RuntimeException e) {
          throw e;
        } catch (Throwable t) {
          throw new IllegalStateException(t);
        } finally {
          carrier.release();
        }
        awaitInside(process);
      } finally {
        fdLock.readLock().unlock();
      }
    }
    if (!owned && watchdog != null) {
      long pid = process.pid();
      watchdog.watchProcess(pid);
      process.onExit().thenRun(() -> watchdog.forgetProcess(pid));
    }
    return process;
  }

  /** Tells the watchdog, once, to empty this namespace if the JVM dies; only for namespaces we created. */
  private void watch(Watchdog watchdog) {
    if (owned && watchdog != null && watched.compareAndSet(false, true)) {
      watchdog.watchNamespace(Namespaces.inode(id));
    }
  }

  /** Waits until nsenter has moved the child inside (or it has ended), at most a few seconds. */
  private void awaitInside(Process process) {
    Path link = Path.of("/proc/" + process.pid() + "/ns/net");
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
    while (process.isAlive() && System.nanoTime() < deadline) {
      try {
        if (java.nio.file.Files.readSymbolicLink(link).toString().equals(id)) {
          return;
        }
        Thread.sleep(0, 200_000);
      } catch (java.io.IOException e) {
        return; // gone
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
  }

  private static ProcessBuilder copyOf(ProcessBuilder builder) {
    ProcessBuilder copy = new ProcessBuilder(builder.command());
    copy.directory(builder.directory());
    copy.environment().clear();
    copy.environment().putAll(builder.environment());
    copy.redirectInput(builder.redirectInput());
    copy.redirectOutput(builder.redirectOutput());
    copy.redirectError(builder.redirectError());
    copy.redirectErrorStream(builder.redirectErrorStream());
    return copy;
  }

  private static void deleteQuietly(Path file) {
    if (file != null) {
      try {
        java.nio.file.Files.deleteIfExists(file);
      } catch (java.io.IOException ignored) {
        // the watchdog removes the directory when the JVM ends
      }
    }
  }

  /** The interfaces of this namespace with their addresses, like {@code ip addr}, read over rtnetlink. */
  public List<Link> links() {
    checkOpen("list its links");
    try {
      NetlinkSocket socket = netlinkSocket();
      List<NlReply> linkReplies = socket.dump(Requests.getLinks(label));
      List<NlReply> addressReplies = socket.dump(Requests.getAddresses(label));
      List<AddressMessage> addresses = new ArrayList<>(addressReplies.size());
      for (NlReply reply : addressReplies) {
        addresses.add(AddressMessage.decode(reply));
      }
      List<Link> links = new ArrayList<>(linkReplies.size());
      for (NlReply reply : linkReplies) {
        links.add(new Link(this, LinkMessage.decode(reply), addresses));
      }
      return links;
    } catch (ErrnoException e) {
      throw toPublic(e);
    }
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
    String what = "addRoute(\"" + destination + "\", \"" + via + "\") in netns " + label;
    InetAddress gateway;
    Cidr target;
    try {
      gateway = Cidr.parseHost(via);
      target = "default".equals(destination)
          ? Cidr.parse(gateway instanceof java.net.Inet6Address ? "::/0" : "0.0.0.0/0")
          : Cidr.parseSubnet(destination);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(what + ": " + e.getMessage(), e);
    }
    if (target.isIpv6() != (gateway instanceof java.net.Inet6Address)) {
      throw new IllegalArgumentException(what + ": the destination and the gateway mix IPv4 and IPv6; use one family");
    }
    netlink(Requests.newRoute(target.bytes(), target.prefixLength(), gateway.getAddress(),
        destination + " via " + via + " in netns " + label));
  }

  /**
   * Sets a sysctl of this namespace, like {@code ip netns exec NS sysctl -w NAME=VALUE}: e.g.
   * {@code ns.setSysctl("net.ipv4.ip_forward", "1")}. Only {@code net.*} settings belong to a
   * network namespace; they are written from a thread inside, as /proc/sys/net follows the writer.
   */
  public void setSysctl(String name, String value) {
    Path path = sysctlPath(name, "setSysctl");
    if (value == null) {
      throw new IllegalArgumentException("setSysctl(\"" + name + "\", null): give a value, e.g. \"1\"");
    }
    try {
      run(() -> writeProcFile(path, value));
    } catch (java.io.IOException e) {
      throw sysctlFailure("setSysctl(\"" + name + "\", \"" + value + "\")", "write", path, e);
    }
  }

  /** Reads a {@code net.*} sysctl of this namespace, e.g. {@code sysctl("net.ipv4.ip_forward")} is {@code "1"}. */
  public String sysctl(String name) {
    Path path = sysctlPath(name, "sysctl");
    try {
      return call(() -> readProcFile(path)).trim();
    } catch (java.io.IOException e) {
      throw sysctlFailure("sysctl(\"" + name + "\")", "read", path, e);
    }
  }

  private java.io.UncheckedIOException sysctlFailure(String call, String verb, Path path, java.io.IOException e) {
    String why = e instanceof java.nio.file.NoSuchFileException
        ? "this kernel has no such setting; check the name (`sysctl -a | grep net.` lists them)"
        : e.getMessage();
    return new java.io.UncheckedIOException(call + " in netns " + label + ": cannot " + verb + " " + path + ": " + why, e);
  }

  /**
   * Reads a /proc/sys file in one read(2): such files report size 0, and their handlers answer a
   * read at a non-zero offset with end-of-file, so reading in small steps (as Files.readString does
   * for size-0 files) returns only the first byte.
   */
  static String readProcFile(Path path) throws java.io.IOException {
    try (java.io.InputStream in = java.nio.file.Files.newInputStream(path)) {
      byte[] buffer = new byte[8192];
      int length = Math.max(0, in.read(buffer));
      return new String(buffer, 0, length, java.nio.charset.StandardCharsets.US_ASCII);
    }
  }

  /** Writes a /proc/sys file in one write(2), as sysctl(8) does. */
  static void writeProcFile(Path path, String value) throws java.io.IOException {
    try (java.nio.channels.FileChannel channel = java.nio.channels.FileChannel.open(path,
        java.nio.file.StandardOpenOption.WRITE)) {
      java.nio.ByteBuffer bytes = java.nio.ByteBuffer.wrap(value.getBytes(java.nio.charset.StandardCharsets.US_ASCII));
      if (channel.write(bytes) != bytes.capacity()) {
        throw new java.io.IOException("short write of \"" + value + "\" to " + path);
      }
    }
  }

  private static Path sysctlPath(String name, String method) {
    if (name == null || !name.matches("net\\.[A-Za-z0-9_.\\-]+") || name.contains("..")) {
      throw new IllegalArgumentException(method + "(\"" + name + "\"): give a net.* sysctl such as"
          + " net.ipv4.ip_forward; other sysctls are not per network namespace");
    }
    return Path.of("/proc/sys", name.replace('.', '/'));
  }

  /**
   * A readable account of this namespace, like {@code ip addr} followed by {@code ip route}:
   * interfaces with state, addresses and counters, then the routes of the main table.
   */
  public String describe() {
    if (closed) {
      return "netns " + label + " " + id + " (closed)\n";
    }
    StringBuilder out = new StringBuilder();
    out.append("netns ").append(label).append(' ').append(id).append('\n');
    List<Link> links = links();
    for (Link link : links) {
      out.append(link.describe(links));
    }
    out.append("routes:\n");
    try {
      NetlinkSocket socket = netlinkSocket();
      for (int family : new int[] {Rtnl.AF_INET, Rtnl.AF_INET6}) {
        for (NlReply reply : socket.dump(Requests.getRoutes(family, label))) {
          RouteMessage route = RouteMessage.decode(reply);
          if (route.table == Rtnl.RT_TABLE_MAIN) {
            out.append("    ").append(Routes.format(route, links)).append('\n');
          }
        }
      }
    } catch (ErrnoException e) {
      out.append("    (cannot list routes: ").append(e.getMessage()).append(")\n");
    }
    List<InetAddress> dropped = droppedSources();
    if (!dropped.isEmpty()) {
      out.append("faults: drops packets from");
      dropped.forEach(a -> out.append(' ').append(Addresses.format(a)));
      out.append('\n');
    }
    return out.toString();
  }

  /**
   * Kills the processes started by {@link #exec} and releases this handle. The kernel removes the
   * namespace once nothing else refers to it: no other handle, pin, process or thread inside.
   * Closing twice is harmless.
   */
  @Override
  public void close() {
    if (!closing.compareAndSet(false, true)) {
      return; // closed already, or by another thread right now: the descriptor is closed exactly once
    }
    closed = true;
    for (Process process : processes) {
      process.descendants().forEach(ProcessHandle::destroyForcibly);
      process.destroyForcibly();
    }
    if (owned && !processes.isEmpty()) {
      killProcessesInside(); // also those that daemonized away from the ones we started
    }
    for (ExecProcess process : processes) {
      try {
        process.waitFor(PROCESS_EXIT_WAIT_MILLIS, TimeUnit.MILLISECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        break;
      }
    }
    processes.forEach(ExecProcess::finish);
    if (watched.get()) {
      Watchdog watchdog = Watchdog.get();
      if (watchdog != null) {
        watchdog.forgetNamespace(Namespaces.inode(id));
      }
    }
    fdLock.writeLock().lock();
    try {
      synchronized (this) {
        if (netlink != null) {
          netlink.close();
        }
      }
      Syscalls.closeQuietly(fd);
    } finally {
      fdLock.writeLock().unlock();
    }
  }

  /** Two handles are equal when they refer to the same namespace. */
  @Override
  public boolean equals(Object other) {
    return other instanceof NetNs && ((NetNs) other).id.equals(id);
  }

  @Override
  public int hashCode() {
    return id.hashCode();
  }

  @Override
  public String toString() {
    return "NetNs[" + label + " " + id + (closed ? " closed" : "") + "]";
  }

  // ---- inside the library ----

  private static final int REPORT_LINES = 40;

  /** The processes started by exec, each with the end of its output; empty if there are none. */
  String processReport() {
    if (processes.isEmpty()) {
      return "";
    }
    StringBuilder report = new StringBuilder("processes started by exec in netns " + label + ":\n");
    for (ExecProcess process : processes) {
      report.append("  pid ").append(process.pid()).append(": ").append(String.join(" ", process.command()))
          .append(process.isAlive() ? " (running)" : " (exited with " + process.exitValue() + ")").append('\n');
      String[] lines = process.output().split("\n", -1);
      int end = lines.length > 0 && lines[lines.length - 1].isEmpty() ? lines.length - 1 : lines.length;
      int from = Math.max(0, end - REPORT_LINES);
      if (end == 0) {
        report.append("    (no output)\n");
      } else if (from > 0) {
        report.append("    (last ").append(REPORT_LINES).append(" lines of ").append(end).append(")\n");
      }
      for (int i = from; i < end; i++) {
        report.append("    | ").append(lines[i]).append('\n');
      }
    }
    return report.toString();
  }

  /** Kills every other process whose network namespace is this one, as {@code ip netns pids} finds them. */
  private void killProcessesInside() {
    String me = id();
    long self = ProcessHandle.current().pid();
    try (java.util.stream.Stream<Path> entries = java.nio.file.Files.list(Path.of("/proc"))) {
      entries.map(p -> p.getFileName().toString()).filter(n -> n.chars().allMatch(Character::isDigit))
          .mapToLong(Long::parseLong).filter(pid -> pid != self)
          .filter(pid -> {
            try {
              return java.nio.file.Files.readSymbolicLink(Path.of("/proc/" + pid + "/ns/net")).toString().equals(me);
            } catch (java.io.IOException | SecurityException e) {
              return false; // gone, or not ours to see
            }
          })
          .forEach(pid -> ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly));
    } catch (java.io.IOException e) {
      // /proc unreadable: the processes we started were killed above
    }
  }

  // Faults. Namespace-local policy rules, marked RTPROT_JUNIT_NETNS: the kernel holds the state.
  private static final int DROP_PRIORITY = 10;
  private static final int MOVED_LOCAL_PRIORITY = 100;

  /**
   * Drops packets from {@code sources} silently where they arrive, before the local table is
   * consulted: like a firewall DROP, the sender sees only timeouts. Applying it twice is harmless.
   */
  void dropFrom(java.util.Collection<InetAddress> sources) {
    checkOpen("drop traffic in it");
    try {
      NetlinkSocket socket = netlinkSocket();
      for (InetAddress source : sources) {
        int family = source instanceof java.net.Inet6Address ? Rtnl.AF_INET6 : Rtnl.AF_INET;
        moveLocalRuleBehindFaults(socket, family);
        String object = "from " + Addresses.format(source) + " blackhole in netns " + label;
        executeTolerating(socket, Requests.newBlackholeRule(source.getAddress(), DROP_PRIORITY, object),
            io.github.junitnetns.internal.linux.Errno.EEXIST);
      }
    } catch (ErrnoException e) {
      throw toPublic(e);
    }
  }

  /** Removes this library's drop rules and puts the local rule back at priority 0, as before the first fault. */
  void healFaults() {
    if (closed) {
      return;
    }
    try {
      NetlinkSocket socket = netlinkSocket();
      for (int family : new int[] {Rtnl.AF_INET, Rtnl.AF_INET6}) {
        boolean moved = false;
        for (io.github.junitnetns.internal.netlink.RuleMessage rule : rules(socket, family)) {
          if (!rule.isOurs()) {
            continue;
          }
          if (rule.action == Rtnl.FR_ACT_BLACKHOLE && rule.source != null) {
            executeTolerating(socket, Requests.deleteBlackholeRule(rule.source.getAddress(), rule.priority,
                "from " + Addresses.format(rule.source) + " blackhole in netns " + label),
                io.github.junitnetns.internal.linux.Errno.ENOENT);
          } else if (rule.table == Rtnl.RT_TABLE_LOCAL && rule.priority == MOVED_LOCAL_PRIORITY) {
            moved = true;
          }
        }
        if (moved) {
          // Local lookup first back in place, then ours away: never a moment without it.
          executeTolerating(socket, Requests.newLocalRule(family, 0, Rtnl.RTPROT_KERNEL, "lookup local priority 0 in netns " + label),
              io.github.junitnetns.internal.linux.Errno.EEXIST);
          socket.execute(Requests.deleteLocalRule(family, MOVED_LOCAL_PRIORITY, "lookup local priority 100 in netns " + label));
        }
      }
    } catch (ErrnoException e) {
      throw toPublic(e);
    }
  }

  /** The sources this namespace drops now (this library's rules only). */
  List<InetAddress> droppedSources() {
    if (closed) {
      return List.of();
    }
    try {
      NetlinkSocket socket = netlinkSocket();
      List<InetAddress> sources = new ArrayList<>();
      for (int family : new int[] {Rtnl.AF_INET, Rtnl.AF_INET6}) {
        for (io.github.junitnetns.internal.netlink.RuleMessage rule : rules(socket, family)) {
          if (rule.isOurs() && rule.action == Rtnl.FR_ACT_BLACKHOLE && rule.source != null) {
            sources.add(rule.source);
          }
        }
      }
      return sources;
    } catch (ErrnoException e) {
      throw toPublic(e);
    }
  }

  private void moveLocalRuleBehindFaults(NetlinkSocket socket, int family) throws ErrnoException {
    boolean atZero = false;
    boolean moved = false;
    for (io.github.junitnetns.internal.netlink.RuleMessage rule : rules(socket, family)) {
      if (rule.table == Rtnl.RT_TABLE_LOCAL && rule.action == Rtnl.FR_ACT_TO_TBL) {
        atZero |= rule.priority == 0;
        moved |= rule.isOurs() && rule.priority == MOVED_LOCAL_PRIORITY;
      }
    }
    if (!moved) {
      socket.execute(Requests.newLocalRule(family, MOVED_LOCAL_PRIORITY, Rtnl.RTPROT_JUNIT_NETNS,
          "lookup local priority 100 in netns " + label));
    }
    if (atZero) {
      socket.execute(Requests.deleteLocalRule(family, 0, "lookup local priority 0 in netns " + label));
    }
  }

  private List<io.github.junitnetns.internal.netlink.RuleMessage> rules(NetlinkSocket socket, int family)
      throws ErrnoException {
    List<io.github.junitnetns.internal.netlink.RuleMessage> rules = new ArrayList<>();
    for (NlReply reply : socket.dump(Requests.getRules(family, label))) {
      rules.add(io.github.junitnetns.internal.netlink.RuleMessage.decode(reply));
    }
    return rules;
  }

  private static void executeTolerating(NetlinkSocket socket, NlMessage message, int harmlessErrno)
      throws ErrnoException {
    try {
      socket.execute(message);
    } catch (ErrnoException e) {
      if (e.errno() != harmlessErrno) {
        throw e;
      }
    }
  }

  /** Reads one link by name, with its addresses. */
  Link readLink(String name) {
    checkOpen("read its link " + name);
    try {
      NetlinkSocket socket = netlinkSocket();
      LinkMessage link = LinkMessage.decode(socket.get(Requests.getLink(name, label)));
      List<AddressMessage> addresses = new ArrayList<>();
      for (NlReply reply : socket.dump(Requests.getAddresses(label))) {
        addresses.add(AddressMessage.decode(reply));
      }
      return new Link(this, link, addresses);
    } catch (ErrnoException e) {
      throw toPublic(e);
    }
  }

  /**
   * Runs a request on this namespace's socket that names {@code other}'s descriptor (e.g.
   * IFLA_NET_NS_FD), holding {@code other} open meanwhile.
   */
  void netlinkNaming(NetNs other, java.util.function.IntFunction<NlMessage> request) {
    other.fdLock.readLock().lock();
    try {
      other.checkOpen("connect a cable to it");
      netlink(request.apply(other.fd));
    } finally {
      other.fdLock.readLock().unlock();
    }
  }

  void netlink(NlMessage message) {
    checkOpen("send " + message.operation() + " to it");
    try {
      netlinkSocket().execute(message);
    } catch (ErrnoException e) {
      throw toPublic(e);
    }
  }

  private NetlinkSocket netlinkSocket() throws ErrnoException {
    synchronized (this) {
      if (netlink != null) {
        return netlink;
      }
    }
    // A netlink socket acts on the namespace it was created in: open it from inside. Not under
    // this object's lock: the carrier needs the descriptor's read lock, which close() holds
    // exclusively while it waits for this lock.
    NetlinkSocket opened = call(() -> NetlinkSocket.open(label));
    synchronized (this) {
      if (netlink == null && !closed) {
        netlink = opened;
        return opened;
      }
    }
    opened.close();
    checkOpen("use it");
    return netlink;
  }

  private void enterOnCurrentThread() throws ErrnoException {
    fdLock.readLock().lock();
    try {
      checkOpen("enter it");
      Syscalls.setnsNet(fd, "netns " + label);
    } finally {
      fdLock.readLock().unlock();
    }
  }

  private static NetNs createOnCurrentThread(String label) throws ErrnoException {
    NetNs ns = createUncountedOnCurrentThread(label);
    NetNsAccess.countCreated();
    return ns;
  }

  private static NetNs createUncountedOnCurrentThread(String label) throws ErrnoException {
    Syscalls.unshareNet();
    int fd = Syscalls.openReadOnly(Namespaces.THREAD_SELF_NET.toString());
    NetlinkSocket netlink = null;
    try {
      netlink = NetlinkSocket.open(label);
      // A new namespace has only lo, and it is down (man 7 network_namespaces). Its index is 1.
      netlink.execute(Requests.linkUp(1, "lo@" + label));
      return new NetNs(label, fd, Namespaces.idOfFd(fd), netlink, true);
    } catch (ErrnoException | RuntimeException e) {
      if (netlink != null) {
        netlink.close();
      }
      Syscalls.closeQuietly(fd);
      throw e;
    }
  }

  /** Refuses use after {@link #close()}; {@code action} completes "cannot ...", e.g. "list its links". */
  void checkOpen(String action) {
    if (closed) {
      throw new IllegalStateException("netns " + label + " " + id + " is closed; cannot " + action + "."
          + " Close a namespace only after its last use (an @IsolatedNetNs test's namespaces are closed when"
          + " the test ends), or create a new one with NetNs.create().");
    }
  }

  private static void requireLabel(String label, String method) {
    if (label == null || label.isBlank()) {
      throw new IllegalArgumentException("NetNs." + method + "(label): the label is empty; give a name such as \"server\"");
    }
  }

  static NetNsException toPublic(ErrnoException e) {
    String detail = e.detail().isEmpty() ? "" : "kernel says: " + e.detail();
    if (e.errno() == io.github.junitnetns.internal.linux.Errno.EPERM) {
      detail += (detail.isEmpty() ? "" : "; ") + PRIVILEGES;
    }
    return new NetNsException(e.operation(), e.object(), e.errno(), detail);
  }

  /** What to do about EPERM, in the words of house rule 7. */
  static final String PRIVILEGES = "junit-netns needs CAP_SYS_ADMIN and CAP_NET_ADMIN: run as root, with sudo,"
      + " or rootless under `unshare --user --map-root-user --net` (unshare -Urn)";

  @SuppressWarnings("unchecked")
  private static <X extends Throwable> RuntimeException sneaky(Throwable t) throws X {
    throw (X) t;
  }

  private static final class Access extends NetNsAccess {
    @Override
    public NetNs createOnCurrentThread(String label) throws ErrnoException {
      VirtualThreads.refuse("Creating network namespace " + label);
      return NetNs.createOnCurrentThread(label);
    }

    @Override
    public NetNs createSpareOnCurrentThread() throws ErrnoException {
      VirtualThreads.refuse("Creating a spare network namespace");
      return NetNs.createUncountedOnCurrentThread("spare");
    }

    @Override
    public void adopt(NetNs spare, String label) {
      spare.label = label;
      synchronized (spare) {
        if (spare.netlink != null) {
          spare.netlink.rename(label);
        }
      }
      NetNsAccess.countCreated();
    }

    @Override
    public void enterOnCurrentThread(NetNs ns) throws ErrnoException {
      VirtualThreads.refuse("Entering netns " + ns.label);
      ns.enterOnCurrentThread();
    }

    @Override
    public NetNsException toPublic(ErrnoException e) {
      return NetNs.toPublic(e);
    }

    @Override
    public void bindMount(NetNs ns, Path target) throws ErrnoException {
      ns.fdLock.readLock().lock();
      try {
        ns.checkOpen("pin it");
        Syscalls.bindMount("/proc/self/fd/" + ns.fd, target.toString());
      } finally {
        ns.fdLock.readLock().unlock();
      }
    }

    @Override
    public String processReport(NetNs ns) {
      return ns.processReport();
    }

    @Override
    public NetNs openInitial() {
      try {
        int fd = Syscalls.openReadOnly("/proc/self/ns/net");
        return new NetNs("host", fd, Namespaces.idOfFd(fd), null, false);
      } catch (ErrnoException e) {
        throw NetNs.toPublic(e);
      }
    }

    @Override
    public Network newNetwork(java.util.Map<String, NetNs> namespaces, java.util.Map<String, Bridge> bridges,
        java.util.List<io.github.junitnetns.internal.ns.Attachment> attachments) {
      return new Network(namespaces, bridges, attachments);
    }
  }
}
