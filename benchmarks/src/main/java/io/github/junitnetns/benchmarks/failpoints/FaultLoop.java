package io.github.junitnetns.benchmarks.failpoints;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;

/**
 * The fault loop of {@code ./benchmarks/failpoints}: fails the kernel requests of one topology
 * test ({@link EverythingFixture}) one at a time, each in a fresh JVM ({@link FaultChild}), and
 * checks after each that the test failed with one clear error naming the operation, the object
 * and the injected errno, that nothing was left (descriptors, threads, namespaces, processes, the
 * host's links, addresses, routes, rules and /run/netns) and that the next test passes.
 *
 * <pre>
 *   FaultLoop all           every request of the test, 1 to the count
 *   FaultLoop sample K      K requests spread evenly over the whole range (first and last included)
 *   FaultLoop only N,M,...  those requests (numbered within the test, from 1)
 * </pre>
 *
 * The errno is ENOBUFS unless {@code -Dfailpoints.errno=NAME}. Prints a table (request, what
 * failed, what the test saw, verdict) and a summary; exit status 0 when every run was as required.
 */
public final class FaultLoop {
  private static final long CHILD_TIMEOUT_SECONDS = 120;

  private final Path work;
  private final String errno;

  private FaultLoop(Path work, String errno) {
    this.work = work;
    this.errno = errno;
  }

  public static void main(String[] args) throws Exception {
    if (args.length < 1 || !(args[0].equals("all") || args[0].equals("sample") && args.length == 2
        || args[0].equals("only") && args.length == 2)) {
      System.err.println("usage: FaultLoop all | sample K | only N,M,...");
      System.exit(2);
    }
    Path work = Files.createTempDirectory("junit-netns-failpoints");
    boolean ok = new FaultLoop(work, System.getProperty("failpoints.errno", "ENOBUFS")).run(args, System.out);
    System.exit(ok ? 0 : 1);
  }

  private boolean run(String[] args, PrintStream out) throws Exception {
    progress("reference run: -Djunitnetns.failpoint=count");
    Child reference = child("count");
    if (!reference.ok() || !"SUCCESSFUL".equals(reference.props.getProperty("test.status"))
        || !"SUCCESSFUL".equals(reference.props.getProperty("next.status"))) {
      out.println("The reference run (no fault) did not pass: " + reference.summary());
      return false;
    }
    long c0 = Long.parseLong(reference.props.getProperty("c0"));
    long c1 = Long.parseLong(reference.props.getProperty("c1"));
    int requests = (int) (c1 - c0);
    out.printf(Locale.ROOT, "The topology test makes %d kernel requests (JVM requests %d to %d; %s)%n",
        requests, c0 + 1, c1, reference.countLine());
    List<Integer> chosen = choose(args, requests);
    out.printf(Locale.ROOT, "Failing %d of them with %s, one per JVM.%n%n", chosen.size(), errno);
    out.println("| N | request that failed | what the test saw | verdict |");
    out.println("|---|---|---|---|");
    int bad = 0;
    Map<String, Integer> byOperation = new LinkedHashMap<>();
    long shift = 0; // how many requests more the warm-up made in the last run than in the reference
    for (int k : chosen) {
      Child run;
      String hostBefore;
      String hostAfter;
      for (int attempt = 1; ; attempt++) {
        long n = c0 + shift + k;
        hostBefore = hostSnapshot();
        run = child(n + ":" + errno);
        hostAfter = hostSnapshot();
        // The warm-up may make a request more or fewer (a carrier started inside a namespace must
        // go home first, depending on when the last one rejoined the pool). When the chosen request
        // fell outside the topology test for that reason, run it again with the warm-up's count.
        if (!run.ok() || run.props.getProperty("c0") == null || attempt == 3) {
          break;
        }
        long childC0 = Long.parseLong(run.props.getProperty("c0"));
        long childC1 = Long.parseLong(run.props.getProperty("c1"));
        shift = childC0 - c0;
        if (n > childC0 && n <= childC1) {
          break;
        }
      }
      List<String> problems = judge(run, c0 + shift, hostBefore, hostAfter);
      String injected = run.props.getProperty("injected", "?");
      String drift = run.props.getProperty("c0");
      if (drift != null && Long.parseLong(drift) != c0) {
        // The warm-up made a request more or fewer (a carrier started inside a namespace must go
        // home first): the N-th request of this run is its neighbour in the reference run.
        injected += " (warm-up " + (Long.parseLong(drift) - c0 > 0 ? "+" : "") + (Long.parseLong(drift) - c0) + ")";
      }
      String operation = operationOf(run);
      byOperation.merge(operation, 1, Integer::sum);
      String verdict = problems.isEmpty() ? "ok" : "**" + String.join("; ", problems) + "**";
      bad += problems.isEmpty() ? 0 : 1;
      out.printf(Locale.ROOT, "| %d | %s | %s | %s |%n", k, cell(injected), cell(seen(run)), cell(verdict));
      progress("N=%d (%d/%d): %s", k, chosen.indexOf(k) + 1, chosen.size(), problems.isEmpty() ? "ok" : problems);
    }
    out.println();
    out.println("Operations failed (what the test reported, how often):");
    byOperation.forEach((op, count) -> out.printf(Locale.ROOT, "  %3d  %s%n", count, op));
    out.printf(Locale.ROOT, "%n%d of %d runs as required%s%n", chosen.size() - bad, chosen.size(),
        bad == 0 ? "" : "; " + bad + " NOT");
    return bad == 0;
  }

