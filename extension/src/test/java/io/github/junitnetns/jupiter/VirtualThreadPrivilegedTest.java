package io.github.junitnetns.jupiter;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

import io.github.junitnetns.NetNs;
import io.github.junitnetns.internal.ns.NsHandle;
import io.github.junitnetns.testsupport.Kernel;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledForJreRange;
import org.junit.jupiter.api.condition.JRE;
import org.junit.jupiter.api.extension.ExtensionConfigurationException;
import org.junit.jupiter.api.parallel.Isolated;
import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.testkit.engine.EngineTestKit;

/**
 * Virtual threads cannot stay inside a namespace; they are refused with a clear message, before
 * anything is created. Runs on Java 21+ (CI's JDK 25 pass). {@code @Isolated}: nothing else runs
 * meanwhile, so the library's creation counter proves "nothing".
 */
@Isolated
@Tag("privileged")
@EnabledForJreRange(min = JRE.JAVA_21)
class VirtualThreadPrivilegedTest {

  @IsolatedNetNs
  static class Fixture {
    @Test
    void test() {}
  }

  private static Thread startVirtual(Runnable task) throws Exception {
    Object builder = Thread.class.getMethod("ofVirtual").invoke(null);
    // Through the public interface Thread.Builder (Java 21+); the implementation class is not accessible.
    Class<?> builderType = Class.forName("java.lang.Thread$Builder");
    return (Thread) builderType.getMethod("start", Runnable.class).invoke(builder, task);
  }

  @Test
  void aTestExecutedOnAVirtualThreadIsRefused() throws Exception {
    AtomicReference<Throwable> thrown = new AtomicReference<>();
    long created = NsHandle.createdCount();
    // Without parallel execution the engine runs the test on the calling thread: a virtual one.
    startVirtual(() -> thrown.set(EngineTestKit.engine("junit-jupiter").selectors(selectClass(Fixture.class))
        .configurationParameter("junit.jupiter.execution.parallel.enabled", "false")
        .execute().testEvents().failed().list().get(0)
        .getRequiredPayload(TestExecutionResult.class).getThrowable().orElseThrow())).join();
    assertThat(thrown.get()).isInstanceOf(ExtensionConfigurationException.class)
        .hasMessageContaining("is executed on virtual thread")
        .hasMessageContaining("Run the tests on JUnit's default platform threads.");
    assertThat(NsHandle.createdCount()).as("namespaces created").isEqualTo(created);
  }

  @Test
  void aVirtualThreadCannotBeMovedIntoANamespace() throws Exception {
    try (NetNs ns = NetNs.create("target")) {
      AtomicReference<Throwable> thrown = new AtomicReference<>();
      startVirtual(() -> {
        try {
          LibraryInternals.handle(ns).enterOnCurrentThread();
        } catch (Throwable t) {
          thrown.set(t);
        }
      }).join();
      assertThat(thrown.get()).isInstanceOf(IllegalStateException.class)
          .hasMessageStartingWith("Entering netns target on virtual thread")
          .hasMessageContaining("cannot stay inside a namespace");
      // ...while NetNs.run from a virtual thread is fine: the work runs on a platform thread.
      AtomicReference<String> inside = new AtomicReference<>();
      startVirtual(() -> inside.set(ns.call(Kernel::currentNetNs))).join();
      assertThat(inside.get()).isEqualTo(ns.id());
    }
  }
}
