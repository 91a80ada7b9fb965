package io.github.junitnetns;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.junitnetns.internal.linux.Errno;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The names and filter priorities that keep each (interface, sender) pair's shaping apart, and the missing-netem advice. */
class ShaperTest {
  @Test
  void ifbNamesFitIfnamsizAndNeverCollide() {
    // The kernel's limit: IFNAMSIZ 16 bytes with the NUL; names of letters and digits only.
    Set<String> names = new HashSet<>();
    int[] indexes = {1, 2, 0xf, 0x10, 0xff, 0x1000c, 0xfffffff, Integer.MAX_VALUE};
    for (int index : indexes) {
      for (int peer = 1; peer <= Shaper.MAX_PEER; peer++) {
        String name = Shaper.ifbName(index, peer);
        assertThat(name.getBytes(StandardCharsets.US_ASCII)).as(name).hasSizeLessThanOrEqualTo(15);
        assertThat(name).matches("[a-z0-9]+");
        names.add(name);
      }
    }
    assertThat(names).as("one name per interface and peer").hasSize(indexes.length * Shaper.MAX_PEER);
  }

  @Test
  void eachPeersFiltersHavePrioritiesOfTheirOwn() {
    // tc filter priorities are 16 bits, and 0 asks the kernel to choose one: every peer's three
    // kinds of filter need a priority of their own in 1..65535, or one peer's removal takes another's.
    Set<Integer> priorities = new HashSet<>();
    for (int peer = 1; peer <= Shaper.MAX_PEER; peer++) {
      for (int slot = 1; slot <= 3; slot++) {
        int prio = Shaper.prio(peer, slot);
        assertThat(prio).isBetween(1, 0xFFFF);
        assertThat(priorities.add(prio)).as("priority %d of peer %d, slot %d is taken", prio, peer, slot).isTrue();
      }
    }
  }

  @Test
  void aMissingNetemIsToldApartFromOtherRefusals() {
    assertThat(Shaper.isUnknownKind(new NetNsException("RTM_NEWQDISC", "netem delay 50ms on eth0@b", Errno.ENOENT,
        "kernel says: Specified qdisc kind is unknown"))).isTrue();
    assertThat(Shaper.isUnknownKind(new NetNsException("RTM_NEWQDISC", "x", Errno.ENOENT, ""))).isTrue();
    assertThat(Shaper.isUnknownKind(new NetNsException("RTM_NEWQDISC", "x", Errno.ENOENT,
        "kernel says: Failed to find specified qdisc"))).isFalse();
    assertThat(Shaper.isUnknownKind(new NetNsException("RTM_NEWQDISC", "x", Errno.EINVAL, ""))).isFalse();
    assertThat(Shaper.netemMissingMessage(Shaping.delay(Duration.ofMillis(50)), "eth0@b"))
        .contains("eth0@b", "delay 50ms", "netem", "sch_netem", "modprobe", "linux-modules-extra");
  }
}
