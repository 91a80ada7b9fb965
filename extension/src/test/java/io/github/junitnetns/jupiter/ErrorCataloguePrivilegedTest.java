package io.github.junitnetns.jupiter;

import static io.github.junitnetns.jupiter.EngineRuns.onlyFailure;
import static io.github.junitnetns.jupiter.EngineRuns.run;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.junitnetns.Bridge;
import io.github.junitnetns.Link;
import io.github.junitnetns.NetNs;
import io.github.junitnetns.NetNsException;
import io.github.junitnetns.VethPair;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ParameterResolutionException;

/**
 * The error catalogue of docs/troubleshooting.md, the cases that need namespaces:
 * kernel refusals through the public API (each message names the operation, the object and the
 * errno, and where the library can tell, which name is taken), closed namespaces and bridges, and
 * the extension's errors that come after its namespaces exist.
 *
 * <p>Covered elsewhere, not repeated here: netem missing, skipped or failed with
 * {@code junit.netns.netem=require} ({@link NetemPrivilegedTest}, {@link ShapingNetworkPrivilegedTest},
 * {@link ShapingBridgePrivilegedTest}, {@code ShapingPrivilegedTest}), EPERM without privileges
 * ({@link UnprivilegedPrivilegedTest}), virtual threads ({@link VirtualThreadPrivilegedTest}), a
 * JUnit thread left in another namespace and {@code @Ns} naming no namespace of a test method
 * ({@link IsolatedNetNsPrivilegedTest}), faults and shaping without a shared link
 * ({@link PartitionPrivilegedTest}, {@link ShapingBridgePrivilegedTest}).
 */
@Tag("privileged")
class ErrorCataloguePrivilegedTest {

  // ================================================================ kernel refusals (library)

  @Test
  void anInterfaceNameInUseIsEexistSayingWhichNamespaceHasIt() {
    try (NetNs x = NetNs.create("x"); NetNs y = NetNs.create("y")) {
      VethPair.create(x, "eth0", y, "eth0");
      assertThatThrownBy(() -> VethPair.create(x, "eth0", y, "eth1")).isInstanceOf(NetNsException.class)
          .hasMessage("RTM_NEWLINK veth eth0@x <-> eth1@y: EEXIST (File exists) - netns x has an interface called eth0"
              + " already; give the veth's ends unused names (NetNs.links() lists the ones in use)")
          .satisfies(e -> assertThat(((NetNsException) e).is("EEXIST")).isTrue());
      assertThat(y.links()).extracting(Link::name).containsExactlyInAnyOrder("lo", "eth0"); // no half veth
    }
  }

  @Test
  void aBridgeMemberNameInUseIsEexistToo() {
    try (NetNs member = NetNs.create("member"); Bridge lan = Bridge.create("lan")) {
      lan.attach(member, "lan0");
      assertThatThrownBy(() -> lan.attach(member, "lan0")).isInstanceOf(NetNsException.class)
          .hasMessageStartingWith("RTM_NEWLINK veth port2@bridge-lan (master lan) <-> lan0@member: EEXIST (File exists)")
          .hasMessageEndingWith(" - netns member has an interface called lan0 already; give the veth's ends unused names"
              + " (NetNs.links() lists the ones in use)");
    }
  }

  @Test
  void aBridgeMemberIsCheckedBeforeTheKernelIsAsked() {
    try (NetNs member = NetNs.create("member"); Bridge lan = Bridge.create("lan")) {
      assertThatThrownBy(() -> lan.attach(member, "eth0", 10)).isInstanceOf(IllegalArgumentException.class)
          .hasMessage("Bridge.attach(veth port1@bridge-lan (master lan) <-> eth0@member): mtu 10 is out of range;"
              + " use 68 to 65535, or 0 for the default");
      assertThatThrownBy(() -> lan.attach(member, "lo")).isInstanceOf(IllegalArgumentException.class)
          .hasMessageStartingWith("Bridge.attach(veth port2@bridge-lan (master lan) <-> lo@member): interfaceName"
              + " \"lo\" is not a usable interface name: every namespace has its loopback interface called lo");
      assertThat(member.links()).extracting(Link::name).containsExactly("lo");
      assertThat(lan.netNs().links()).extracting(Link::name).containsExactlyInAnyOrder("lo", "lan");
    }
  }

