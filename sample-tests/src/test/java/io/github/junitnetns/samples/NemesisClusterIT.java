package io.github.junitnetns.samples;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.github.junitnetns.Nemesis;
import io.github.junitnetns.Network;
import io.github.junitnetns.jupiter.Bridge;
import io.github.junitnetns.jupiter.IsolatedNetNs;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.jgroups.JChannel;
import org.jgroups.View;
import org.jgroups.util.Util;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.parallel.ResourceLock;

/**
 * Use case: a cluster under a seeded nemesis, as in Jepsen: for ten seconds random partitions come
 * and go (an isolated node, two halves, a bridge node), then the nemesis stops and heals, and the
 * cluster must converge: every node sees the same view of three. Three "hosts" on one bridge, one
 * JGroups node each, as in {@link ClusterPartitionIT} (which explains the stack).
 *
 * <p>The seed makes the faults repeatable: if this test fails, the report lists the nemesis's
 * timeline, and the same seed replays the same faults.
 */
@ResourceLock(ClusterPartitionIT.JGROUPS_ADDRESS_CACHE)
@IsolatedNetNs({"n1", "n2", "n3"})
@Bridge(name = "lan", members = {"n1", "n2", "n3"}, subnet = "10.0.1.0/24")
class NemesisClusterIT {

  /** JGroups reports the partitions made on purpose as warnings with stack traces: quiet here. */
  private static final Logger JGROUPS_LOG = Logger.getLogger("org.jgroups");

  static {
    System.setProperty("java.net.preferIPv4Stack", "true");
    JGROUPS_LOG.setLevel(Level.OFF);
  }

  private static String stack(String bindAddress) {
    return """
        <config xmlns="urn:org:jgroups">
          <TCP bind_addr="%s" bind_port="7800" sock_conn_timeout="500ms"
               use_virtual_threads="false" diag.enabled="false"/>
          <TCPPING initial_hosts="10.0.1.1[7800],10.0.1.2[7800],10.0.1.3[7800]" port_range="0"/>
          <MERGE3 min_interval="1s" max_interval="3s" check_interval="4s"/>
          <FD_ALL3 interval="500ms" timeout="3s"/>
          <VERIFY_SUSPECT2 timeout="1s"/>
          <pbcast.NAKACK2 use_mcast_xmit="false"/>
          <UNICAST3/>
          <pbcast.STABLE/>
          <pbcast.GMS join_timeout="1s" merge_timeout="3s" view_ack_collection_timeout="1s"
                      print_local_addr="false"/>
        </config>
        """.formatted(bindAddress);
  }

  @Test
  void convergesToOneViewAfterTenSecondsOfRandomPartitions(Network net) throws Exception {
    Map<String, JChannel> nodes = new LinkedHashMap<>();
    try {
      for (String name : List.of("n1", "n2", "n3")) {
        String address = net.address(name).getHostAddress();
        // Created inside the node's namespace: its sockets and threads are there.
        nodes.put(name, net.ns(name).call(() -> {
          Util.resetCachedAddresses(true, true);
          JChannel channel = new JChannel(new ByteArrayInputStream(stack(address).getBytes(StandardCharsets.UTF_8)));
          channel.name(name);
          channel.connect("cluster");
          return channel;
        }));
      }
      await().atMost(Duration.ofSeconds(30)).until(() -> converged(nodes));

      // A fault every 1.5 s, healed 1.5 s later; the choices repeat with the seed.
      Nemesis nemesis = Nemesis.on(net)
          .seed(42)
          .every(Duration.ofMillis(1500))
          .faults(Nemesis.isolateRandomNode(), Nemesis.partitionHalves(), Nemesis.partitionBridge())
          .start();
      try (nemesis) {
        Thread.sleep(10_000); // the workload would run here
      }
      // Faults came and went (and close() healed the last one).
      assertThat(nemesis.timeline()).extracting(Nemesis.Event::description)
          .filteredOn(description -> !description.equals("heal")).hasSizeGreaterThanOrEqualTo(3);

      // Healed: MERGE3 finds the subclusters and GMS merges them into one view of three.
      await().atMost(Duration.ofSeconds(60)).until(() -> converged(nodes));
    } finally {
      for (Map.Entry<String, JChannel> node : nodes.entrySet()) {
        net.ns(node.getKey()).run(node.getValue()::close);
      }
    }
  }

  /** Every node has installed the same view, and it has all three members. */
  private static boolean converged(Map<String, JChannel> nodes) {
    View first = nodes.get("n1").getView();
    return first != null && first.size() == 3
        && nodes.values().stream().allMatch(channel -> first.equals(channel.getView()));
  }
}
