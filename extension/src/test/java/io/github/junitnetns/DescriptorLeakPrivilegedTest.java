package io.github.junitnetns;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.junitnetns.testsupport.Kernel;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.parallel.Isolated;

/** Creating and closing namespaces leaks no descriptor. {@code @Isolated}: nothing else holds any meanwhile. */
@Isolated
@Tag("privileged")
class DescriptorLeakPrivilegedTest {
  @Test
  void closingReleasesEveryDescriptor() {
    NetNs.create().close(); // warm up pooled threads and sockets
    long before = Kernel.openNetNsDescriptors();
    for (int i = 0; i < 50; i++) {
      NetNs.create("loop").close();
    }
    assertThat(Kernel.openNetNsDescriptors()).isEqualTo(before);
  }
}
