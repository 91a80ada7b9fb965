package io.github.junitnetns.internal.topology;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** The plan without annotations, as a builder of the library would make it. Needs no privilege. */
class TopologyPlanTest {
  private static final List<NamespaceSpec> THREE = List.of(
      new NamespaceSpec("client", false), new NamespaceSpec("router", true), new NamespaceSpec("server", false));

  private static VethSpec veth(String left, String right, String subnet) {
    return new VethSpec("veth " + left + "-" + right, "veth(\"" + left + "\", \"" + right + "\")", left, right, subnet,
        "", "", "", "", 0);
  }

  @Test
  void decidesNamesAddressesAndHostNamesWhenPlanned() {
    AtomicInteger hostNames = new AtomicInteger();
    TopologyPlan plan = TopologyPlan.of(THREE, List.of(
            veth("client", "router", "10.0.1.0/24"),
            veth("router", "server", "10.0.2.0/24"),
            veth(TopologyPlan.HOST, "router", "10.0.3.0/30")),
        List.of(new BridgeSpec("lan", "bridge(\"lan\")", "lan", List.of("client", "server"), "fd00::/64", List.of(),
            List.of(), 1500)),
        () -> "host" + hostNames.incrementAndGet());
    assertThat(plan.veths()).extracting(v -> v.left().interfaceName() + " " + v.left().address() + " <-> "
            + v.right().interfaceName() + " " + v.right().address())
        .containsExactly("eth0 10.0.1.1/24 <-> eth0 10.0.1.2/24", "eth1 10.0.2.1/24 <-> eth0 10.0.2.2/24",
            "host1 10.0.3.1/30 <-> eth2 10.0.3.2/30");
    assertThat(plan.veths().get(2).touchesHost()).isTrue();
    assertThat(plan.bridges().get(0).members()).extracting(Endpoint::interfaceName).containsExactly("eth1", "eth1");
    assertThat(plan.bridges().get(0).medium()).isEqualTo(Medium.bridge("lan")).hasToString("bridge lan");
    assertThat(plan.veths().get(0).medium()).isEqualTo(Medium.veth("veth client-router"));
  }

  @Test
  void aMistakeNamesTheDeclarationAsTheCallerWroteIt() {
    assertThatThrownBy(() -> TopologyPlan.of(THREE, List.of(veth("client", "nowhere", "")), List.of()))
        .isInstanceOf(InvalidTopologyException.class)
        .hasMessage("veth(\"client\", \"nowhere\") right names \"nowhere\", which is not a namespace of this test;"
            + " declared: [client, router, server]. Fix the name, or declare it with @IsolatedNetNs(\"nowhere\").")
        .satisfies(e -> assertThat(((InvalidTopologyException) e).what()).isEqualTo("veth(\"client\", \"nowhere\")"));
  }

  @Test
  void theValidatorChecksSingleValues() {
    assertThat(TopologyValidator.interfaceName("x", "name", "")).isNull();
    assertThat(TopologyValidator.isNamespaceName("server")).isTrue();
    assertThat(TopologyValidator.isNamespaceName("has space")).isFalse();
    assertThatThrownBy(() -> TopologyValidator.mtu("x", 67)).hasMessage("x has mtu = 67. Use 68 to 65535, or leave it"
        + " out for the kernel's default (1500).");
    assertThat(TopologyValidator.address("x", "address", "10.0.0.9", TopologyValidator.subnet("x", "10.0.0.0/24")))
        .hasToString("10.0.0.9/24");
  }

  /** The rules the library's own checks (VethPair, Bridge, Link) share with the plan. */
  @Test
  void thePrimitivesTellTheRuleThatANameOrMtuBreaks() {
    assertThat(TopologyValidator.interfaceNameProblem("eth0")).isNull();
    assertThat(TopologyValidator.interfaceNameProblem("fifteen-bytes-x")).isNull();
    assertThat(TopologyValidator.interfaceNameProblem(null)).isEqualTo(TopologyValidator.NameProblem.MISSING);
    assertThat(TopologyValidator.interfaceNameProblem("")).isEqualTo(TopologyValidator.NameProblem.MISSING);
    assertThat(TopologyValidator.interfaceNameProblem("sixteen-bytes-xy"))
        .isEqualTo(TopologyValidator.NameProblem.TOO_LONG);
    assertThat(TopologyValidator.interfaceNameProblem("lo")).isEqualTo(TopologyValidator.NameProblem.LOOPBACK);
    for (String reserved : List.of("a/b", "a:1", "x%d", "a b", "a\tb", ".", "..")) {
      assertThat(TopologyValidator.interfaceNameProblem(reserved)).as(reserved)
          .isEqualTo(TopologyValidator.NameProblem.RESERVED);
    }
    assertThat(TopologyValidator.isMtu(68)).isTrue();
    assertThat(TopologyValidator.isMtu(65535)).isTrue();
    assertThat(TopologyValidator.isMtu(67)).isFalse();
    assertThat(TopologyValidator.isMtu(65536)).isFalse();
    assertThat(TopologyValidator.isMtu(0)).isFalse();
  }
}
