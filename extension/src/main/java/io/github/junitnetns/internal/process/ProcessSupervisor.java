package io.github.junitnetns.internal.process;

import io.github.junitnetns.internal.linux.ErrnoException;
import io.github.junitnetns.internal.ns.Carrier;
import io.github.junitnetns.internal.ns.HostsMount;
import io.github.junitnetns.internal.ns.Namespaces;
import io.github.junitnetns.internal.ns.NsHandle;
import io.github.junitnetns.internal.ns.Watchdog;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.stream.Stream;

/**
 * The processes started inside one namespace: launched inside from their first instruction,
 * their output captured to files, registered with the {@link Watchdog} so that they die with the
 * JVM, and killed (with whatever else is inside a namespace we created) when the namespace closes.
 */
public final class ProcessSupervisor {
  private static final AtomicInteger EXEC_COUNT = new AtomicInteger();
  private static final long PROCESS_EXIT_WAIT_MILLIS = 5_000;
  private static final long INSIDE_WAIT_SECONDS = 5;
  private static final int REPORT_LINES = 40;
  private static final Path ETC_HOSTS = Path.of("/etc/hosts");

  private final NsHandle ns;
  private final Function<ErrnoException, ? extends RuntimeException> failures;
  private final Function<Path, String> hosts;
  private final List<ExecProcess> processes = new CopyOnWriteArrayList<>();
  private final AtomicBoolean watched = new AtomicBoolean();

  /**
   * @param failures what a failed system call becomes, e.g. the public exception
   * @param hosts given the host's /etc/hosts, what processes started here should read there
   *     instead (the names of the namespace's network first), or null to leave it as it is
   */
  public ProcessSupervisor(NsHandle ns, Function<ErrnoException, ? extends RuntimeException> failures,
      Function<Path, String> hosts) {
    this.ns = ns;
    this.failures = failures;
    this.hosts = hosts;
  }

  /**
   * Starts {@code builder}'s process inside, capturing standard output and error that the builder
   * leaves as pipes; {@code command} is the builder's command, checked by the caller.
   *
   * @throws UncheckedIOException when the program cannot be started
   */
  public Process exec(ProcessBuilder builder, List<String> command) {
    String what = "exec " + command + " in netns " + ns.label();
    Watchdog watchdog = Watchdog.get();
    ProcessBuilder launch = copyOf(builder);
    Path outFile = null;
    Path errFile = null;
    try {
      if (watchdog != null) {
        String base = ns.label().replaceAll("[^A-Za-z0-9._-]+", "_") + "-" + EXEC_COUNT.incrementAndGet();
        if (builder.redirectOutput() == ProcessBuilder.Redirect.PIPE) {
          outFile = Files.createFile(watchdog.captureDirectory().resolve(base + ".out"));
          launch.redirectOutput(outFile.toFile());
        }
        if (!builder.redirectErrorStream() && builder.redirectError() == ProcessBuilder.Redirect.PIPE) {
          errFile = Files.createFile(watchdog.captureDirectory().resolve(base + ".err"));
          launch.redirectError(errFile.toFile());
        }
      }
      Process process = start(launch, command, watchdog);
      ExecProcess started = new ExecProcess(process, command, outFile, errFile);
      processes.add(started);
      return started;
    } catch (IOException e) {
      deleteQuietly(outFile);
      deleteQuietly(errFile);
      throw new UncheckedIOException(what + ": " + e.getMessage(), e);
    }
  }

  /** Whether {@code process} was started here, so that its output was captured. */
  public boolean started(Process process) {
    return process instanceof ExecProcess && processes.contains(process);
  }

  /** Everything a process started here has written so far: standard output, then standard error. */
  public String output(Process process) {
    return ((ExecProcess) process).output();
  }