  @Test
  void anAddressTwiceIsEexistOnTheAddress() {
    try (NetNs x = NetNs.create("x"); NetNs y = NetNs.create("y")) {
      Link eth0 = VethPair.create(x, "eth0", y, "eth0").left();
      eth0.addAddress("10.0.0.1/24");
      // The kernel may add its own words (extended ACK), e.g. "kernel says: ipv4: Address already assigned".
      assertThatThrownBy(() -> eth0.addAddress("10.0.0.1/24")).isInstanceOf(NetNsException.class)
          .hasMessageStartingWith("RTM_NEWADDR 10.0.0.1/24 on eth0@x: EEXIST (File exists)");
    }
  }

  @Test
  void addressesAreCheckedBeforeTheKernelIsAsked() {
    try (NetNs x = NetNs.create("x")) {
      Link lo = x.link("lo").orElseThrow();
      assertThatThrownBy(() -> lo.addAddress("10.0.0.1")).isInstanceOf(IllegalArgumentException.class)
          .hasMessage("addAddress(\"10.0.0.1\") on lo@x: \"10.0.0.1\" has no prefix length; write it as CIDR, e.g."
              + " 10.0.0.1/24");
      assertThatThrownBy(() -> lo.addAddress("::ffff:10.0.0.1/96")).isInstanceOf(IllegalArgumentException.class)
          .hasMessage("addAddress(\"::ffff:10.0.0.1/96\") on lo@x: \"::ffff:10.0.0.1/96\" is an IPv4-mapped IPv6"
              + " address; write the IPv4 address itself");
      assertThatThrownBy(() -> lo.setMtu(70000)).isInstanceOf(IllegalArgumentException.class)
          .hasMessage("setMtu(70000) on lo@x: an MTU must be between 68 (the IPv4 minimum) and 65535");
      assertThat(x.link("lo").orElseThrow().addresses()).extracting(Link.Address::toString)
          .containsExactly("127.0.0.1/8", "::1/128");
    }
  }

  @Test
  void aDeletedInterfaceIsEnodev() {
    try (NetNs x = NetNs.create("x"); NetNs y = NetNs.create("y")) {
      VethPair pair = VethPair.create(x, "eth0", y, "eth0");
      Link left = pair.left();
      pair.delete();
      assertThatThrownBy(left::up).isInstanceOf(NetNsException.class)
          .hasMessage("RTM_NEWLINK eth0@x up: ENODEV (No such device)");
      assertThatThrownBy(left::refresh).isInstanceOf(NetNsException.class)
          .hasMessage("RTM_GETLINK eth0@x: ENODEV (No such device)");
      assertThatThrownBy(pair::delete).isInstanceOf(NetNsException.class)
          .hasMessage("RTM_DELLINK veth eth0@x: ENODEV (No such device)");
    }
  }

  @Test
  void aGatewayOnNoLinkIsEnetunreach() {
    try (NetNs x = NetNs.create("x")) {
      assertThatThrownBy(() -> x.addRoute("10.0.2.0/24", "10.0.1.1")).isInstanceOf(NetNsException.class)
          .hasMessageStartingWith("RTM_NEWROUTE 10.0.2.0/24 via 10.0.1.1 in netns x: ENETUNREACH (Network is unreachable)");
    }
  }

  @Test
  void sysctlsTheKernelDoesNotHaveOrRefusesSaySo() {
    try (NetNs x = NetNs.create("x")) {
      assertThatThrownBy(() -> x.setSysctl("net.ipv4.no_such_setting", "1")).isInstanceOf(UncheckedIOException.class)
          .hasMessage("setSysctl(\"net.ipv4.no_such_setting\", \"1\") in netns x: cannot write"
              + " /proc/sys/net/ipv4/no_such_setting: this kernel has no such setting; check the name (`sysctl -a | grep"
              + " net.` lists them)");
      assertThatThrownBy(() -> x.sysctl("net.ipv4.no_such_setting")).isInstanceOf(UncheckedIOException.class)
          .hasMessageStartingWith("sysctl(\"net.ipv4.no_such_setting\") in netns x: cannot read");
      assertThatThrownBy(() -> x.setSysctl("net.ipv4.ip_forward", "yes")).isInstanceOf(UncheckedIOException.class)
          .hasMessage("setSysctl(\"net.ipv4.ip_forward\", \"yes\") in netns x: cannot write"
              + " /proc/sys/net/ipv4/ip_forward: Invalid argument");
      assertThatThrownBy(() -> x.sysctl("kernel.hostname")).isInstanceOf(IllegalArgumentException.class)
          .hasMessage("sysctl(\"kernel.hostname\"): give a net.* sysctl such as net.ipv4.ip_forward; other sysctls are"
              + " not per network namespace");
    }
  }

