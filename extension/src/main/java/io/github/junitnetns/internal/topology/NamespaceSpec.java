package io.github.junitnetns.internal.topology;

/**
 * One namespace of a topology: its name ({@link #UNNAMED} for the one unnamed namespace a test may
 * have, which nothing can be linked to) and whether it forwards packets between its interfaces.
 */
public record NamespaceSpec(String name, boolean forwarding) {
  public static final String UNNAMED = "";

  public boolean isUnnamed() {
    return name.equals(UNNAMED);
  }
}
