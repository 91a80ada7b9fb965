package io.github.junitnetns.internal.ns;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Test;

/** Java threads by kernel thread id, from HotSpot's thread dump: the live JVM's, and the text of both dump formats. */
class ThreadDumpTest {

  /** JDK 17 prints the native id in hex only. */
  private static final String JDK17 = String.join("\n",
      "2026-12-03 16:21:07",
      "Full thread dump OpenJDK 64-Bit Server VM (17.0.13+11-Debian-2deb12u1 mixed mode, sharing):",
      "",
      "Threads class SMR info:",
      "_java_thread_list=0x00007f1c4c001f40, length=3, elements={",
      "0x00007f1c8c02a5e0, 0x00007f1c8c14c0a0, 0x00007f1c4c000ff0",
      "}",
      "",
      "\"main\" #1 prio=5 os_prio=0 cpu=164.12ms elapsed=0.41s tid=0x00007f1c8c02a5e0 nid=0x3f0a waiting on condition"
          + "  [0x00007f1c91dfe000]",
      "   java.lang.Thread.State: TIMED_WAITING (sleeping)",
      "\tat java.lang.Thread.sleep(java.base@17.0.13/Native Method)",
      "\tat Demo.main(Demo.java:5)",
      "",
      "\"OkHttp ConnectionPool connection closer\" #14 daemon prio=5 os_prio=0 cpu=0.35ms elapsed=0.30s"
          + " tid=0x00007f1c8c14c0a0 nid=0x3f1e waiting on condition  [0x00007f1c5bdfd000]",
      "   java.lang.Thread.State: TIMED_WAITING (parking)",
      "\tat jdk.internal.misc.Unsafe.park(java.base@17.0.13/Native Method)",
      "\t- parking to wait for  <0x000000062a81e3d8> (a java.util.concurrent.SynchronousQueue$TransferStack)",
      "\tat java.util.concurrent.ThreadPoolExecutor.getTask(java.base@17.0.13/ThreadPoolExecutor.java:1061)",
      "\tat java.util.concurrent.ThreadPoolExecutor.runWorker(java.base@17.0.13/ThreadPoolExecutor.java:1122)",
      "",
      "\"a \"quoted\" name\" #15 prio=5 os_prio=0 cpu=0.05ms elapsed=0.20s tid=0x00007f1c4c000ff0 nid=0x3f20 runnable"
          + "  [0x00007f1c5bcfc000]",
      "   java.lang.Thread.State: RUNNABLE",
      "",
      "\"VM Thread\" os_prio=0 cpu=2.10ms elapsed=0.42s tid=0x00007f1c8c0d4f00 nid=0x3f0d runnable  ",
      "",
      "JNI global refs: 9, weak refs: 0",
      "");

  /** JDK 19 and later print it in decimal, in brackets and as nid. */
  private static final String JDK21 = String.join("\n",
      "\"main\" #1 [16138] prio=5 os_prio=0 cpu=95.34ms elapsed=0.31s tid=0x00007f6a2402c860 nid=16138 waiting on"
          + " condition  [0x00007f6a2a1fe000]",
      "   java.lang.Thread.State: TIMED_WAITING (sleeping)",
      "\tat java.lang.Thread.sleep0(java.base@21.0.5/Native Method)",
      "\tat java.lang.Thread.sleep(java.base@21.0.5/Thread.java:509)",
      "\tat Demo.main(Demo.java:5)",
      "",
      "\"Reference Handler\" #9 [16145] daemon prio=10 os_prio=0 cpu=0.09ms elapsed=0.30s tid=0x00007f6a24126b70"
          + " nid=16145 waiting on condition  [0x00007f6a0cdfe000]",
      "   java.lang.Thread.State: RUNNABLE",
      "\tat java.lang.ref.Reference.waitForReferencePendingList(java.base@21.0.5/Native Method)",
      "");

  @Test
  void readsJdk17DumpsWithHexNativeIds() {
    ThreadDump dump = ThreadDump.parse(JDK17);
    assertThat(dump.unavailable()).isEmpty();
    assertThat(dump.thread(0x3f0a)).hasValueSatisfying(t -> {
      assertThat(t.name()).isEqualTo("main");
      assertThat(t.javaId()).isEqualTo(1);
      assertThat(t.state()).isEqualTo("TIMED_WAITING");
      assertThat(t.frames()).containsExactly("java.lang.Thread.sleep(Native Method)", "Demo.main(Demo.java:5)");
    });
    assertThat(dump.thread(0x3f1e)).hasValueSatisfying(t -> {
      assertThat(t.name()).isEqualTo("OkHttp ConnectionPool connection closer"); // the kernel has "OkHttp Connecti"
      assertThat(t.frames()).containsExactly("jdk.internal.misc.Unsafe.park(Native Method)",
          "java.util.concurrent.ThreadPoolExecutor.getTask(ThreadPoolExecutor.java:1061)",
          "java.util.concurrent.ThreadPoolExecutor.runWorker(ThreadPoolExecutor.java:1122)");
    });
    assertThat(dump.thread(0x3f20)).hasValueSatisfying(t -> assertThat(t.name()).isEqualTo("a \"quoted\" name"));
    assertThat(dump.thread(0x3f0d)).as("not a Java thread").isEmpty();
  }

  @Test
  void readsJdk21DumpsWithDecimalNativeIds() {
    ThreadDump dump = ThreadDump.parse(JDK21);
    assertThat(dump.thread(16138)).hasValueSatisfying(t -> {
      assertThat(t.name()).isEqualTo("main");
      assertThat(t.frames()).hasSize(3).first().isEqualTo("java.lang.Thread.sleep0(Native Method)");
    });
    assertThat(dump.thread(16145)).hasValueSatisfying(t -> assertThat(t.name()).isEqualTo("Reference Handler"));
  }

  /** The JVM running this test: two threads whose names the kernel cuts to the same 15 characters are told apart. */
  @Test
  void namesThisJvmsThreadsByKernelThreadId() throws Exception {
    CountDownLatch started = new CountDownLatch(2);
    CountDownLatch release = new CountDownLatch(1);
    int[] tids = new int[2];
    List<Thread> threads = List.of(0, 1).stream().map(i -> new Thread(() -> {
      tids[i] = Namespaces.currentTid();
      started.countDown();
      try {
        release.await();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }, "ThreadDumpTest worker number " + i)).toList();
    threads.forEach(Thread::start);
    try {
      started.await();
      // Counted down just before it parks: wait until both are parked, or the dump may see one still running.
      org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(10))
          .until(() -> threads.stream().allMatch(t -> t.getState() == Thread.State.WAITING));
      ThreadDump dump = ThreadDump.take();
      assertThat(dump.unavailable()).isEmpty();
      assertThat(dump.thread(Namespaces.currentTid())).hasValueSatisfying(t -> {
        assertThat(t.name()).isEqualTo(Thread.currentThread().getName());
        assertThat(t.state()).isEqualTo("RUNNABLE");
      });
      for (int i = 0; i < 2; i++) {
        int index = i;
        assertThat(dump.thread(tids[i])).hasValueSatisfying(t -> {
          assertThat(t.name()).isEqualTo("ThreadDumpTest worker number " + index);
          assertThat(t.javaId()).isEqualTo(threads.get(index).getId());
          assertThat(t.state()).isEqualTo("WAITING");
          assertThat(t.frames()).anyMatch(f -> f.startsWith("java.util.concurrent.CountDownLatch.await(CountDownLatch.java:"));
        });
      }
    } finally {
      release.countDown();
      for (Thread thread : threads) {
        thread.join();
      }
    }
  }
}
