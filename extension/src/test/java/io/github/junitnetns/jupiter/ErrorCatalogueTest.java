package io.github.junitnetns.jupiter;

import static io.github.junitnetns.jupiter.EngineRuns.onlyFailure;
import static io.github.junitnetns.jupiter.EngineRuns.run;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.junitnetns.Bridge;
import io.github.junitnetns.NetNs;
import io.github.junitnetns.NetNsException;
import io.github.junitnetns.Network;
import io.github.junitnetns.Shaping;
import io.github.junitnetns.VethPair;
import io.github.junitnetns.internal.ns.Privileges;
import io.github.junitnetns.internal.topology.Attachment;
import io.github.junitnetns.internal.topology.Medium;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.net.InetAddress;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadFactory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ParameterResolutionException;

/**
 * The error catalogue of docs/troubleshooting.md, the cases that need no privilege:
 * each misuse is refused before the kernel is asked, with a message that names the call or
 * annotation, the value, and the fix. (Handles on the JVM's own namespace come from
 * {@link NetNs#open}, which needs no capability; nothing here is ever done to them.)
 *
 * <p>Cases covered elsewhere, not repeated here: bad {@code @IsolatedNetNs} declarations and bad
 * {@code @VethLink}/{@code @Bridge} topologies ({@link PlanTest}), the
 * {@code junit.netns.unprivileged} and {@code junit.netns.netem} values ({@link ValidationPrivilegedTest}), bad
 * {@code Shaping} arguments ({@code ShapingTest}), {@code NetNs.ofPid(0)}, a blank label and
 * {@code NetNs.open} of a missing or non-network path ({@code NetNsPrivilegedTest}), the lines of
 * the test JVM wrapper writer and the Maven plugin ({@code JvmWrapperTest}, and the plugin's
 * invoker tests in {@code maven-plugin/src/it}), the resolver's {@code UnknownHostException} for a name
 * without an address of the family asked for ({@code NameResolutionTest}), the JDK 17 line of the names
 * note ({@code NamesOnJdk17PrivilegedTest}).
 * Kernel refusals are in {@link ErrorCataloguePrivilegedTest}.
 */
class ErrorCatalogueTest {

  private static NetNs openHost() {
    return NetNs.open(Path.of("/proc/self/ns/net"));
  }

  /** How messages name a parameter: its index and its name, {@code arg0} unless compiled with -parameters. */
  private static String parameter(Class<?> fixture, String method) {
    java.lang.reflect.Executable executable = method == null ? fixture.getDeclaredConstructors()[0]
        : java.util.Arrays.stream(fixture.getDeclaredMethods()).filter(m -> m.getName().equals(method)).findFirst()
            .orElseThrow();
    return "parameter 0 (" + executable.getParameters()[0].getName() + ") of "
        + (method == null ? "the constructor of " + fixture.getSimpleName()
            : fixture.getSimpleName() + "." + method + "()");
  }

  private NetNs host;
  private NetNs other;
  /** "a" and "b" share a bridge but have no addresses; nothing is ever done to their handles. */
  private Network net;

  @BeforeEach
  void open() {
    host = openHost();
    other = openHost();
    net = network(Map.of("a", host, "b", other), List.of(
        new Attachment(Medium.bridge("lan"), "a", "eth0", null), new Attachment(Medium.bridge("lan"), "b", "eth0", null)));
  }

  /**
   * A network of handles on the host's namespace with made-up attachments, to reach the library's
   * argument checks without privileges; nothing is ever built or done to the handles.
   */
  private static Network network(Map<String, NetNs> namespaces, List<Attachment> attachments) {
    try {
      return (Network) MethodHandles.privateLookupIn(Network.class, MethodHandles.lookup())
          .findConstructor(Network.class, MethodType.methodType(void.class, Map.class, Map.class, List.class,
              List.class, List.class))
          .invoke(namespaces, Map.of(), attachments, List.of(), List.of());
    } catch (Throwable e) {
      throw new IllegalStateException(e);
    }
  }

  @AfterEach
  void close() {
    host.close();
    other.close();
  }

  // ================================================================ the library's arguments

