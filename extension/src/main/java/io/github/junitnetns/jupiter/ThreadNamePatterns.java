package io.github.junitnetns.jupiter;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Java thread-name globs, e.g. {@code OkHttp TaskRunner*}: {@code *} stands for any run of
 * characters, {@code ?} for one; everything else is literal and case-sensitive. Used by {@code
 * junit.netns.jvm-wide-threads} and for the thread names of known libraries.
 */
final class ThreadNamePatterns {
  /** One glob: as written, and as a regular expression. */
  record Glob(String text, Pattern regex) {
    static Glob of(String text) {
      StringBuilder regex = new StringBuilder();
      StringBuilder literal = new StringBuilder();
      for (char c : text.toCharArray()) {
        if (c == '*' || c == '?') {
          if (literal.length() > 0) {
            regex.append(Pattern.quote(literal.toString()));
            literal.setLength(0);
          }
          regex.append(c == '*' ? ".*" : ".");
        } else {
          literal.append(c);
        }
      }
      if (literal.length() > 0) {
        regex.append(Pattern.quote(literal.toString()));
      }
      return new Glob(text, Pattern.compile(regex.toString(), Pattern.DOTALL));
    }

    boolean matches(String name) {
      return regex.matcher(name).matches();
    }

    /**
     * Whether a thread whose kernel name is {@code kernelName} may match: the kernel keeps only
     * the first 15 bytes of a name, so a name of that length may go on with anything.
     */
    boolean mayMatchKernelName(String kernelName) {
      Matcher matcher = regex.matcher(kernelName);
      if (matcher.matches()) {
        return true;
      }
      return kernelName.getBytes(StandardCharsets.UTF_8).length >= 15 && matcher.hitEnd();
    }
  }

  static final ThreadNamePatterns NONE = new ThreadNamePatterns(List.of());

  private final List<Glob> globs;

  private ThreadNamePatterns(List<Glob> globs) {
    this.globs = globs;
  }

  /**
   * Parses the comma-separated patterns of the configuration parameter {@code key}; a blank value
   * means none.
   *
   * @throws IllegalArgumentException saying which pattern is wrong and why
   */
  static ThreadNamePatterns parse(String key, String value) {
    if (value.isBlank()) {
      return NONE;
    }
    List<Glob> globs = new ArrayList<>();
    String[] parts = value.split(",", -1);
    for (int i = 0; i < parts.length; i++) {
      String part = parts[i].strip();
      if (part.isEmpty()) {
        throw new IllegalArgumentException("Configuration parameter " + key + " is \"" + value + "\": pattern "
            + (i + 1) + " is empty; give Java thread names separated by commas, e.g. \"OkHttp TaskRunner*,Okio"
            + " Watchdog\" (* stands for any characters, ? for one).");
      }
      if (part.chars().allMatch(c -> c == '*' || c == '?')) {
        throw new IllegalArgumentException("Configuration parameter " + key + " is \"" + value + "\": pattern \""
            + part + "\" matches every thread; name the library's threads, e.g. \"OkHttp TaskRunner*\", or set "
            + NetNsConfiguration.THREADS_LEFT_BEHIND + "=warn to report all threads left behind without failing.");
      }
      globs.add(Glob.of(part));
    }
    return new ThreadNamePatterns(List.copyOf(globs));
  }

  boolean isEmpty() {
    return globs.isEmpty();
  }

  /** The first pattern that {@code javaName} matches. */
  Optional<Glob> match(String javaName) {
    return globs.stream().filter(g -> g.matches(javaName)).findFirst();
  }

  /** Whether a thread of this kernel name (at most 15 bytes of its Java name) may match a pattern. */
  boolean mayMatchKernelName(String kernelName) {
    return globs.stream().anyMatch(g -> g.mayMatchKernelName(kernelName));
  }

  @Override
  public String toString() {
    return String.join(",", globs.stream().map(Glob::text).toList());
  }
}
