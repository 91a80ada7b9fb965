package io.github.junitnetns.jupiter;

import io.github.junitnetns.NetNs;
import io.github.junitnetns.internal.capture.CaptureSession;
import io.github.junitnetns.internal.linux.ErrnoException;
import io.github.junitnetns.internal.linux.Failpoint;
import io.github.junitnetns.internal.ns.SpareNamespaces;
import io.github.junitnetns.jupiter.CaptureConfiguration.Mode;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ExtensionContext.Namespace;
import org.opentest4j.TestAbortedException;

/**
 * Every test's traffic, recorded from before its first packet to the end of its body: an
 * AF_PACKET socket in each of its namespaces (CLASS-scoped and the bridges' hidden ones included),
 * read on the host. When the test fails (or always, with {@code junit.netns.capture=always}) the
 * recording is written as one pcapng file and summarised in the failure report; otherwise it is
 * dropped without touching the disk.
 */
final class TestCaptures {
  private static final System.Logger LOG = System.getLogger(NetNsExtension.class.getName());
  private static final Namespace NAMESPACE = Namespace.create(TestCaptures.class);
  private static final String KEY = "capture";
  private static final Pattern INVOCATION = Pattern.compile("\\[(?:test-template-invocation|dynamic-test):#(\\d+)\\]");
  private static final AtomicBoolean WARNED = new AtomicBoolean();

  private TestCaptures() {}

  /** A test's recording in its store; JUnit closes it if the extension's own after-callback never ran. */
  @SuppressWarnings("deprecation") // CloseableResource: deprecated in JUnit 6; the store cleanup JUnit 5.10 knows
  private static final class Recording implements AutoCloseable, ExtensionContext.Store.CloseableResource {
    final CaptureSession session; // null when it could not start
    final String unavailable;
    String report; // the failure report's text, once written

    Recording(CaptureSession session, String unavailable) {
      this.session = session;
      this.unavailable = unavailable;
    }

    @Override
    public void close() {
      if (session != null) {
        session.close();
      }
    }
  }

  /** Starts recording the test's namespaces: called when they and their links exist, before any test code runs. */
  static void start(ExtensionContext context, BuiltTopology topology) {
    long q0 = System.nanoTime();
    CaptureConfiguration configuration = CaptureConfiguration.of(context);
    Lifecycle.t("cs.config", q0);
    if (Failpoint.active()) {
      // The fault-injection aid counts kernel requests in order; recording runs beside the test on
      // carriers of its own and is best effort, so it would make the N-th request differ from run to
      // run and swallow an injected failure. Like spare namespaces, it is off while a failpoint is set.
      return;
    }
    SpareNamespaces.withPacketSockets(configuration.mode != Mode.OFF); // for the next tests' spare namespaces
    if (configuration.mode == Mode.OFF) {
      // Spares made while an earlier run recorded came with a socket: closed in the background, not by the test.
      Map<String, NetNs> prepared = new LinkedHashMap<>(topology.all());
      prepared.putAll(topology.ownedWithBridges()); // a topology built ahead opened the bridges' too
      CaptureSession.discardPrepared(prepared.values().stream().map(LibraryInternals::handle).toList());
      return;
    }
    List<CaptureSession.Target> targets = new ArrayList<>();
    topology.all().values().forEach(ns -> targets.add(target(ns)));
    List<BuiltTopology> levels = new ArrayList<>(Contexts.classTopologies(context));
    levels.add(topology);
    for (BuiltTopology level : levels) {
      level.ownedWithBridges().values().forEach(ns -> targets.add(target(ns))); // the bridges' hidden namespaces
    }
    Lifecycle.t("cs.targets", q0);
    Recording recording;
    long s0 = System.nanoTime();
    try {
      recording = new Recording(CaptureSession.start(targets, configuration.limit, configuration.snapLength, false), null);
    } catch (ErrnoException | RuntimeException e) {
      String why = unavailable(Contexts.testName(context), e.getMessage());
      if (WARNED.compareAndSet(false, true)) {
        LOG.log(Level.WARNING, why + " (Logged once per JVM; a failing test's report says it again.)");
      }
      recording = new Recording(null, why);
    }
    Lifecycle.t("cs.session", s0);
    long p0 = System.nanoTime();
    context.getStore(NAMESPACE).put(KEY, recording);
    Lifecycle.t("cs.put", p0);
  }

