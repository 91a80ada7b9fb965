package io.github.junitnetns.internal.ns;

import com.sun.jna.Memory;
import io.github.junitnetns.internal.linux.ErrnoException;
import io.github.junitnetns.internal.linux.Syscalls;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * Threads of this JVM that are inside given network namespaces, found the way {@code ip netns pids}
 * finds processes: by reading {@code /proc/self/task/TID/ns/net}. Carriers are left out; they enter
 * namespaces on purpose and always go home.
 */
public final class Residents {
  /**
   * Kernel names (at most 15 characters) of threads the JDK (or JNA) starts for the whole JVM: the
   * process reaper, an HttpClient's selector, the CompletableFuture delayer, common-pool workers,
   * the cleaners.
   */
  private static final String[] JVM_WIDE = {"process reaper", "HttpClient-", "CompletableFutu", "ForkJoinPool.co",
      "JNA Cleaner", "Common-Cleaner"};

  /**
   * Starts, from the calling thread (which must be in the JVM's initial namespace), the JVM-wide
   * threads that live for ever once started: otherwise the first test to need one would start it
   * inside its namespace and keep that namespace alive until the JVM ends.
   */
  public static void startJvmWideThreadsHere() {
    CompletableFuture.delayedExecutor(1, TimeUnit.NANOSECONDS).execute(() -> {});
    new Memory(1).close(); // JNA's cleaner thread
  }

  /** One thread inside: kernel id, kernel name (the first 15 characters of the Java name), namespace. */
  public static final class Resident {
    public final int tid;
    public final String kernelName;
    public final String namespaceId;

    public Resident(int tid, String kernelName, String namespaceId) {
      this.tid = tid;
      this.kernelName = kernelName;
      this.namespaceId = namespaceId;
    }

    /**
     * Whether this is a thread the JDK (or JNA) starts on first use from whichever thread needs it,
     * and which the test cannot stop: it inherited the namespace of the test's thread.
     */
    public boolean isJvmWide() {
      for (String prefix : JVM_WIDE) {
        if (kernelName.startsWith(prefix)) {
          return true;
        }
      }
      return false;
    }
  }

  private static final Path TASKS = Path.of("/proc/self/task");
  /** Kernel ids of the library's own threads that never leave the JVM's initial namespace ({@link #homebound}). */
  private static final Set<Integer> HOMEBOUND = ConcurrentHashMap.newKeySet();

  private Residents() {}

  /**
   * Runs {@code body} on the calling thread, a thread of the library's own that never enters a
   * namespace (the capture reader and closers, the spare and prebuild threads), with the leak
   * check skipping it meanwhile, as it skips carriers. Its kernel id cannot stand for another
   * thread while it runs: the kernel reuses a thread id only after the thread has ended.
   */
  public static void homebound(Runnable body) {
    Integer tid = Namespaces.currentTid();
    HOMEBOUND.add(tid);
    try {
      body.run();
    } finally {
      HOMEBOUND.remove(tid);
    }
  }

