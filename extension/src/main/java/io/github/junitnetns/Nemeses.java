package io.github.junitnetns;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** The nemeses started on one {@link Network} view: reported with it, stopped when it is restored or closed. */
final class Nemeses {
  private final List<Nemesis> started = new CopyOnWriteArrayList<>();

  void add(Nemesis nemesis) {
    started.add(nemesis);
  }

  /** Each nemesis's {@link Nemesis#describe()}; empty when none was started. */
  String report() {
    StringBuilder out = new StringBuilder();
    started.forEach(nemesis -> out.append(nemesis.describe()));
    return out.toString();
  }

  /** Stops those still running, each healing its own faults; failures join {@code failure}, which is returned. */
  RuntimeException stop(RuntimeException failure) {
    for (Nemesis nemesis : started) {
      try {
        nemesis.close();
      } catch (RuntimeException e) {
        failure = Holdings.collect(failure, e);
      }
    }
    return failure;
  }
}
