package io.github.junitnetns.samples;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.junitnetns.Fault;
import io.github.junitnetns.NetNs;
import io.github.junitnetns.Network;
import io.github.junitnetns.Traffic;
import io.github.junitnetns.jupiter.IsolatedNetNs;
import io.github.junitnetns.jupiter.Ns;
import io.github.junitnetns.jupiter.VethLink;
import java.io.IOException;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Use case: a client's connect timeout and retries, against a service that is down in the two ways
 * a real one is. {@code reject} is a crashed service (its port closed: refused at once);
 * {@code cut(..., Traffic.tcp(port).newConnectionsOnly())} is a service that stopped accepting
 * (a full accept queue, a draining load balancer: new connects time out, open ones keep working).
 */
@IsolatedNetNs({"app", "db"})
@VethLink(left = "app", right = "db", subnet = "10.0.0.0/24")
class ConnectRetryIT {
  private static final InetSocketAddress DB = new InetSocketAddress("10.0.0.2", 5432);

  /** The client under test: up to {@code attempts} connects, 300 ms each, 100 ms apart; what each one saw. */
  static List<String> connectWithRetries(int attempts) throws InterruptedException {
    List<String> seen = new ArrayList<>();
    for (int i = 0; i < attempts; i++) {
      try (Socket socket = new Socket()) {
        socket.connect(DB, 300);
        seen.add("connected");
        return seen;
      } catch (ConnectException e) {
        seen.add("refused");
      } catch (SocketTimeoutException e) {
        seen.add("timeout");
      } catch (IOException e) {
        seen.add(e.toString());
      }
      Thread.sleep(100);
    }
    return seen;
  }

  @Test
  void aCrashedServiceIsRefusedAtOnceAndTheClientGivesUpAfterItsRetries(Network net, @Ns("db") NetNs db)
      throws Exception {
    try (ServerSocket service = db.call(() -> new ServerSocket(5432))) {
      assertThat(service.isBound()).isTrue(); // listening all along: the refusals are the fault's, not a closed port
      Fault crashed = net.reject("app", "db", Traffic.tcp(5432));
      assertThat(connectWithRetries(3)).containsExactly("refused", "refused", "refused");
      assertThat(crashed.packets()).isEqualTo(3); // one SYN refused per attempt: the client really retried

      crashed.heal(); // the service is back
      assertThat(connectWithRetries(3)).containsExactly("connected");
    }
  }

  @Test
  void aServiceThatStopsAcceptingTimesOutNewConnectsWhileOpenOnesWork(Network net, @Ns("db") NetNs db)
      throws Exception {
    ScheduledExecutorService later = Executors.newSingleThreadScheduledExecutor();
    try (ServerSocket service = db.call(() -> new ServerSocket(5432));
        Socket open = new Socket()) {
      open.connect(DB, 1000);
      try (Socket accepted = service.accept()) {
        Fault draining = net.cut("app", "db", Traffic.tcp(5432).newConnectionsOnly());
        later.schedule(draining::heal, 1200, TimeUnit.MILLISECONDS); // it accepts again after a while

        List<String> seen = connectWithRetries(10);
        assertThat(seen).startsWith("timeout", "timeout").endsWith("connected"); // a retry got through

        open.getOutputStream().write(42); // the connection opened before never noticed
        assertThat(accepted.getInputStream().read()).isEqualTo(42);
      }
    } finally {
      later.shutdownNow();
      later.awaitTermination(5, TimeUnit.SECONDS);
    }
  }
}
