package io.github.junitnetns.jupiter;

import io.github.junitnetns.NetNs;
import io.github.junitnetns.Network;
import io.github.junitnetns.Shaping;
import io.github.junitnetns.internal.linux.ErrnoException;
import io.github.junitnetns.internal.names.Names;
import io.github.junitnetns.internal.ns.Pins;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.net.UnknownHostException;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.opentest4j.TestAbortedException;

/**
 * What a failed test leaves for whoever reads it: each namespace's state attached to the exception
 * (a suppressed {@link NetworkReport}) and published as a report entry, and, with
 * {@code junit.netns.keep-on-failure=true}, the namespaces themselves pinned under /run/netns. Pins
 * of test JVMs that have ended are swept once per JVM.
 */
final class FailureDiagnostics {
  private static final System.Logger LOG = System.getLogger(NetNsExtension.class.getName());

  private FailureDiagnostics() {}

  /** The namespaces' state at failure, attached to the test's exception so it shows in every report. */
  static final class NetworkReport extends RuntimeException {
    private static final long serialVersionUID = 1L;

    NetworkReport(String text) {
      super(text, null, false, false);
    }
  }

  static void handle(ExtensionContext context, Throwable throwable) throws Throwable {
    abortWithoutNetem(context, throwable);
    BuiltTopology topology = Contexts.testTopology(context);
    if (topology != null && !(throwable instanceof TestAbortedException)) {
      topology.failed();
      if (!topology.borrowed().isEmpty()) {
        Contexts.classTopologies(context).forEach(BuiltTopology::failed);
      }
      StringBuilder report = new StringBuilder(namesNote(throwable, topology.all().keySet()))
          .append("Network namespaces when the test failed:\n");
      for (NetNs ns : topology.all().values()) {
        String text;
        try {
          text = ns.describe() + LibraryInternals.processReport(ns);
        } catch (RuntimeException e) {
          text = "netns " + ns.label() + ": cannot describe: " + e.getMessage() + "\n";
        }
        context.publishReportEntry("junit-netns " + ns.label(), text);
        report.append(text);
      }
      report.append(TestCaptures.onFailure(context));
      Network view = topology.view();
      if (view != null && !view.faults().isEmpty()) {
        report.append("Faults in force (this test's), with the packets they hit:\n");
        view.faults().forEach(fault -> report.append("    ").append(fault).append('\n'));
      }
      nemeses(context, topology, report);
      throwable.addSuppressed(new NetworkReport(report.toString()));
      SharedPools.diagnoseFailure(context, topology, throwable);
    }
    throw throwable;
  }

  /** The timelines of the nemeses the test started on its {@code Network}, if any. */
  private static void nemeses(ExtensionContext context, BuiltTopology topology, StringBuilder report) {
    if (topology.view() == null) {
      return;
    }
    String timelines = LibraryInternals.nemesisReport(topology.view());
    if (!timelines.isEmpty()) {
      context.publishReportEntry("junit-netns nemesis", timelines);
      report.append(timelines);
    }
  }

  /**
   * Why a name of the test's namespaces did not resolve, when the failure is an
   * {@link UnknownHostException} for one (in its causes); otherwise empty.
   */
  static String namesNote(Throwable throwable, Set<String> names) {
    for (Throwable t = throwable; t != null; t = t.getCause()) {
      if (t instanceof UnknownHostException && t.getMessage() != null) {
        String message = t.getMessage();
        int colon = message.indexOf(':');
        String host = (colon < 0 ? message : message.substring(0, colon)).trim();
        if (names.stream().anyMatch(n -> !n.isEmpty() && n.equalsIgnoreCase(host))) {
          String why = Names.whyNamesDoNotResolve();
          return "junit-netns: \"" + host + "\" is the name of a namespace of this test, but " + (why != null ? why
              : "it resolves only on threads inside the test's namespaces, and this lookup ran outside (a pool made on"
                  + " the host?); use ns.threadFactory(), ns.call(...) or net.address(\"" + host + "\")")
              + ". See docs/names.md.\n";
        }
      }
    }
    return "";
  }

