package io.github.junitnetns;

import io.github.junitnetns.internal.net.Addresses;
import io.github.junitnetns.internal.netlink.RouteMessage;
import io.github.junitnetns.internal.netlink.Rtnl;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;

/** Formats routes as {@code ip route} prints them. */
final class Routes {
  private Routes() {}

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
