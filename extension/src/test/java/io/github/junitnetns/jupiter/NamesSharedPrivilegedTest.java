package io.github.junitnetns.jupiter;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.junitnetns.NetNs;
import io.github.junitnetns.Network;
import io.github.junitnetns.jupiter.IsolatedNetNs.Scope;
import java.net.InetAddress;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledForJreRange;
import org.junit.jupiter.api.condition.JRE;

/** A test's own namespaces see the names of its class's shared ones, and the other way round. */
@Tag("privileged")
@EnabledForJreRange(min = JRE.JAVA_18, disabledReason = "names resolve in the JVM from JDK 18 on")
@IsolatedNetNs(value = {"db", "cache"}, scope = Scope.CLASS)
@VethLink(left = "db", right = "cache", subnet = "10.14.20.0/24")
class NamesSharedPrivilegedTest {

  @Test
  @IsolatedNetNs("app")
  @VethLink(left = "app", right = "db", subnet = "10.14.21.0/24")
  void aTestsNamespaceSeesTheClasssNamesAndTheySeeIts(Network net, @Ns("app") NetNs app) throws Exception {
    assertThat(app.call(() -> InetAddress.getByName("cache"))).isEqualTo(net.address("cache"));
    assertThat(app.call(() -> InetAddress.getAllByName("db")))
        .containsExactly(InetAddress.getByName("10.14.20.1"), InetAddress.getByName("10.14.21.2"));
    assertThat(InetAddress.getByName("app")).isEqualTo(net.address("app")); // the body runs in "db"
    assertThat(net.ns("cache").call(() -> InetAddress.getByName("app"))).isEqualTo(net.address("app"));
  }
}
