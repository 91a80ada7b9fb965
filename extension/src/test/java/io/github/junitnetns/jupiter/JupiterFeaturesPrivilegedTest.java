package io.github.junitnetns.jupiter;

import static io.github.junitnetns.jupiter.EngineRuns.run;
import static org.assertj.core.api.Assertions.assertThat;

import io.github.junitnetns.NetNs;
import io.github.junitnetns.Network;
import io.github.junitnetns.testsupport.Kernel;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.TestInstance;
import org.junit.platform.testkit.engine.EngineExecutionResults;

/**
 * Jupiter features that change where and when code runs, with namespaces: a PER_CLASS test
 * instance (non-static {@code @BeforeAll}), and dynamic tests of one factory running at the same
 * time. JUnit 6's own ({@code @ParameterizedClass}, the worker-thread-pool executor, a dynamic
 * test's execution mode) are in {@code src/test/junit6}, compiled only with
 * {@code -Djunit.version=6.1.3}. Needs CAP_SYS_ADMIN.
 */
@Tag("privileged")
class JupiterFeaturesPrivilegedTest {

  // ---------------------------------------------------------------- @TestInstance(PER_CLASS)

  @TestInstance(TestInstance.Lifecycle.PER_CLASS)
  @IsolatedNetNs(value = "server", scope = IsolatedNetNs.Scope.CLASS)
  static class PerClass {
    static final Map<String, String> SEEN = new ConcurrentHashMap<>();
    private ServerSocket server; // the one instance's: opened by the non-static @BeforeAll

    @BeforeAll
    void openServer(NetNs ns) throws IOException {
      SEEN.put("beforeAll ns", ns.id());
      SEEN.put("beforeAll runs in", Kernel.currentNetNs());
      server = new ServerSocket(8080, 50, InetAddress.getLoopbackAddress());
    }

    @Test
    void first(NetNs ns) throws IOException {
      connect("first", ns);
    }

    @Test
    @IsolatedNetNs("own")
    void second(NetNs ns, @Ns("own") NetNs own) throws IOException {
      connect("second", ns);
      SEEN.put("second own", own.id());
    }

    private void connect(String test, NetNs ns) throws IOException {
      SEEN.put(test + " ns", ns.id());
      SEEN.put(test + " instance's server", Integer.toString(System.identityHashCode(server)));
      try (Socket socket = new Socket()) { // port 8080 of the class's namespace, where @BeforeAll listens
        socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), 8080), 2000);
      }
    }

    @AfterAll
    void closeServer() throws IOException {
      server.close();
    }
  }

  @Test
  void aPerClassInstancesBeforeAllRunsInTheClassNamespaceAndItsTestsShareIt() {
    PerClass.SEEN.clear();
    EngineExecutionResults results = run(PerClass.class);
    results.testEvents().assertStatistics(s -> s.started(2).succeeded(2));
    Map<String, String> seen = PerClass.SEEN;
    assertThat(seen.get("beforeAll runs in")).isEqualTo(seen.get("beforeAll ns")).isNotEqualTo(Kernel.currentNetNs());
    assertThat(seen.get("first ns")).isEqualTo(seen.get("beforeAll ns")).isEqualTo(seen.get("second ns"));
    assertThat(seen.get("first instance's server")).isEqualTo(seen.get("second instance's server"));
    assertThat(seen.get("second own")).isNotEqualTo(seen.get("second ns"));
  }

  // ---------------------------------------------------------------- concurrent dynamic tests

  @IsolatedNetNs({"a", "b"})
  @VethLink(left = "a", right = "b", subnet = "10.0.74.0/24")
  static class ConcurrentDynamic {
    static volatile CyclicBarrier together;
    static final List<String> SEEN = new CopyOnWriteArrayList<>();

    @TestFactory
    Stream<DynamicTest> both(Network net, @Ns("a") NetNs a) {
      SEEN.add("factory " + a.id());
      return Stream.of("one", "two").map(name -> DynamicTest.dynamicTest(name, () -> {
        together.await(30, TimeUnit.SECONDS); // both at once: neither waits behind the other
        SEEN.add(name + " " + Kernel.currentNetNs());
        try (ServerSocket server = net.ns("b").call(() -> new ServerSocket(0));
            Socket socket = new Socket()) {
          socket.connect(new InetSocketAddress("10.0.74.2", server.getLocalPort()), 2000);
        }
      }));
    }
  }

  @Test
  void dynamicTestsOfOneFactoryRunAtOnceInsideItsNamespaces() {
    ConcurrentDynamic.together = new CyclicBarrier(2);
    ConcurrentDynamic.SEEN.clear();
    EngineExecutionResults results = run(ConcurrentDynamic.class);
    results.testEvents().assertStatistics(s -> s.started(2).succeeded(2));
    String a = ConcurrentDynamic.SEEN.get(0).substring("factory ".length());
    assertThat(ConcurrentDynamic.SEEN).containsExactlyInAnyOrder("factory " + a, "one " + a, "two " + a);
  }
}