  /** The request numbers (within the test, from 1) to fail. */
  private static List<Integer> choose(String[] args, int requests) {
    TreeSet<Integer> chosen = new TreeSet<>();
    switch (args[0]) {
      case "all":
        for (int k = 1; k <= requests; k++) {
          chosen.add(k);
        }
        break;
      case "sample":
        int samples = Math.min(requests, Integer.parseInt(args[1]));
        for (int i = 0; i < samples; i++) {
          chosen.add(1 + (int) Math.round(samples == 1 ? 0 : (double) i * (requests - 1) / (samples - 1)));
        }
        break;
      default:
        for (String k : args[1].split(",")) {
          chosen.add(Integer.parseInt(k.trim()));
        }
    }
    return new ArrayList<>(chosen);
  }

  private List<String> judge(Child run, long c0, String hostBefore, String hostAfter) {
    hostBefore = ours(hostBefore, run.pid);
    hostAfter = ours(hostAfter, run.pid);
    List<String> problems = new ArrayList<>();
    if (run.timedOut) {
      problems.add("HUNG: killed after " + CHILD_TIMEOUT_SECONDS + " s");
      return problems;
    }
    if (!run.ok()) {
      problems.add("the JVM failed: " + run.summary());
      return problems;
    }
    Properties p = run.props;
    if (p.getProperty("injected.early") != null) {
      problems.add("injected during the warm-up (" + p.getProperty("injected.early") + ")");
    }

    if ("null".equals(p.getProperty("injected"))) {
      problems.add("the request was never made");
    }
    String status = p.getProperty("test.status");
    String message = p.getProperty("test.message", "");
    if ("SUCCESSFUL".equals(status)) {
      if (!carrierGoingHome(p.getProperty("injected", ""))) {
        problems.add("the test PASSED");
      }
    } else if (!"FAILED".equals(status)) {
      problems.add("the test ended " + status);
    } else {
      String type = p.getProperty("test.class", "");
      boolean clearType = type.startsWith("io.github.junitnetns.") && type.contains("NetNsException")
          || type.equals("org.junit.jupiter.api.extension.ExtensionConfigurationException");
      if (!clearType) {
        problems.add("failed with " + type + ", not a NetNsException");
      }
      // unshare's object is the namespace it would have made, which has no name yet
      if (!message.matches("(?s)(.*\\S+ \\S.*|unshare\\(CLONE_NEWNET\\)): " + errno + " \\(.*")) {
        problems.add("the message does not name operation, object and " + errno);
      }
    }
    if (p.getProperty("test.suppressed", "").contains("Exception")) {
      problems.add("suppressed errors: " + p.getProperty("test.suppressed"));
    }
    for (String metric : List.of("fds", "netns")) {
      long before = Long.parseLong(p.getProperty("before." + metric));
      long after = Long.parseLong(p.getProperty("after." + metric));
      if (after > before) {
        problems.add(metric + " " + before + " -> " + after);
      }
    }
    // Java threads, by name, less the idle carriers (a pool whose size depends on the path taken);
    // the OS count also has the JIT's compiler threads, which come and go.
    List<String> threadsBefore = List.of(p.getProperty("before.threads", "").split(","));
    List<String> newThreads = new ArrayList<>(List.of(p.getProperty("after.threads", "").split(",")));
    newThreads.removeAll(threadsBefore);
    if (!newThreads.isEmpty()) {
      problems.add("new threads " + newThreads);
    }
    if (!"{}".equals(p.getProperty("after.outside"))) {
      problems.add("threads left in a namespace: " + p.getProperty("after.outside"));
    }
    if (!"0".equals(p.getProperty("sleepers.left"))) {
      problems.add(p.getProperty("sleepers.left") + " exec'd process(es) still alive");
    }
    if (!"SUCCESSFUL".equals(p.getProperty("next.status"))) {
      problems.add("the next test " + p.getProperty("next.status") + ": " + p.getProperty("next.message"));
    }
    if (!hostBefore.equals(hostAfter)) {
      problems.add("THE HOST CHANGED: " + firstDifference(hostBefore, hostAfter));
    }
    return problems;
  }

  /**
   * Whether the failed request was a carrier thread's way back to the JVM's namespace after its
   * work was done: the library retires that thread instead of reusing it (it never serves anyone
   * again), and the test, whose every request succeeded, passes.
   */
  static boolean carrierGoingHome(String injected) {
    return injected.matches("(setns\\(CLONE_NEWNET\\) the JVM's initial network namespace|open /proc/self/ns/net)"
        + " on thread junit-netns-carrier-.*");
  }

