package io.github.junitnetns.jupiter;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.junitnetns.internal.names.Names;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Arrays;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnJre;
import org.junit.jupiter.api.condition.JRE;

/**
 * JDK 17 has no InetAddressResolverProvider (JDK 18+): a test's names do not resolve in the JVM,
 * and a test failing for it is told why, in its failure report.
 */
@Tag("privileged")
@EnabledOnJre(value = JRE.JAVA_17, disabledReason = "on JDK 18+ names resolve: NamesPrivilegedTest")
class NamesOnJdk17PrivilegedTest {

  @IsolatedNetNs({"client", "server"})
  @VethLink(left = "client", right = "server", subnet = "10.14.17.0/24")
  static class LooksUpTheServerByName {
    @Test
    void connectsByName() throws Exception {
      InetAddress.getByName("server");
    }
  }

  @Test
  void namesDoNotResolveAndTheFailureSaysWhy() {
    Throwable failure = EngineRuns.onlyFailure(EngineRuns.run(LooksUpTheServerByName.class).testEvents());
    assertThat(failure).isInstanceOf(UnknownHostException.class);
    assertThat(Arrays.stream(failure.getSuppressed()).map(Throwable::getMessage))
        .anySatisfy(report -> assertThat(report).startsWith("junit-netns: \"server\" is the name of a namespace of"
            + " this test, but names of namespaces resolve only on JDK 18 and later, through an"
            + " InetAddressResolverProvider (an SPI added in JDK 18); this JVM is 17."));
    assertThat(Names.whyNamesDoNotResolve()).contains("NetNs.exec processes see the names on every JDK");
  }
}
