package io.github.junitnetns;

/**
 * The child JVM's side of {@link FailpointPrivilegedTest#aShapingRefusedBeforeItsFiltersExistIsRolledBackWithoutAnError}:
 * a veth, then a rate on it. Prints the outcome (with the number of suppressed errors) and the
 * links left in the receiving namespace.
 */
public final class FailpointShapeRun {
  public static void main(String[] args) {
    try (Network net = Network.builder().veth("a", "b", "10.75.0.0/24").build()) {
      try {
        net.shape("a", "b", Shaping.rate("10mbit"));
        System.out.println("ok");
      } catch (NetNsException e) {
        System.out.println(e.getMessage() + " suppressed=" + e.getSuppressed().length);
      }
      System.out.println("links=" + net.ns("b").links().stream().map(Link::name).sorted().toList());
    }
  }
}
