package io.github.junitnetns.internal.ns;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.github.junitnetns.NetNs;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The leak check's view of the JVM's threads: a thread started inside a namespace is found there
 * by its kernel id, while a homebound thread (the library's own, which by contract never enters
 * one) is skipped even where it is; both are found no more once they end.
 */
@Tag("privileged")
class ResidentsPrivilegedTest {

  @Test
  void findsAThreadInsideAndSkipsAHomeboundOne() throws Exception {
    CountDownLatch stop = new CountDownLatch(1);
    CountDownLatch started = new CountDownLatch(2);
    AtomicInteger plainTid = new AtomicInteger();
    AtomicInteger homeboundTid = new AtomicInteger();
    Thread plain = waiting("residents-plain-thread", plainTid, started, stop);
    Thread homebound = new Thread(() -> Residents.homebound(waiting(homeboundTid, started, stop)), "residents-homebound");
    try (NetNs ns = NetNs.create("residents")) {
      try {
        ns.run(() -> { // on a thread inside: threads started here are inside too
          plain.start();
          homebound.start();
        });
        started.await();
        List<Residents.Resident> inside = Residents.inside(Set.of(ns.id()));
        assertThat(inside).extracting(r -> r.tid).containsExactly(plainTid.get())
            .doesNotContain(homeboundTid.get());
        assertThat(inside.get(0).kernelName).isEqualTo("residents-plain"); // the kernel keeps 15 characters
        assertThat(inside.get(0).namespaceId).isEqualTo(ns.id());
      } finally {
        stop.countDown();
        plain.join();
        homebound.join();
      }
      // join() returns when the Java thread is done; the kernel's thread may take a moment more to exit.
      await().atMost(Duration.ofSeconds(10)).until(() -> Residents.inside(Set.of(ns.id())).isEmpty());
    }
  }

  private static Thread waiting(String name, AtomicInteger tid, CountDownLatch started, CountDownLatch stop) {
    return new Thread(waiting(tid, started, stop), name);
  }

  private static Runnable waiting(AtomicInteger tid, CountDownLatch started, CountDownLatch stop) {
    return () -> {
      tid.set(Namespaces.currentTid());
      started.countDown();
      try {
        stop.await();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    };
  }
}
