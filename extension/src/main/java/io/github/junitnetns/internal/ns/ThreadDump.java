package io.github.junitnetns.internal.ns;

import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.management.JMException;
import javax.management.ObjectName;

/**
 * The JVM's Java threads by kernel thread id, read from one HotSpot thread dump (the
 * {@code Thread.print} diagnostic command that {@code jcmd PID Thread.print} and {@code jstack}
 * run, through the {@code com.sun.management:type=DiagnosticCommand} MBean). The dump is the one
 * place where a Java thread's full name and stack stand next to its native id ({@code nid}), which
 * is the {@code TID} of {@code /proc/self/task/TID}: the kernel's own name for a thread ({@code
 * comm}) is cut to 15 characters, so several Java threads can share it. Taken only when something
 * is to be reported.
 */
public final class ThreadDump {
  /** One Java thread of the dump: its full name, Java id, state, and stack frames (without {@code at}). */
  public record JavaThread(String name, long javaId, String state, List<String> frames) {}

  /**
   * A Java thread's header: {@code "NAME" #ID [TID] daemon prio=5 ... nid=0x1a2b state}. JDK 17
   * prints the native id in hex ({@code nid=0x1a2b}); JDK 19 and later also print it in decimal,
   * in brackets and as {@code nid=6699}. The name is everything between the first and the last
   * quote before {@code #ID}, quotes inside it included.
   */
  private static final Pattern HEADER = Pattern.compile("^\"(.*)\" #(\\d+)\\b.*? nid=(0x[0-9a-fA-F]+|\\d+)\\b");
  private static final Pattern STATE = Pattern.compile("^\\s+java\\.lang\\.Thread\\.State: (\\S+)");

  private final Map<Integer, JavaThread> byTid;
  private final String unavailable;

  private ThreadDump(Map<Integer, JavaThread> byTid, String unavailable) {
    this.byTid = byTid;
    this.unavailable = unavailable;
  }

  /**
   * Takes a dump of this JVM now. Where the diagnostic command is missing (a JVM other than
   * HotSpot, a runtime without {@code java.management}), the result knows no thread and says why.
   */
  public static ThreadDump take() {
    Object text;
    try {
      text = ManagementFactory.getPlatformMBeanServer().invoke(
          new ObjectName("com.sun.management:type=DiagnosticCommand"), "threadPrint",
          new Object[] {new String[0]}, new String[] {String[].class.getName()});
    } catch (JMException | RuntimeException | LinkageError e) {
      return none("the JVM's thread dump is unavailable (" + e + ")");
    }
    ThreadDump dump = parse(String.valueOf(text));
    return dump.byTid.isEmpty() ? none("the JVM's thread dump lists no thread ids") : dump;
  }

  /** A dump that knows no thread, because {@code why}. */
  public static ThreadDump none(String why) {
    return new ThreadDump(Map.of(), why);
  }

  /** Reads the text of a {@code Thread.print} dump; threads other than Java threads (GC, compiler) are left out. */
  public static ThreadDump parse(String text) {
    Map<Integer, JavaThread> threads = new HashMap<>();
    String[] lines = text.split("\n", -1);
    for (int i = 0; i < lines.length; i++) {
      Matcher header = HEADER.matcher(lines[i]);
      if (!header.find()) {
        continue;
      }
      String nid = header.group(3);
      int tid;
      try {
        tid = nid.startsWith("0x") ? Integer.parseInt(nid.substring(2), 16) : Integer.parseInt(nid);
      } catch (NumberFormatException e) {
        continue;
      }
      String state = "";
      List<String> frames = new ArrayList<>();
      int j = i + 1;
      for (; j < lines.length && !lines[j].isBlank() && !lines[j].startsWith("\""); j++) {
        Matcher stateLine = STATE.matcher(lines[j]);
        if (stateLine.find()) {
          state = stateLine.group(1);
        } else if (lines[j].startsWith("\tat ")) {
          frames.add(withoutModule(lines[j].substring(4).trim()));
        }
      }
      threads.put(tid, new JavaThread(header.group(1), Long.parseLong(header.group(2)), state, List.copyOf(frames)));
      i = j - 1;
    }
    return new ThreadDump(threads, null);
  }

  /** {@code a.B.m(java.base@17.0.9/B.java:12)} becomes {@code a.B.m(B.java:12)}, as a Throwable prints it. */
  private static String withoutModule(String frame) {
    int open = frame.indexOf('(');
    int slash = frame.lastIndexOf('/');
    return open >= 0 && slash > open ? frame.substring(0, open + 1) + frame.substring(slash + 1) : frame;
  }

  /** The Java thread whose kernel thread id is {@code tid}, if the dump has it. */
  public Optional<JavaThread> thread(int tid) {
    return Optional.ofNullable(byTid.get(tid));
  }

  /** Why the dump knows no thread, or empty when it was taken. */
  public Optional<String> unavailable() {
    return Optional.ofNullable(unavailable);
  }
}
