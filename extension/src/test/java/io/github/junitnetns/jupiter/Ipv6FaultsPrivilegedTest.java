package io.github.junitnetns.jupiter;

import static io.github.junitnetns.jupiter.SharedNamespacesPrivilegedTest.udpArrives;
import static org.assertj.core.api.Assertions.assertThat;

import io.github.junitnetns.NetNs;
import io.github.junitnetns.Network;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Faults on a bridge whose members have IPv6 addresses only: one-way cuts, partitions and
 * isolation drop exactly the pairs they name, and after {@code heal} the members find each other
 * again (neighbour discovery resolves anew). Needs CAP_SYS_ADMIN.
 */
@Tag("privileged")
@IsolatedNetNs({"n1", "n2", "n3"})
@Bridge(name = "lan", members = {"n1", "n2", "n3"}, subnet = "fd00:73::/64")
class Ipv6FaultsPrivilegedTest {
  private static final Map<String, String> ADDRESSES = Map.of("n1", "fd00:73::1", "n2", "fd00:73::2", "n3", "fd00:73::3");
  private static final Set<String> EVERY_WAY = new TreeSet<>(Set.of("n1>n2", "n1>n3", "n2>n1", "n2>n3", "n3>n1", "n3>n2"));

  /** The directions in which a datagram arrives, as "from>to", each probed once (300 ms). */
  private static Set<String> arriving(Network net, int attempts) throws Exception {
    Set<String> arriving = new TreeSet<>();
    for (String from : net.names()) {
      for (String to : net.names()) {
        if (!from.equals(to) && udpArrives(net.ns(from), net.ns(to), ADDRESSES.get(to), attempts)) {
          arriving.add(from + ">" + to);
        }
      }
    }
    return arriving;
  }

  /** Every member reaches every other before the fault: a datagram that later fails to arrive was dropped by it. */
  private static void allReachEachOther(Network net) throws Exception {
    assertThat(net.address("n3").getHostAddress()).isEqualTo("fd00:73:0:0:0:0:0:3");
    assertThat(arriving(net, 10)).isEqualTo(EVERY_WAY);
  }

  @Test
  void aOneWayCutDropsOneDirectionOnly(Network net) throws Exception {
    allReachEachOther(net);
    net.cutOneWay("n1", "n3");
    assertThat(net.isCut("n1", "n3")).isTrue();
    assertThat(net.isCut("n3", "n1")).isFalse();
    Set<String> expected = new TreeSet<>(EVERY_WAY);
    expected.remove("n1>n3");
    assertThat(arriving(net, 1)).isEqualTo(expected);
  }

  @Test
  void aPartitionSeparatesTheSidesAndKeepsEachWhole(Network net) throws Exception {
    allReachEachOther(net);
    net.partition(Set.of("n1"), Set.of("n2", "n3"));
    assertThat(arriving(net, 1)).containsExactly("n2>n3", "n3>n2");
  }

  @Test
  void isolationCutsOneMemberOffAndHealBringsItBack(Network net, @Ns("n2") NetNs n2) throws Exception {
    allReachEachOther(net);
    net.isolate("n2");
    assertThat(arriving(net, 1)).containsExactly("n1>n3", "n3>n1");
    net.heal();
    assertThat(net.isCut("n1", "n2")).isFalse();
    assertThat(n2.describe()).doesNotContain("faults:");
    // The neighbours of n2 failed to resolve during the cut; after the heal they resolve again.
    Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> arriving(net, 3).equals(EVERY_WAY));
  }
}
