package io.github.junitnetns;

import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One fault in force, as {@link Network#cut}, {@link Network#cutOneWay}, {@link Network#reject},
 * {@link Network#isolate}, {@link Network#partition} and the presets return it: what it does
 * ({@link #description()}), how many packets it has hit ({@link #packets()}), and how to take it
 * back ({@link #heal()}), leaving the other faults alone.
 *
 * <pre>{@code
 * Fault dbDown = net.reject("app", "db", Traffic.tcp(5432));
 * assertThatThrownBy(() -> connect(db, 5432)).isInstanceOf(ConnectException.class);
 * assertThat(dbDown.packets()).isEqualTo(1);              // one SYN refused
 * dbDown.heal();                                          // this fault only; net.heal() heals all
 * }</pre>
 *
 * <p>A fault belongs to the {@link Network} view it was applied through: that view's
 * {@link Network#heal()} and {@link Network#faults()} see it, and the extension heals it after its
 * test.
 */
public final class Fault {
  private static final AtomicLong IDS = new AtomicLong();

  private final long id = IDS.incrementAndGet();
  private final String description;
  private final Holdings holdings;
  /** The whole-traffic drops it holds (policy rules, see {@link Faults}). */
  final List<Holdings.Drop> drops;
  /** The namespaces where it has nf_tables rules (drops, refusals, or the counters of its drops). */
  final List<NetNs> ruled;
  /** Whether it has counters: false for whole-traffic drops on a kernel without nf_tables. */
  final boolean counted;
  private volatile boolean healed;
  private volatile long packetsWhenHealed;

  Fault(String description, Holdings holdings, List<Holdings.Drop> drops, List<NetNs> ruled, boolean counted) {
    this.description = description;
    this.holdings = holdings;
    this.drops = List.copyOf(drops);
    this.ruled = List.copyOf(ruled);
    this.counted = counted;
  }

  /** The comment its nf_tables rules carry ({@code nft list ruleset} shows it), at most 127 bytes. */
  String comment() {
    String comment = "junit-netns fault " + id + ": " + description;
    while (comment.getBytes(java.nio.charset.StandardCharsets.UTF_8).length > 120) {
      comment = comment.substring(0, comment.length() - 4) + "...";
    }
    return comment;
  }

  /**
   * What it does, in the words of the call that made it, e.g. {@code cut app <-> db tcp:5432},
   * {@code reject app -> db tcp:5432}, {@code isolate n2}.
   */
  public String description() {
    return description;
  }

  /**
   * How many packets it has dropped or refused so far, read from its nf_tables counters (after
   * {@link #heal()}: the count when it was healed). A refused TCP connect counts one (its SYN); a
   * timed-out one counts its SYN and every retransmission. For a whole-traffic fault the counter
   * counts the IP packets from the cut-off side as they arrive, just before the policy rule drops
   * them; ARP is cut too, so once a sender's neighbour entry for the peer has expired it holds its
   * packets back and nothing more arrives to be counted.
   *
   * @throws IllegalStateException on a kernel without nf_tables, where whole-traffic faults work
   *     but cannot be counted
   */
  public long packets() {
    if (!counted) {
      throw new IllegalStateException("Fault.packets() of \"" + description + "\": "
          + Firewall.missingMessage("Counting a fault's packets"));
    }
    if (healed) {
      return packetsWhenHealed;
    }
    long packets = 0;
    for (NetNs ns : ruled) {
      packets += ns.firewall().packets(comment());
    }
    return packets;
  }

  /** Removes this fault only; other faults, and this one's shared drops that another fault still holds, stay. Harmless twice. */
  public void heal() {
    holdings.heal(this);
  }

  /** Whether {@link #heal()} (or the view's {@link Network#heal()}) has removed it. */
  public boolean isHealed() {
    return healed;
  }

  /** Marks it healed with its final count; by {@link Holdings} only. */
  void healed(long finalPackets) {
    packetsWhenHealed = finalPackets;
    healed = true;
  }

  /** E.g. {@code cut app <-> db tcp:5432: 3 packets}; {@code (healed)} or {@code (not counted: ...)} where so. */
  @Override
  public String toString() {
    if (!counted) {
      return description + (healed ? " (healed)" : "") + " (not counted: no nf_tables)";
    }
    try {
      long packets = packets();
      return description + ": " + packets + (packets == 1 ? " packet" : " packets") + (healed ? " (healed)" : "");
    } catch (RuntimeException e) {
      return description + " (cannot read its counter: " + e.getMessage() + ")";
    }
  }
}
