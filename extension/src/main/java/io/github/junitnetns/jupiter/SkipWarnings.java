package io.github.junitnetns.jupiter;

import java.lang.System.Logger.Level;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A skip that speaks: the first test in a JVM skipped for lack of privileges, and the first skipped
 * for lack of netem, are also logged as a WARNING, which build tools show on their console (a
 * skipped test's reason is otherwise only in the reports). Once per JVM each, not per test.
 */
final class SkipWarnings {
  private static final System.Logger LOG = System.getLogger(NetNsExtension.class.getName());

  /** The one this JVM uses. */
  static final SkipWarnings JVM = new SkipWarnings();

  private final AtomicBoolean privileges = new AtomicBoolean();
  private final AtomicBoolean netem = new AtomicBoolean();

  SkipWarnings() {}

  /** {@code test} was skipped without CAP_SYS_ADMIN; {@code how} says how to get it. Logged the first time only. */
  void unprivileged(String test, String how) {
    if (privileges.compareAndSet(false, true)) {
      LOG.log(Level.WARNING, "junit-netns skips the tests that need network namespaces, " + test + " first: " + how
          + " Only this first skip is logged; set " + NetNsConfiguration.UNPRIVILEGED + "=fail to fail them instead.");
    }
  }

  /** {@code test} was skipped because the kernel has no netem; {@code why} has the fix. Logged the first time only. */
  void netemMissing(String test, String why) {
    if (netem.compareAndSet(false, true)) {
      LOG.log(Level.WARNING, "junit-netns skips the tests that need netem, " + test + " first: " + why
          + " Only this first skip is logged.");
    }
  }

  /** The test's name as a report shows it: class and method. */
  static String name(org.junit.jupiter.api.extension.ExtensionContext context) {
    return context.getTestClass().map(Class::getName).orElse("?")
        + context.getTestMethod().map(m -> "." + m.getName() + "()").orElse("");
  }
}
