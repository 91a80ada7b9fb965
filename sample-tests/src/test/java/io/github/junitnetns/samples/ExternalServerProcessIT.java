package io.github.junitnetns.samples;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.github.junitnetns.NetNs;
import io.github.junitnetns.jupiter.IsolatedNetNs;
import io.github.junitnetns.jupiter.Ns;
import io.github.junitnetns.jupiter.VethLink;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Use case: a server that is not Java (here Python's built-in web server) started as a process
 * inside one namespace and reached from another. NetNs.exec starts it inside; it is killed when
 * the test's namespaces are removed, even if the test fails.
 */
@IsolatedNetNs({"client", "server"})
@VethLink(left = "client", right = "server", subnet = "10.0.0.0/24") // client 10.0.0.1, server 10.0.0.2
class ExternalServerProcessIT {

  @Test
  void fetchesFromAPythonServer(@Ns("server") NetNs server, @TempDir Path site) throws Exception {
    Files.writeString(site.resolve("hello.txt"), "hello from python");
    ProcessBuilder python = new ProcessBuilder("python3", "-m", "http.server", "8000", "--bind", "10.0.0.2")
        .directory(site.toFile())
        .redirectErrorStream(true)
        .redirectOutput(site.resolve("server.log").toFile());
    server.exec(python);

    // Wait until it listens (probing from "client", where the body runs), then fetch.
    await().atMost(Duration.ofSeconds(20)).ignoreExceptions().until(() -> {
      try (Socket probe = new Socket()) {
        probe.connect(new InetSocketAddress("10.0.0.2", 8000), 500);
        return true;
      }
    });
    HttpResponse<String> response = HttpClient.newHttpClient().send(
        HttpRequest.newBuilder(URI.create("http://10.0.0.2:8000/hello.txt")).build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(response.body()).isEqualTo("hello from python");
  }
}
