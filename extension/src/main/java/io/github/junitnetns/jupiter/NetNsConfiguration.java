package io.github.junitnetns.jupiter;

import org.junit.jupiter.api.extension.ExtensionConfigurationException;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ExtensionContext.Namespace;

/**
 * The {@code junit.netns.*} configuration parameters, read and checked once per engine run and
 * kept in the root context's store. A value that is not one of the two a parameter allows (or, for
 * {@code junit.netns.jvm-wide-threads}, not a list of thread-name patterns) is refused with an
 * {@link ExtensionConfigurationException} before any namespace is created.
 */
final class NetNsConfiguration {
  static final String UNPRIVILEGED = "junit.netns.unprivileged";
  static final String THREADS_LEFT_BEHIND = "junit.netns.threads-left-behind";
  static final String KEEP_ON_FAILURE = "junit.netns.keep-on-failure";
  static final String NETEM = "junit.netns.netem";
  static final String PREBUILD = "junit.netns.prebuild";
  static final String JVM_WIDE_THREADS = "junit.netns.jvm-wide-threads";

  private static final Namespace NAMESPACE = Namespace.create(NetNsConfiguration.class);

  private final boolean abortWhenUnprivileged;
  private final boolean unprivilegedFailsOnCi;
  private final boolean failOnThreadsLeftBehind;
  private final boolean keepOnFailure;
  private final boolean abortWithoutNetem;
  private final boolean prebuild;
  private final ThreadNamePatterns jvmWideThreads;

  private NetNsConfiguration(ExtensionContext context) {
    unprivilegedFailsOnCi = onCi() && context.getConfigurationParameter(UNPRIVILEGED).isEmpty();
    abortWhenUnprivileged = choice(context, UNPRIVILEGED, "abort", "fail", !onCi(), "\"abort\" (skip tests without"
        + " privileges, the default) or \"fail\" (the default when the environment variable CI is true)");
    failOnThreadsLeftBehind = choice(context, THREADS_LEFT_BEHIND, "fail", "warn", true, "\"fail\" (the default: a"
        + " test that leaves threads inside its namespaces fails) or \"warn\" (report them only)");
    keepOnFailure = choice(context, KEEP_ON_FAILURE, "true", "false", false,
        "\"true\" (pin a failed test's namespaces under /run/netns) or \"false\" (the default)");
    abortWithoutNetem = choice(context, NETEM, "abort", "require", true, "\"abort\" (the default: a test that"
        + " needs netem where the kernel has none is skipped) or \"require\" (it fails)");
    prebuild = choice(context, PREBUILD, "true", "false", true, "\"true\" (the default: build the next test's"
        + " topology while a test runs) or \"false\" (build each test's topology when it starts)");
    try {
      jvmWideThreads = ThreadNamePatterns.parse(JVM_WIDE_THREADS, context.getConfigurationParameter(JVM_WIDE_THREADS)
          .orElse(""));
    } catch (IllegalArgumentException e) {
      throw new ExtensionConfigurationException(e.getMessage());
    }
  }

  /**
   * The configuration of the run {@code context} belongs to. A bad value is refused on every call,
   * with a fresh exception each time, so that every test it affects says why.
   */
  static NetNsConfiguration of(ExtensionContext context) {
    ExtensionContext.Store store = context.getRoot().getStore(NAMESPACE);
    NetNsConfiguration configuration = store.get(NetNsConfiguration.class, NetNsConfiguration.class);
    if (configuration == null) {
      // Two threads may both read it the first time: they read the same values, and one is kept.
      configuration = new NetNsConfiguration(context);
      store.put(NetNsConfiguration.class, configuration);
    }
    return configuration;
  }

  /** Whether a missing privilege aborts (skips) the test; otherwise it fails. */
  boolean abortWhenUnprivileged() {
    return abortWhenUnprivileged;
  }

  /** Why a missing privilege fails the test, when it is not the obvious reason (the parameter set to fail). */
  String whyFailWhenUnprivileged() {
    return unprivilegedFailsOnCi ? " Failed because the environment variable CI is true, which makes " + UNPRIVILEGED
        + " default to fail; set it to abort to skip instead." : "";
  }

  /** Whether this runs on CI: GitHub Actions, GitLab and most CI systems set the environment variable CI=true. */
  private static boolean onCi() {
    return "true".equalsIgnoreCase(System.getenv("CI"));
  }

  /** Whether threads left inside a test's namespaces fail it; otherwise they are reported only. */
  boolean failOnThreadsLeftBehind() {
    return failOnThreadsLeftBehind;
  }

  /** Whether a failed test's namespaces are pinned under /run/netns for a post-mortem. */
  boolean keepOnFailure() {
    return keepOnFailure;
  }

  /** Whether a shaping that needs netem, where the kernel has none, aborts (skips) the test; otherwise it fails. */
  boolean abortWithoutNetem() {
    return abortWithoutNetem;
  }

  /** Whether the next test's topology is built while a test runs ({@link Prebuild}). */
  boolean prebuild() {
    return prebuild;
  }

  /**
   * Java thread names ({@code junit.netns.jvm-wide-threads}) of threads a library keeps for the
   * whole JVM: left inside a test's namespaces, they are noted once per JVM instead of failing it.
   */
  ThreadNamePatterns jvmWideThreads() {
    return jvmWideThreads;
  }

  /** A two-valued parameter: true for {@code yes}, false for {@code no}; anything else is refused. */
  private static boolean choice(ExtensionContext context, String key, String yes, String no, boolean byDefault,
      String use) {
    String value = context.getConfigurationParameter(key).orElse(byDefault ? yes : no).trim();
    if (value.equals(yes) || value.equals(no)) {
      return value.equals(yes);
    }
    throw new ExtensionConfigurationException("Configuration parameter " + key + " is \"" + value + "\"; use " + use
        + ".");
  }
}
