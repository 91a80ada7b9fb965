package io.github.junitnetns.testsupport;

import io.github.junitnetns.Link;
import io.github.junitnetns.NetNs;
import java.io.IOException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * The names a test JVM gives what it makes outside its namespaces: host interfaces
 * {@code jn<pid in base 36>-<n>} (a {@code VethLink.HOST} end) and pins
 * {@code /run/netns/junit-netns-<pid>-...} (keep-on-failure). Tests that look at the host count
 * only objects that carry their own JVM's names (or the names and subnets of their own topology),
 * never the whole host: other processes on the machine, other test JVMs among them, add and remove
 * links, pins and namespaces at any time.
 */
public final class OwnNames {
  /** This JVM. */
  public static final long PID = ProcessHandle.current().pid();

  private OwnNames() {}

  /** The prefix of the host interfaces that process {@code pid} makes for a {@code VethLink.HOST} end. */
  public static String hostLinkPrefix(long pid) {
    return "jn" + Long.toString(pid, 36) + "-";
  }

  /** The prefix of the pins that process {@code pid} leaves under /run/netns. */
  public static String pinPrefix(long pid) {
    return "junit-netns-" + pid + "-";
  }

  /**
   * The names of the host's interfaces that process {@code pid} made, sorted. Asked over rtnetlink
   * in the JVM's own namespace: /sys/class/net would show the namespace of whoever mounted sysfs,
   * which is not the JVM's when it runs rootless.
   */
  public static List<String> hostLinks(long pid) {
    String prefix = hostLinkPrefix(pid);
    try (NetNs host = NetNs.open(Path.of("/proc/self/ns/net"))) {
      return host.links().stream().map(Link::name).filter(n -> n.startsWith(prefix)).sorted()
          .collect(Collectors.toList());
    }
  }

  /** The entries of /run/netns that process {@code pid} pinned, sorted. */
  public static List<String> pins(long pid) {
    String prefix = pinPrefix(pid);
    return Kernel.runNetnsEntries().stream().filter(n -> n.startsWith(prefix)).collect(Collectors.toList());
  }

  /**
   * The lines of {@code text} (e.g. the output of ci/host-snapshot or of {@code ip rule}) that
   * name something of process {@code pid} (its host interfaces, its pins) or match {@code alsoOurs}
   * (the names and subnets a test's own topology uses), in order.
   */
  public static String linesNaming(String text, long pid, Pattern alsoOurs) {
    Pattern ours = Pattern.compile(Pattern.quote(hostLinkPrefix(pid)) + "|" + Pattern.quote(pinPrefix(pid)));
    return text.lines().filter(l -> ours.matcher(l).find() || alsoOurs.matcher(l).find())
        .collect(Collectors.joining("\n"));
  }

  /**
   * Removes /run/netns when the test made it, if it is still empty and no mount point: another
   * process may have put a namespace there meanwhile ({@code ip netns add} also turns it into a
   * mount point), and then it stays.
   */
  public static void removeRunNetnsIfMadeHere(boolean existedBefore) throws IOException {
    if (existedBefore) {
      return;
    }
    try {
      Files.deleteIfExists(Path.of("/run/netns"));
    } catch (DirectoryNotEmptyException e) {
      // someone else's namespaces are in it now
    } catch (FileSystemException e) {
      if (!"Device or resource busy".equals(e.getReason())) {
        throw e;
      }
      // a mount point now: ip netns add ran meanwhile
    }
  }
}
