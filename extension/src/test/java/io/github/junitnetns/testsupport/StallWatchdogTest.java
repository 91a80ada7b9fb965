package io.github.junitnetns.testsupport;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

class StallWatchdogTest {

  @Test
  void isRegisteredForThisSuiteAndCallsOnlyALongSilenceAStall() {
    long now = System.nanoTime();
    // This test runs inside a test plan: only registered through META-INF/services does the alarm know it.
    assertThat(StallWatchdog.stalled(now + Duration.ofHours(2).toNanos(), Duration.ofHours(1))).isTrue();
    assertThat(StallWatchdog.stalled(now, Duration.ofHours(1))).isFalse();
  }

  @Test
  void theDumpHasEveryFrameOfAParkedThreadAndWhatItWaitsFor() throws InterruptedException {
    CountDownLatch never = new CountDownLatch(1);
    Thread deep = new Thread(() -> descend(12, never), "stall-watchdog-test deep thread");
    deep.setDaemon(true);
    deep.start();
    try {
      Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> deep.getState() == Thread.State.WAITING);
      String dump = StallWatchdog.dump("title");
      String thread = dump.substring(dump.indexOf("\"stall-watchdog-test deep thread\""));
      thread = thread.substring(0, thread.indexOf("\n\n") < 0 ? thread.length() : thread.indexOf("\n\n"));
      assertThat(dump).startsWith("title\n");
      assertThat(thread).contains("WAITING on java.util.concurrent.CountDownLatch$Sync");
      // ThreadInfo.toString() would stop at 8 frames; the alarm prints them all.
      assertThat(thread.lines().filter(line -> line.contains("StallWatchdogTest.descend"))).hasSize(13);
    } finally {
      never.countDown();
      deep.join(10_000);
    }
  }

  private static void descend(int depth, CountDownLatch never) {
    if (depth > 0) {
      descend(depth - 1, never);
      return;
    }
    try {
      never.await();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
