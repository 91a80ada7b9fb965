package io.github.junitnetns.internal.ns;

import com.sun.jna.Memory;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

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

    Resident(int tid, String kernelName, String namespaceId) {
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

  private Residents() {}

  /** The threads of this JVM, other than carriers, whose network namespace is one of {@code namespaceIds}. */
  public static List<Resident> inside(Set<String> namespaceIds) {
    List<Resident> found = new ArrayList<>();
    if (namespaceIds.isEmpty()) {
      return found;
    }
    try (DirectoryStream<Path> tasks = Files.newDirectoryStream(Path.of("/proc/self/task"))) {
      for (Path task : tasks) {
        int tid = Integer.parseInt(task.getFileName().toString());
        if (Carrier.isCarrier(tid)) {
          continue;
        }
        String id;
        try {
          id = Files.readSymbolicLink(task.resolve("ns/net")).toString();
        } catch (IOException e) {
          continue; // the thread ended meanwhile
        }
        if (namespaceIds.contains(id)) {
          found.add(new Resident(tid, kernelName(task), id));
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("junit-netns: cannot list the JVM's threads in /proc/self/task", e);
    }
    return found;
  }

  /**
   * Describes each resident for a failure message: its Java name when one Java thread matches its
   * kernel name, with the top of that thread's stack, which usually shows what was not stopped.
   */
  public static String describe(List<Resident> residents, Map<String, String> namespaceLabels) {
    Map<Thread, StackTraceElement[]> stacks = Thread.getAllStackTraces();
    StringBuilder out = new StringBuilder();
    for (Resident resident : residents) {
      List<Thread> candidates = new ArrayList<>();
      for (Thread thread : stacks.keySet()) {
        String name = thread.getName();
        if (name.equals(resident.kernelName) || (resident.kernelName.length() == 15 && name.startsWith(resident.kernelName))) {
          candidates.add(thread);
        }
      }
      String where = namespaceLabels.getOrDefault(resident.namespaceId, resident.namespaceId);
      out.append("  - ");
      if (candidates.size() == 1) {
        Thread thread = candidates.get(0);
        out.append('"').append(thread.getName()).append("\" (tid ").append(resident.tid).append(", in netns ")
            .append(where).append(", ").append(thread.getState()).append(")\n");
        StackTraceElement[] stack = stacks.get(thread);
        for (int i = 0; i < Math.min(stack.length, 8); i++) {
          StackTraceElement frame = stack[i];
          out.append("        at ").append(frame.getClassName()).append('.').append(frame.getMethodName()).append('(')
              .append(frame.isNativeMethod() ? "Native Method"
                  : frame.getFileName() == null ? "Unknown Source" : frame.getFileName() + ":" + frame.getLineNumber())
              .append(")\n");
        }
      } else {
        out.append('"').append(resident.kernelName).append("\" (tid ").append(resident.tid).append(", in netns ")
            .append(where).append(")\n");
      }
    }
    return out.toString();
  }

  private static String kernelName(Path task) {
    try {
      return new String(Files.readAllBytes(task.resolve("comm")), StandardCharsets.UTF_8).trim();
    } catch (IOException e) {
      return "?";
    }
  }
}
