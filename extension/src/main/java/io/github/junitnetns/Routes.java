package io.github.junitnetns;

import io.github.junitnetns.internal.net.Addresses;
import io.github.junitnetns.internal.net.Cidr;
import io.github.junitnetns.internal.netlink.RouteMessage;
import io.github.junitnetns.internal.netlink.Rtnl;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;

/** Routes of a namespace: added as {@code ip route add} does, formatted as {@code ip route} prints them. */
final class Routes {
  private Routes() {}

  /** {@link NetNs#addRoute}: checks both addresses, then adds the route to the main table. */
  static void add(NetNs ns, String destination, String via) {
    String what = "addRoute(\"" + destination + "\", \"" + via + "\") in netns " + ns.label();
    InetAddress gateway;
    Cidr target;
    try {
      gateway = Cidr.parseHost(via);
      target = "default".equals(destination)
          ? Cidr.parse(gateway instanceof Inet6Address ? "::/0" : "0.0.0.0/0")
          : Cidr.parseSubnet(destination);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(what + ": " + e.getMessage(), e);
    }
    if (target.isIpv6() != (gateway instanceof Inet6Address)) {
      throw new IllegalArgumentException(what + ": the destination and the gateway mix IPv4 and IPv6; use one family");
    }
    ns.client().addRoute(target.bytes(), target.prefixLength(), gateway.getAddress(),
        destination + " via " + via + " in netns " + ns.label());
  }

  /** The routes of the main table among {@code routes}, each as {@code ip route} prints it. */
  static List<String> mainTable(List<RouteMessage> routes, List<Link> links) {
    List<String> lines = new ArrayList<>();
    for (RouteMessage route : routes) {
      if (route.table == Rtnl.RT_TABLE_MAIN) {
        lines.add(format(route, links));
      }
    }
    return lines;
  }

  static String format(RouteMessage route, List<Link> links) {
    StringBuilder out = new StringBuilder();
    switch (route.type) {
      case Rtnl.RTN_BLACKHOLE: out.append("blackhole "); break;
      case Rtnl.RTN_UNREACHABLE: out.append("unreachable "); break;
      case Rtnl.RTN_PROHIBIT: out.append("prohibit "); break;
      default: break;
    }
    out.append(route.destination == null ? "default" : host(route.destination) + "/" + route.dstLength);
    if (route.gateway != null) {
      out.append(" via ").append(host(route.gateway));
    }
    if (route.outputIndex != 0) {
      out.append(" dev ").append(links.stream().filter(l -> l.index() == route.outputIndex)
          .map(Link::name).findFirst().orElse("if" + route.outputIndex));
    }
    if (route.protocol == Rtnl.RTPROT_KERNEL) {
      out.append(" proto kernel");
    } else if (route.protocol == Rtnl.RTPROT_STATIC) {
      out.append(" proto static");
    }
    if (route.scope == Rtnl.RT_SCOPE_LINK) {
      out.append(" scope link");
    } else if (route.scope == Rtnl.RT_SCOPE_HOST) {
      out.append(" scope host");
    }
    if (route.preferredSource != null) {
      out.append(" src ").append(host(route.preferredSource));
    }
    if (route.priority >= 0) {
      out.append(" metric ").append(route.priority);
    }
    return out.toString();
  }

  private static String host(InetAddress address) {
    return Addresses.format(address);
  }
}
