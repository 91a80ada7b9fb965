package io.github.junitnetns.samples;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import io.github.junitnetns.jupiter.IsolatedNetNs;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Use case: a server that must listen on its real, fixed port (8080 here), tested by several
 * tests at once. Each test runs in its own network namespace, so every one of them binds
 * 0.0.0.0:8080 without clashing with the others, or with anything on the host.
 *
 * <p>The four tests wait for each other once they listen, so all four hold port 8080 at the
 * same moment (the samples run with four parallel workers, see junit-platform.properties).
 */
@IsolatedNetNs
class FixedPortServersIT {
  private static final CyclicBarrier ALL_FOUR_LISTENING = new CyclicBarrier(4);

  @Test
  void alpha() throws Exception {
    serveAndAsk("alpha");
  }

  @Test
  void bravo() throws Exception {
    serveAndAsk("bravo");
  }

  @Test
  void charlie() throws Exception {
    serveAndAsk("charlie");
  }

  @Test
  void delta() throws Exception {
    serveAndAsk("delta");
  }

  private static void serveAndAsk(String greeting) throws Exception {
    // Binds inside this test's namespace: the port is free whatever the other tests do.
    HttpServer server = HttpServer.create(new InetSocketAddress("0.0.0.0", 8080), 0);
    server.createContext("/", exchange -> {
      byte[] body = greeting.getBytes(StandardCharsets.UTF_8);
      exchange.sendResponseHeaders(200, body.length);
      exchange.getResponseBody().write(body);
      exchange.close();
    });
    server.start();
    try {
      // All four tests listen on 8080 now, each in its own namespace: none of them clashed.
      ALL_FOUR_LISTENING.await(60, TimeUnit.SECONDS);
      // The client connects from inside the same namespace, so it reaches this test's server.
      HttpClient client = HttpClient.newHttpClient();
      HttpResponse<String> response = client.send(
          HttpRequest.newBuilder(URI.create("http://127.0.0.1:8080/")).build(),
          HttpResponse.BodyHandlers.ofString());
      assertThat(response.body()).isEqualTo(greeting);
    } finally {
      server.stop(0);
    }
  }
}
