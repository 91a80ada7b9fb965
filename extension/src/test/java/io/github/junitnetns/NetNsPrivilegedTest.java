package io.github.junitnetns;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.junitnetns.testsupport.Kernel;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** The library on its own, against the real kernel. Needs CAP_SYS_ADMIN. */
@Tag("privileged")
class NetNsPrivilegedTest {

  @Test
  void aNewNamespaceHasOnlyLoopbackAndItIsUp() {
    try (NetNs ns = NetNs.create("fresh")) {
      assertThat(ns.links()).extracting(Link::name).containsExactly("lo");
      Link lo = ns.link("lo").orElseThrow();
      assertThat(lo.isUp()).isTrue();
      assertThat(lo.addresses()).extracting(Link.Address::toString).containsExactly("127.0.0.1/8", "::1/128");
      assertThat(ns.id()).startsWith("net:[").isNotEqualTo(Kernel.currentNetNs());
    }
  }

  @Test
  void codeRunsInsideWhileTheCallerStaysWhereItIs() throws Exception {
    String mine = Kernel.currentNetNs();
    try (NetNs ns = NetNs.create()) {
      assertThat(ns.call(Kernel::currentNetNs)).isEqualTo(ns.id());
      assertThat(Kernel.currentNetNs()).isEqualTo(mine);
      // Nested: already inside, the code runs on the same thread.
      assertThat(ns.call(() -> ns.call(() -> Thread.currentThread()) == Thread.currentThread())).isTrue();
    }
  }

  @Test
  void theSamePortIsFreeInEveryNamespace() throws Exception {
    try (NetNs a = NetNs.create("a"); NetNs b = NetNs.create("b");
        ServerSocket onA = a.call(() -> new ServerSocket(18080));
        ServerSocket onB = b.call(() -> new ServerSocket(18080));
        ServerSocket onHost = new ServerSocket(18080)) {
      assertThat(onA.getLocalPort()).isEqualTo(onB.getLocalPort()).isEqualTo(onHost.getLocalPort());
      // A socket stays in its namespace whichever thread uses it: a client inside "a" reaches onA.
      a.run(() -> {
        try (Socket client = new Socket()) {
          client.connect(new InetSocketAddress("127.0.0.1", 18080), 2000);
          try (Socket accepted = onA.accept()) {
            assertThat(accepted.getRemoteSocketAddress()).isNotNull();
          }
        }
      });
    }
  }

  @Test
  void exceptionsComeBackUnchanged() {
    try (NetNs ns = NetNs.create()) {
      IOException checked = new IOException("checked");
      assertThatThrownBy(() -> ns.run(() -> { throw checked; })).isSameAs(checked);
      IllegalStateException unchecked = new IllegalStateException("unchecked");
      assertThatThrownBy(() -> ns.run(() -> { throw unchecked; })).isSameAs(unchecked);
      AssertionError error = new AssertionError("error");
      assertThatThrownBy(() -> ns.run(() -> { throw error; })).isSameAs(error);
    }
  }

  @Test
  void anInterruptOfTheCallerReachesTheCodeInside() throws Exception {
    try (NetNs ns = NetNs.create()) {
      AtomicReference<Throwable> seen = new AtomicReference<>();
      CountDownLatch started = new CountDownLatch(1);
      Thread caller = new Thread(() -> {
        try {
          ns.run(() -> {
            started.countDown();
            Thread.sleep(30_000);
          });
        } catch (Throwable t) {
          seen.set(t);
        }
      });
      caller.start();
      assertThat(started.await(10, TimeUnit.SECONDS)).isTrue();
      caller.interrupt();
      caller.join(10_000);
      assertThat(caller.isAlive()).isFalse();
      assertThat(seen.get()).isInstanceOf(InterruptedException.class);
    }
  }

  @Test
  void threadsFromTheFactoryAreInside() throws Exception {
    try (NetNs ns = NetNs.create("pool")) {
      ExecutorService pool = Executors.newFixedThreadPool(2, ns.threadFactory());
      try {
        assertThat(pool.submit(Kernel::currentNetNs).get(10, TimeUnit.SECONDS)).isEqualTo(ns.id());
        assertThat(pool.submit(() -> Thread.currentThread().getName()).get()).startsWith("pool-thread-");
      } finally {
        pool.shutdownNow();
      }
    }
  }

  @Test
  void aProcessStartsInsideAndIsKilledAtClose() throws Exception {
    Process sleeper;
    try (NetNs ns = NetNs.create("proc")) {
      sleeper = ns.exec("sleep", "60");
      assertThat(Kernel.netNsOfPid(sleeper.pid())).isEqualTo(ns.id());
    }
    assertThat(sleeper.waitFor(5, TimeUnit.SECONDS)).isTrue();
  }

  @Test
  void opensTheNamespaceOfARunningProcess() throws Exception {
    try (NetNs ns = NetNs.create("owner")) {
      Process sleeper = ns.exec("sleep", "60");
      try (NetNs byPid = NetNs.ofPid(sleeper.pid());
          NetNs byPath = NetNs.open(Path.of("/proc/" + sleeper.pid() + "/ns/net"))) {
        assertThat(byPid).isEqualTo(ns).isEqualTo(byPath);
        assertThat(byPid.call(Kernel::currentNetNs)).isEqualTo(ns.id());
        assertThat(byPid.links()).extracting(Link::name).containsExactly("lo");
      }
      assertThat(ns.isClosed()).isFalse(); // closing another handle leaves this one alone
    }
  }