  /**
   * A shaping refused for want of netem: the kernel lacks a feature, not the code under test, so
   * by default the test is skipped, with the fix in the message. With
   * {@code junit.netns.netem=require} (CI on kernels that have netem) it fails: returns, and the
   * refusal is reported as the failure it then is.
   */
  static void abortWithoutNetem(ExtensionContext context, Throwable throwable) {
    if (throwable instanceof Shaping.NetemUnavailableException
        && NetNsConfiguration.of(context).abortWithoutNetem()) {
      SkipWarnings.JVM.netemMissing(SkipWarnings.name(context), throwable.getMessage());
      throw new TestAbortedException(throwable.getMessage() + " Skipped; set " + NetNsConfiguration.NETEM
          + "=require to fail instead.", throwable);
    }
  }

  /**
   * Pins the failed test's namespaces under /run/netns so that {@code ip netns exec} can enter them
   * after the JVM has moved on, and says how; a pin that cannot be made is reported, never fatal.
   */
  static void keep(ExtensionContext context, BuiltTopology topology, Map<String, NetNs> owned, String test) {
    if (owned.isEmpty()) {
      return; // only shared (CLASS-scoped) namespaces: their class pins them when it ends
    }
    long pid = ProcessHandle.current().pid();
    StringBuilder pinned = new StringBuilder();
    StringBuilder failures = new StringBuilder();
    for (Map.Entry<String, NetNs> entry : owned.entrySet()) {
      String name = entry.getKey().equals(Declaration.UNNAMED) ? "ns" : entry.getKey();
      try {
        String pin = Pins.pin(LibraryInternals.handle(entry.getValue()), Pins.RUN_NETNS, Pins.name(pid, test, name));
        pinned.append("  ").append(name).append(": ip netns exec ").append(pin).append(" ip addr\n");
      } catch (ErrnoException e) {
        failures.append("  ").append(name).append(": ").append(e.getMessage()).append('\n');
      } catch (IOException e) {
        failures.append("  ").append(name).append(": cannot create a file in ").append(Pins.RUN_NETNS).append(": ")
            .append(e).append('\n');
      }
    }
    StringBuilder message = new StringBuilder();
    if (pinned.length() > 0) {
      topology.keepHostLinks();
      message.append("junit-netns kept the network namespaces of failed ").append(test).append(" (")
          .append(NetNsConfiguration.KEEP_ON_FAILURE).append("=true); enter them with:\n").append(pinned);
      if (!topology.hostLinks().isEmpty()) {
        message.append("The host's ends of its veths stay too: ").append(String.join(", ", topology.hostLinks()))
            .append(".\n");
      }
      message.append("Remove them with `ip netns delete NAME`; otherwise the first test JVM that starts after this"
          + " one has ended removes them.\n");
    }
    if (failures.length() > 0) {
      message.append("junit-netns could not keep these namespaces of failed ").append(test).append(":\n")
          .append(failures).append("Pinning needs root in the host's mount namespace (CAP_SYS_ADMIN over it) and a"
              + " writable ").append(Pins.RUN_NETNS).append("; a rootless JVM cannot pin.\n");
    }
    context.publishReportEntry("junit-netns kept", message.toString());
    // Also logged: a build tool that does not show report entries still tells where the pins are.
    LOG.log(failures.length() > 0 ? Level.WARNING : Level.INFO, message.toString().stripTrailing());
  }

  /** Once per JVM: removes pins left under /run/netns by test JVMs that have ended. */
  static void sweepStalePins() {
    try {
      List<String> removed = Pins.sweepOnce();
      if (!removed.isEmpty()) {
        LOG.log(Level.INFO, "junit-netns: removed " + removed.size() + " pins of ended test JVMs from "
            + Pins.RUN_NETNS + ": " + String.join(", ", removed));
      }
    } catch (RuntimeException e) {
      LOG.log(Level.WARNING, "junit-netns: could not look for stale pins in " + Pins.RUN_NETNS + ": " + e.getMessage());
    }
  }
}
