package it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.junitnetns.Link;
import io.github.junitnetns.NetNs;
import io.github.junitnetns.jupiter.IsolatedNetNs;
import java.lang.management.ManagementFactory;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

@IsolatedNetNs
class NamespaceTest {

  @Test
  void runsInANamespaceOfItsOwn(NetNs ns) {
    assertEquals(List.of("lo"), ns.links().stream().map(Link::name).collect(Collectors.toList()));
  }

  @Test
  void theProjectsArgLineReachesTheTestJvm() {
    assertEquals("kept", System.getProperty("it.argLine"));
    if (Runtime.version().feature() >= 22) {
      assertTrue(ManagementFactory.getRuntimeMXBean().getInputArguments().contains("--enable-native-access=ALL-UNNAMED"));
    }
  }
}
