package io.github.junitnetns.internal.client;

import io.github.junitnetns.internal.linux.ErrnoException;
import io.github.junitnetns.internal.net.Addresses;
import io.github.junitnetns.internal.netlink.AddressMessage;
import io.github.junitnetns.internal.netlink.LinkMessage;
import io.github.junitnetns.internal.netlink.NetlinkSocket;
import io.github.junitnetns.internal.netlink.NlMessage;
import io.github.junitnetns.internal.netlink.NlReply;
import io.github.junitnetns.internal.netlink.Qdiscs;
import io.github.junitnetns.internal.netlink.Requests;
import io.github.junitnetns.internal.netlink.RouteMessage;
import io.github.junitnetns.internal.netlink.RuleMessage;
import io.github.junitnetns.internal.netlink.Tc;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * The rtnetlink operations of one namespace, typed: links, addresses, routes, policy rules,
 * qdiscs and filters. Each builds its request, sends it on the namespace's socket and turns a
 * refusal into the caller's exception. The {@code name}/{@code object} arguments only name the
 * target in error messages (e.g. {@code eth0@server}); the kernel is told indexes.
 */
public final class RtnlClient {
  /** The namespace's socket, opened on first use, or an IllegalStateException naming {@code action} once it is closed. */
  @FunctionalInterface
  public interface SocketSource {
    NetlinkSocket socket(String action) throws ErrnoException;
  }

  private final SocketSource sockets;
  private final Supplier<String> label;
  private final Function<ErrnoException, ? extends RuntimeException> failures;

  /**
   * @param label the namespace's label now, for the objects of dumps ("links of server")
   * @param failures what a refusal becomes, e.g. the public exception
   */
  public RtnlClient(SocketSource sockets, Supplier<String> label,
      Function<ErrnoException, ? extends RuntimeException> failures) {
    this.sockets = sockets;
    this.label = label;
    this.failures = failures;
  }

  // ---- links ----

  public void linkUp(int index, String name) {
    execute(Requests.linkUp(index, name));
  }

  public void linkDown(int index, String name) {
    execute(Requests.linkDown(index, name));
  }

  public void setMtu(int index, String name, int mtu) {
    execute(Requests.linkMtu(index, name, mtu));
  }

  /** A veth pair, {@code name} here and {@code peerName} in the namespace behind {@code peerNsFd}; see {@link Requests#newVeth}. */
  public void newVeth(String name, int index, String peerName, int peerNsFd, int peerIndex, int mtu, int master,
      String object) {
    execute(Requests.newVeth(name, index, peerName, peerNsFd, peerIndex, mtu, master, object));
  }

  public void newBridge(String name, String object) {
    execute(Requests.newBridge(name, object));
  }

  /** An ifb device; {@code mtu} 0 keeps the default. */
  public void newIfb(String name, int mtu, String object) {
    execute(Qdiscs.newIfb(name, mtu, object));
  }

  public void deleteLink(String name, String object) {
    execute(Requests.deleteLink(name, object));
  }

  public List<LinkMessage> links() {
    List<LinkMessage> links = new ArrayList<>();
    for (NlReply reply : dump(Requests.getLinks(label.get()))) {
      links.add(LinkMessage.decode(reply));
    }
    return links;
  }

  public LinkMessage link(String name) {
    return LinkMessage.decode(get(Requests.getLink(name, label.get())));
  }

  // ---- addresses and routes ----

  public void addAddress(int index, byte[] address, int prefixLength, String object) {
    execute(Requests.newAddress(index, address, prefixLength, object));
  }

  public List<AddressMessage> addresses() {
    List<AddressMessage> addresses = new ArrayList<>();
    for (NlReply reply : dump(Requests.getAddresses(label.get()))) {
      addresses.add(AddressMessage.decode(reply));
    }
    return addresses;
  }