  @Test
  void aProgramThatCannotStartNamesTheCommandAndTheNamespace() {
    try (NetNs x = NetNs.create("x")) {
      assertThatThrownBy(() -> x.exec("no-such-program-junit-netns")).isInstanceOf(UncheckedIOException.class)
          .hasMessageStartingWith("exec [no-such-program-junit-netns] in netns x: Cannot run program"
              + " \"no-such-program-junit-netns\"");
    }
  }

  // ================================================================ closed namespaces and bridges

  @Test
  void aClosedNamespacesLinksCannotBeChanged() {
    NetNs x = NetNs.create("x");
    Link lo = x.link("lo").orElseThrow();
    x.close();
    String closed = "netns x " + x.id() + " is closed; cannot ";
    assertThatThrownBy(lo::up).isInstanceOf(IllegalStateException.class)
        .hasMessageStartingWith(closed + "send RTM_NEWLINK to it. Close a namespace only after its last use");
    assertThatThrownBy(lo::refresh).isInstanceOf(IllegalStateException.class)
        .hasMessageStartingWith(closed + "read its link lo. ");
  }

  @Test
  void aClosedBridgeSaysSoInsteadOfNamingItsHiddenNamespace() {
    try (NetNs member = NetNs.create("member")) {
      Bridge lan = Bridge.create("lan");
      lan.close();
      assertThatThrownBy(() -> lan.attach(member, "eth0")).isInstanceOf(IllegalStateException.class)
          .hasMessage("Bridge.attach(member, \"eth0\"): bridge lan is closed. Close a bridge only after its last attach"
              + " (an @Bridge is closed when its test ends), or create a new one with Bridge.create(\"lan\").");
      assertThat(member.links()).extracting(Link::name).containsExactly("lo");
    }
  }

  // ================================================================ the extension, after creation

  @IsolatedNetNs({"client", "server"})
  static class NsOfALifecycleMethod {
    @BeforeEach void setUp(@Ns("sever") NetNs server) {}

    @Test void test() {}
  }

  @Test
  void nsOnALifecycleMethodNamingNoNamespaceListsTheDeclaredOnes() throws Exception {
    String parameter = NsOfALifecycleMethod.class.getDeclaredMethod("setUp", NetNs.class).getParameters()[0].getName();
    assertThat(onlyFailure(run(NsOfALifecycleMethod.class).testEvents()))
        .isInstanceOf(ParameterResolutionException.class)
        .hasMessage("@Ns(\"sever\") on parameter 0 (" + parameter + ") of NsOfALifecycleMethod.setUp() names no"
            + " namespace of this test; declared here: [client, server]. Add it to @IsolatedNetNs or fix the name.");
  }

  @IsolatedNetNs("kept")
  static class KeepsItsNamespace {
    static volatile NetNs kept;

    @Test void test(NetNs ns) {
      kept = ns;
    }
  }

  @Test
  void aNamespaceUsedAfterItsTestSaysTheTestClosedIt() {
    KeepsItsNamespace.kept = null;
    run(KeepsItsNamespace.class).testEvents().assertStatistics(s -> s.succeeded(1));
    assertThatThrownBy(() -> KeepsItsNamespace.kept.links()).isInstanceOf(IllegalStateException.class)
        .hasMessageStartingWith("netns kept net:[")
        .hasMessageEndingWith(" is closed; cannot list its links. Close a namespace only after its last use (an"
            + " @IsolatedNetNs test's namespaces are closed when the test ends), or create a new one with"
            + " NetNs.create().");
  }

  @IsolatedNetNs("a")
  @VethLink(left = VethLink.HOST, right = "a", leftName = HostNameTaken.TAKEN)
  static class HostNameTaken {
    static final String TAKEN = "jn-taken";

    @Test void test() {}
  }

  /**
   * An explicit host-side name that the host already has is EEXIST from the kernel, after
   * validation (the host's interfaces are not the annotation's to know). The test makes the host
   * interface itself, on a veth to a namespace of its own, and deletes it afterwards; were the JVM
   * killed, the veth would go with that namespace.
   */
  @Test
  @org.junit.jupiter.api.parallel.ResourceLock("junit-netns.host-links") // it adds a link to the host for a moment
  void aHostInterfaceNameThatTheHostHasAlreadyNamesTheAttributeToChange() {
    try (NetNs host = NetNs.open(Path.of("/proc/self/ns/net")); NetNs holder = NetNs.create("holder")) {
      VethPair taken = VethPair.create(host, HostNameTaken.TAKEN, holder, "eth0");
      try {
        assertThat(onlyFailure(run(HostNameTaken.class).testEvents())).isInstanceOf(NetNsException.class)
            .hasMessage("RTM_NEWLINK veth jn-taken@host <-> eth0@a: EEXIST (File exists) - the host has an interface"
                + " called jn-taken already. Give @VethLink(left = \"<host>\", right = \"a\") on HostNameTaken another"
                + " leftName, or leave it out for a generated one (jn<pid>-<n>).");
      } finally {
        taken.delete();
      }
      assertThat(host.link(HostNameTaken.TAKEN)).isEmpty();
    }
  }

