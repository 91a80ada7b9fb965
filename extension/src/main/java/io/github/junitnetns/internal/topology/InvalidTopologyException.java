package io.github.junitnetns.internal.topology;

/**
 * A topology that cannot be built as declared, found before anything exists. The message is one
 * sentence for the user: what declared it ({@link #what()}), then what is wrong and the fix
 * ({@link #problem()}). Callers translate it into their own exception type, message unchanged.
 */
public final class InvalidTopologyException extends IllegalArgumentException {
  private static final long serialVersionUID = 1L;

  private final String what;
  private final String problem;

  public InvalidTopologyException(String what, String problem) {
    super(what + " " + problem);
    this.what = what;
    this.problem = problem;
  }

  /** The declaration, e.g. {@code @VethLink(left = "a", right = "b") on ClientTest}. */
  public String what() {
    return what;
  }

  /** What is wrong with it and how to fix it. */
  public String problem() {
    return problem;
  }
}
