package io.github.junitnetns.internal.client;

import io.github.junitnetns.internal.linux.Errno;
import io.github.junitnetns.internal.linux.ErrnoException;
import io.github.junitnetns.internal.netlink.NetlinkSocket;
import io.github.junitnetns.internal.netlink.Nft;
import io.github.junitnetns.internal.netlink.NftRule;
import io.github.junitnetns.internal.netlink.NftRuleMessage;
import io.github.junitnetns.internal.netlink.NlMessage;
import io.github.junitnetns.internal.netlink.NlReply;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * The nf_tables operations of one namespace, typed: a {@link Batch} of changes applied all or
 * nothing (tables, base chains, rules), and the rules of a table with their counters. Each call
 * opens a {@code NETLINK_NETFILTER} socket inside the namespace and closes it afterwards, so
 * nothing is held between calls (and a namespace that never uses nf_tables never opens one).
 * Refusals become the caller's exception; {@link #isMissing} tells those that mean "this kernel
 * has no nf_tables".
 */
public final class NftClient {
  /** Opens a {@code NETLINK_NETFILTER} socket in the namespace (from a thread inside). */
  @FunctionalInterface
  public interface SocketOpener {
    NetlinkSocket open() throws ErrnoException;
  }

  private final SocketOpener opener;
  private final Supplier<String> label;
  private final Function<ErrnoException, ? extends RuntimeException> failures;

  /**
   * @param label the namespace's label now, for the objects in errors ("table inet t in netns db")
   * @param failures what a refusal becomes, e.g. the public exception
   */
  public NftClient(SocketOpener opener, Supplier<String> label,
      Function<ErrnoException, ? extends RuntimeException> failures) {
    this.opener = opener;
    this.label = label;
    this.failures = failures;
  }

  /**
   * Whether a refusal means that the kernel lacks nf_tables or a part of it: no netfilter netlink
   * family (EPROTONOSUPPORT from socket(2)), no nf_tables subsystem (EOPNOTSUPP for the batch), or
   * no module for an expression, chain type or family (ENOENT from NFT_MSG_NEWRULE/NEWCHAIN/NEWTABLE;
   * this client creates what it refers to in the same batch, so ENOENT there names nothing else).
   */
  public static boolean isMissing(int errno, String operation) {
    return errno == Errno.EPROTONOSUPPORT || errno == Errno.EAFNOSUPPORT || errno == Errno.EOPNOTSUPP
        || (errno == Errno.ENOENT && operation != null && operation.startsWith("NFT_MSG_NEW"));
  }

  /** A new, empty batch of changes for this namespace. */
  public Batch batch() {
    return new Batch();
  }

  /** One transaction: the changes in order, then {@link #commit()}; the kernel applies all or none. */
  public final class Batch {
    private final List<NlMessage> messages = new ArrayList<>();

    private Batch() {}

    /** {@code nft add table}: creates it unless it exists. */
    public Batch table(int family, String table) {
      messages.add(Nft.newTable(family, table, label.get()));
      return this;
    }

    /** {@code nft add chain ... { type filter hook HOOK priority P; policy accept; }}: unless it exists. */
    public Batch filterChain(int family, String table, String chain, int hook, int priority) {
      messages.add(Nft.newBaseChain(family, table, chain, "filter", hook, priority, Nft.NF_ACCEPT, label.get()));
      return this;
    }

    /** {@code nft add chain ... { type nat hook postrouting priority srcnat; policy accept; }}: unless it exists. */
    public Batch natPostroutingChain(int family, String table, String chain) {
      messages.add(Nft.newBaseChain(family, table, chain, "nat", Nft.NF_INET_POST_ROUTING, Nft.NF_IP_PRI_NAT_SRC,
          Nft.NF_ACCEPT, label.get()));
      return this;
    }

    /** {@code nft add rule ... comment COMMENT}, appended to the chain. */
    public Batch rule(int family, String table, String chain, NftRule rule, String comment) {
      messages.add(Nft.newRule(family, table, chain, rule.expressions(), comment, label.get()));
      return this;
    }

    /** {@code nft delete rule ... handle H}. */
    public Batch deleteRule(int family, String table, String chain, long handle) {
      messages.add(Nft.deleteRule(family, table, chain, handle, label.get()));
      return this;
    }

    /** {@code nft delete table}: with all its chains and rules. */
    public Batch deleteTable(int family, String table) {
      messages.add(Nft.deleteTable(family, table, label.get()));
      return this;
    }

    public boolean isEmpty() {
      return messages.isEmpty();
    }

    /** Sends the batch; nothing of it is applied when any part is refused. */
    public void commit() {
      if (messages.isEmpty()) {
        return;
      }
      try (NetlinkSocket socket = opener.open()) {
        socket.executeBatch(Nft.batchBegin(), messages, Nft.batchEnd());
      } catch (ErrnoException e) {
        throw failures.apply(e);
      }
    }
  }

  /** The rules of {@code table} with their counters, in chain order; empty when there is no such table. */
  public List<NftRuleMessage> rules(int family, String table) {
    List<NftRuleMessage> rules = new ArrayList<>();
    try (NetlinkSocket socket = opener.open()) {
      for (NlReply reply : socket.dump(Nft.getRules(family, table, label.get()))) {
        NftRuleMessage rule = NftRuleMessage.decode(reply);
        if (table.equals(rule.table)) {
          rules.add(rule);
        }
      }
    } catch (ErrnoException e) {
      if (e.errno() == Errno.ENOENT) {
        return rules;
      }
      throw failures.apply(e);
    }
    return rules;
  }

  /** Whether {@code table} exists. */
  public boolean hasTable(int family, String table) {
    try (NetlinkSocket socket = opener.open()) {
      socket.get(Nft.getTable(family, table, label.get()));
      return true;
    } catch (ErrnoException e) {
      if (e.errno() == Errno.ENOENT) {
        return false;
      }
      throw failures.apply(e);
    }
  }
}
