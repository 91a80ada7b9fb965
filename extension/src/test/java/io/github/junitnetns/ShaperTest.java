package io.github.junitnetns;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** The names and filter priorities that keep each (interface, sender) pair's shaping apart. */
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
}
