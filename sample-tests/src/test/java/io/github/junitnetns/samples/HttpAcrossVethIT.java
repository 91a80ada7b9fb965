package io.github.junitnetns.samples;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import io.github.junitnetns.NetNs;
import io.github.junitnetns.jupiter.IsolatedNetNs;
import io.github.junitnetns.jupiter.Ns;
import io.github.junitnetns.jupiter.VethLink;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/**
 * Use case: a client and a server on two "hosts" joined by a veth, talking over a real kernel
 * network. The test body runs in "client"; the server is started inside "server".
 */
@IsolatedNetNs({"client", "server"})
@VethLink(left = "client", right = "server", subnet = "10.0.0.0/24") // client 10.0.0.1, server 10.0.0.2
class HttpAcrossVethIT {

  @Test
  void clientFetchesFromServer(@Ns("server") NetNs server) throws Exception {
    // HttpServer.create binds on the calling thread: call it inside "server".
    HttpServer http = server.call(() -> HttpServer.create(new InetSocketAddress("10.0.0.2", 80), 0));
    http.createContext("/", exchange -> {
      // The server sees the client's real address on the link.
      byte[] body = ("hello " + exchange.getRemoteAddress().getAddress().getHostAddress())
          .getBytes(StandardCharsets.UTF_8);
      exchange.sendResponseHeaders(200, body.length);
      exchange.getResponseBody().write(body);
      exchange.close();
    });
    http.start();
    try {
      HttpResponse<String> response = HttpClient.newHttpClient().send(
          HttpRequest.newBuilder(URI.create("http://10.0.0.2/")).build(), HttpResponse.BodyHandlers.ofString());
      assertThat(response.body()).isEqualTo("hello 10.0.0.1");
    } finally {
      http.stop(0);
    }
  }
}