  /**
   * The threads of this JVM, other than carriers and {@linkplain #homebound homebound} threads,
   * whose network namespace is one of {@code namespaceIds}. It runs after every test, and each
   * thread looked at costs a /proc lookup (2-3 us in the kernel alone; a JVM has a few dozen
   * threads, the capture's 17 among them): so the library's own threads are skipped, and each link
   * is read with one {@code readlinkat(2)} relative to {@code /proc/self/task}.
   */
  public static List<Resident> inside(Set<String> namespaceIds) {
    List<Resident> found = new ArrayList<>();
    if (namespaceIds.isEmpty()) {
      return found;
    }
    byte[] link = new byte[64]; // "net:[4026531840]"
    int dir;
    try {
      dir = Syscalls.openDirectory(TASKS.toString());
    } catch (ErrnoException e) {
      throw new IllegalStateException("junit-netns: cannot list the JVM's threads: " + e.getMessage(), e);
    }
    try (DirectoryStream<Path> tasks = Files.newDirectoryStream(TASKS)) {
      for (Path task : tasks) {
        String name = task.getFileName().toString();
        int tid = Integer.parseInt(name);
        if (Carrier.isCarrier(tid) || HOMEBOUND.contains(tid)) {
          continue;
        }
        int length = Syscalls.readLinkAt(dir, (name + "/ns/net\0").getBytes(StandardCharsets.US_ASCII), link);
        if (length < 0) {
          continue; // the thread ended meanwhile
        }
        String id = new String(link, 0, length, StandardCharsets.US_ASCII);
        if (namespaceIds.contains(id)) {
          found.add(new Resident(tid, kernelName(task), id));
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("junit-netns: cannot list the JVM's threads in " + TASKS, e);
    } catch (ErrnoException e) {
      throw new IllegalStateException("junit-netns: cannot read a thread's namespace: " + e.getMessage(), e);
    } finally {
      Syscalls.closeQuietly(dir);
    }
    return found;
  }

  /**
   * A resident with its Java name and stack, from the thread dump when it lists the thread (by
   * kernel thread id). {@code cutBecause} says why only the kernel's name, cut to 15 characters,
   * is known (the dump is unavailable, or did not list the thread, and no single Java thread has
   * that name); null when {@code name} is the Java name.
   */
  public record Named(Resident resident, String name, String cutBecause, String state, List<String> frames) {
    /** Whether {@code name} is the thread's Java name, not the kernel's cut one. */
    public boolean fullName() {
      return cutBecause == null;
    }

    /**
     * Whether a frame of the stack is in {@code where}: a method ({@code
     * java.util.concurrent.ThreadPoolExecutor.runWorker}) or a class with its nested classes.
     */
    public boolean runs(String where) {
      return frames.stream().anyMatch(f -> f.startsWith(where + "(") || f.startsWith(where + ".")
          || f.startsWith(where + "$"));
    }
  }

  /** How many frames of a thread's stack a report shows: enough to pass a pool's own waiting frames. */
  public static final int FRAMES_SHOWN = 12;

  /**
   * Names each resident by its kernel thread id in {@code dump}. Without a dump (or for a thread it
   * does not list) a resident gets the Java name of the one live thread whose name matches its
   * kernel name, or else keeps its kernel name.
   */
  public static List<Named> name(List<Resident> residents, ThreadDump dump) {
    List<Named> named = new ArrayList<>();
    Map<Thread, StackTraceElement[]> stacks = null;
    for (Resident resident : residents) {
      Optional<ThreadDump.JavaThread> known = dump.thread(resident.tid);
      if (known.isPresent()) {
        ThreadDump.JavaThread thread = known.get();
        named.add(new Named(resident, thread.name(), null, thread.state(), thread.frames()));
        continue;
      }
      if (stacks == null) {
        stacks = Thread.getAllStackTraces();
      }
      List<Thread> candidates = new ArrayList<>();
      for (Thread thread : stacks.keySet()) {
        String name = thread.getName();
        if (name.equals(resident.kernelName)
            || (resident.kernelName.length() == 15 && name.startsWith(resident.kernelName))) {
          candidates.add(thread);
        }
      }
      if (candidates.size() == 1) {
        Thread thread = candidates.get(0);
        List<String> frames = new ArrayList<>();
        for (StackTraceElement frame : stacks.get(thread)) {
          frames.add(frame.getClassName() + "." + frame.getMethodName() + "(" + (frame.isNativeMethod() ? "Native Method"
              : frame.getFileName() == null ? "Unknown Source" : frame.getFileName() + ":" + frame.getLineNumber()) + ")");
        }
        named.add(new Named(resident, thread.getName(), null, thread.getState().name(), List.copyOf(frames)));
      } else {
        named.add(new Named(resident, resident.kernelName, dump.unavailable().orElse("the thread dump did not list"
            + " it"), "", List.of()));
      }
    }
    return named;
  }

  /**
   * Describes each named resident for a failure message: its Java name, kernel thread id,
   * namespace and state, with the top of its stack, which usually shows what was not stopped.
   * {@code extra} adds words after the namespace, e.g. which test it belongs to.
   */
  public static String describe(List<Named> residents, Map<String, String> namespaceLabels,
      Function<Named, String> extra) {
    StringBuilder out = new StringBuilder();
    String cut = null;
    for (Named named : residents) {
      Resident resident = named.resident();
      String where = namespaceLabels.getOrDefault(resident.namespaceId, resident.namespaceId);
      out.append("  - \"").append(named.name()).append("\" (tid ").append(resident.tid).append(", in netns ")
          .append(where).append(extra.apply(named)).append(named.state().isEmpty() ? "" : ", " + named.state())
          .append(")\n");
      List<String> frames = named.frames();
      for (int i = 0; i < Math.min(frames.size(), FRAMES_SHOWN); i++) {
        out.append("        at ").append(frames.get(i)).append('\n');
      }
      if (frames.size() > FRAMES_SHOWN) {
        out.append("        ... ").append(frames.size() - FRAMES_SHOWN).append(" more\n");
      }
      if (!named.fullName()) {
        cut = named.cutBecause();
      }
    }
    if (cut != null) {
      out.append("  (a name without a stack is the kernel's, cut to 15 characters: ").append(cut).append(")\n");
    }
    return out.toString();
  }

  /** {@link #describe(List, Map, Function)} with nothing added. */
  public static String describe(List<Named> residents, Map<String, String> namespaceLabels) {
    return describe(residents, namespaceLabels, named -> "");
  }

  private static String kernelName(Path task) {
    try {
      return new String(Files.readAllBytes(task.resolve("comm")), StandardCharsets.UTF_8).trim();
    } catch (IOException e) {
      return "?";
    }
  }
}