  /** Why a test is not recorded: its sockets could not be made. */
  static String unavailable(String test, String error) {
    return "junit-netns could not record the traffic of " + test + ": " + error + ". An AF_PACKET socket needs"
        + " CAP_NET_RAW over the namespace's user namespace (root, or a JVM in a user namespace of its own, as the"
        + " Maven plugin's rootless mode makes it); set " + CaptureConfiguration.CAPTURE + "=off to stop trying.";
  }

  private static CaptureSession.Target target(NetNs ns) {
    return new CaptureSession.Target(ns.label(), LibraryInternals.handle(ns));
  }

  /**
   * A failed test body: stops the recording, writes its file and returns the text for the failure
   * report (also published as a report entry), or "" when nothing was recorded.
   */
  static String onFailure(ExtensionContext context) {
    Recording recording = context.getStore(NAMESPACE).get(KEY, Recording.class);
    if (recording == null) {
      return "";
    }
    return keep(context, recording);
  }

  /**
   * After the test (its {@code @AfterEach} methods included): a failure that did not come through
   * {@link #onFailure} (an {@code @AfterEach} method's) and, with {@code always}, a passing test
   * get their file; then the recording is dropped.
   */
  static void afterEach(ExtensionContext context) {
    Recording recording = context.getStore(NAMESPACE).remove(KEY, Recording.class);
    if (recording == null) {
      return;
    }
    try {
      // A skip (an assumption, a missing feature) is no failure: its recording is dropped like a pass's.
      boolean failed = context.getExecutionException().filter(e -> !(e instanceof TestAbortedException)).isPresent();
      if (recording.report == null && (failed || CaptureConfiguration.of(context).mode == Mode.ALWAYS)) {
        String text = keep(context, recording);
        if (failed) {
          context.getExecutionException().get().addSuppressed(new FailureDiagnostics.NetworkReport(text));
        }
      }
    } finally {
      long r0 = System.nanoTime();
      recording.close();
      Lifecycle.t("ca.close", r0);
    }
  }

  private static String keep(ExtensionContext context, Recording recording) {
    if (recording.report != null) {
      return recording.report;
    }
    String text;
    if (recording.session == null) {
      text = "Capture: none. " + recording.unavailable + "\n";
    } else {
      recording.session.stop();
      Path file = CaptureConfiguration.of(context).dir.resolve(fileName(context)).toAbsolutePath();
      String where;
      try {
        recording.session.writeTo(file);
        where = file + " (open with: tshark -r " + file + ", or Wireshark)";
      } catch (IOException | RuntimeException e) {
        where = "not written: " + e + " (set " + CaptureConfiguration.DIR + " to a writable directory)";
      }
      text = "Capture: " + where + "\n" + recording.session.summary();
    }
    recording.report = text;
    context.publishReportEntry("junit-netns capture", text);
    return text;
  }

  /** {@code com.acme.ServerTest.connects.pcapng}; a repetition or invocation adds its number: {@code ...connects-3.pcapng}. */
  static String fileName(ExtensionContext context) {
    StringBuilder name = new StringBuilder(context.getRequiredTestClass().getName());
    context.getTestMethod().ifPresent(m -> name.append('.').append(m.getName()));
    Matcher invocation = INVOCATION.matcher(context.getUniqueId());
    while (invocation.find()) {
      name.append('-').append(invocation.group(1));
    }
    return name.toString().replaceAll("[^A-Za-z0-9._$-]", "_") + ".pcapng";
  }
}
