package io.github.junitnetns;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The shapes of the preset faults, worked out by hand for small clusters. Needs no privileges. */
class PresetsTest {
  private static final List<String> FIVE = List.of("n1", "n2", "n3", "n4", "n5");

  @Test
  void halvesPutTheSmallerHalfFirst() {
    assertThat(Presets.halves(FIVE)).containsExactly(Set.of("n1", "n2"), Set.of("n3", "n4", "n5"));
    assertThat(Presets.halves(List.of("a", "b"))).containsExactly(Set.of("a"), Set.of("b"));
  }

  @Test
  void aRingOfFiveKeepsEachNodesTwoNeighbourPairsAndCutsTheFiveChords() {
    // Majority 3: each node keeps its neighbour on either side (itself + 2 = 3) and loses the two across.
    assertThat(Presets.majoritiesRingCuts(FIVE)).containsExactly(
        List.of("n1", "n3"), List.of("n1", "n4"), List.of("n2", "n4"), List.of("n2", "n5"), List.of("n3", "n5"));
  }

  @Test
  void aRingOfThreeCutsNothing() {
    // Majority 2: every node's neighbours are all the others.
    assertThat(Presets.majoritiesRingCuts(List.of("a", "b", "c"))).isEmpty();
  }

  @Test
  void aBridgeJoinsTwoHalvesThroughTheMiddleNodeOnly() {
    assertThat(FIVE.get(Presets.bridgeMiddle(FIVE))).isEqualTo("n3");
    assertThat(Presets.bridgeCuts(FIVE)).containsExactly(
        List.of("n1", "n4"), List.of("n1", "n5"), List.of("n2", "n4"), List.of("n2", "n5"));
  }
}
