package io.github.junitnetns;

/**
 * The child JVM's side of {@link FailpointPrivilegedTest}: two namespaces, a veth between them and
 * an address, closed again; twice. Prints one line per round: {@code ok}, or the exception's class
 * and message. The failpoint's own line goes to stderr at exit.
 */
public final class FailpointRun {
  public static void main(String[] args) {
    for (int round = 1; round <= 2; round++) {
      try (NetNs a = NetNs.create("fp-a"); NetNs b = NetNs.create("fp-b")) {
        VethPair.create(a, "eth0", b, "eth0");
        a.link("eth0").orElseThrow().addAddress("10.73.0.1/24");
        System.out.println("ok");
      } catch (RuntimeException e) {
        System.out.println(e.getClass().getName() + ": " + e.getMessage());
      }
    }
  }
}
