package io.github.junitnetns.internal.netlink;

import java.net.InetAddress;

/** A decoded RTM_NEWRULE (linux/fib_rules.h): one policy routing rule. */
public final class RuleMessage {
  public final int family;
  public final int srcLength;
  public final int action;
  public final int table;
  public final int priority;
  public final int protocol;
  public final InetAddress source;
  public final String inputInterface;

  private RuleMessage(NlReply reply) {
    family = reply.u8(0);
    srcLength = reply.u8(2);
    action = reply.u8(7);
    NlAttrs attrs = reply.attrs(Rtnl.FIB_RULE_HDR_LEN);
    table = attrs.u32(Rtnl.FRA_TABLE, reply.u8(4));
    priority = attrs.u32(Rtnl.FRA_PRIORITY, 0);
    protocol = attrs.u8(Rtnl.FRA_PROTOCOL, 0);
    source = AddressMessage.toAddress(attrs.bytes(Rtnl.FRA_SRC));
    inputInterface = attrs.string(Rtnl.FRA_IIFNAME);
  }

  public static RuleMessage decode(NlReply reply) {
    return new RuleMessage(reply);
  }

  public boolean isOurs() {
    return protocol == Rtnl.RTPROT_JUNIT_NETNS;
  }
}
