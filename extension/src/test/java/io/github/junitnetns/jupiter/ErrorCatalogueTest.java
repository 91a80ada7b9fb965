package io.github.junitnetns.jupiter;

import static io.github.junitnetns.jupiter.EngineRuns.onlyFailure;
import static io.github.junitnetns.jupiter.EngineRuns.run;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.junitnetns.Bridge;
import io.github.junitnetns.Nemesis;
import io.github.junitnetns.NetNs;
import io.github.junitnetns.NetNsException;
import io.github.junitnetns.Network;
import io.github.junitnetns.Shaping;
import io.github.junitnetns.Traffic;
import io.github.junitnetns.VethPair;
import io.github.junitnetns.internal.ns.Privileges;
import io.github.junitnetns.internal.ns.Residents;
import io.github.junitnetns.internal.ns.ThreadDump;
import io.github.junitnetns.internal.topology.Attachment;
import io.github.junitnetns.internal.topology.Medium;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.net.InetAddress;
import java.nio.file.Path;
import java.time.Duration;
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

  /** The fault-injection switch (a testing aid): a value it does not know names the forms it takes. */
  @Test
  void anUnknownFailpointValueNamesTheForms() {
    assertThatThrownBy(() -> io.github.junitnetns.internal.linux.Failpoint.parse("7"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("-Djunitnetns.failpoint=7 is not a failpoint: give N:ERRNO to fail the N-th kernel request (N"
            + " from 1) with that errno, e.g. junitnetns.failpoint=7:ENOBUFS, or junitnetns.failpoint=count to print"
            + " how many requests the JVM made.");
  }

  /** Descriptors running out (EMFILE, ENFILE): how many the topology needs, what the JVM holds, its limit. */
  @Test
  void descriptorsRunningOutSayWhatTheTopologyNeeds() {
    assertThat(io.github.junitnetns.internal.ns.Descriptors.advice(24, 12)).matches("file descriptors ran out: this"
        + " topology needs 12 while it exists \\(2 per namespace and bridge: its handle and its netlink socket\\), and"
        + " this JVM holds \\d+ without it(, of at most \\d+ \\(RLIMIT_NOFILE\\))?\\. Raise the limit"
        + " \\(`ulimit -n`, or LimitNOFILE= for a service\\), or close namespaces and networks that are no longer"
        + " needed\\.");
    assertThat(io.github.junitnetns.internal.ns.Descriptors.advice(23, 4))
        .startsWith("file descriptors ran out on the whole system (fs.file-max): this topology needs 4 while");
  }

  // ================================================================ topologies built ahead (prebuild)

  @IsolatedNetNs({"a", "b"})
  @VethLink(left = "a", right = "b", subnet = "10.0.0.0/24")
  static class PrebuildFixture {
    @Test void test() {}
  }

  @Test
  void anUnknownPrebuildValueIsRefusedBeforeAnythingIsCreated() {
    // Read when the class starts: its container fails, before any namespace exists.
    assertThat(onlyFailure(run(PrebuildFixture.class, NetNsConfiguration.PREBUILD, "sometimes").allEvents()))
        .isInstanceOf(org.junit.jupiter.api.extension.ExtensionConfigurationException.class)
        .hasMessage("Configuration parameter junit.netns.prebuild is \"sometimes\"; use \"true\" (the default: build the"
            + " next test's topology while a test runs) or \"false\" (build each test's topology when it starts).");
  }

  // ================================================================ shared pools

  @IsolatedNetNs
  static class DeclaresJvmWideThreads {
    @Test void test() {}
  }

  /** junit.netns.jvm-wide-threads: a list of Java thread-name patterns, refused before anything is created. */
  @Test
  void badJvmWideThreadPatternsAreRefusedWithAnExample() {
    assertThat(onlyFailure(run(DeclaresJvmWideThreads.class, NetNsConfiguration.JVM_WIDE_THREADS,
        "OkHttp TaskRunner*,,Okio Watchdog").allEvents()))
        .isInstanceOf(org.junit.jupiter.api.extension.ExtensionConfigurationException.class)
        .hasMessage("Configuration parameter junit.netns.jvm-wide-threads is \"OkHttp TaskRunner*,,Okio Watchdog\":"
            + " pattern 2 is empty; give Java thread names separated by commas, e.g. \"OkHttp TaskRunner*,Okio"
            + " Watchdog\" (* stands for any characters, ? for one).");
    assertThat(onlyFailure(run(DeclaresJvmWideThreads.class, NetNsConfiguration.JVM_WIDE_THREADS, "Okio*, *")
        .allEvents()))
        .isInstanceOf(org.junit.jupiter.api.extension.ExtensionConfigurationException.class)
        .hasMessage("Configuration parameter junit.netns.jvm-wide-threads is \"Okio*, *\": pattern \"*\" matches every"
            + " thread; name the library's threads, e.g. \"OkHttp TaskRunner*\", or set"
            + " junit.netns.threads-left-behind=warn to report all threads left behind without failing.");
  }

  /** Without the JVM's thread dump, a thread keeps the kernel's cut name, and the report says why. */
  @Test
  void aThreadTheDumpDoesNotListKeepsTheKernelsCutNameWithTheReason() {
    Residents.Resident resident = new Residents.Resident(4242, "Nobody has this", "net:[4026532999]");
    List<Residents.Named> named = Residents.name(List.of(resident), ThreadDump.none("the JVM's thread dump is"
        + " unavailable (javax.management.InstanceNotFoundException: com.sun.management:type=DiagnosticCommand)"));
    assertThat(Residents.describe(named, Map.of("net:[4026532999]", "client"))).isEqualTo(
        "  - \"Nobody has this\" (tid 4242, in netns client)\n"
            + "  (a name without a stack is the kernel's, cut to 15 characters: the JVM's thread dump is unavailable"
            + " (javax.management.InstanceNotFoundException: com.sun.management:type=DiagnosticCommand))\n");
  }

  // ---------------------------------------------------------------- capture

  @IsolatedNetNs
  static class CaptureSettings {
    @Test
    void test() {}
  }

  @Test
  void badCaptureSettingsAreRefusedWithTheValuesToUse() {
    assertThat(EngineRuns.onlyFailure(EngineRuns.run(CaptureSettings.class, CaptureConfiguration.CAPTURE, "sometimes")
        .testEvents())).isInstanceOf(org.junit.jupiter.api.extension.ExtensionConfigurationException.class)
        .hasMessage("Configuration parameter junit.netns.capture is \"sometimes\"; use \"on-failure\" (the default:"
            + " record every test, keep a pcapng file of each failed one), \"always\" (keep one for every test) or"
            + " \"off\" (record nothing).");
    assertThat(EngineRuns.onlyFailure(EngineRuns.run(CaptureSettings.class, CaptureConfiguration.LIMIT, "8 megs")
        .testEvents())).hasMessage("Configuration parameter junit.netns.capture.limit is \"8 megs\"; use the memory"
            + " kept per test, at least 64KiB, e.g. 8MiB (the default), 512KiB or 65536.");
    assertThat(EngineRuns.onlyFailure(EngineRuns.run(CaptureSettings.class, CaptureConfiguration.LIMIT, "1KiB")
        .testEvents())).hasMessageStartingWith("Configuration parameter junit.netns.capture.limit is \"1KiB\"; use");
    assertThat(EngineRuns.onlyFailure(EngineRuns.run(CaptureSettings.class, CaptureConfiguration.SNAP_LENGTH, "10")
        .testEvents())).hasMessage("Configuration parameter junit.netns.capture.snaplen is \"10\"; use the bytes kept"
            + " of each packet, from 64 to 65535 (default 256: the headers).");
  }

  @Test
  void aTestThatCannotBeRecordedSaysWhyAndHowToStopTrying() {
    assertThat(TestCaptures.unavailable("ClientTest.connects", "socket(AF_PACKET, SOCK_RAW, ETH_P_ALL) netns client:"
        + " EPERM (Operation not permitted)")).isEqualTo("junit-netns could not record the traffic of"
            + " ClientTest.connects: socket(AF_PACKET, SOCK_RAW, ETH_P_ALL) netns client: EPERM (Operation not"
            + " permitted). An AF_PACKET socket needs CAP_NET_RAW over the namespace's user namespace (root, or a JVM"
            + " in a user namespace of its own, as the Maven plugin's rootless mode makes it); set"
            + " junit.netns.capture=off to stop trying.");
  }

  // ================================================================ Traffic and traffic-scoped faults

  @Test
  void trafficRefusesUnknownProtocolsPortsOutOfRangeAndNewConnectionsWithoutTcp() {
    assertThatThrownBy(() -> Traffic.parse("sctp:9")).isInstanceOf(IllegalArgumentException.class)
        .hasMessage("Traffic.parse(\"sctp:9\"): unknown protocol \"sctp\"; give tcp, udp, icmp or all, e.g. \"tcp:5432\"");
    assertThatThrownBy(() -> Traffic.parse("tcp:db")).isInstanceOf(IllegalArgumentException.class)
        .hasMessage("Traffic.parse(\"tcp:db\"): \"db\" is not a port; give a number from 1 to 65535, e.g. \"tcp:5432\"");
    assertThatThrownBy(() -> Traffic.parse("icmp:8")).isInstanceOf(IllegalArgumentException.class)
        .hasMessage("Traffic.parse(\"icmp:8\"): icmp has no ports; give \"icmp\" alone");
    assertThatThrownBy(() -> Traffic.tcp(70000)).isInstanceOf(IllegalArgumentException.class)
        .hasMessage("Traffic.tcp(70000): a port is from 1 to 65535; for every port use Traffic.tcp()");
    assertThatThrownBy(() -> Traffic.udp(0)).isInstanceOf(IllegalArgumentException.class)
        .hasMessage("Traffic.udp(0): a port is from 1 to 65535; for every port use Traffic.udp()");
    assertThatThrownBy(() -> Traffic.udp(53).newConnectionsOnly()).isInstanceOf(IllegalArgumentException.class)
        .hasMessage("Traffic.udp(53).newConnectionsOnly(): only TCP has connection attempts (SYN) to tell apart; UDP"
            + " has no connections, so cut all of it with Traffic.udp(port)");
    assertThatThrownBy(() -> Traffic.all().newConnectionsOnly()).isInstanceOf(IllegalArgumentException.class)
        .hasMessage("Traffic.all().newConnectionsOnly(): only TCP has connection attempts (SYN) to tell apart; use"
            + " Traffic.tcp(port).newConnectionsOnly()");
    assertThatThrownBy(() -> net.reject("a", "b", null)).isInstanceOf(IllegalArgumentException.class)
        .hasMessage("Network.reject(\"a\", \"b\", null): give a Traffic, e.g. Traffic.tcp(5432), or Traffic.all() for"
            + " every packet");
    assertThatThrownBy(() -> net.reject("a", "a", Traffic.tcp(1))).isInstanceOf(IllegalArgumentException.class)
        .hasMessage("Network.reject(\"a\", \"a\"): name two different namespaces");
  }

  /**
   * A kernel without nf_tables cannot be provoked on one that has it: the message is pinned as the
   * library builds it from the kernel's refusal (EOPNOTSUPP, EPROTONOSUPPORT or ENOENT from
   * NFT_MSG_NEW*), through the package-private Firewall.
   */
  @Test
  void scopedFaultsNameNfTablesWhereTheKernelLacksIt() throws Throwable {
    Class<?> firewall = Class.forName("io.github.junitnetns.Firewall");
    MethodHandles.Lookup lookup = MethodHandles.privateLookupIn(firewall, MethodHandles.lookup());
    NetNsException refusal = new NetNsException("NFT_MSG_NEWTABLE", "table inet junit_netns in netns db", 95, "");
    NetNsException clear = (NetNsException) lookup.findStatic(firewall, "missing",
        MethodType.methodType(NetNsException.class, NetNsException.class, String.class))
        .invoke(refusal, "Network.reject(\"app\", \"db\", tcp:5432)");
    assertThat(clear).hasMessage("NFT_MSG_NEWTABLE table inet junit_netns in netns db: EOPNOTSUPP (Operation not"
        + " supported) - Network.reject(\"app\", \"db\", tcp:5432) needs nf_tables, which this kernel ("
        + System.getProperty("os.version") + ") lacks or lacks a part of (CONFIG_NF_TABLES, CONFIG_NF_TABLES_INET,"
        + " CONFIG_NFT_NUMGEN, CONFIG_NFT_REJECT_INET); load it with `sudo modprobe nf_tables` or use a kernel built"
        + " with it (whole-traffic faults, i.e. cut, cutOneWay, isolate and partition without a Traffic, and rates"
        + " work without it)");
    assertThat(clear.errno()).isEqualTo(95);
    NetNsException other = new NetNsException("NFT_MSG_NEWRULE", "rule", 22, "");
    assertThat(lookup.findStatic(firewall, "missing",
        MethodType.methodType(NetNsException.class, NetNsException.class, String.class)).invoke(other, "x"))
        .as("other refusals stay as they are").isSameAs(other);
  }

  // ================================================================ Nemesis

  /** "a" and "b" with addresses on a made-up bridge, so that a nemesis can be built; nothing is applied to them. */
  private Network addressed() throws Exception {
    return network(Map.of("a", host, "b", other), List.of(
        new Attachment(Medium.bridge("lan"), "a", "eth0", InetAddress.getByName("10.0.0.1")),
        new Attachment(Medium.bridge("lan"), "b", "eth0", InetAddress.getByName("10.0.0.2"))));
  }

  @Test
  void aNemesisNeedsTwoNamespacesWithAnAddress() {
    assertThatThrownBy(() -> Nemesis.on(null)).isInstanceOf(IllegalArgumentException.class)
        .hasMessage("Nemesis.on(null): give the test's Network, e.g. Nemesis.on(net)");
    assertThatThrownBy(() -> Nemesis.on(net)).isInstanceOf(IllegalArgumentException.class)
        .hasMessage("Nemesis.on(" + net + "): a nemesis needs at least two namespaces with an address to cut apart,"
            + " and this network has 0; connect two or more namespaces with a @VethLink or @Bridge that has a"
            + " subnet or addresses");
  }

  @Test
  void aNemesisRefusesNoFaultsAndANonPositiveInterval() throws Exception {
    Nemesis nemesis = Nemesis.on(addressed());
    assertThatThrownBy(() -> nemesis.faults()).isInstanceOf(IllegalArgumentException.class)
        .hasMessage("Nemesis.faults(): give at least one fault to choose from, e.g."
            + " faults(Nemesis.isolateRandomNode(), Nemesis.partitionHalves())");
    assertThatThrownBy(() -> nemesis.faults(Nemesis.partitionHalves(), null)).isInstanceOf(IllegalArgumentException.class)
        .hasMessage("Nemesis.faults(...): fault 2 is null; give faults such as Nemesis.isolateRandomNode()");
    assertThatThrownBy(() -> nemesis.every(Duration.ZERO)).isInstanceOf(IllegalArgumentException.class)
        .hasMessage("Nemesis.every(PT0S): the interval must be positive, e.g. every(Duration.ofMillis(500))");
    assertThatThrownBy(() -> nemesis.every(Duration.ofMillis(-500))).isInstanceOf(IllegalArgumentException.class)
        .hasMessage("Nemesis.every(PT-0.5S): the interval must be positive, e.g. every(Duration.ofMillis(500))");
    assertThatThrownBy(() -> nemesis.every(null)).isInstanceOf(IllegalArgumentException.class)
        .hasMessage("Nemesis.every(null): the interval must be positive, e.g. every(Duration.ofMillis(500))");
    assertThatThrownBy(nemesis::start).isInstanceOf(IllegalStateException.class)
        .hasMessage("Nemesis.start(): no faults to choose from; give them first, e.g."
            + " Nemesis.on(net).faults(Nemesis.isolateRandomNode(), Nemesis.partitionHalves()).start()");
  }

  /** Its first step would be a day away, and it is closed at once: nothing is ever applied to the handles. */
  @Test
  void aNemesisStartsOnceAndIsConfiguredBeforeItStarts() throws Exception {
    try (Nemesis nemesis = Nemesis.on(addressed()).every(Duration.ofDays(1)).faults(Nemesis.isolateRandomNode())
        .start()) {
      assertThatThrownBy(nemesis::start).isInstanceOf(IllegalStateException.class)
          .hasMessage("Nemesis.start(): this nemesis was started already; for another run, build a new one with"
              + " Nemesis.on(net)...start()");
      assertThatThrownBy(() -> nemesis.seed(7)).isInstanceOf(IllegalStateException.class)
          .hasMessage("Nemesis.seed(7): the nemesis was started already; configure it before start()");
      assertThatThrownBy(() -> nemesis.every(Duration.ofSeconds(1))).isInstanceOf(IllegalStateException.class)
          .hasMessage("Nemesis.every(PT1S): the nemesis was started already; configure it before start()");
      assertThatThrownBy(() -> nemesis.faults(Nemesis.partitionHalves())).isInstanceOf(IllegalStateException.class)
          .hasMessage("Nemesis.faults(...): the nemesis was started already; configure it before start()");
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
