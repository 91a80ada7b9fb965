package io.github.junitnetns.jupiter;

import io.github.junitnetns.internal.ns.Residents.Named;
import java.util.List;
import java.util.Optional;

/**
 * The thread names of client libraries whose pools are started lazily by whichever thread uses
 * them first, taken from the libraries' sources: OkHttp 5 and Okio, Netty 4.2, gRPC-java, Reactor
 * Netty and Reactor, Apache HttpClient 5. A thread left inside a test's namespace that matches
 * one gets that library's recipe, on docs/libraries.md.
 */
final class LibraryThreads {
  /**
   * A library's pool: the names of its threads, what it is, and whether the library shares it
   * across the JVM by itself ({@code jvmWide}), or only when a test shares the object that owns
   * it (a client or event loop group in a static field).
   */
  record Pool(String library, String anchor, ThreadNamePatterns.Glob names, String what, boolean jvmWide) {
    /** Where the library's recipe is, e.g. {@code docs/libraries.md#okhttp}. */
    String recipe() {
      return "docs/libraries.md#" + anchor;
    }
  }

  // First match wins: the specific names before the catch-alls of the same library.
  private static final List<Pool> POOLS = List.of(
      pool("OkHttp", "okhttp", "OkHttp Dispatcher*", "the Dispatcher of an OkHttpClient", false),
      // TaskRunner renames its thread to the task it runs: "OkHttp ConnectionPool connection closer",
      // "OkHttp connect http://...", "OkHttp 127.0.0.1" (an HTTP/2 reader); idle, it is "OkHttp TaskRunner".
      pool("OkHttp", "okhttp", "OkHttp *", "OkHttp's TaskRunner (connection pool cleanup, fast-fallback connects),"
          + " which every OkHttpClient of the JVM shares", true),
      pool("Okio", "okhttp", "Okio Watchdog", "Okio's timeout watchdog (used by OkHttp), one for the whole JVM", true),
      pool("Netty", "netty", "globalEventExecutor-*", "Netty's GlobalEventExecutor, one for the whole JVM", true),
      pool("Netty", "netty", "ObjectCleanerThread", "Netty's object cleaner, one for the whole JVM", true),
      pool("Netty", "netty", "threadDeathWatcher-*", "Netty's thread death watcher, one for the whole JVM", true),
      pool("Netty", "netty", "nioEventLoopGroup-*", "a Netty event loop group", false),
      pool("Netty", "netty", "multiThreadIoEventLoopGroup-*", "a Netty event loop group", false),
      pool("Netty", "netty", "epollEventLoopGroup-*", "a Netty event loop group", false),
      pool("Netty", "netty", "ioUringEventLoopGroup-*", "a Netty event loop group", false),
      pool("Netty", "netty", "defaultEventLoopGroup-*", "a Netty event loop group", false),
      pool("gRPC", "grpc", "grpc-default-executor-*", "gRPC's default executor, shared by every channel and server"
          + " that sets no executor of its own", true),
      pool("gRPC", "grpc", "grpc-*-ELG-*", "gRPC's shared Netty event loops, used by every channel and server that"
          + " sets no event loop group of its own", true),
      pool("gRPC", "grpc", "grpc-timer-*", "gRPC's shared timer", true),
      pool("gRPC", "grpc", "grpc-shared-destroyer-*", "gRPC's shared-resource destroyer", true),
      pool("Reactor Netty", "reactor-netty", "reactor-http-*", "Reactor Netty's global HTTP event loops"
          + " (HttpResources), shared by every HttpClient and HttpServer that sets no runOn", true),
      pool("Reactor Netty", "reactor-netty", "reactor-tcp-*", "Reactor Netty's global TCP event loops"
          + " (TcpResources)", true),
      pool("Reactor Netty", "reactor-netty", "reactor-udp-*", "Reactor Netty's global UDP event loops", true),
      pool("Reactor", "reactor-netty", "boundedElastic-*", "Reactor's Schedulers.boundedElastic(), one for the"
          + " whole JVM", true),
      pool("Apache HttpClient", "apache-httpclient", "httpclient-dispatch-*", "the I/O dispatcher of an Apache"
          + " HttpAsyncClient", false),
      pool("Apache HttpClient", "apache-httpclient", "httpclient-main-*", "the I/O reactor of an Apache"
          + " HttpAsyncClient", false),
      pool("Apache HttpClient", "apache-httpclient", "idle-connection-evictor-*", "the idle connection evictor of"
          + " an Apache HttpClient", false));

  /** Frames of a pool worker's stack, also while it waits for work. */
  private static final List<String> POOL_FRAMES = List.of(
      "java.util.concurrent.ThreadPoolExecutor.runWorker",
      "java.util.concurrent.ForkJoinWorkerThread.run",
      "io.netty.util.concurrent.SingleThreadEventExecutor",
      "io.grpc.netty.shaded.io.netty.util.concurrent.SingleThreadEventExecutor");

  private LibraryThreads() {}

  private static Pool pool(String library, String anchor, String names, String what, boolean jvmWide) {
    return new Pool(library, anchor, ThreadNamePatterns.Glob.of(names), what, jvmWide);
  }

  /** The known library pool a thread of this Java name belongs to. */
  static Optional<Pool> of(String javaName) {
    return POOLS.stream().filter(p -> p.names().matches(javaName)).findFirst();
  }

  /** Whether the thread is a worker of a thread pool (a JDK executor, a ForkJoinPool, a Netty event loop). */
  static boolean isPoolWorker(Named thread) {
    return POOL_FRAMES.stream().anyMatch(thread::runs);
  }
}
