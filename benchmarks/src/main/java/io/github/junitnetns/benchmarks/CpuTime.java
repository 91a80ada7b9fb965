package io.github.junitnetns.benchmarks;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * CPU time used, in milliseconds, by group: this JVM's Java threads by what they do (a thread's name
 * says it; a carrier counts as a carrier whichever namespace it worked in), the rest of the process
 * ({@code jvm}: its compilers and collector, and threads that ended meanwhile), and the rest of the
 * machine ({@code other}, from {@code /proc/stat} in 10 ms ticks: the kernel's workers, which tear
 * namespaces down, and anything else running).
 *
 * <pre>{@code
 * CpuTime.Sample before = CpuTime.sample();
 * work();
 * Map<String, Double> used = CpuTime.since(before); // {junit=..., carriers=..., ..., other=...}
 * }</pre>
 */
final class CpuTime {
  private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();
  private static final com.sun.management.OperatingSystemMXBean PROCESS =
      (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
  private static final List<String> GROUPS = List.of("junit", "carriers", "spares", "prebuild", "capture_reader",
      "capture_closers", "jvm");

  private CpuTime() {}

  /** CPU time used so far: by each live thread of this JVM, and by the whole machine. */
  record Sample(Map<Long, Double> threads, double process, double machine) {}

  static Sample sample() {
    Map<Long, Double> threads = new HashMap<>();
    for (long id : THREADS.getAllThreadIds()) {
      long nanos = THREADS.getThreadCpuTime(id);
      if (nanos >= 0) {
        threads.put(id, nanos / 1e6);
      }
    }
    return new Sample(threads, PROCESS.getProcessCpuTime() / 1e6, machineMillis());
  }

  /**
   * What each group used since {@code before}, a thread's group by its name now (carriers change
   * their names as they go).
   */
  static Map<String, Double> since(Sample before) {
    Sample now = sample();
    Map<String, Double> used = new LinkedHashMap<>();
    for (String group : GROUPS) {
      used.put(group, 0.0);
    }
    double threads = 0;
    for (Map.Entry<Long, Double> entry : now.threads().entrySet()) {
      ThreadInfo info = THREADS.getThreadInfo(entry.getKey());
      double delta = entry.getValue() - before.threads().getOrDefault(entry.getKey(), 0.0);
      if (info != null) {
        used.merge(group(info.getThreadName()), delta, Double::sum);
      }
      threads += delta;
    }
    double process = now.process() - before.process();
    used.merge("jvm", Math.max(0, process - threads), Double::sum); // compilers, collector, threads that ended
    used.put("other", Math.max(0, now.machine() - before.machine() - process));
    return used;
  }

  private static String group(String thread) {
    if (thread.equals("main")) {
      return "junit"; // the launcher runs the tests one at a time on the calling thread; bodies run on carriers
    } else if (thread.startsWith("junit-netns-carrier")) {
      return "carriers";
    } else if (thread.startsWith("junit-netns-spare")) {
      return "spares";
    } else if (thread.startsWith("junit-netns-prebuild")) {
      return "prebuild";
    } else if (thread.startsWith("junit-netns-capture-closer")) {
      return "capture_closers";
    } else if (thread.startsWith("junit-netns-capture")) {
      return "capture_reader";
    }
    return "jvm"; // the JVM's other Java threads
  }

  /** Busy time of all CPUs since boot: /proc/stat's first line, all but idle and iowait, in 10 ms ticks. */
  private static double machineMillis() {
    try {
      String[] fields = Files.readAllLines(Path.of("/proc/stat")).get(0).trim().split("\\s+");
      long busy = 0;
      for (int i = 1; i < fields.length && i <= 8; i++) { // user nice system idle iowait irq softirq steal
        busy += i == 4 || i == 5 ? 0 : Long.parseLong(fields[i]);
      }
      return busy * 10.0;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
