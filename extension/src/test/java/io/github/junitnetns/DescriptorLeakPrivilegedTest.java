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
  void closingReleasesEveryDescriptor() throws InterruptedException {
    NetNs.create().close(); // warm up pooled threads and sockets
    long before = settledNetNsDescriptors();
    for (int i = 0; i < 50; i++) {
      NetNs.create("loop").close();
    }
    assertThat(Kernel.openNetNsDescriptors()).isEqualTo(before);
  }

  /**
   * The count once the extension's spare namespaces, refilled in the background after an earlier
   * test took one, are all made: two reads apart agree. NetNs.create never takes a spare.
   */
  private static long settledNetNsDescriptors() throws InterruptedException {
    long count = Kernel.openNetNsDescriptors();
    for (int i = 0; i < 100; i++) {
      Thread.sleep(50);
      long again = Kernel.openNetNsDescriptors();
      if (again == count) {
        return count;
      }
      count = again;
    }
    return count;
  }
}