  /** A route via a gateway in the main table; {@code length} 0 is the default route. */
  public void addRoute(byte[] destination, int length, byte[] gateway, String object) {
    execute(Requests.newRoute(destination, length, gateway, object));
  }

  /** The routes of every table for one family (AF_INET or AF_INET6). */
  public List<RouteMessage> routes(int family) {
    List<RouteMessage> routes = new ArrayList<>();
    for (NlReply reply : dump(Requests.getRoutes(family, label.get()))) {
      routes.add(RouteMessage.decode(reply));
    }
    return routes;
  }

  // ---- policy rules ----

  public List<RuleMessage> rules(int family) {
    List<RuleMessage> rules = new ArrayList<>();
    for (NlReply reply : dump(Requests.getRules(family, label.get()))) {
      rules.add(RuleMessage.decode(reply));
    }
    return rules;
  }

  public void addBlackholeRule(InetAddress source, int priority, String object) {
    execute(Requests.newBlackholeRule(source.getAddress(), priority, object));
  }

  public void deleteBlackholeRule(InetAddress source, int priority, String object) {
    execute(Requests.deleteBlackholeRule(source.getAddress(), priority, object));
  }

  public void addLocalRule(int family, int priority, int protocol, String object) {
    execute(Requests.newLocalRule(family, priority, protocol, object));
  }

  public void deleteLocalRule(int family, int priority, String object) {
    execute(Requests.deleteLocalRule(family, priority, object));
  }

  // ---- qdiscs and filters ----

  /** A tbf as the root qdisc of {@code ifindex}, handle 1:, replacing what is there. */
  public void replaceRootTbf(int ifindex, long rateBitsPerSecond, int burstBytes, int limitBytes, String device) {
    execute(Qdiscs.replaceTbf(ifindex, Tc.TC_H_ROOT, Qdiscs.HANDLE_1, rateBitsPerSecond, burstBytes, limitBytes,
        device));
  }

  /** A netem as the root qdisc of {@code ifindex}, handle 1:, replacing what is there. */
  public void replaceRootNetem(int ifindex, Qdiscs.Netem netem, String device) {
    execute(Qdiscs.replaceNetem(ifindex, Tc.TC_H_ROOT, Qdiscs.HANDLE_1, netem, device));
  }

  public void addClsact(int ifindex, String device) {
    execute(Qdiscs.addClsact(ifindex, device));
  }

  /** Everything arriving on {@code ifindex} to {@code targetIfindex}; see {@link Qdiscs#redirectIngress}. */
  public void redirectIngress(int ifindex, int prio, int targetIfindex, String device, String target) {
    execute(Qdiscs.redirectIngress(ifindex, prio, targetIfindex, device, target));
  }

  /** What arrives on {@code ifindex} from {@code source} to {@code targetIfindex}; see {@link Qdiscs#redirectIngressFrom}. */
  public void redirectIngressFrom(int ifindex, int prio, InetAddress source, int targetIfindex, String device,
      String target) {
    execute(Qdiscs.redirectIngressFrom(ifindex, prio, source, targetIfindex,
        "ingress redirect " + device + " from " + Addresses.format(source) + " -> " + target));
  }

  public void deleteIngressFilters(int ifindex, int prio, int protocol, String device) {
    execute(Qdiscs.deleteIngressFilters(ifindex, prio, protocol, device));
  }

  // ---- the one recipe ----

  private void execute(NlMessage request) {
    try {
      sockets.socket(action(request)).execute(request);
    } catch (ErrnoException e) {
      throw failures.apply(e);
    }
  }

  private List<NlReply> dump(NlMessage request) {
    try {
      return sockets.socket(action(request)).dump(request);
    } catch (ErrnoException e) {
      throw failures.apply(e);
    }
  }

  private NlReply get(NlMessage request) {
    try {
      return sockets.socket(action(request)).get(request);
    } catch (ErrnoException e) {
      throw failures.apply(e);
    }
  }

  private static String action(NlMessage request) {
    return "send " + request.operation() + " to it";
  }
}