  @Test
  void nullsAreRefusedWithTheArgumentAndAnExample() {
    assertThatThrownBy(() -> NetNs.create(null)).isInstanceOf(IllegalArgumentException.class)
        .hasMessage("NetNs.create(label): the label is empty; give a name such as \"server\"");
    assertThatThrownBy(() -> NetNs.open(null)).isInstanceOf(IllegalArgumentException.class)
        .hasMessage("NetNs.open(path): path is null; give e.g. Path.of(\"/run/netns/NAME\")");
    assertThatThrownBy(() -> host.run(null)).isInstanceOf(IllegalArgumentException.class)
        .hasMessage("NetNs.run(null): give the code to run inside, e.g. ns.run(() -> server.start())");
    assertThatThrownBy(() -> host.call(null)).isInstanceOf(IllegalArgumentException.class)
        .hasMessage("NetNs.call(null): give the code to run inside, e.g. ns.call(() -> new ServerSocket(80))");
    assertThatThrownBy(() -> host.exec((ProcessBuilder) null)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("NetNs.exec((ProcessBuilder) null): give a ProcessBuilder");
    assertThatThrownBy(() -> host.exec()).isInstanceOf(IllegalArgumentException.class)
        .hasMessage("NetNs.exec(): give the program and its arguments, e.g. exec(\"sleep\", \"60\")");
    assertThatThrownBy(() -> host.exec("sleep", null)).isInstanceOf(IllegalArgumentException.class)
        .hasMessage("NetNs.exec(sleep, null): argument 1 is null; give every argument as a string");
    assertThatThrownBy(() -> host.setSysctl("net.ipv4.ip_forward", null)).isInstanceOf(IllegalArgumentException.class)
        .hasMessage("setSysctl(\"net.ipv4.ip_forward\", null): give a value, e.g. \"1\"");
  }

  @Test
  void aPidThatRunsNoProcessSaysSo() {
    long none = 4 * 1024 * 1024 + 1; // above PID_MAX_LIMIT (linux/threads.h), the largest pid_max: never a process
    assertThatThrownBy(() -> NetNs.ofPid(none)).isInstanceOf(NetNsException.class)
        .hasMessage("open /proc/" + none + "/ns/net: ENOENT (No such file or directory) - NetNs.ofPid(" + none
            + "): no process " + none + " is running (it has ended, or the pid is wrong); give the pid of a live"
            + " process, e.g. process.pid()")
        .satisfies(e -> assertThat(((NetNsException) e).is("ENOENT")).isTrue());
  }

  @Test
  void routesAreCheckedBeforeTheKernelIsAsked() {
    assertThatThrownBy(() -> host.addRoute("10.0.0.1/24", "10.0.0.254")).isInstanceOf(IllegalArgumentException.class)
        .hasMessage("addRoute(\"10.0.0.1/24\", \"10.0.0.254\") in netns /proc/self/ns/net: \"10.0.0.1/24\" has host"
            + " bits set; the subnet is 10.0.0.0/24");
    assertThatThrownBy(() -> host.addRoute("10.0.2.0/24", "gateway")).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("\"gateway\" is not an IP address");
    assertThatThrownBy(() -> host.addRoute("fd00::/64", "10.0.1.1")).isInstanceOf(IllegalArgumentException.class)
        .hasMessageEndingWith(": the destination and the gateway mix IPv4 and IPv6; use one family");
  }

  @Test
  void interfaceNamesAreCheckedBeforeTheKernelIsAsked() {
    // '%' would make the kernel pick a name from a template (x%d -> x0): the veth would exist
    // under another name, and half of it stay behind.
    assertThatThrownBy(() -> VethPair.create(host, "x%d", host, "y")).isInstanceOf(IllegalArgumentException.class)
        .hasMessage("VethPair.create(veth x%d@/proc/self/ns/net <-> y@/proc/self/ns/net): leftName \"x%d\" is not a"
            + " usable interface name; use 1 to 15 bytes without '/', ':', '%' or spaces, e.g. eth0");
    assertThatThrownBy(() -> VethPair.create(host, "eth0", host, null)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining(": rightName is null, not a usable interface name;");
    assertThatThrownBy(() -> VethPair.create(host, "same", host, "same")).isInstanceOf(IllegalArgumentException.class)
        .hasMessageEndingWith(": both ends have the same name in the same namespace; give them different names");
    assertThatThrownBy(() -> VethPair.create(null, "a", host, "b")).isInstanceOf(IllegalArgumentException.class)
        .hasMessage("VethPair.create(veth a@? <-> b@/proc/self/ns/net): both namespaces are required");
    assertThatThrownBy(() -> VethPair.create(host, "a", host, "b", 10)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageEndingWith(": mtu 10 is out of range; use 68 to 65535, or 0 for the default");
    assertThatThrownBy(() -> Bridge.create("b%d")).isInstanceOf(IllegalArgumentException.class)
        .hasMessage("Bridge.create(\"b%d\"): name \"b%d\" is not a usable interface name; use 1 to 15 bytes without"
            + " '/', ':', '%' or spaces, e.g. eth0");
    assertThatThrownBy(() -> Bridge.create("a-bridge-name-too-long")).isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("Bridge.create(\"a-bridge-name-too-long\"): name \"a-bridge-name-too-long\" is not");
    // Every namespace has its lo: the kernel would answer EEXIST; the name is refused before it is asked.
    assertThatThrownBy(() -> VethPair.create(host, "lo", host, "y")).isInstanceOf(IllegalArgumentException.class)
        .hasMessage("VethPair.create(veth lo@/proc/self/ns/net <-> y@/proc/self/ns/net): leftName \"lo\" is not a usable"
            + " interface name: every namespace has its loopback interface called lo; pick another name, e.g. eth0");
    assertThatThrownBy(() -> Bridge.create("lo")).isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("Bridge.create(\"lo\"): name \"lo\" is not a usable interface name: every namespace");
  }

  // ================================================================ closed handles

  private static final String FIX = ". Close a namespace only after its last use (an @IsolatedNetNs test's"
      + " namespaces are closed when the test ends), or create a new one with NetNs.create().";

  @Test
  void everyUseOfAClosedNamespaceSaysWhatItCannotDoAndWhatToDo() {
    NetNs closed = openHost();
    String prefix = "netns /proc/self/ns/net " + closed.id() + " is closed; cannot ";
    closed.close();
    assertThatThrownBy(() -> closed.run(() -> {})).isInstanceOf(IllegalStateException.class)
        .hasMessage(prefix + "run code in it" + FIX);
    assertThatThrownBy(closed::links).isInstanceOf(IllegalStateException.class)
        .hasMessage(prefix + "list its links" + FIX);
    assertThatThrownBy(() -> closed.exec("true")).isInstanceOf(IllegalStateException.class)
        .hasMessage(prefix + "start a process in it" + FIX);
    assertThatThrownBy(() -> closed.link("lo")).isInstanceOf(IllegalStateException.class)
        .hasMessage(prefix + "list its links" + FIX);
    assertThatThrownBy(closed::threadFactory).isInstanceOf(IllegalStateException.class)
        .hasMessage(prefix + "make a thread factory for it" + FIX);
    try (NetNs open = openHost()) {
      // A closed handle may share its id with a live namespace (inode numbers are reused): the
      // closed end is named, not "both ends have the same name".
      assertThatThrownBy(() -> VethPair.create(open, "eth0", closed, "eth0")).isInstanceOf(IllegalStateException.class)
          .hasMessage(prefix + "connect a veth to it" + FIX);
    }
    assertThat(closed.describe()).endsWith("(closed)\n");
  }

  /** Once a hang: the pool's thread could not enter, so the task never ran and get() waited forever. */
  @Test
  void anExecutorOfAClosedNamespaceRefusesNewTasksInsteadOfNeverRunningThem() {
    NetNs ns = openHost();
    ThreadFactory factory = ns.threadFactory();
    ExecutorService pool = Executors.newSingleThreadExecutor(factory);
    try {
      ns.close();
      assertThatThrownBy(() -> pool.submit(() -> "never")).isInstanceOf(IllegalStateException.class)
          .hasMessage("netns /proc/self/ns/net " + ns.id() + " is closed; cannot start a thread in it" + FIX);
    } finally {
      pool.shutdownNow();
    }
  }

  // ================================================================ Network, by its arguments

  @Test
  void namesThatAreNotInTheTopologyListTheOnesThatAre() {
    assertThatThrownBy(() -> net.ns("c")).isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("Network.ns(\"c\"): no such namespace; the test has [");
    assertThatThrownBy(() -> net.bridge("wan")).isInstanceOf(IllegalArgumentException.class)
        .hasMessage("Network.bridge(\"wan\"): no such bridge; the test has []");
    assertThatThrownBy(() -> net.cut("a", "a")).isInstanceOf(IllegalArgumentException.class)
        .hasMessage("Network.cut(\"a\", \"a\"): name two different namespaces");
  }

  @Test
  void faultsNeedAddressesAndSayWhichCallNeededThem() {
    String why = " has no configured address, so its packets cannot be told apart; give its @VethLink or @Bridge a"
        + " subnet or addresses";
    // Each names the method the test called, not the one it was built on.
    assertThatThrownBy(() -> net.cut("a", "b")).isInstanceOf(IllegalStateException.class)
        .hasMessage("Network.cut: namespace \"a\"" + why);
    assertThatThrownBy(() -> net.partition(Set.of("a"), Set.of("b"))).isInstanceOf(IllegalStateException.class)
        .hasMessage("Network.partition: namespace \"a\"" + why);
    assertThatThrownBy(() -> net.cutOneWay("b", "a")).isInstanceOf(IllegalStateException.class)
        .hasMessage("Network.cutOneWay: namespace \"b\"" + why);
    assertThatThrownBy(() -> net.shape("a", "b", Shaping.rate("1mbit"))).isInstanceOf(IllegalStateException.class)
        .hasMessage("Network.shape: namespace \"a\"" + why);
    assertThatThrownBy(() -> net.address("a")).isInstanceOf(IllegalStateException.class)
        .hasMessage("Network.address(\"a\"): namespace \"a\" has no configured address; give its @VethLink or @Bridge"
            + " a subnet or addresses");
  }

  @Test
  void aMissingSideOfAPartitionIsNamed() {
    assertThatThrownBy(() -> net.partition(Set.of("a"), null)).isInstanceOf(IllegalArgumentException.class)
        .hasMessage("Network.partition(...): side 2 is null; give each side as a set of namespace names, e.g."
            + " Set.of(\"n3\")");
  }

  @Test
  void namespacesOnNoCommonMediumCannotBeLinked() throws Exception {
    try (NetNs c = openHost()) {
      Network apart = network(Map.of("a", host, "c", c), List.of(
          new Attachment(Medium.veth("x"), "a", "eth0", InetAddress.getByName("10.0.0.1"))));
      assertThatThrownBy(() -> apart.link("a", "c")).isInstanceOf(IllegalArgumentException.class)
          .hasMessage("Network.link(\"a\", \"c\"): the two are not on one veth or bridge; connect them with"
              + " @VethLink or @Bridge");
    }
  }

  // ================================================================ parameters of tests

  @IsolatedNetNs
  static class NsOnAString {
    @Test void test(@Ns("server") String server) {}
  }

  @IsolatedNetNs("server")
  static class NsOnANetwork {
    @Test void test(@Ns("server") Network net) {}
  }

  @IsolatedNetNs
  static class NsWithoutNamedNamespaces {
    @Test void test(@Ns("server") NetNs server) {}
  }

  @IsolatedNetNs
  static class NetNsInTheConstructor {
    NetNsInTheConstructor(NetNs ns) {}

    @Test void test() {}
  }

  @IsolatedNetNs
  static class NetNsInBeforeAllWithoutClassScope {
    @BeforeAll static void setUp(NetNs ns) {}

    @Test void test() {}
  }

  @IsolatedNetNs
  static class NetworkInBeforeAllWithoutClassScope {
    @BeforeAll static void setUp(Network net) {}

    @Test void test() {}
  }

  static class NetNsWithoutIsolatedNetNs {
    @Test void test(NetNs ns) {}
  }

  @Test
  void nsOnAnotherTypeIsRefusedInsteadOfIgnored() {
    assertThat(onlyFailure(run(NsOnAString.class).testEvents())).isInstanceOf(ParameterResolutionException.class)
        .hasMessage("@Ns(\"server\") on " + parameter(NsOnAString.class, "test") + " selects a NetNs, but the"
            + " parameter is a String. Declare it as NetNs, or drop @Ns.");
    assertThat(onlyFailure(run(NsOnANetwork.class).testEvents())).isInstanceOf(ParameterResolutionException.class)
        .hasMessage("@Ns(\"server\") on " + parameter(NsOnANetwork.class, "test") + " selects a NetNs, but the"
            + " parameter is a Network. Declare it as NetNs, or drop @Ns (a Network is the whole topology;"
            + " net.ns(\"server\") is one namespace of it).");
  }

  @Test
  void nsNamingANamespaceOfATestWithOnlyAnUnnamedOneSaysToNameIt() {
    assertThat(onlyFailure(run(NsWithoutNamedNamespaces.class).testEvents()))
        .isInstanceOf(ParameterResolutionException.class)
        .hasMessage("@Ns(\"server\") on " + parameter(NsWithoutNamedNamespaces.class, "test") + " names no"
            + " namespace of this test; this test declares no named namespace. Name it, e.g."
            + " @IsolatedNetNs(\"server\").");
  }

  @Test
  void namespacesCannotBeInjectedWhereNoneExists() {
    String where = " NetNs parameters work in test methods and @BeforeEach/@AfterEach methods of a test with"
        + " @IsolatedNetNs, and in @BeforeAll/@AfterAll with @IsolatedNetNs(scope = CLASS); not in constructors.";
    assertThat(onlyFailure(run(NetNsInTheConstructor.class).testEvents()))
        .isInstanceOf(ParameterResolutionException.class)
        .hasMessage("Cannot inject a NetNs into " + parameter(NetNsInTheConstructor.class, null) + ": no"
            + " namespace exists here." + where);
    assertThat(onlyFailure(run(NetNsInBeforeAllWithoutClassScope.class).containerEvents()))
        .isInstanceOf(ParameterResolutionException.class)
        .hasMessage("Cannot inject a NetNs into " + parameter(NetNsInBeforeAllWithoutClassScope.class, "setUp")
            + ": no namespace exists here." + where);
    // Once an empty Network, whose every use then failed with "no such namespace; the test has []".
    assertThat(onlyFailure(run(NetworkInBeforeAllWithoutClassScope.class).containerEvents()))
        .isInstanceOf(ParameterResolutionException.class)
        .hasMessageStartingWith("Cannot inject a Network into "
            + parameter(NetworkInBeforeAllWithoutClassScope.class, "setUp") + ": no namespace exists here.")
        .hasMessageContaining("@BeforeAll/@AfterAll with @IsolatedNetNs(scope = CLASS)");
  }

  /** JUnit's own message: without the annotation the extension is not there to resolve anything. */
  @Test
  void aNetNsParameterWithoutIsolatedNetNsIsLeftToJUnit() {
    assertThat(onlyFailure(run(NetNsWithoutIsolatedNetNs.class).testEvents()))
        .isInstanceOf(ParameterResolutionException.class)
        .hasMessageStartingWith("No ParameterResolver registered for parameter [io.github.junitnetns.NetNs ");
  }

  private static final String DOCS = "https://github.com/junitnetns/junit-netns/blob/main/docs/privileges-and-ci.md";

  /** The advice without privileges, in the words of the build tool that started the JVM; never `unshare` around Maven. */
  @Test
  void thePrivilegeAdviceGivesCommandsForTheBuildToolInUse() {
    assertThat(Privileges.advice(Privileges.Tool.MAVEN)).isEqualTo("run Maven as root (`sudo mvn verify`), or add the"
        + " plugin io.github.junitnetns:junit-netns-maven-plugin to the pom, which starts only the test JVMs with"
        + " privileges (through sudo, or rootless); see " + DOCS);
    assertThat(Privileges.advice(Privileges.Tool.GRADLE)).isEqualTo("run Gradle as root (`sudo ./gradlew test`), or"
        + " start only the test JVMs with privileges (the Test task's `executable`); see " + DOCS);
    assertThat(Privileges.advice(Privileges.Tool.OTHER)).isEqualTo("run this JVM as root (sudo), or rootless with"
        + " only this JVM, not a build tool, under `unshare --user --map-root-user --net`; see " + DOCS);
    if (System.getProperty("surefire.real.class.path") != null || System.getProperty("surefire.test.class.path") != null) {
      assertThat(Privileges.tool()).isEqualTo(Privileges.Tool.MAVEN); // run by Surefire, as in this build
    }
  }

  /** The skips that speak: one WARNING per kind and JVM, whatever the number of tests skipped. */
  @Test
  void theFirstSkipOfEachKindIsLoggedOnceAsAWarning() {
    SkipWarnings warnings = new SkipWarnings();
    try (LogCapture log = LogCapture.of("SkipOnce.")) {
      warnings.unprivileged("SkipOnce.first()", "junit-netns needs CAP_SYS_ADMIN to create network namespaces (...): "
          + Privileges.advice(Privileges.Tool.MAVEN) + ".");
      warnings.unprivileged("SkipOnce.second()", "again");
      warnings.netemMissing("SkipOnce.third()", "Cannot shape eth0@y with delay 200ms: ... `sudo modprobe sch_netem` ...");
      warnings.netemMissing("SkipOnce.fourth()", "again");
      assertThat(log.messages(java.util.logging.Level.WARNING)).containsExactly(
          "junit-netns skips the tests that need network namespaces, SkipOnce.first() first: junit-netns needs"
              + " CAP_SYS_ADMIN to create network namespaces (...): " + Privileges.advice(Privileges.Tool.MAVEN) + "."
              + " Only this first skip is logged; set junit.netns.unprivileged=fail to fail them instead.",
          "junit-netns skips the tests that need netem, SkipOnce.third() first: Cannot shape eth0@y with delay 200ms:"
              + " ... `sudo modprobe sch_netem` ... Only this first skip is logged.");
    }
  }

  /** The note at the top of the report of a test that failed to resolve one of its own names. */
  @Test
  void aTestThatCouldNotResolveOneOfItsNamesIsToldWhy() {
    String note = FailureDiagnostics.namesNote(new IllegalStateException(
        new java.net.UnknownHostException("server: Name or service not known")), Set.of("client", "server"));
    assertThat(note).startsWith("junit-netns: \"server\" is the name of a namespace of this test, but ")
        .endsWith(". See docs/names.md.\n");
    if (Runtime.version().feature() >= 18) {
      // This thread is JUnit's, on the host: the names resolve in this JVM, but not here.
      assertThat(note).contains("it resolves only on threads inside the test's namespaces, and this lookup ran outside"
          + " (a pool made on the host?); use ns.threadFactory(), ns.call(...) or net.address(\"server\")");
    } else {
      assertThat(note).contains("names of namespaces resolve only on JDK 18 and later");
    }
    assertThat(FailureDiagnostics.namesNote(new java.net.UnknownHostException("example.com"), Set.of("server")))
        .isEmpty();
  }

  /** Masquerading: a missing interface argument, and the builder's option on the host. */
  @Test
  void masqueradeWithoutAnInterfaceOrOnTheHostIsRefused() {
    try (NetNs host = openHost()) {
      assertThatThrownBy(() -> host.masquerade(" ")).isInstanceOf(IllegalArgumentException.class)
          .hasMessage("NetNs.masquerade(\" \"): give the interface the translated packets leave through, e.g."
              + " masquerade(\"eth1\"), the router's side towards the server");
      assertThatThrownBy(() -> host.unmasquerade(null)).isInstanceOf(IllegalArgumentException.class)
          .hasMessage("NetNs.unmasquerade(null): give the interface given to masquerade, e.g. unmasquerade(\"eth1\")");
    }
    assertThatThrownBy(() -> Network.builder().masquerade(Network.HOST, "eth0")).isInstanceOf(IllegalArgumentException.class)
        .hasMessage("Network.builder().masquerade(\"<host>\", \"eth0\"): junit-netns never translates the host's"
            + " traffic. Masquerade in a router namespace of the test.");
    assertThatThrownBy(() -> Network.builder().masquerade("router", null)).isInstanceOf(IllegalArgumentException.class)
        .hasMessage("Network.builder().masquerade(\"router\", null): give the interface the translated packets leave"
            + " through, e.g. masquerade(\"router\", \"eth1\")");
  }
}
