package io.github.junitnetns.benchmarks;

import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

import io.github.junitnetns.Capture;
import io.github.junitnetns.Network;
import io.github.junitnetns.benchmarks.fixtures.BulkVethFixture;
import io.github.junitnetns.benchmarks.fixtures.BusyPlainFixture;
import io.github.junitnetns.benchmarks.fixtures.BusySingleNsFixture;
import io.github.junitnetns.benchmarks.fixtures.BusyVethFixture;
import io.github.junitnetns.benchmarks.fixtures.PlainFixture;
import io.github.junitnetns.benchmarks.fixtures.SingleNsFixture;
import io.github.junitnetns.benchmarks.fixtures.VethFixture;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.platform.launcher.Launcher;
import org.junit.platform.launcher.TestExecutionListener;
import org.junit.platform.launcher.TestIdentifier;
import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.launcher.core.LauncherDiscoveryRequestBuilder;
import org.junit.platform.launcher.core.LauncherFactory;

/**
 * What capture costs ({@code ./benchmarks/capture-cost}), paired: in every round the same fixtures
 * run with {@code junit.netns.capture=off} and with the default ({@code on-failure}), one test at a
 * time, interleaved with the plain baseline, back to back and with a 5 ms body ({@code busy_*}: the
 * critical path, work in the background off it); then a bulk TCP transfer across a veth, in turn without,
 * with {@code net.capture()} recording both ends, and (where it is installed) with
 * {@code tcpdump -s 256} recording both ends, for comparison; and the same transfer as the body of a
 * test ({@code BulkVethFixture}) with the extension's recording off and on. Prints one line per
 * figure and a JSON object as the last line. Beside the per-test times, the CPU time each test
 * costs ({@code *_cpu_*_us}, microseconds per test, the idle gap after a run included): the JVM's
 * threads by group ({@link CpuTime}) and the rest of the machine ({@code other}: the kernel's workers,
 * which tear namespaces down, and anything else running).
 *
 * <p>System properties: {@code jnb.capture.warmup}, {@code jnb.capture.rounds} (fixture rounds),
 * {@code jnb.capture.bulkRounds}, {@code jnb.capture.bulkMiB} (bytes per transfer).
 */
public final class CaptureBench {
  private final Launcher launcher = LauncherFactory.create();

  private CaptureBench() {}

  public static void main(String[] args) throws Exception {
    new CaptureBench().run(Integer.getInteger("jnb.capture.warmup", 3), Integer.getInteger("jnb.capture.rounds", 10),
        Integer.getInteger("jnb.capture.bulkRounds", 8), Integer.getInteger("jnb.capture.bulkMiB", 512));
  }

