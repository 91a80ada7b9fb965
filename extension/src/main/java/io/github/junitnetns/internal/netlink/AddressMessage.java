package io.github.junitnetns.internal.netlink;

import java.net.InetAddress;
import java.net.UnknownHostException;

/** A decoded RTM_NEWADDR: one address on one interface. */
public final class AddressMessage {
  public final int family;
  public final int prefixLength;
  public final int flags;
  public final int scope;
  public final int index;
  public final InetAddress address;

  private AddressMessage(NlReply reply) {
    family = reply.u8(0);
    prefixLength = reply.u8(1);
    scope = reply.u8(3);
    index = reply.u32(4);
    NlAttrs attrs = reply.attrs(Rtnl.IFADDRMSG_LEN);
    // IFA_FLAGS (u32) supersedes the 8-bit ifa_flags when present.
    flags = attrs.u32(Rtnl.IFA_FLAGS, reply.u8(2));
    // On point-to-point links IFA_ADDRESS is the peer; IFA_LOCAL is always our own address.
    byte[] raw = attrs.has(Rtnl.IFA_LOCAL) ? attrs.bytes(Rtnl.IFA_LOCAL) : attrs.bytes(Rtnl.IFA_ADDRESS);
    address = toAddress(raw);
  }

  public static AddressMessage decode(NlReply reply) {
    return new AddressMessage(reply);
  }

  static InetAddress toAddress(byte[] raw) {
    if (raw == null) {
      return null;
    }
    try {
      return InetAddress.getByAddress(raw);
    } catch (UnknownHostException e) {
      return null; // only for a length other than 4 or 16, which the kernel never sends here
    }
  }
}
