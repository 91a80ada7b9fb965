package io.github.junitnetns.samples.libraries;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.junitnetns.jupiter.IsolatedNetNs;
import io.netty.util.concurrent.GlobalEventExecutor;
import java.time.Duration;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;
import reactor.netty.DisposableServer;
import reactor.netty.http.client.HttpClient;
import reactor.netty.http.server.HttpServer;
import reactor.netty.resources.ConnectionProvider;
import reactor.netty.resources.LoopResources;

/**
 * Use case: a Reactor Netty {@code HttpServer} and {@code HttpClient}, on the same fixed port in
 * every test, with the tests running at the same time (see docs/libraries.md, "Reactor Netty").
 *
 * <p>Without {@code runOn} and a provider of their own, both use Reactor Netty's global
 * {@code HttpResources}: event loops ({@code reactor-http-nio-N}) and a connection pool shared by
 * the whole JVM, whose threads are started by the first test that needs them and stay in its
 * namespace. Every other test's server would then bind there, and its client connect from there.
 */
@IsolatedNetNs
@Tag("libraries") // run by failsafe's "libraries" execution, in a JVM of their own (pom.xml)
class ReactorNettyIT {
  private static final int PORT = 8080;
  private static final CyclicBarrier BOTH_LISTENING = new CyclicBarrier(2);

  static {
    // No MAC address in a namespace with only lo: Netty would warn once and use random bytes.
    System.setProperty("io.netty.machineId", "02:00:00:00:00:01");
    // JVM-wide threads, started here, on JUnit's thread (on the host), so that no test starts them:
    // - Netty's GlobalEventExecutor, which reports every event loop group's termination (see
    //   NettyIT); a task due in a year keeps its thread alive;
    GlobalEventExecutor.INSTANCE.schedule(() -> { }, 365, TimeUnit.DAYS);
    // - Reactor's parallel scheduler (parallel-N, one thread per core, each started by its first
    //   task and never ended): LoopResources.disposeLater times out on it, and so do a connection
    //   pool's pending acquisitions. One task each starts them all;
    for (int i = 0; i < Schedulers.DEFAULT_POOL_SIZE; i++) {
      Schedulers.parallel().schedule(() -> { });
    }
    // - Reactor's boundedElastic scheduler, whose evictor thread starts with it and never ends:
    //   HttpServer's form decoder creates it the first time an HttpServer is configured.
    Schedulers.boundedElastic();
  }

  @Test
  void alpha() throws Exception {
    serveAndAsk("alpha");
  }

  @Test
  void bravo() throws Exception {
    serveAndAsk("bravo");
  }

  private static void serveAndAsk(String marker) throws Exception {
    // The test's own event loops and connection pool, disposed of before it ends.
    LoopResources loops = LoopResources.create("reactor-" + marker, 1, 2, true);
    ConnectionProvider connections = ConnectionProvider.create("pool-" + marker, 4);
    DisposableServer server = HttpServer.create()
        .host("0.0.0.0")
        .port(PORT) // 0.0.0.0:8080 of this test's namespace
        .runOn(loops)
        .handle((request, response) -> response.sendString(Mono.just("served by " + marker)))
        .bindNow(Duration.ofSeconds(30));
    try {
      // Both tests listen on 8080 now, each in its own namespace.
      BOTH_LISTENING.await(60, TimeUnit.SECONDS);

      String body = HttpClient.create(connections)
          .runOn(loops)
          .get()
          .uri("http://127.0.0.1:" + PORT + "/")
          .responseContent()
          .aggregate()
          .asString()
          .block(Duration.ofSeconds(30));

      assertThat(body).isEqualTo("served by " + marker);
    } finally {
      server.disposeNow(Duration.ofSeconds(5));
      connections.disposeLater().block(Duration.ofSeconds(5));
      loops.disposeLater(Duration.ZERO, Duration.ofSeconds(5)).block(Duration.ofSeconds(5));
    }
  }
}