  private void run(int warmup, int rounds, int bulkRounds, int bulkMiB) throws Exception {
    Map<String, List<Double>> samples = new LinkedHashMap<>();
    String[][] runs = {{"plain", "off"}, {"single", "off"}, {"single", "on-failure"}, {"veth", "off"},
        {"veth", "on-failure"}, {"busy_plain", "off"}, {"busy_single", "off"}, {"busy_single", "on-failure"},
        {"busy_veth", "off"}, {"busy_veth", "on-failure"}};
    Map<String, Map<String, Double>> cpu = new LinkedHashMap<>(); // run -> thread group -> ms in all
    Map<String, Integer> tests = new LinkedHashMap<>();
    for (String[] run : runs) {
      samples.put(run[0] + "/" + run[1], new ArrayList<>());
    }
    for (int round = 0; round < warmup + rounds; round++) {
      StringBuilder line = new StringBuilder(String.format(Locale.ROOT, "  round %d/%d:", round + 1, warmup + rounds));
      // Alternate which capture setting goes first, so that neither always follows the other.
      for (int i = 0; i < runs.length; i++) {
        String[] run = runs[round % 2 == 0 ? i : (i == 0 ? 0 : runs.length - i)];
        Thread.sleep(200);
        CpuTime.Sample before = CpuTime.sample();
        List<Double> times = runOnce(fixture(run[0]), run[1]);
        Thread.sleep(200); // the background work a test left (closing its sockets) counts as its own
        Map<String, Double> used = CpuTime.since(before);
        if (round >= warmup) {
          samples.get(run[0] + "/" + run[1]).addAll(times);
          used.forEach((group, ms) -> cpu.computeIfAbsent(run[0] + "/" + run[1], r -> new LinkedHashMap<>())
              .merge(group, ms, Double::sum));
          tests.merge(run[0] + "/" + run[1], times.size(), Integer::sum);
        }
        line.append(String.format(Locale.ROOT, " %s/%s %.3f", run[0], run[1], new Stats(times).median()));
      }
      System.err.println(line);
    }
    Map<String, Double> figures = new LinkedHashMap<>();
    for (String topology : List.of("single", "veth", "busy_single", "busy_veth")) {
      boolean busy = topology.startsWith("busy_");
      Stats plain = new Stats(samples.get(busy ? "busy_plain/off" : "plain/off"));
      Stats off = new Stats(samples.get(topology + "/off"));
      Stats on = new Stats(samples.get(topology + "/on-failure"));
      double offMedian = off.median() - plain.median();
      double onMedian = on.median() - plain.median();
      double offMean = off.mean() - plain.mean();
      double onMean = on.mean() - plain.mean();
      figures.put(topology + "_off_ms", offMedian);
      figures.put(topology + "_on_failure_ms", onMedian);
      figures.put(topology + "_added_pct", 100 * (onMedian - offMedian) / offMedian);
      figures.put(topology + "_off_mean_ms", offMean);
      figures.put(topology + "_on_failure_mean_ms", onMean);
      figures.put(topology + "_added_mean_pct", 100 * (onMean - offMean) / offMean);
      for (String capture : busy ? List.<String>of() : List.of("off", "on-failure")) {
        String run = topology + "/" + capture;
        cpu.get(run).forEach((group, ms) -> figures.put(topology + "_cpu_" + capture.replace('-', '_') + "_" + group
            + "_us", 1000 * ms / tests.get(run)));
      }
    }
    // Bare, recorded by net.capture(), and (where tcpdump is installed) recorded by tcpdump -s 256 in
    // each namespace, the yardstick: the order rotating from round to round.
    List<String> modes = new ArrayList<>(List.of("bare", "captured"));
    if (onPath("tcpdump")) {
      modes.add("tcpdump");
    }
    Map<String, List<Double>> bulk = new LinkedHashMap<>();
    List<Double> kept = new ArrayList<>();
    List<Double> readerShare = new ArrayList<>();
    try (Network net = Network.builder().namespace("a").namespace("b").veth("a", "b", "10.0.0.0/30").build()) {
      bulk(net, bulkMiB, "bare", null); // warm-up
      for (int round = 0; round < bulkRounds; round++) {
        List<String> order = new ArrayList<>(modes);
        Collections.rotate(order, round);
        for (String mode : order) {
          long[] packets = new long[1];
          CpuTime.Sample before = CpuTime.sample();
          double mbps = bulk(net, bulkMiB, mode, packets);
          if (mode.equals("captured")) { // the reader's share of one core while the transfer ran
            readerShare.add(100 * CpuTime.since(before).get("capture_reader") / (1000.0 * bulkMiB / mbps));
          }
          bulk.computeIfAbsent(mode, m -> new ArrayList<>()).add(mbps);
          if (mode.equals("captured")) {
            kept.add((double) packets[0]);
          }
          System.err.printf(Locale.ROOT, "  bulk round %d/%d: %s %.0f MiB/s%s%n", round + 1, bulkRounds, mode, mbps,
              mode.equals("captured") ? " (" + packets[0] + " packets recorded)" : "");
        }
      }
    }
    double bareMedian = new Stats(bulk.get("bare")).median();
    figures.put("bulk_bare_mib_s", bareMedian);
    figures.put("bulk_captured_mib_s", new Stats(bulk.get("captured")).median());
    figures.put("bulk_captured_pct", 100 * new Stats(bulk.get("captured")).median() / bareMedian);
    if (bulk.containsKey("tcpdump")) {
      figures.put("bulk_tcpdump_mib_s", new Stats(bulk.get("tcpdump")).median());
      figures.put("bulk_tcpdump_pct", 100 * new Stats(bulk.get("tcpdump")).median() / bareMedian);
    }
    figures.put("bulk_packets_recorded", new Stats(kept).median());
    figures.put("bulk_captured_reader_cpu_pct", new Stats(readerShare).median());
    // The same transfer as a test's body, recorded by the extension (recvmmsg, handed over to a ring
    // once busy) or not, alternately.
    List<Double> testBare = new ArrayList<>();
    List<Double> testRecorded = new ArrayList<>();
    runOnce(BulkVethFixture.class, "off"); // warm-up
    for (int round = 0; round < bulkRounds; round++) {
      boolean recordFirst = round % 2 == 1;
      for (boolean record : new boolean[] {recordFirst, !recordFirst}) {
        BulkVethFixture.RATES.clear();
        runOnce(BulkVethFixture.class, record ? "on-failure" : "off");
        double mbps = BulkVethFixture.RATES.get(0);
        (record ? testRecorded : testBare).add(mbps);
        System.err.printf(Locale.ROOT, "  bulk test round %d/%d: %s %.0f MiB/s%n", round + 1, bulkRounds,
            record ? "recorded" : "capture off", mbps);
      }
    }
    figures.put("bulk_test_off_mib_s", new Stats(testBare).median());
    figures.put("bulk_test_recorded_mib_s", new Stats(testRecorded).median());
    figures.put("bulk_test_recorded_pct", 100 * new Stats(testRecorded).median() / new Stats(testBare).median());
    StringBuilder json = new StringBuilder("{");
    figures.forEach((key, value) -> {
      System.out.printf(Locale.ROOT, "%-28s %10.3f%n", key, value);
      json.append(json.length() == 1 ? "" : ", ").append('"').append(key).append("\": ")
          .append(String.format(Locale.ROOT, "%.3f", value));
    });
    System.out.println(json.append('}'));
  }

