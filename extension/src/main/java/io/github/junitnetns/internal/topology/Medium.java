package io.github.junitnetns.internal.topology;

/**
 * What an interface is plugged into: one veth (named by the id of its declaration) or one bridge
 * (named by its name). Two interfaces face each other when they share a medium.
 */
public record Medium(Kind kind, String id) {
  /** The two kinds of medium a topology has. */
  public enum Kind {
    VETH("veth"),
    BRIDGE("bridge");

    private final String word;

    Kind(String word) {
      this.word = word;
    }
  }

  public static Medium veth(String id) {
    return new Medium(Kind.VETH, id);
  }

  public static Medium bridge(String name) {
    return new Medium(Kind.BRIDGE, name);
  }

  /** E.g. {@code veth ClientTest @VethLink #1} or {@code bridge lan}. */
  @Override
  public String toString() {
    return kind.word + " " + id;
  }
}
