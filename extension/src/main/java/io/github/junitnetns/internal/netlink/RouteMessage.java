package io.github.junitnetns.internal.netlink;

import java.net.InetAddress;

/** A decoded RTM_NEWROUTE: one route of one table. */
public final class RouteMessage {
  public final int family;
  public final int dstLength;
  public final int table;
  public final int protocol;
  public final int scope;
  public final int type;
  public final InetAddress destination;
  public final InetAddress gateway;
  public final InetAddress preferredSource;
  public final int outputIndex;
  public final int priority;

  private RouteMessage(NlReply reply) {
    family = reply.u8(0);
    dstLength = reply.u8(1);
    protocol = reply.u8(5);
    scope = reply.u8(6);
    type = reply.u8(7);
    NlAttrs attrs = reply.attrs(Rtnl.RTMSG_LEN);
    // RTA_TABLE holds tables above 255; rtm_table then says RT_TABLE_COMPAT.
    table = attrs.u32(Rtnl.RTA_TABLE, reply.u8(4));
    destination = AddressMessage.toAddress(attrs.bytes(Rtnl.RTA_DST));
    gateway = AddressMessage.toAddress(attrs.bytes(Rtnl.RTA_GATEWAY));
    preferredSource = AddressMessage.toAddress(attrs.bytes(Rtnl.RTA_PREFSRC));
    outputIndex = attrs.u32(Rtnl.RTA_OIF, 0);
    priority = attrs.u32(Rtnl.RTA_PRIORITY, -1);
  }

  public static RouteMessage decode(NlReply reply) {
    return new RouteMessage(reply);
  }
}
