package io.github.junitnetns;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.junitnetns.testsupport.Kernel;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** {@link NetNs#host()}: code and threads on the host, from wherever the caller is. Needs CAP_SYS_ADMIN. */
@Tag("privileged")
class HostNetNsPrivilegedTest {

  @Test
  void isTheNamespaceTheJvmStartedInAndAlwaysTheSameHandle() {
    NetNs host = NetNs.host();
    assertThat(host).isSameAs(NetNs.host());
    assertThat(host.label()).isEqualTo("host");
    assertThat(host.id()).isEqualTo(Kernel.currentNetNs()); // this test runs on a JUnit thread, on the host
  }

  @Test
  void onTheHostCodeRunsOnTheCallingThreadAndFromInsideOnTheHost() throws Exception {
    Thread me = Thread.currentThread();
    assertThat(NetNs.host().call(Thread::currentThread)).isSameAs(me);
    try (NetNs ns = NetNs.create("inside")) {
      assertThat(ns.call(() -> NetNs.host().call(Kernel::currentNetNs))).isEqualTo(NetNs.host().id());
      assertThat(ns.call(Kernel::currentNetNs)).as("the caller stays where it is").isEqualTo(ns.id());
    }
  }

  /** A pool that a test starts from inside gets threads on the host: what they open is the host's. */
  @Test
  void itsThreadFactoryGivesThreadsOnTheHostWhoeverStartsThem() throws Exception {
    ExecutorService pool = Executors.newSingleThreadExecutor(NetNs.host().threadFactory());
    try (NetNs ns = NetNs.create("starter");
        ServerSocket onHost = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
      int port = onHost.getLocalPort();
      // The first task, submitted from inside, starts the pool's thread.
      String where = ns.call(() -> pool.submit(Kernel::currentNetNs).get(10, TimeUnit.SECONDS));
      assertThat(where).isEqualTo(NetNs.host().id()).isNotEqualTo(ns.id());
      assertThat(pool.submit(() -> {
        try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), port); Socket accepted = onHost.accept()) {
          return accepted.isConnected();
        }
      }).get(10, TimeUnit.SECONDS)).isTrue();
    } finally {
      pool.shutdownNow();
      assertThat(pool.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
    }
  }

  @Test
  void closingItChangesNothing() throws Exception {
    NetNs host = NetNs.host();
    try (NetNs same = NetNs.host()) {
      assertThat(same.isClosed()).isFalse();
    }
    host.close();
    assertThat(host.isClosed()).isFalse();
    assertThat(host.call(Kernel::currentNetNs)).isEqualTo(host.id());
    assertThat(host.links()).extracting(Link::name).contains("lo");
    Thread thread = host.threadFactory().newThread(() -> {});
    thread.start();
    thread.join();
  }
}