  // ================================================================ shared pools

  @IsolatedNetNs("leaky")
  static class LeavesAStaticPoolsThread {
    static final java.util.concurrent.ExecutorService POOL = java.util.concurrent.Executors.newFixedThreadPool(1);

    @Test void test() throws Exception {
      POOL.submit(() -> {}).get(); // the pool's first task starts its thread, here, where it stays
    }
  }

  /** The leaked-pool message: the pool's thread, the namespace it is stuck in, what follows, and the fix. */
  @Test
  void aSharedPoolsThreadLeftInsideSaysWhereItIsStuckAndWhatLaterTestsWouldSee() throws Exception {
    Throwable failure;
    try {
      failure = onlyFailure(run(LeavesAStaticPoolsThread.class).testEvents());
    } finally {
      LeavesAStaticPoolsThread.POOL.shutdownNow();
      LeavesAStaticPoolsThread.POOL.awaitTermination(10, java.util.concurrent.TimeUnit.SECONDS);
    }
    assertThat(failure).isInstanceOf(ThreadsLeftBehind.class);
    assertThat(failure.getMessage())
        .matches("(?s)Test LeavesAStaticPoolsThread.test left 1 thread inside its network namespaces after it ended:\n"
            + "  - \"(pool-\\d+-thread-1)\" \\(tid \\d+, in netns leaky, WAITING\\)\n"
            + "        at jdk.internal.misc.Unsafe.park\\(Native Method\\)\n.*"
            + "        at java.util.concurrent.ThreadPoolExecutor.getTask\\(ThreadPoolExecutor.java:\\d+\\)\n.*"
            + "Shared pools: \"pool-\\d+-thread-1\" is a worker of a thread pool, which other tests use when it is"
            + " kept in a static field or by a library\\. .*")
        .endsWith(" A pool's thread stays in the network namespace of the test that happened to start it, here"
            + " netns \"leaky\" of this test, which has ended. Work that later tests give the pool runs in that dead"
            + " namespace, not in theirs: their connects fail, or reach another test's server on the same port. Give"
            + " each test its own pool, created inside the test with NetNs.threadFactory() (e.g."
            + " Executors.newFixedThreadPool(2, ns.threadFactory())) and shut down at its end; or start the pool's"
            + " threads on the host before the tests (NetNs.host().threadFactory(), or NetNs.host().run(...) around a"
            + " library's start-up); or, for threads a library keeps for the whole JVM, list their names in"
            + " junit.netns.jvm-wide-threads to be told once instead of failing each test (that moves no thread)."
            + " See docs/diagnostics.md#shared-pools.\n"
            + "A thread inside keeps its namespace alive after the test, and usually means a server, executor or"
            + " client was not stopped: stop it in the test or in an @AfterEach method (e.g. server.close(),"
            + " executor.shutdownNow() and awaitTermination). Set junit.netns.threads-left-behind=warn to report this"
            + " without failing.");
  }

  /** NetNs.masquerade refuses a namespace without the interface or without forwarding, before touching nf_tables. */
  @Test
  void masqueradeNamesTheMissingInterfaceOrForwarding() {
    try (NetNs plain = NetNs.create("plain")) {
      assertThatThrownBy(() -> plain.masquerade("eth1")).isInstanceOf(IllegalArgumentException.class)
          .hasMessage("NetNs.masquerade(\"eth1\") in netns plain: it has no interface eth1; it has [lo]. Give the"
              + " interface towards the network whose hosts must see this namespace's address.");
      assertThatThrownBy(() -> plain.masquerade("lo")).isInstanceOf(IllegalStateException.class)
          .hasMessage("NetNs.masquerade(\"lo\") in netns plain: it does not forward (net.ipv4.ip_forward is 0), so no"
              + " packet passes through it to be masqueraded. Make it a router first: @IsolatedNetNs(value ="
              + " \"plain\", forwarding = true), Network.builder().forwarding(\"plain\"), or"
              + " ns.setSysctl(\"net.ipv4.ip_forward\", \"1\").");
    }
  }
}