  private static Class<?> fixture(String name) {
    return switch (name) {
      case "plain" -> PlainFixture.class;
      case "single" -> SingleNsFixture.class;
      case "veth" -> VethFixture.class;
      case "busy_plain" -> BusyPlainFixture.class;
      case "busy_single" -> BusySingleNsFixture.class;
      default -> BusyVethFixture.class;
    };
  }

  /**
   * {@code mib} MiB from a to b over TCP; MiB/s. Both namespaces are recorded meanwhile by
   * {@code net.capture()} ({@code mode} "captured"), by {@code tcpdump -i any -s 256} in each
   * ("tcpdump"), or not ("bare").
   */
  private static double bulk(Network net, int mib, String mode, long[] packets) throws Exception {
    Capture recording = mode.equals("captured") ? net.capture() : null;
    List<Process> tcpdumps = new ArrayList<>();
    try {
      if (mode.equals("tcpdump")) {
        for (String ns : List.of("a", "b")) {
          Process tcpdump = net.ns(ns).exec(new ProcessBuilder("tcpdump", "-i", "any", "-s", "256", "-w", "/dev/null")
              .redirectErrorStream(true));
          tcpdumps.add(tcpdump);
          BufferedReader output = new BufferedReader(new InputStreamReader(tcpdump.getInputStream(),
              StandardCharsets.UTF_8));
          StringBuilder said = new StringBuilder();
          for (String line; !said.toString().contains("listening on"); said.append(line).append('\n')) {
            line = output.readLine(); // until "tcpdump: listening on any, ...": it captures from then on
            if (line == null) {
              throw new IllegalStateException("tcpdump in " + ns + " did not start: " + said);
            }
          }
        }
      }
      double rate = BulkVethFixture.mibPerSecond(net.ns("a"), net.ns("b"), "10.0.0.2", mib);
      if (recording != null) {
        packets[0] = recording.packetCount();
      }
      return rate;
    } finally {
      if (recording != null) {
        recording.close();
      }
      for (Process tcpdump : tcpdumps) {
        tcpdump.destroy();
        tcpdump.waitFor();
      }
    }
  }

  private static boolean onPath(String program) {
    return Arrays.stream(System.getenv().getOrDefault("PATH", "").split(":"))
        .anyMatch(dir -> !dir.isEmpty() && Files.isExecutable(Path.of(dir, program)));
  }

  private List<Double> runOnce(Class<?> fixture, String capture) {
    Map<String, Long> started = new ConcurrentHashMap<>();
    List<Double> times = java.util.Collections.synchronizedList(new ArrayList<>());
    List<String> failures = java.util.Collections.synchronizedList(new ArrayList<>());
    launcher.execute(LauncherDiscoveryRequestBuilder.request().selectors(selectClass(fixture))
        .configurationParameter("junit.netns.unprivileged", "fail")
        .configurationParameter("junit.jupiter.execution.parallel.enabled", "false")
        .configurationParameter("junit.netns.capture", capture).build(), new TestExecutionListener() {
          @Override
          public void executionStarted(TestIdentifier id) {
            if (id.isTest()) {
              started.put(id.getUniqueId(), System.nanoTime());
            }
          }

          @Override
          public void executionFinished(TestIdentifier id, TestExecutionResult result) {
            if (id.isTest()) {
              times.add((System.nanoTime() - started.get(id.getUniqueId())) / 1e6);
              if (result.getStatus() != TestExecutionResult.Status.SUCCESSFUL) {
                failures.add(id.getDisplayName() + ": " + result);
              }
            }
          }
        });
    if (!failures.isEmpty()) {
      throw new IllegalStateException(fixture.getSimpleName() + " failed: " + failures.get(0));
    }
    return times;
  }
}
