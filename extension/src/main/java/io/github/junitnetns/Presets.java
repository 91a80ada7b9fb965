package io.github.junitnetns;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The shapes of {@link Network}'s preset faults, as pure functions of the namespaces in
 * declaration order: which sides, which pairs to cut. {@link Network} applies them.
 */
final class Presets {
  private Presets() {}

  /** The first half (rounded down) against the rest. */
  static List<Set<String>> halves(List<String> all) {
    Set<String> first = new LinkedHashSet<>(all.subList(0, all.size() / 2));
    Set<String> second = new LinkedHashSet<>(all.subList(all.size() / 2, all.size()));
    return List.of(first, second);
  }

  /**
   * On a ring, the pairs further apart than a majority's reach: each namespace keeps its nearest
   * neighbours, enough for a majority, but no two see the same majority.
   */
  static List<List<String>> majoritiesRingCuts(List<String> all) {
    int n = all.size();
    int majority = n / 2 + 1;
    int reach = majority / 2; // = ceil((majority - 1) / 2) neighbours on each side: 2 * reach + 1 >= majority
    List<List<String>> cuts = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      for (int j = i + 1; j < n; j++) {
        int distance = Math.min(j - i, n - (j - i));
        if (distance > reach) {
          cuts.add(List.of(all.get(i), all.get(j)));
        }
      }
    }
    return cuts;
  }

  /** The middle namespace's index: it alone reaches both halves in {@link #bridgeCuts}. */
  static int bridgeMiddle(List<String> all) {
    return all.size() / 2;
  }

  /** Every pair of a namespace before the middle one and a namespace after it. */
  static List<List<String>> bridgeCuts(List<String> all) {
    int middle = bridgeMiddle(all);
    List<List<String>> cuts = new ArrayList<>();
    for (String left : all.subList(0, middle)) {
      for (String right : all.subList(middle + 1, all.size())) {
        cuts.add(List.of(left, right));
      }
    }
    return cuts;
  }
}
