package io.github.junitnetns;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The nemesis's choices as pure functions of the seed and the names, and how its timeline reads.
 * Needs no privileges: the presets' choosers are called alone, and nothing is applied.
 */
class NemesisTest {
  private static final List<String> THREE = List.of("n1", "n2", "n3");
  private static final List<String> FIVE = List.of("n1", "n2", "n3", "n4", "n5");

  /** What the presets choose, in turn, from one random seeded with {@code seed}. */
  private static List<String> choices(long seed, List<String> nodes, int rounds) {
    Random random = new Random(seed);
    List<Nemesis.Disruption> presets = List.of(Nemesis.isolateRandomNode(), Nemesis.partitionHalves(),
        Nemesis.partitionMajoritiesRing(), Nemesis.partitionBridge());
    List<String> out = new ArrayList<>();
    for (int i = 0; i < rounds; i++) {
      for (Nemesis.Disruption preset : presets) {
        out.add(((Nemesis.Preset) preset).chooser().choose(nodes, random).description());
      }
    }
    return out;
  }

  @Test
  void theSameSeedChoosesTheSameFaults() {
    assertThat(choices(42, FIVE, 5)).isEqualTo(choices(42, FIVE, 5));
    assertThat(choices(42, FIVE, 5)).isNotEqualTo(choices(43, FIVE, 5));
  }

  /** Pinned, so a change of how the presets use the random (or a JDK's Random) cannot pass unseen. */
  @Test
  void seed42OnFiveNodesChoosesTheseFaults() {
    assertThat(choices(42, FIVE, 1)).containsExactly(
        "isolate n1",
        "partition [n1, n2] | [n3, n4, n5]",
        "majorities ring [n5, n4, n3, n2, n1]: cut n5-n3, n5-n2, n4-n2, n4-n1, n3-n1",
        "bridge n3 between [n1, n2] | [n4, n5]");
  }

  @Test
  void sidesReadInDeclarationOrderAndARingOfThreeCutsNothing() {
    for (String description : choices(7, THREE, 10)) {
      assertThat(description).matches("isolate n[123]"
          + "|partition \\[(n1|n2|n3)] \\| \\[(n1, n2|n1, n3|n2, n3)]"
          + "|majorities ring \\[n., n., n.]: nothing to cut"
          + "|bridge n[123] between \\[n[123]] \\| \\[n[123]]");
    }
  }

  @Test
  void aFiveNodeRingCutsTheChordsOfItsShuffledOrder() {
    Nemesis.Move move = ((Nemesis.Preset) Nemesis.partitionMajoritiesRing()).chooser().choose(FIVE, new Random(1));
    String ring = move.description().substring("majorities ring [".length(), move.description().indexOf(']'));
    List<String> order = List.of(ring.split(", "));
    assertThat(order).containsExactlyInAnyOrderElementsOf(FIVE);
    List<String> expected = new ArrayList<>();
    Presets.majoritiesRingCuts(order).forEach(pair -> expected.add(pair.get(0) + "-" + pair.get(1)));
    assertThat(move.description()).endsWith("]: cut " + String.join(", ", expected));
    assertThat(expected).hasSize(5);
  }

  @Test
  void offsetsReadInSecondsWithMilliseconds() {
    assertThat(Nemesis.offset(Duration.ofMillis(1500))).isEqualTo("+1.500 s");
    assertThat(Nemesis.offset(Duration.ofMillis(42))).isEqualTo("+0.042 s");
    assertThat(new Nemesis.Event(Duration.ofMillis(12_345), "isolate n2")).hasToString("+12.345 s isolate n2");
  }
}
