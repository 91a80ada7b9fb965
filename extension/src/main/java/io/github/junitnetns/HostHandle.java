package io.github.junitnetns;

import io.github.junitnetns.internal.linux.ErrnoException;
import io.github.junitnetns.internal.ns.NsHandle;

/** The one handle {@link NetNs#host()} returns, opened on first use. */
final class HostHandle {
  static final NetNs HANDLE = open();

  private HostHandle() {}

  private static NetNs open() {
    try {
      return new NetNs(NsHandle.openInitial(), true);
    } catch (ErrnoException e) {
      throw NetNsException.of(e);
    }
  }
}
