package io.github.junitnetns;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.junitnetns.internal.linux.Errno;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The names and filter priorities that keep each (interface, sender) pair's shaping apart, and the missing-netem advice. */
class ShaperTest {
  @Test
  void ifbNamesFitIfnamsizForEveryIndexAndPeer() {
    assertThat(Shaper.ifbName(0x1000c, 2)).isEqualTo("ifb1000cp2");
    String longest = Shaper.ifbName(Integer.MAX_VALUE, Shaper.MAX_PEER);
    assertThat(longest).isEqualTo("ifb7fffffffpfff");
    assertThat(longest.getBytes(StandardCharsets.UTF_8)).hasSizeLessThanOrEqualTo(15);
    assertThat(Shaper.ifbName(5, 1)).isNotEqualTo(Shaper.ifbName(5, 2)).isNotEqualTo(Shaper.ifbName(6, 1));
  }

  @Test
  void eachPeersFiltersHavePrioritiesOfTheirOwn() {
    assertThat(Shaper.prio(1, 1)).isEqualTo(5);
    assertThat(Shaper.prio(1, 3)).isLessThan(Shaper.prio(2, 1));
    assertThat(Shaper.prio(Shaper.MAX_PEER, 3)).isLessThanOrEqualTo(0xFFFF);
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
