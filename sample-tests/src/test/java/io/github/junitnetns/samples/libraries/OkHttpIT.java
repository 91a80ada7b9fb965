package io.github.junitnetns.samples.libraries;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.junitnetns.NetNs;
import io.github.junitnetns.jupiter.IsolatedNetNs;
import java.io.IOException;
import java.net.InetAddress;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import okhttp3.Call;
import okhttp3.Callback;
import okhttp3.ConnectionPool;
import okhttp3.Dispatcher;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;
import okhttp3.internal.concurrent.TaskRunner;
import okio.AsyncTimeout;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Use case: OkHttp 5 against MockWebServer, on the same fixed port in every test, with the three
 * tests running at the same time (see docs/libraries.md, "OkHttp").
 *
 * <p>OkHttp keeps two pools for the whole JVM whose threads are started on demand, from whichever
 * thread needs one first: its {@code TaskRunner} (fast-fallback connects, the connection pool's
 * closer; threads idle for 60 s before they end) and Okio's watchdog (socket timeouts; ends after
 * 60 s without one). Started from a test, they would stay in its namespace: fast-fallback connects
 * from there (another test's server answers), and the threads outlive the test. So:
 * <ul>
 *   <li>every client is the test's own, with {@code fastFallback(false)} (connects on the calling
 *       thread), its own connection pool, and a dispatcher whose threads enter the test's namespace;
 *   <li>TaskRunner's threads are made on the host, whichever thread asks for one, and Okio's
 *       watchdog is started on the host and kept there (static initialiser, below).
 * </ul>
 */
@IsolatedNetNs
@Tag("libraries") // run by failsafe's "libraries" execution, in a JVM of their own (pom.xml)
class OkHttpIT {
  private static final int PORT = 8080;
  private static final CyclicBarrier ALL_LISTENING = new CyclicBarrier(3);

  /** The namespace the JVM started in. */
  private static final NetNs HOST = NetNs.host();
  /** Pending for a year: Okio's watchdog thread never runs out of work, so it never ends. */
  private static final AsyncTimeout KEEP_WATCHDOG = new AsyncTimeout();

  static {
    // OkHttp's TaskRunner: its threads are born on the host, whichever thread makes one.
    ThreadFactory onHost = HOST.threadFactory();
    ((TaskRunner.RealBackend) TaskRunner.INSTANCE.getBackend()).getExecutor().setThreadFactory(task -> {
      Thread thread = onHost.newThread(task);
      thread.setName("OkHttp TaskRunner");
      thread.setDaemon(true);
      return thread;
    });
    // Okio's watchdog: started now, by this static initialiser on JUnit's thread (on the host).
    KEEP_WATCHDOG.timeout(365, TimeUnit.DAYS);
    KEEP_WATCHDOG.enter();
  }

  @Test
  void alpha(NetNs ns) throws Exception {
    serveAndAsk(ns, "alpha", false);
  }

  @Test
  void bravo(NetNs ns) throws Exception {
    serveAndAsk(ns, "bravo", false);
  }

  @Test
  void charlie(NetNs ns) throws Exception {
    serveAndAsk(ns, "charlie", true); // enqueue(): the call runs on the dispatcher's thread
  }

  private static void serveAndAsk(NetNs ns, String marker, boolean async) throws Exception {
    ExecutorService dispatcherThreads = Executors.newCachedThreadPool(ns.threadFactory());
    OkHttpClient client = new OkHttpClient.Builder()
        .fastFallback(false) // connect on the calling thread, not on TaskRunner's
        .connectionPool(new ConnectionPool()) // this test's connections only
        .dispatcher(new Dispatcher(dispatcherThreads)) // enqueue()d calls run inside this namespace
        .build();
    try (MockWebServer server = new MockWebServer()) {
      server.enqueue(new MockResponse.Builder().body("served by " + marker).build());
      server.start(InetAddress.getByName("127.0.0.1"), PORT); // 127.0.0.1:8080 of this test's namespace
      // All three tests listen on 8080 now, each in its own namespace.
      ALL_LISTENING.await(60, TimeUnit.SECONDS);

      Request request = new Request.Builder().url("http://127.0.0.1:" + PORT + "/").build();
      String body = async ? enqueue(client, request) : execute(client, request);

      assertThat(body).isEqualTo("served by " + marker);
    } finally {
      dispatcherThreads.shutdown();
      dispatcherThreads.awaitTermination(5, TimeUnit.SECONDS);
      client.connectionPool().evictAll(); // closes the idle connection: MockWebServer's handler ends
    }
  }

  private static String execute(OkHttpClient client, Request request) throws IOException {
    try (Response response = client.newCall(request).execute()) {
      return response.body().string();
    }
  }

  private static String enqueue(OkHttpClient client, Request request) throws Exception {
    CompletableFuture<String> body = new CompletableFuture<>();
    client.newCall(request).enqueue(new Callback() {
      @Override
      public void onResponse(Call call, Response response) throws IOException {
        try (response) {
          body.complete(response.body().string());
        }
      }

      @Override
      public void onFailure(Call call, IOException e) {
        body.completeExceptionally(e);
      }
    });
    return body.get(30, TimeUnit.SECONDS);
  }
}
