package io.github.junitnetns.samples;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpServer;
import io.github.junitnetns.NetNs;
import io.github.junitnetns.Network;
import io.github.junitnetns.Shaping;
import io.github.junitnetns.jupiter.IsolatedNetNs;
import io.github.junitnetns.jupiter.Ns;
import io.github.junitnetns.jupiter.VethLink;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * Use case: a client's timeout path, exercised over a slow link. The server answers 200 KiB; at
 * 256 kbit/s that takes over six seconds, so a client with a two-second deadline gives up, while
 * on the unshaped link the same request takes milliseconds.
 *
 * <p>What the slow link reveals: {@code HttpRequest.timeout} bounds only the wait for the response
 * headers, which arrive at once; a slow body is bounded only by a deadline on the whole exchange.
 */
@IsolatedNetNs({"client", "server"})
@VethLink(left = "client", right = "server", subnet = "10.0.0.0/24")
class SlowLinkTimeoutIT {

  @Test
  void theClientTimesOutOnASlowLink(Network net, @Ns("server") NetNs server) throws Exception {
    HttpServer http = server.call(() -> HttpServer.create(new InetSocketAddress("10.0.0.2", 80), 0));
    byte[] body = new byte[200 * 1024];
    http.createContext("/", exchange -> {
      exchange.sendResponseHeaders(200, body.length);
      exchange.getResponseBody().write(body);
      exchange.close();
    });
    http.start();
    try {
      HttpRequest request = HttpRequest.newBuilder(URI.create("http://10.0.0.2/"))
          .timeout(Duration.ofSeconds(2)).build();
      HttpClient client = HttpClient.newHttpClient();
      // The client under test: the whole exchange within a deadline.
      java.util.function.IntFunction<byte[]> fetch = seconds -> client
          .sendAsync(request, HttpResponse.BodyHandlers.ofByteArray())
          .orTimeout(seconds, java.util.concurrent.TimeUnit.SECONDS)
          .join().body();
      // On a healthy link the body arrives (a generous deadline: a loaded CI machine is not a slow link).
      assertThat(fetch.apply(30)).hasSize(body.length);

      // 200 KiB at 256 kbit/s takes 6.4 s: far beyond the client's two-second deadline.
      net.shape("server", "client", Shaping.rate("256kbit")); // the response travels server -> client
      assertThatThrownBy(() -> fetch.apply(2))
          .isInstanceOf(java.util.concurrent.CompletionException.class)
          .hasCauseInstanceOf(java.util.concurrent.TimeoutException.class);
    } finally {
      http.stop(0);
    }
  }
}
