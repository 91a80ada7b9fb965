package io.github.junitnetns;

import io.github.junitnetns.internal.linux.Errno;
import io.github.junitnetns.internal.topology.TopologyValidator;
import io.github.junitnetns.internal.topology.TopologyValidator.NameProblem;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A veth (virtual Ethernet) pair between two namespaces: what one end sends, the other receives.
 * Both ends are created directly in their namespaces by one rtnetlink request (never moved
 * afterwards) and brought up.
 *
 * <pre>{@code
 * VethPair veth = VethPair.create(client, "eth0", server, "eth0");
 * veth.left().addAddress("10.0.0.1/24");
 * veth.right().addAddress("10.0.0.2/24");
 * }</pre>
 *
 * <p>The pair disappears with either namespace, or with {@link #delete()}.
 */
public final class VethPair {
  private final Link left;
  private final Link right;

  private VethPair(Link left, Link right) {
    this.left = left;
    this.right = right;
  }

  /** A pair with the kernel's default MTU (1500). */
  public static VethPair create(NetNs left, String leftName, NetNs right, String rightName) {
    return create(left, leftName, right, rightName, 0);
  }

  /**
   * A pair between {@code left} and {@code right}, named {@code leftName} and {@code rightName}
   * there (at most 15 bytes each); {@code mtu} 0 means the kernel's default.
   */
  public static VethPair create(NetNs left, String leftName, NetNs right, String rightName, int mtu) {
    String object = "veth " + leftName + "@" + (left == null ? "?" : left.label()) + " <-> " + rightName + "@"
        + (right == null ? "?" : right.label());
    if (left == null || right == null) {
      throw new IllegalArgumentException("VethPair.create(" + object + "): both namespaces are required");
    }
    // A closed handle may share its id with a new namespace (the kernel reuses inode numbers): check it first.
    left.checkOpen(CONNECT);
    right.checkOpen(CONNECT);
    checkName(leftName, "leftName", "VethPair.create(" + object + ")");
    checkName(rightName, "rightName", "VethPair.create(" + object + ")");
    if (left.equals(right) && leftName.equals(rightName)) {
      throw new IllegalArgumentException("VethPair.create(" + object + "): both ends have the same name in the"
          + " same namespace; give them different names");
    }
    checkMtu(mtu, "VethPair.create(" + object + ")");
    int index = createPair(left, leftName, right, rightName, mtu, 0, object);
    try {
      left.client().linkUp(index, leftName + "@" + left.label());
      right.client().linkUp(index + 1, rightName + "@" + right.label());
      return new VethPair(Link.read(left, leftName), Link.read(right, rightName));
    } catch (RuntimeException e) {
      // Never leave half a topology behind (least of all an end on the host): deleting one end deletes both.
      try {
        left.client().deleteLink(leftName, object);
      } catch (RuntimeException cleanup) {
        e.addSuppressed(cleanup);
      }
      throw e;
    }
  }

  private static final AtomicInteger PEER_INDEX = new AtomicInteger();

  /** What a closed namespace's message says could not be done. */
  private static final String CONNECT = "connect a veth to it";

  /**
   * One RTM_NEWLINK for both ends. They get two consecutive interface indexes from a high range,
   * so they never share one; see {@code Requests.newVeth}. An index that happens to be taken is
   * retried with the next pair. Returns the first end's index; the peer's is the next one.
   */
  static int createPair(NetNs home, String name, NetNs peer, String peerName, int mtu, int master, String object) {
    for (int attempt = 1; ; attempt++) {
      int index = (1 << 16) + (PEER_INDEX.getAndAdd(2) & 0x3ffffffe);
      try {
        // The peer's descriptor is named in the request: it must stay open until the kernel has it.
        peer.handle().withFd(CONNECT, peerFd -> {
          home.client().newVeth(name, index, peerName, peerFd, index + 1, mtu, master, object);
          return null;
        });
        return index;
      } catch (NetNsException e) {
        boolean indexTaken = e.errno() == Errno.EBUSY && attempt < 3;
        if (e.errno() == Errno.EEXIST) {
          throw nameTaken(e, home, name, peer, peerName);
        }
        if (!indexTaken) {
          throw e;
        }
      }
    }
  }

  /** EEXIST: says which end's name is taken, when that can still be read. */
  private static NetNsException nameTaken(NetNsException e, NetNs home, String name, NetNs peer, String peerName) {
    List<String> taken = new ArrayList<>();
    try {
      if (home.link(name).isPresent()) {
        taken.add("netns " + home.label() + " has an interface called " + name + " already");
      }
      if (peer.link(peerName).isPresent()) {
        taken.add("netns " + peer.label() + " has an interface called " + peerName + " already");
      }
    } catch (RuntimeException unreadable) {
      return e; // closed meanwhile: the kernel's answer is all there is
    }
    if (taken.isEmpty()) {
      return e;
    }
    String hint = String.join(" and ", taken)
        + "; give the veth's ends unused names (NetNs.links() lists the ones in use)";
    return new NetNsException(e.operation(), e.object(), e.errno(), e.detail().isEmpty() ? hint : e.detail() + "; " + hint);
  }

  /**
   * Refuses a name that {@link TopologyValidator#interfaceNameProblem(String) cannot name} an
   * interface: one the kernel would refuse or rewrite ({@code %} makes it a template, {@code x%d}
   * becomes {@code x0}, after which the interface cannot be found by the name given), or
   * {@code lo}, which every namespace has.
   */
  static void checkName(String name, String argument, String call) {
    NameProblem problem = TopologyValidator.interfaceNameProblem(name);
    if (problem == null) {
      return;
    }
    String fix = problem == NameProblem.LOOPBACK
        ? ": every namespace has its loopback interface called lo; pick another name, e.g. eth0"
        : "; use 1 to " + TopologyValidator.MAX_INTERFACE_NAME_BYTES
            + " bytes without '/', ':', '%' or spaces, e.g. eth0";
    throw new IllegalArgumentException(call + ": " + argument + (name == null ? " is null," : " \"" + name + "\" is")
        + " not a usable interface name" + fix);
  }

  /** Refuses an MTU Linux would refuse; 0 (the kernel's default) passes. */
  static void checkMtu(int mtu, String call) {
    if (mtu != 0 && !TopologyValidator.isMtu(mtu)) {
      throw new IllegalArgumentException(call + ": mtu " + mtu + " is out of range; use " + TopologyValidator.MIN_MTU
          + " to " + TopologyValidator.MAX_MTU + ", or 0 for the default");
    }
  }

  /** The end in the left namespace, as read when the pair was created. */
  public Link left() {
    return left;
  }

  /** The end in the right namespace, as read when the pair was created. */
  public Link right() {
    return right;
  }

  /** Deletes the pair (deleting one end deletes both), like {@code ip link del}. */
  public void delete() {
    left.netNs().client().deleteLink(left.name(), "veth " + left.name() + "@" + left.netNs().label());
  }

  @Override
  public String toString() {
    return "veth " + left.name() + "@" + left.netNs().label() + " <-> " + right.name() + "@" + right.netNs().label();
  }
}
