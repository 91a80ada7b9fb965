package io.github.junitnetns.jupiter;

import static io.github.junitnetns.jupiter.EngineRuns.describe;
import static io.github.junitnetns.jupiter.EngineRuns.run;
import static java.util.stream.Collectors.joining;
import static org.assertj.core.api.Assertions.assertThat;

import io.github.junitnetns.Link;
import io.github.junitnetns.Network;
import io.github.junitnetns.internal.ns.NsHandle;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtensionConfigurationException;
import org.junit.jupiter.api.parallel.Isolated;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.testkit.engine.EngineExecutionResults;
import org.junit.platform.testkit.engine.Event;

/**
 * Through the engine: bad {@code @VethLink}/{@code @Bridge} topologies are refused before anything
 * is created (every bad case and its message is in the unprivileged {@link PlanTest}; a few run
 * here end to end), and valid edge cases are built as declared. {@code @Isolated}: nothing else
 * runs meanwhile, so the library's creation counter (namespaces, bridges' hidden namespaces
 * included) proves "nothing".
 *
 * <p>Each good fixture's body only records what was built, so a failure can only come from
 * validation or building.
 */
@Isolated
@Tag("privileged")
class TopologyValidationPrivilegedTest {

  // ================================================================ bad: refused, nothing created

  /**
   * A few of {@link PlanTest}'s bad declarations, one per place the extension checks them: a class's
   * own link, a test method's, a test method's link under CLASS-scoped namespaces (checked before the
   * class's namespaces exist), a bridge, and links between veths in one namespace.
   */
  static Stream<Arguments> badTopologies() {
    return Stream.of(
        PlanTest.row(PlanTest.UnknownLeft.class, "@VethLink(left = \"nope\", right = \"b\") on UnknownLeft",
            "left names \"nope\", which is not a namespace of this test; declared: [a, b]."),
        PlanTest.row(PlanTest.UnknownOnMethod.class, "@VethLink(left = \"a\", right = \"c\") on UnknownOnMethod.test()",
            "right names \"c\", which is not a namespace of this test; declared: [a, b]."),
        PlanTest.row(PlanTest.ClassScopeWithBadMethodLink.class,
            "@VethLink(left = \"a\", right = \"b\") on ClassScopeWithBadMethodLink.test()", "has mtu = 10."),
        PlanTest.row(PlanTest.BridgeMtuTooLarge.class, "@Bridge(name = \"lan\") on BridgeMtuTooLarge", "has mtu = 70000."),
        PlanTest.row(PlanTest.SameAddressTwiceInOneNamespace.class,
            "@VethLink(left = \"a\", right = \"c\") on SameAddressTwiceInOneNamespace", "10.0.0.1/24", "namespace \"a\""),
        PlanTest.row(PlanTest.MethodVethLinkWithoutNamespaces.class,
            "@VethLink(left = \"<host>\", right = \"a\") on MethodVethLinkWithoutNamespaces.test()",
            "right names \"a\", which is not a namespace of this test; declared: []."));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("badTopologies")
  void isRefusedBeforeAnythingIsCreated(Class<?> fixture, String annotation, List<String> fragments) {
    long created = NsHandle.createdCount();
    EngineExecutionResults results = run(fixture);
    assertThat(failures(results)).as(describe(results.allEvents())).singleElement().satisfies(thrown -> {
      assertThat(thrown).isInstanceOf(ExtensionConfigurationException.class).hasMessageStartingWith(annotation + " ");
      fragments.forEach(fragment -> assertThat(thrown).hasMessageContaining(fragment));
    });
    assertThat(results.testEvents().succeeded().count()).as("tests that ran").isZero();
    assertThat(NsHandle.createdCount()).as("namespaces created").isEqualTo(created);
  }

  // ================================================================ good: valid edge cases build

  static final Map<Class<?>, String> BUILT = new ConcurrentHashMap<>();

  /** What a fixture's body saw: per namespace, its interfaces (not lo) with MTU (when not 1500) and global addresses. */
  static void record(Object test, Network net) {
    BUILT.put(test.getClass(), net.names().stream()
        .map(name -> name + ": " + net.ns(name).links().stream()
            .filter(link -> !link.name().equals("lo"))
            .map(TopologyValidationPrivilegedTest::describeLink)
            .sorted()
            .collect(joining("; ")))
        .collect(joining(" | ")));
  }

  private static String describeLink(Link link) {
    return link.name() + (link.mtu() == 1500 ? "" : " mtu " + link.mtu()) + link.addresses().stream()
        .filter(a -> !a.address().isLinkLocalAddress())
        .map(a -> " " + a)
        .collect(joining());
  }

  @IsolatedNetNs({"a", "b"})
  @VethLink(left = "a", right = "b", subnet = "10.0.0.0/24", leftAddress = "10.0.0.7")
  static class LeftAddressGivenRightDefaulted {
    @Test void test(Network net) { record(this, net); }
  }

  @IsolatedNetNs({"a", "b"})
  @VethLink(left = "a", right = "b", subnet = "10.0.0.0/24", rightAddress = "10.0.0.1")
  static class RightTakesTheFirstAddress {
    @Test void test(Network net) { record(this, net); }
  }

  @IsolatedNetNs({"a", "b"})
  @VethLink(left = "a", right = "b", subnet = "10.0.0.0/24", leftAddress = "10.0.0.10", rightAddress = "10.0.0.20/24")
  static class BareAndCidrAddressesInSubnet {
    @Test void test(Network net) { record(this, net); }
  }

  @IsolatedNetNs({"a", "b"})
  @VethLink(left = "a", right = "b", leftAddress = "192.168.5.1/30", rightAddress = "192.168.5.2/30")
  static class CidrAddressesWithoutSubnet {
    @Test void test(Network net) { record(this, net); }
  }

  @IsolatedNetNs({"a", "b"})
  @VethLink(left = "a", right = "b", subnet = "10.0.0.0/31")
  static class Ipv4Slash31 {
    @Test void test(Network net) { record(this, net); }
  }

  @IsolatedNetNs({"a", "b"})
  @VethLink(left = "a", right = "b", subnet = "fd00::/126")
  static class Ipv6Slash126 {
    @Test void test(Network net) { record(this, net); }
  }

  @IsolatedNetNs({"a", "b"})
  @VethLink(left = "a", right = "b", subnet = "fd00:1::/64", rightAddress = "fd00:1::beef", mtu = 1280)
  static class Ipv6BareAddressAndMinimumMtu {
    @Test void test(Network net) { record(this, net); }
  }

  @IsolatedNetNs({"a", "b"})
  @VethLink(left = "a", right = "b", subnet = "10.0.0.0/24", mtu = 68)
  static class SmallestMtu {
    @Test void test(Network net) { record(this, net); }
  }

  @IsolatedNetNs({"a", "b", "c"})
  @VethLink(left = "a", right = "b", subnet = "10.0.1.0/24")
  @VethLink(left = "a", right = "c", subnet = "10.0.2.0/24", leftName = "eth0")
  static class ExplicitEth0BesideADefault {
    @Test void test(Network net) { record(this, net); }
  }

  @IsolatedNetNs({"a", "b"})
  @Bridge(name = "lan", members = {"a", "b"}, subnet = "10.0.1.0/30", interfaceNames = {"lan0", "lan1"}, mtu = 65535)
  static class BridgeExactlyFullAndLargestMtu {
    @Test void test(Network net) { record(this, net); }
  }

  @IsolatedNetNs({"a", "b", "c"})
  @Bridge(name = "lan", members = {"a", "b", "c"}, subnet = "10.0.1.0/24", addresses = {"10.0.1.30", "10.0.1.20", "10.0.1.10/24"})
  static class BridgeBareAddressesInSubnet {
    @Test void test(Network net) { record(this, net); }
  }

  @IsolatedNetNs({"a", "b"})
  @VethLink(left = "a", right = "b", subnet = "10.0.0.0/24")
  @Bridge(name = "lan", members = {"b", "a"}, subnet = "fd00:2::/64")
  static class VethBeforeBridgeInOneNamespace {
    @Test void test(Network net) { record(this, net); }
  }

  @IsolatedNetNs("a")
  @VethLink(left = "a", right = "b", subnet = "10.0.0.0/24")
  static class ClassLinkToMethodNamespace {
    @Test @IsolatedNetNs("b") void test(Network net) { record(this, net); }
  }

  static Stream<Arguments> goodTopologies() {
    return Stream.of(
        good(LeftAddressGivenRightDefaulted.class, "a: eth0 10.0.0.7/24 | b: eth0 10.0.0.2/24"),
        good(RightTakesTheFirstAddress.class, "a: eth0 10.0.0.2/24 | b: eth0 10.0.0.1/24"),
        good(BareAndCidrAddressesInSubnet.class, "a: eth0 10.0.0.10/24 | b: eth0 10.0.0.20/24"),
        good(CidrAddressesWithoutSubnet.class, "a: eth0 192.168.5.1/30 | b: eth0 192.168.5.2/30"),
        good(Ipv4Slash31.class, "a: eth0 10.0.0.0/31 | b: eth0 10.0.0.1/31"),
        good(Ipv6Slash126.class, "a: eth0 fd00::1/126 | b: eth0 fd00::2/126"),
        good(Ipv6BareAddressAndMinimumMtu.class, "a: eth0 mtu 1280 fd00:1::1/64 | b: eth0 mtu 1280 fd00:1::beef/64"),
        good(SmallestMtu.class, "a: eth0 mtu 68 10.0.0.1/24 | b: eth0 mtu 68 10.0.0.2/24"),
        good(ExplicitEth0BesideADefault.class,
            "a: eth0 10.0.2.1/24; eth1 10.0.1.1/24 | b: eth0 10.0.1.2/24 | c: eth0 10.0.2.2/24"),
        good(BridgeExactlyFullAndLargestMtu.class, "a: lan0 mtu 65535 10.0.1.1/30 | b: lan1 mtu 65535 10.0.1.2/30"),
        good(BridgeBareAddressesInSubnet.class, "a: eth0 10.0.1.30/24 | b: eth0 10.0.1.20/24 | c: eth0 10.0.1.10/24"),
        good(VethBeforeBridgeInOneNamespace.class,
            "a: eth0 10.0.0.1/24; eth1 fd00:2::2/64 | b: eth0 10.0.0.2/24; eth1 fd00:2::1/64"),
        good(ClassLinkToMethodNamespace.class, "a: eth0 10.0.0.1/24 | b: eth0 10.0.0.2/24"));
  }

  private static Arguments good(Class<?> fixture, String built) {
    return Arguments.of(Named.of(fixture.getSimpleName(), fixture), built);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("goodTopologies")
  void isAcceptedAndBuilt(Class<?> fixture, String built) {
    BUILT.remove(fixture);
    long created = NsHandle.createdCount();
    EngineExecutionResults results = run(fixture);
    assertThat(failures(results)).as(describe(results.allEvents())).isEmpty();
    results.testEvents().assertStatistics(s -> s.started(1).succeeded(1));
    assertThat(NsHandle.createdCount()).as("namespaces created").isGreaterThan(created);
    assertThat(BUILT.get(fixture)).isEqualTo(built);
  }

  /** Failures of tests and of containers (a class-level declaration can fail the class). */
  private static List<Throwable> failures(EngineExecutionResults results) {
    return results.allEvents().failed().stream()
        .map((Event e) -> e.getRequiredPayload(TestExecutionResult.class).getThrowable().orElseThrow())
        .toList();
  }
}
