package io.github.junitnetns.jupiter;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.junitnetns.internal.ns.Residents;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Thread-name globs of junit.netns.jvm-wide-threads, and the names of the libraries' pools (from their sources). */
class ThreadNamePatternsTest {

  @Test
  void globsMatchWholeJavaNames() {
    ThreadNamePatterns patterns = ThreadNamePatterns.parse("k", " OkHttp TaskRunner* , Okio Watchdog,pool-?-thread-1");
    assertThat(patterns.match("OkHttp TaskRunner")).hasValueSatisfying(g -> assertThat(g.text()).isEqualTo("OkHttp TaskRunner*"));
    assertThat(patterns.match("OkHttp TaskRunner 2")).isPresent();
    assertThat(patterns.match("Okio Watchdog")).hasValueSatisfying(g -> assertThat(g.text()).isEqualTo("Okio Watchdog"));
    assertThat(patterns.match("Okio Watchdog 2")).isEmpty();
    assertThat(patterns.match("pool-3-thread-1")).isPresent();
    assertThat(patterns.match("pool-13-thread-1")).isEmpty();
    assertThat(patterns.match("okhttp taskrunner")).as("case-sensitive").isEmpty();
    assertThat(ThreadNamePatterns.parse("k", "a.b(c)[d]+").match("a.b(c)[d]+")).as("no regex").isPresent();
    assertThat(ThreadNamePatterns.parse("k", "  ").isEmpty()).isTrue();
  }

  /** The kernel keeps 15 bytes of a name: a name that long may go on with anything; a shorter one is whole. */
  @Test
  void kernelNamesMatchWhatTheirJavaNamesMayMatch() {
    ThreadNamePatterns patterns = ThreadNamePatterns.parse("k", "OkHttp TaskRunner*,Okio Watchdog");
    assertThat(patterns.mayMatchKernelName("OkHttp TaskRunn")).isTrue();
    assertThat(patterns.mayMatchKernelName("Okio Watchdog")).isTrue();
    assertThat(patterns.mayMatchKernelName("Okio Watch")).as("a whole name, shorter").isFalse();
    assertThat(patterns.mayMatchKernelName("OkHttp Dispatch")).isFalse();
    assertThat(patterns.mayMatchKernelName("pool-1-thread-1")).isFalse();
  }

  @Test
  void theLibrariesPoolsAreKnownByTheirThreadNames() {
    assertThat(LibraryThreads.of("OkHttp TaskRunner")).hasValueSatisfying(p -> {
      assertThat(p.library()).isEqualTo("OkHttp");
      assertThat(p.recipe()).isEqualTo("docs/libraries.md#okhttp");
      assertThat(p.jvmWide()).isTrue();
    });
    assertThat(LibraryThreads.of("OkHttp ConnectionPool connection closer")).hasValueSatisfying(p -> assertThat(p.jvmWide()).isTrue());
    assertThat(LibraryThreads.of("OkHttp Dispatcher")).hasValueSatisfying(p -> assertThat(p.jvmWide()).isFalse());
    assertThat(LibraryThreads.of("Okio Watchdog")).hasValueSatisfying(p -> assertThat(p.anchor()).isEqualTo("okhttp"));
    assertThat(LibraryThreads.of("nioEventLoopGroup-2-1")).hasValueSatisfying(p -> {
      assertThat(p.anchor()).isEqualTo("netty");
      assertThat(p.jvmWide()).isFalse();
    });
    assertThat(LibraryThreads.of("globalEventExecutor-1-1")).hasValueSatisfying(p -> assertThat(p.jvmWide()).isTrue());
    assertThat(LibraryThreads.of("ObjectCleanerThread")).hasValueSatisfying(p -> assertThat(p.anchor()).isEqualTo("netty"));
    assertThat(LibraryThreads.of("grpc-default-executor-0")).hasValueSatisfying(p -> assertThat(p.anchor()).isEqualTo("grpc"));
    assertThat(LibraryThreads.of("grpc-nio-worker-ELG-1-3")).hasValueSatisfying(p -> assertThat(p.anchor()).isEqualTo("grpc"));
    assertThat(LibraryThreads.of("reactor-http-nio-2")).hasValueSatisfying(p -> assertThat(p.anchor()).isEqualTo("reactor-netty"));
    assertThat(LibraryThreads.of("httpclient-dispatch-1")).hasValueSatisfying(p -> assertThat(p.anchor()).isEqualTo("apache-httpclient"));
    assertThat(LibraryThreads.of("idle-connection-evictor-1")).hasValueSatisfying(p -> assertThat(p.anchor()).isEqualTo("apache-httpclient"));
    assertThat(LibraryThreads.of("pool-1-thread-1")).isEmpty();
    assertThat(LibraryThreads.of("main")).isEmpty();
  }

  @Test
  void poolWorkersAreKnownByTheirStacks() {
    Residents.Named idle = named(List.of("jdk.internal.misc.Unsafe.park(Native Method)",
        "java.util.concurrent.ThreadPoolExecutor.getTask(ThreadPoolExecutor.java:1061)",
        "java.util.concurrent.ThreadPoolExecutor.runWorker(ThreadPoolExecutor.java:1122)"));
    Residents.Named loop = named(List.of("io.netty.channel.nio.NioIoHandler.run(NioIoHandler.java:482)",
        "io.netty.util.concurrent.SingleThreadEventExecutor$5.run(SingleThreadEventExecutor.java:1195)"));
    Residents.Named acceptor = named(List.of("sun.nio.ch.Net.accept(Native Method)",
        "java.net.ServerSocket.accept(ServerSocket.java:533)"));
    assertThat(LibraryThreads.isPoolWorker(idle)).isTrue();
    assertThat(LibraryThreads.isPoolWorker(loop)).isTrue();
    assertThat(LibraryThreads.isPoolWorker(acceptor)).isFalse();
  }

  private static Residents.Named named(List<String> frames) {
    return new Residents.Named(null, "t", null, "WAITING", frames);
  }
}
