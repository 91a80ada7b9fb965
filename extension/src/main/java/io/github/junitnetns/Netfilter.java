package io.github.junitnetns;

import io.github.junitnetns.internal.client.NftClient;
import io.github.junitnetns.internal.linux.ErrnoException;
import io.github.junitnetns.internal.netlink.NetlinkSocket;
import io.github.junitnetns.internal.netlink.Nft;
import io.github.junitnetns.internal.ns.NsHandle;

/** nf_tables clients of a namespace (for its faults' table and its NAT table). */
final class Netfilter {
  private Netfilter() {}

  /** A client whose every call opens its own NETLINK_NETFILTER socket inside {@code handle}'s namespace and closes it. */
  static NftClient client(NsHandle handle) {
    return new NftClient(() -> open(handle), handle::label, NetNsException::of);
  }

  private static NetlinkSocket open(NsHandle handle) throws ErrnoException {
    handle.checkOpen("send nf_tables requests to it");
    try {
      return handle.call(() -> NetlinkSocket.open(handle.label(), Nft.NETLINK_NETFILTER)); // opened inside
    } catch (ErrnoException | RuntimeException | Error e) {
      throw e;
    } catch (Throwable t) {
      throw new IllegalStateException(t);
    }
  }
}
