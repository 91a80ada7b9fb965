package io.github.junitnetns.internal.capture;

import io.github.junitnetns.NetNs;
import io.github.junitnetns.internal.ns.NsHandle;
import java.lang.reflect.Method;

/** The kernel handle behind a library namespace, which {@link CaptureSession.Target} records: for this package's tests. */
final class Handles {
  private Handles() {}

  static NsHandle of(NetNs ns) throws Exception {
    Method handle = NetNs.class.getDeclaredMethod("handle"); // package-private in the public API
    handle.setAccessible(true);
    return (NsHandle) handle.invoke(ns);
  }
}
