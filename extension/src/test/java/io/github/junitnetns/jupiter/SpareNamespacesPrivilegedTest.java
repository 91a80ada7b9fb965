package io.github.junitnetns.jupiter;

import static io.github.junitnetns.jupiter.EngineRuns.run;
import static io.github.junitnetns.jupiter.IsolatedNetNsPrivilegedTest.freshNamespaceMarked;
import static org.assertj.core.api.Assertions.assertThat;

import io.github.junitnetns.NetNs;
import io.github.junitnetns.testsupport.Kernel;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.parallel.Isolated;

/**
 * Namespaces made ahead of need (SpareNamespaces): a test gets one that a carrier already sits in,
 * and it is as fresh, as well labelled and as much its own as one made for it. {@code @Isolated}:
 * no other test takes the spares meanwhile.
 */
@Isolated
@Tag("privileged")
class SpareNamespacesPrivilegedTest {

  @IsolatedNetNs
  static class One {
    static final Map<String, String> SEEN = new ConcurrentHashMap<>();

    @Test
    void test(NetNs ns) throws Exception {
      SEEN.put("thread", Thread.currentThread().getName());
      SEEN.put("label", ns.label());
      SEEN.put("fresh", String.valueOf(freshNamespaceMarked()));
      SEEN.put("inside", String.valueOf(Kernel.currentNetNs().equals(ns.id())));
    }
  }

  @Test
  void aTestRunsOnACarrierThatWaitedInsideAFreshNamespace() throws Exception {
    run(One.class).testEvents().assertStatistics(s -> s.started(1).succeeded(1)); // the first test starts the spares
    Set<String> spares = waitForSpareCarriers();
    One.SEEN.clear();
    run(One.class).testEvents().assertStatistics(s -> s.started(1).succeeded(1));
    String thread = One.SEEN.get("thread");
    assertThat(thread).endsWith(" [One.test]");
    assertThat(spares).as("carriers that waited in spare namespaces").contains(thread.substring(0, thread.indexOf(' ')));
    assertThat(One.SEEN).containsEntry("label", "One.test").containsEntry("fresh", "true").containsEntry("inside", "true");
  }

  /** The base names of carriers that wait in a spare namespace, once the spares are made. */
  private static Set<String> waitForSpareCarriers() throws InterruptedException {
    long deadline = System.nanoTime() + 10_000_000_000L;
    while (true) {
      Set<String> spares = Thread.getAllStackTraces().keySet().stream()
          .map(Thread::getName)
          .filter(name -> name.startsWith("junit-netns-carrier-") && name.endsWith(" [spare]"))
          .map(name -> name.substring(0, name.indexOf(' ')))
          .collect(Collectors.toSet());
      if (!spares.isEmpty() || System.nanoTime() > deadline) {
        return spares;
      }
      Thread.sleep(10);
    }
  }

  @IsolatedNetNs({"a", "b"})
  static class Many {
    static final List<String> PROBLEMS = new java.util.concurrent.CopyOnWriteArrayList<>();

    @RepeatedTest(40)
    void test(@Ns("a") NetNs a, @Ns("b") NetNs b, org.junit.jupiter.api.TestInfo info) throws Exception {
      String test = "repetition " + info.getDisplayName();
      if (!freshNamespaceMarked()) {
        PROBLEMS.add(test + ": a was not fresh");
      }
      if (!b.call(IsolatedNetNsPrivilegedTest::freshNamespaceMarked)) {
        PROBLEMS.add(test + ": b was not fresh");
      }
      if (!a.label().equals("a") || !b.label().equals("b")) {
        PROBLEMS.add(test + ": labels " + a.label() + ", " + b.label());
      }
      // A namespace handed out twice would be seen "not fresh" by its second test (the mark above).
      if (a.equals(b)) {
        PROBLEMS.add(test + ": a and b are one namespace");
      }
      Thread.sleep(2); // let the spares refill while tests run, as they would with real bodies
    }
  }

  @Test
  void testsRunningInParallelEachGetTheirOwnFreshNamespaces() {
    Many.PROBLEMS.clear();
    run(Many.class).testEvents().assertStatistics(s -> s.started(40).succeeded(40));
    assertThat(Many.PROBLEMS).isEmpty();
  }
}
