package io.github.junitnetns;

import io.github.junitnetns.internal.ns.Attachment;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A test's whole topology by name: its namespaces, the cables and bridges between them, and their
 * addresses. Declare a parameter of this type in a test with {@code @IsolatedNetNs}.
 *
 * <pre>{@code
 * @IsolatedNetNs({"n1", "n2", "n3"})
 * @Bridge(name = "lan", members = {"n1", "n2", "n3"}, subnet = "10.0.1.0/24")
 * class ClusterTest {
 *   @Test
 *   void everyoneSeesEveryone(Network net) throws Exception {
 *     InetAddress n3 = net.address("n3");                       // 10.0.1.3
 *     assertThat(net.ns("n1").call(() -> n3.isReachable(1000))).isTrue();
 *     Link n1ToN2 = net.link("n1", "n2");                        // n1's eth0
 *   }
 * }
 * }</pre>
 */
public final class Network {
  private final Map<String, NetNs> namespaces;
  private final Map<String, Bridge> bridges;
  private final List<Attachment> attachments;

  Network(Map<String, NetNs> namespaces, Map<String, Bridge> bridges, List<Attachment> attachments) {
    this.namespaces = Collections.unmodifiableMap(new LinkedHashMap<>(namespaces));
    this.bridges = Collections.unmodifiableMap(new LinkedHashMap<>(bridges));
    this.attachments = List.copyOf(attachments);
  }

  /** The names of the namespaces, in declaration order. */
  public Set<String> names() {
    Set<String> names = new LinkedHashSet<>(namespaces.keySet());
    names.remove("");
    return Collections.unmodifiableSet(names);
  }

  /** The namespace called {@code name}. */
  public NetNs ns(String name) {
    NetNs ns = namespaces.get(name);
    if (ns == null || name.isEmpty()) {
      throw new IllegalArgumentException("Network.ns(\"" + name + "\"): no such namespace; the test has " + names());
    }
    return ns;
  }

  /** The address of {@code name}'s first configured interface (cables first, then bridges, in declaration order). */
  public InetAddress address(String name) {
    ns(name);
    for (Attachment attachment : attachments) {
      if (attachment.namespace.equals(name) && attachment.address != null) {
        return attachment.address;
      }
    }
    throw new IllegalStateException("Network.address(\"" + name + "\"): namespace \"" + name + "\" has no configured"
        + " address; give its @VethLink or @Bridge a subnet or addresses");
  }

  /**
   * {@code a}'s interface toward {@code b}: its end of their cable, or its port on a bridge they
   * share; read from the kernel now.
   */
  public Link link(String a, String b) {
    ns(a);
    ns(b);
    for (Attachment mine : attachments) {
      if (mine.namespace.equals(a)) {
        for (Attachment theirs : attachments) {
          if (theirs.namespace.equals(b) && theirs.medium.equals(mine.medium)) {
            return namespaces.get(a).readLink(mine.interfaceName);
          }
        }
      }
    }
    throw new IllegalArgumentException("Network.link(\"" + a + "\", \"" + b + "\"): the two are not on one cable"
        + " or bridge; connect them with @VethLink or @Bridge");
  }

  /** The bridge called {@code name}. */
  public Bridge bridge(String name) {
    Bridge bridge = bridges.get(name);
    if (bridge == null) {
      throw new IllegalArgumentException("Network.bridge(\"" + name + "\"): no such bridge; the test has " + bridges.keySet());
    }
    return bridge;
  }

  /** Every namespace's {@link NetNs#describe()}, bridges included. */
  public String describe() {
    StringBuilder out = new StringBuilder();
    namespaces.values().forEach(ns -> out.append(ns.describe()));
    bridges.values().forEach(bridge -> out.append(bridge.netNs().describe()));
    return out.toString();
  }

  @Override
  public String toString() {
    List<String> media = new ArrayList<>();
    for (Attachment attachment : attachments) {
      media.add(attachment.interfaceName + "@" + attachment.namespace + " on " + attachment.medium
          + (attachment.address == null ? "" : " " + attachment.address.getHostAddress()));
    }
    return "Network" + names() + " " + media;
  }
}