  @Test
  void aClosedNamespaceSaysSo() {
    NetNs ns = NetNs.create("gone");
    ns.close();
    ns.close(); // harmless
    assertThatThrownBy(() -> ns.run(() -> {}))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("netns gone")
        .hasMessageContaining("is closed");
    assertThat(ns.describe()).contains("(closed)");
  }

  @Test
  void badArgumentsAreRefusedBeforeAnythingHappens() {
    assertThatThrownBy(() -> NetNs.ofPid(0)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("ofPid(0)");
    assertThatThrownBy(() -> NetNs.create(" ")).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("label");
    assertThatThrownBy(() -> NetNs.open(Path.of("/proc/self/ns/uts")))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("not a network namespace");
    assertThatThrownBy(() -> NetNs.open(Path.of("/run/netns/does-not-exist-junit-netns")))
        .isInstanceOf(NetNsException.class)
        .hasMessage("open /run/netns/does-not-exist-junit-netns: ENOENT (No such file or directory)");
  }

  @Test
  void kernelRefusalsNameTheOperationTheObjectAndTheErrno() {
    Link lo;
    try (NetNs ns = NetNs.create("errs")) {
      lo = ns.link("lo").orElseThrow();
      assertThatThrownBy(() -> lo.setMtu(10)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("setMtu(10)");
      lo.setMtu(1500);
      assertThat(ns.link("lo").orElseThrow().mtu()).isEqualTo(1500);
      lo.down();
      assertThat(ns.link("lo").orElseThrow().isUp()).isFalse();
    }
    assertThatThrownBy(lo::up).as("a link of a closed namespace").isInstanceOf(IllegalStateException.class);
    try (NetNs ns = NetNs.create("errs2")) {
      NetNsException e = org.junit.jupiter.api.Assertions.assertThrows(NetNsException.class,
          () -> ns.client().linkUp(99, "if99@errs2"));
      assertThat(e.getMessage()).startsWith("RTM_NEWLINK if99@errs2 up: ENODEV (No such device)");
      assertThat(e.is("ENODEV")).isTrue();
    }
  }

  @Test
  void describeReadsLikeIpAddrAndIpRoute() {
    try (NetNs ns = NetNs.create("described")) {
      String text = ns.describe();
      assertThat(text).startsWith("netns described net:[")
          .contains("1: lo: <LOOPBACK,UP,LOWER_UP> mtu 65536 state UNKNOWN")
          .contains("    inet 127.0.0.1/8")
          .contains("    inet6 ::1/128")
          .contains("routes:");
    }
  }


  @Test
  void closingKillsProcessesThatDaemonizedToo() throws Exception {
    long daemon;
    try (NetNs ns = NetNs.create("daemons")) {
      Process shell = ns.exec("sh", "-c", "setsid sleep 60 >/dev/null 2>&1 & echo $!");
      daemon = Long.parseLong(new String(shell.getInputStream().readAllBytes()).trim());
      shell.waitFor(5, TimeUnit.SECONDS);
      assertThat(Kernel.netNsOfPid(daemon)).isEqualTo(ns.id()); // outlived its parent, still inside
    }
    org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(5))
        .until(() -> ProcessHandle.of(daemon).map(h -> !h.isAlive()).orElse(true));
  }

  @Test
  void closingWhileAnotherThreadFirstUsesAnOpenedHandleNeverDeadlocks() throws Exception {
    try (NetNs owner = NetNs.create("owner2")) {
      Process sleeper = owner.exec("sleep", "60");
      for (int i = 0; i < 30; i++) {
        NetNs opened = NetNs.ofPid(sleeper.pid());
        Thread lister = new Thread(() -> {
          try {
            opened.links();
          } catch (RuntimeException expected) {
            // closed under it: fine, as long as it does not hang
          }
        });
        lister.start();
        opened.close();
        lister.join(10_000);
        assertThat(lister.isAlive()).as("links() still blocked after close(), iteration %d", i).isFalse();
      }
    }
  }

  @Test
  void theEndsOfAVethNeverShareAnInterfaceIndex() {
    // Equal indexes would make the kernel delay the carrier (linkwatch), dropping the first packets.
    try (NetNs a = NetNs.create("ia"); NetNs b = NetNs.create("ib")) {
      VethPair pair = VethPair.create(a, "eth0", b, "eth0");
      assertThat(pair.left().index()).isNotEqualTo(pair.right().index());
      // Created up at both ends: the kernel reports the carrier up on both (operstate UP, not
      // LOWERLAYERDOWN), promptly, as it would not if the indexes were equal.
      assertThat(pair.left().isUp()).isTrue();
      assertThat(pair.right().isUp()).isTrue();
      org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(5)).untilAsserted(() -> {
        assertThat(a.link("eth0").orElseThrow().state()).isEqualTo("UP");
        assertThat(b.link("eth0").orElseThrow().state()).isEqualTo("UP");
      });
    }
  }

  @Test
  void sysctlsOfSeveralDigitsReadAndWriteWhole() {
    try (NetNs ns = NetNs.create("sysctl")) {
      assertThat(ns.sysctl("net.ipv4.ip_default_ttl")).isEqualTo("64");
      ns.setSysctl("net.ipv4.ip_default_ttl", "123");
      assertThat(ns.sysctl("net.ipv4.ip_default_ttl")).isEqualTo("123");
      assertThatThrownBy(() -> ns.sysctl("kernel.hostname"))
          .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("net.*");
    }
  }
}