  /** What the user read: the failure's first line (the exception's type, short). */
  private static String seen(Child run) {
    Properties p = run.props;
    if (run.timedOut || !run.ok()) {
      return "-";
    }
    String status = p.getProperty("test.status", "?");
    if (status.equals("SUCCESSFUL") && carrierGoingHome(p.getProperty("injected", ""))) {
      return "passed: the carrier was retired after its work";
    }
    if (!status.equals("FAILED")) {
      return status;
    }
    String type = p.getProperty("test.class", "");
    String message = p.getProperty("test.message", "").lines().findFirst().orElse("");
    return type.substring(type.lastIndexOf('.') + 1) + ": " + message;
  }

  /** The failed operation as the user saw it, without the objects' generated names. */
  private String operationOf(Child run) {
    String message = run.props.getProperty("test.message", "").lines().findFirst().orElse("");
    int at = message.indexOf(": " + errno);
    if (at < 0) {
      return "(" + seen(run) + ")";
    }
    String head = message.substring(0, at);
    int start = Math.max(0, head.lastIndexOf(". ") + 1);
    String[] words = head.substring(start).trim().split(" ");
    return words.length > 1 ? words[0] + " " + words[1] : words[0];
  }

  private static String cell(String text) {
    String oneLine = text.replace('\n', ' ').replace("|", "\\|");
    return oneLine.length() > 300 ? oneLine.substring(0, 297) + "..." : oneLine;
  }

  private static String firstDifference(String before, String after) {
    List<String> a = before.lines().toList();
    List<String> b = after.lines().toList();
    List<String> diff = new ArrayList<>();
    b.stream().filter(line -> !a.contains(line)).forEach(line -> diff.add("+" + line));
    a.stream().filter(line -> !b.contains(line)).forEach(line -> diff.add("-" + line));
    return String.join(" ", diff);
  }

  /**
   * The lines of a host snapshot that this child could have made: its host interfaces
   * ({@code jn<pid in base 36>-N}, their addresses and routes), its pins ({@code junit-netns-<pid>-...})
   * and every policy rule. Other JVMs on the machine (other builds) come and go meanwhile.
   */
  static String ours(String snapshot, long pid) {
    String link = "jn" + Long.toString(pid, 36) + "-";
    String pin = "junit-netns-" + pid + "-";
    boolean rules = false;
    StringBuilder kept = new StringBuilder();
    for (String line : snapshot.lines().toList()) {
      if (line.startsWith("## ")) {
        rules = line.contains("rules");
        kept.append(line).append('\n');
      } else if (rules || line.contains(link) || line.contains(pin)) {
        kept.append(line).append('\n');
      }
    }
    return kept.toString();
  }

  private static String hostSnapshot() throws IOException, InterruptedException {
    Process p = new ProcessBuilder("ci/host-snapshot").redirectErrorStream(true).start();
    String text = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (p.waitFor() != 0) {
      throw new IllegalStateException("ci/host-snapshot failed: " + text);
    }
    return text;
  }

  /** One child JVM's result. */
  private static final class Child {
    final Properties props = new Properties();
    int exit = -1;
    long pid;
    boolean timedOut;
    String stderr = "";

    boolean ok() {
      return !timedOut && exit == 0 && props.getProperty("test.status") != null;
    }

    String countLine() {
      return stderr.lines().filter(l -> l.startsWith("junitnetns.failpoint ")).findFirst().orElse("(no count line)");
    }

    String summary() {
      List<String> lines = stderr.lines().toList();
      return "exit " + exit + (timedOut ? " (timed out)" : "") + ", stderr: "
          + String.join(" / ", lines.subList(Math.max(0, lines.size() - 8), lines.size()));
    }
  }

  private Child child(String failpoint) throws IOException, InterruptedException {
    Path result = work.resolve("result-" + failpoint.replace(':', '-') + ".properties");
    Path err = work.resolve("stderr-" + failpoint.replace(':', '-') + ".txt");
    Files.deleteIfExists(result);
    List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString()));
    if (Runtime.version().feature() >= 24) {
      command.add("--enable-native-access=ALL-UNNAMED");
    }
    command.addAll(List.of("-Xmx256m", "-XX:TieredStopAtLevel=1", "-Djunitnetns.failpoint=" + failpoint,
        "-cp", System.getProperty("java.class.path"), FaultChild.class.getName(), result.toString()));
    Process process = new ProcessBuilder(command).redirectError(err.toFile())
        .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
    Child child = new Child();
    child.pid = process.pid();
    if (!process.waitFor(CHILD_TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
      child.timedOut = true;
      process.descendants().forEach(ProcessHandle::destroyForcibly);
      process.destroyForcibly();
      process.waitFor();
    }
    child.exit = process.exitValue();
    child.stderr = Files.exists(err) ? Files.readString(err) : "";
    if (Files.exists(result)) {
      try (InputStream in = Files.newInputStream(result)) {
        child.props.load(in);
      }
    }
    return child;
  }

  private static void progress(String format, Object... args) {
    System.err.println("failpoints: " + String.format(Locale.ROOT, format, args));
  }
}
