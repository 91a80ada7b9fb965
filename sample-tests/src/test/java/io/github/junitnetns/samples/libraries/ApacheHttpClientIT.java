package io.github.junitnetns.samples.libraries;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.junitnetns.jupiter.IsolatedNetNs;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.TimeUnit;
import org.apache.hc.client5.http.async.methods.SimpleHttpResponse;
import org.apache.hc.client5.http.async.methods.SimpleRequestBuilder;
import org.apache.hc.client5.http.classic.methods.HttpGet;
import org.apache.hc.client5.http.impl.async.CloseableHttpAsyncClient;
import org.apache.hc.client5.http.impl.async.HttpAsyncClients;
import org.apache.hc.client5.http.impl.classic.CloseableHttpClient;
import org.apache.hc.client5.http.impl.classic.HttpClients;
import org.apache.hc.client5.http.impl.io.PoolingHttpClientConnectionManagerBuilder;
import org.apache.hc.client5.http.impl.nio.PoolingAsyncClientConnectionManagerBuilder;
import org.apache.hc.core5.http.ContentType;
import org.apache.hc.core5.http.impl.bootstrap.HttpServer;
import org.apache.hc.core5.http.impl.bootstrap.ServerBootstrap;
import org.apache.hc.core5.http.io.entity.EntityUtils;
import org.apache.hc.core5.http.io.entity.StringEntity;
import org.apache.hc.core5.io.CloseMode;
import org.apache.hc.core5.reactor.IOReactorConfig;
import org.apache.hc.core5.util.TimeValue;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Use case: Apache HttpClient 5, classic and async, against an HttpCore 5 server on the same fixed
 * port in every test, with the four tests running at the same time (see docs/libraries.md, "Apache
 * HttpClient").
 *
 * <p>Each test builds its client and closes it before it ends. A client shared by several tests
 * would mix namespaces: its pooled connections stay in the namespace they were opened in (a test
 * reusing one talks to another test's server), and the async client's I/O reactor threads, which
 * connect for every request, are started by whichever test calls {@code start()} first.
 */
@IsolatedNetNs
@Tag("libraries") // run by failsafe's "libraries" execution, in a JVM of their own (pom.xml)
class ApacheHttpClientIT {
  private static final int PORT = 8080;
  private static final CyclicBarrier ALL_LISTENING = new CyclicBarrier(4);

  @Test
  void classicAlpha() throws Exception {
    serveAndAsk("alpha", ApacheHttpClientIT::askClassic);
  }

  @Test
  void classicBravo() throws Exception {
    serveAndAsk("bravo", ApacheHttpClientIT::askClassic);
  }

  @Test
  void asyncCharlie() throws Exception {
    serveAndAsk("charlie", ApacheHttpClientIT::askAsync);
  }

  @Test
  void asyncDelta() throws Exception {
    serveAndAsk("delta", ApacheHttpClientIT::askAsync);
  }

  /** The client side of a test: a request to 127.0.0.1:8080, returning the body. */
  private interface Ask {
    String body() throws Exception;
  }

  /**
   * Starts an HttpCore 5 server on 0.0.0.0:8080 of this test's namespace, waits until all four
   * tests listen, then asks it with {@code ask}. Closing the server stops its listener and workers.
   */
  private static void serveAndAsk(String marker, Ask ask) throws Exception {
    HttpServer server = ServerBootstrap.bootstrap()
        .setListenerPort(PORT)
        .setCanonicalHostName("127.0.0.1") // the authority clients ask for; the default looks up the host name
        .register("*", (request, response, context) ->
            response.setEntity(new StringEntity("served by " + marker, ContentType.TEXT_PLAIN)))
        .create();
    server.start();
    try {
      ALL_LISTENING.await(60, TimeUnit.SECONDS);
      assertThat(ask.body()).isEqualTo("served by " + marker);
    } finally {
      server.close(CloseMode.GRACEFUL);
    }
  }

  /** The classic (blocking) client: built in the test, with its own connection pool, closed in it. */
  private static String askClassic() throws Exception {
    try (CloseableHttpClient client = HttpClients.custom()
        .setConnectionManager(PoolingHttpClientConnectionManagerBuilder.create().build())
        .build()) {
      return client.execute(new HttpGet("http://127.0.0.1:" + PORT + "/"),
          response -> EntityUtils.toString(response.getEntity()));
    }
  }

  /**
   * The async client: its I/O reactor threads are started by {@code start()}, from this test's
   * thread, so they connect from this test's namespace; closed and awaited before the test ends.
   */
  private static String askAsync() throws Exception {
    CloseableHttpAsyncClient client = HttpAsyncClients.custom()
        .setConnectionManager(PoolingAsyncClientConnectionManagerBuilder.create().build())
        .setIOReactorConfig(IOReactorConfig.custom().setIoThreadCount(1).build())
        .build();
    client.start();
    try {
      SimpleHttpResponse response = client
          .execute(SimpleRequestBuilder.get("http://127.0.0.1:" + PORT + "/").build(), null)
          .get(30, TimeUnit.SECONDS);
      return response.getBodyText();
    } finally {
      client.close(CloseMode.GRACEFUL);
      client.awaitShutdown(TimeValue.ofSeconds(5));
    }
  }
}