  /**
   * Starts the process so that it is inside this namespace from its first instruction. With
   * nsenter(1) it is forked by a thread in the JVM's initial namespace, which matters: the JDK
   * starts a "process reaper" thread from the forking thread, and one forked from inside would stay
   * in this namespace (keeping it alive) for a minute after the process ends.
   */
  private Process start(ProcessBuilder launch, List<String> command, Watchdog watchdog) throws IOException {
    String nsenter = Programs.nsenter();
    Process process;
    if (nsenter == null) {
      watch(watchdog);
      process = call(() -> ns.call(launch::start));
    } else {
      String program = Programs.resolve(command.get(0), launch.directory());
      String names = hosts.apply(ETC_HOSTS);
      HostsMount mount = names == null ? null : hostsMount(names);
      try {
        // The descriptor stays ours until the child is inside: nsenter opens it by number.
        process = ns.withFd("start a process in it", fd -> {
          List<String> full = new ArrayList<>();
          full.add(nsenter);
          full.add("--net=/proc/" + ProcessHandle.current().pid() + "/fd/" + fd);
          if (mount != null) {
            // Entering a mount namespace moves to its root (setns(2)): back to the directory it would have had.
            full.add("--mount=/proc/" + ProcessHandle.current().pid() + "/fd/" + mount.fd());
            full.add("--wd=" + (launch.directory() != null ? launch.directory().getAbsolutePath()
                : Path.of("").toAbsolutePath().toString()));
          }
          full.add("--");
          full.add(program);
          full.addAll(command.subList(1, command.size()));
          launch.command(full);
          watch(watchdog);
          Carrier carrier = Carrier.acquire();
          try {
            Process child = call(() -> carrier.call(launch::start));
            awaitInside(child);
            return child;
          } finally {
            carrier.release();
          }
        });
      } finally {
        if (mount != null) {
          mount.close(); // nsenter opened its own descriptors when it parsed its arguments
        }
      }
    }
    if (!ns.owned() && watchdog != null) {
      long pid = process.pid();
      watchdog.watchProcess(pid);
      process.onExit().thenRun(() -> watchdog.forgetProcess(pid));
    }
    return process;
  }

  /** A mount namespace whose /etc/hosts reads {@code content}; a failed system call as {@code failures} says. */
  private HostsMount hostsMount(String content) throws IOException {
    try {
      return HostsMount.create(content, ETC_HOSTS);
    } catch (ErrnoException e) {
      throw failures.apply(e);
    }
  }

  /** Runs {@code task}: an IOException or unchecked exception as it is, a failed system call as {@code failures} says. */
  private Process call(Carrier.Task<Process> task) throws IOException {
    try {
      return task.run();
    } catch (ErrnoException e) {
      throw failures.apply(e);
    } catch (IOException | RuntimeException e) {
      throw e;
    } catch (Throwable t) {
      throw new IllegalStateException(t);
    }
  }

  /** Tells the watchdog, once, to empty this namespace if the JVM dies; only for namespaces we created. */
  private void watch(Watchdog watchdog) {
    if (ns.owned() && watchdog != null && watched.compareAndSet(false, true)) {
      watchdog.watchNamespace(Namespaces.inode(ns.id()));
    }
  }

  /** Waits until nsenter has moved the child inside (or it has ended), at most a few seconds. */
  private void awaitInside(Process process) {
    Path link = Path.of("/proc/" + process.pid() + "/ns/net");
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(INSIDE_WAIT_SECONDS);
    while (process.isAlive() && System.nanoTime() < deadline) {
      try {
        if (Files.readSymbolicLink(link).toString().equals(ns.id())) {
          return;
        }
        Thread.sleep(0, 200_000);
      } catch (IOException e) {
        return; // gone
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
  }

  /**
   * Kills the processes started here with their descendants, and in a namespace we created
   * everything else inside too; waits a little for them to end, keeps the end of their output and
   * deletes the capture files.
   */
  public void closeAll() {
    for (Process process : processes) {
      process.descendants().forEach(ProcessHandle::destroyForcibly);
      process.destroyForcibly();
    }
    if (ns.owned() && !processes.isEmpty()) {
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
        watchdog.forgetNamespace(Namespaces.inode(ns.id()));
      }
    }
  }

  /** Kills every other process whose network namespace is this one, as {@code ip netns pids} finds them. */
  private void killProcessesInside() {
    String me = ns.id();
    long self = ProcessHandle.current().pid();
    try (Stream<Path> entries = Files.list(Path.of("/proc"))) {
      entries.map(p -> p.getFileName().toString()).filter(n -> n.chars().allMatch(Character::isDigit))
          .mapToLong(Long::parseLong).filter(pid -> pid != self)
          .filter(pid -> {
            try {
              return Files.readSymbolicLink(Path.of("/proc/" + pid + "/ns/net")).toString().equals(me);
            } catch (IOException | SecurityException e) {
              return false; // gone, or not ours to see
            }
          })
          .forEach(pid -> ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly));
    } catch (IOException e) {
      // /proc unreadable: the processes we started were killed above
    }
  }

  /** The processes started here, each with the end of its output; empty if there are none. */
  public String report() {
    if (processes.isEmpty()) {
      return "";
    }
    StringBuilder report = new StringBuilder("processes started by exec in netns " + ns.label() + ":\n");
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
        Files.deleteIfExists(file);
      } catch (IOException ignored) {
        // the watchdog removes the directory when the JVM ends
      }
    }
  }
}
