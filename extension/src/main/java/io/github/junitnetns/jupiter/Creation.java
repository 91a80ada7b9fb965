package io.github.junitnetns.jupiter;

import io.github.junitnetns.NetNs;
import io.github.junitnetns.NetNsException;
import io.github.junitnetns.internal.linux.Errno;
import io.github.junitnetns.internal.linux.ErrnoException;
import io.github.junitnetns.internal.ns.Carrier;
import io.github.junitnetns.internal.ns.Descriptors;
import io.github.junitnetns.internal.ns.NsHandle;
import io.github.junitnetns.internal.ns.Privileges;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.opentest4j.TestAbortedException;

/** Creating namespaces on a carrier thread, and what a failure to create one means for the test. */
final class Creation {
  private Creation() {}

  /**
   * Runs namespace creation on {@code carrier}. On failure, {@code onFailure} hands what was made
   * to the store's topology first; a missing privilege becomes the skip (or failure) users expect,
   * and descriptors running out say how many the topology ({@code descriptorsNeeded}) needs.
   */
  static void create(ExtensionContext context, Carrier carrier, Carrier.Task<?> work, Runnable onFailure,
      int descriptorsNeeded) {
    FailureDiagnostics.sweepStalePins();
    try {
      carrier.call(work);
    } catch (ErrnoException e) {
      onFailure.run();
      throw failedToCreate(context, e, descriptorsNeeded);
    } catch (RuntimeException | Error e) {
      onFailure.run();
      throw e;
    } catch (Throwable t) {
      onFailure.run();
      throw new IllegalStateException(t);
    }
  }

  /** A new namespace; unshare(2) moves the calling carrier into it. */
  static NetNs createHere(String label) throws ErrnoException {
    return LibraryInternals.wrap(NsHandle.createOnCurrentThread(label));
  }

  private static RuntimeException failedToCreate(ExtensionContext context, ErrnoException e, int descriptorsNeeded) {
    if (Descriptors.ranOut(e.errno())) {
      return new NetNsException(e.operation(), e.object(), e.errno(), Descriptors.advice(e.errno(), descriptorsNeeded));
    }
    if (e.errno() != Errno.EPERM) {
      return new NetNsException(e.operation(), e.object(), e.errno(), e.detail().isEmpty() ? "" : "kernel says: " + e.detail());
    }
    String how = "junit-netns needs CAP_SYS_ADMIN to create network namespaces (" + e.getMessage() + "): "
        + Privileges.advice() + ".";
    NetNsConfiguration configuration = NetNsConfiguration.of(context);
    if (configuration.abortWhenUnprivileged()) {
      SkipWarnings.JVM.unprivileged(SkipWarnings.name(context), how);
      return new TestAbortedException(how + " Skipped; set " + NetNsConfiguration.UNPRIVILEGED + "=fail to fail instead.");
    }
    return new NetNsException(e.operation(), e.object(), e.errno(), how + configuration.whyFailWhenUnprivileged());
  }
}
