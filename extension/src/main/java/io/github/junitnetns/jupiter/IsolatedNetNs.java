package io.github.junitnetns.jupiter;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Inherited;
import java.lang.annotation.Repeatable;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Runs tests in fresh Linux network namespaces: their own {@code lo}, ports, routes and firewall,
 * so a test can bind a fixed port while the host and parallel tests use the same one.
 *
 * <pre>{@code
 * @IsolatedNetNs
 * class ServerTest {
 *   @Test
 *   void bindsTheRealPort() throws IOException {
 *     try (var server = new ServerSocket(8080)) { ... } // no clash with the host or a parallel test
 *   }
 * }
 * }</pre>
 *
 * <p>On a class or a method, repeatable, usable as a meta-annotation. {@link #value()} names the
 * namespaces ({@code @IsolatedNetNs({"client", "server"})}); without names there is one unnamed
 * namespace. The test body and its {@code @BeforeEach}/{@code @AfterEach} methods run on a
 * dedicated platform thread inside the first namespace declared (class before method; outer
 * class before {@code @Nested} class); other namespaces are reached with {@code @Ns("name") NetNs}
 * parameters. Extension callbacks and the test instance's constructor run on JUnit's own thread,
 * outside.
 *
 * <p>Needs CAP_SYS_ADMIN in the test JVM (root, or for Maven the junit-netns Maven plugin, which
 * elevates only the test JVMs; see docs/privileges-and-ci.md); without it the test is aborted
 * (reported as skipped, and the first such skip in a JVM is logged as a warning), or failed when
 * the configuration parameter {@code junit.netns.unprivileged=fail} is set, which is the default
 * when the environment variable {@code CI} is {@code true}.
 *
 * @see "docs/annotations.md#isolatednetns in the junit-netns repository"
 */
@Target({ElementType.TYPE, ElementType.METHOD, ElementType.ANNOTATION_TYPE})
@Retention(RetentionPolicy.RUNTIME)
@Documented
@Inherited
@Repeatable(IsolatedNetNs.List.class)
@ExtendWith(NetNsExtension.class)
public @interface IsolatedNetNs {
  /**
   * Names of the namespaces, unique within a test; letters, digits, {@code .}, {@code _} and
   * {@code -}, at most 32 characters. Empty: one unnamed namespace.
   */
  String[] value() default {};

  /**
   * Turns on IPv4 and IPv6 forwarding ({@code net.ipv4.ip_forward}, {@code net.ipv6.conf.all.forwarding})
   * in these namespaces, so they route between their links:
   * {@code @IsolatedNetNs(value = "router", forwarding = true)}. The host's settings are untouched.
   */
  boolean forwarding() default false;

  /** How long the namespaces live: a fresh set for every test (the default), or one for the whole class. */
  Scope scope() default Scope.TEST;

  /** The lifetime of the namespaces of one {@code @IsolatedNetNs}. */
  enum Scope {
    /** Created before each test (and each invocation of a parameterized or repeated test), removed after it. */
    TEST,
    /**
     * Created before the class's {@code @BeforeAll} methods, shared by all its tests, removed after
     * its {@code @AfterAll} methods, which then run inside too. Only on classes. Tests running at
     * the same time share them and see each other's faults; each test's own faults and shaping
     * are undone when it ends (see {@code Network.heal()}).
     */
    CLASS
  }

  /** Holds repeated {@code @IsolatedNetNs}; written by the compiler, not by hand. */
  @Target({ElementType.TYPE, ElementType.METHOD, ElementType.ANNOTATION_TYPE})
  @Retention(RetentionPolicy.RUNTIME)
  @Documented
  @Inherited
  @ExtendWith(NetNsExtension.class)
  @interface List {
    IsolatedNetNs[] value();
  }
}
