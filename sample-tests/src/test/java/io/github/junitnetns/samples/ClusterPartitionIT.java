package io.github.junitnetns.samples;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.github.junitnetns.Network;
import io.github.junitnetns.jupiter.Bridge;
import io.github.junitnetns.jupiter.IsolatedNetNs;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Level;
import java.util.logging.Logger;
import java.util.stream.Collectors;
import org.jgroups.JChannel;
import org.jgroups.MergeView;
import org.jgroups.Receiver;
import org.jgroups.View;
import org.jgroups.util.Util;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.parallel.ResourceLock;

/**
 * Use case: a cluster split by a network partition and healed again, with a real membership
 * library (JGroups). Three "hosts" on one switch, one cluster node each:
 *
 * <pre>
 *   n1 10.0.1.1 ---+
 *   n2 10.0.1.2 ---+--- bridge "lan"
 *   n3 10.0.1.3 ---+
 * </pre>
 *
 * {@code net.isolate("n3")} drops n3's packets silently, like a pulled veth: no socket is closed
 * and no error comes back, so the cluster notices only because heartbeats stop arriving.
 *
 * <p>JGroups keeps the JVM's interfaces and addresses in static fields ({@code Util}'s caches), one
 * list for the whole JVM whatever namespace each thread is in. Each node re-reads it inside its own
 * namespace before its channel checks {@code bind_addr} against it, and classes that make JGroups
 * channels hold {@link #JGROUPS_ADDRESS_CACHE}, so that another class's node, in another namespace,
 * never refills the list in between: under load that once failed n1 with "10.0.1.1 is not a valid
 * address on any local network interface" while n1's eth0 had it.
 */
@ResourceLock(ClusterPartitionIT.JGROUPS_ADDRESS_CACHE)
@IsolatedNetNs({"n1", "n2", "n3"})
@Bridge(name = "lan", members = {"n1", "n2", "n3"}, subnet = "10.0.1.0/24")
class ClusterPartitionIT {

  /** The JVM-wide list of addresses JGroups checks bind addresses against: one class at a time uses it. */
  static final String JGROUPS_ADDRESS_CACHE = "org.jgroups.util.Util address cache";

  /**
   * JGroups logs through java.util.logging here, and reports the partition this test makes on
   * purpose (messages from a non-member dropped, connections to n3 closed) as warnings and errors
   * with stack traces: quiet in this test, whose assertions say what happened. A strong reference,
   * since java.util.logging keeps only weak ones and would forget the level.
   */
  private static final Logger JGROUPS_LOG = Logger.getLogger("org.jgroups");

  static {
    // JGroups reads this to choose IPv4; the stack below binds to IPv4 addresses only.
    System.setProperty("java.net.preferIPv4Stack", "true");
    JGROUPS_LOG.setLevel(Level.OFF);
  }

  /**
   * The JGroups stack of one node, bottom (transport) to top. Every node uses port 7800: each has
   * its own namespace, so they cannot clash. Timeouts are short so the test takes seconds, not the
   * minute or so of JGroups' defaults.
   */
  private static String stack(String bindAddress) {
    return """
        <config xmlns="urn:org:jgroups">
          <!-- TCP between the nodes, bound to this node's address on the bridge. No virtual
               threads: a thread must stay inside its namespace. No diagnostics (multicast). -->
          <TCP bind_addr="%s" bind_port="7800" sock_conn_timeout="500ms"
               use_virtual_threads="false" diag.enabled="false"/>
          <!-- Discovery: ask the three known addresses; no multicast needed. -->
          <TCPPING initial_hosts="10.0.1.1[7800],10.0.1.2[7800],10.0.1.3[7800]" port_range="0"/>
          <!-- Subclusters that can see each other again merge within a few seconds. -->
          <MERGE3 min_interval="1s" max_interval="3s" check_interval="4s"/>
          <!-- A node that sent no heartbeat for 3 s is suspected... -->
          <FD_ALL3 interval="500ms" timeout="3s"/>
          <!-- ...and removed from the view if it does not answer within 1 s more. -->
          <VERIFY_SUSPECT2 timeout="1s"/>
          <!-- Reliable, ordered delivery: what the membership protocol (GMS) is built on. -->
          <pbcast.NAKACK2 use_mcast_xmit="false"/>
          <UNICAST3/>
          <pbcast.STABLE/>
          <!-- Membership: who is in the view; do not wait long for an unreachable node's ack. -->
          <pbcast.GMS join_timeout="1s" merge_timeout="3s" view_ack_collection_timeout="1s"
                      print_local_addr="false"/>
        </config>
        """.formatted(bindAddress);
  }

  /** The views each node has installed, oldest first (cleared before the heal). */
  private final Map<String, List<View>> views = new ConcurrentHashMap<>();

  @Test
  void isolatedNodeLeavesTheViewAndMergesBackAfterHeal(Network net) throws Exception {
    Map<String, JChannel> nodes = new LinkedHashMap<>();
    try {
      for (String name : List.of("n1", "n2", "n3")) {
        String address = net.address(name).getHostAddress();
        // Created and connected inside the node's namespace: its sockets are created there, and
        // the threads it starts (receivers, timers, pools) inherit the namespace.
        JChannel channel = net.ns(name).call(() -> {
          // JGroups caches the JVM's interface addresses once, in whichever namespace loaded it
          // first, and checks bind_addr against that list: re-read it from inside this one.
          Util.resetCachedAddresses(true, true);
          JChannel ch = new JChannel(new ByteArrayInputStream(stack(address).getBytes(StandardCharsets.UTF_8)));
          ch.name(name);
          ch.setReceiver(new Receiver() {
            @Override
            public void viewAccepted(View view) {
              views.computeIfAbsent(name, n -> new CopyOnWriteArrayList<>()).add(view);
            }
          });
          ch.connect("cluster");
          return ch;
        });
        nodes.put(name, channel);
      }

      // 1. All three find each other.
      await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
        for (JChannel ch : nodes.values()) {
          assertThat(members(ch)).containsExactlyInAnyOrder("n1", "n2", "n3");
        }
      });

      // 2. Cut n3 off from everyone: n1 and n2 carry on as a cluster of two, n3 alone.
      net.isolate("n3");
      await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
        assertThat(members(nodes.get("n1"))).containsExactlyInAnyOrder("n1", "n2");
        assertThat(members(nodes.get("n2"))).containsExactlyInAnyOrder("n1", "n2");
        assertThat(members(nodes.get("n3"))).containsExactly("n3");
      });

      // 3. Plug the veth back in: the two subclusters merge into one view of three (a MergeView).
      views.clear();
      net.heal();
      await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
        for (String name : nodes.keySet()) {
          assertThat(members(nodes.get(name))).containsExactlyInAnyOrder("n1", "n2", "n3");
          assertThat(views.get(name)).hasAtLeastOneElementOfType(MergeView.class);
        }
      });
    } finally {
      // Close each node inside its namespace too: leaving the cluster sends messages.
      for (Map.Entry<String, JChannel> node : nodes.entrySet()) {
        net.ns(node.getKey()).run(node.getValue()::close);
      }
    }
  }

  private static Set<String> members(JChannel channel) {
    return channel.getView().getMembers().stream().map(Object::toString).collect(Collectors.toSet());
  }
}
