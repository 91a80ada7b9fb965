package io.github.junitnetns.internal.ns;

/**
 * How to get CAP_SYS_ADMIN, in the words of the build tool that started this JVM when it can be
 * told (Maven's Surefire/Failsafe, Gradle), with commands that work as written. Wrapping a whole
 * build tool in {@code unshare -n} is never advised: it would have no network to download with.
 */
public final class Privileges {
  /** The page with the details: root, sudo, the Maven plugin, wrapping only the test JVM. */
  public static final String DOCS = "https://github.com/junitnetns/junit-netns/blob/main/docs/privileges-and-ci.md";

  /** The build tool that started this JVM, as far as it can be told. */
  public enum Tool {
    MAVEN,
    GRADLE,
    OTHER
  }

  private Privileges() {}

  /** The build tool that forked this JVM: Surefire and Failsafe set {@code surefire.*} properties, Gradle its worker's. */
  public static Tool tool() {
    if (System.getProperty("surefire.test.class.path") != null || System.getProperty("surefire.real.class.path") != null
        || onClassPath("org/apache/maven/surefire/booter/ForkedBooter.class")) {
      return Tool.MAVEN;
    }
    if (System.getProperty("org.gradle.test.worker") != null
        || onClassPath("worker/org/gradle/process/internal/worker/GradleWorkerMain.class")) {
      return Tool.GRADLE;
    }
    return Tool.OTHER;
  }

  /** What to do, for {@code tool}: a clause that follows "junit-netns needs CAP_SYS_ADMIN ...: ". */
  public static String advice(Tool tool) {
    return switch (tool) {
      case MAVEN -> "run Maven as root (`sudo mvn verify`), or add the plugin io.github.junitnetns:junit-netns-maven-plugin"
          + " to the pom, which starts only the test JVMs with privileges (through sudo, or rootless); see " + DOCS;
      case GRADLE -> "run Gradle as root (`sudo ./gradlew test`), or start only the test JVMs with privileges (the Test"
          + " task's `executable`); see " + DOCS;
      case OTHER -> "run this JVM as root (sudo), or rootless with only this JVM, not a build tool, under"
          + " `unshare --user --map-root-user --net`; see " + DOCS;
    };
  }

  /** {@link #advice(Tool)} for the build tool that started this JVM. */
  public static String advice() {
    return advice(tool());
  }

  private static boolean onClassPath(String resource) {
    return ClassLoader.getSystemClassLoader().getResource(resource) != null;
  }
}
