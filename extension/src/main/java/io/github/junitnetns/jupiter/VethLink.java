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
 * A veth (virtual Ethernet) pair between two namespaces of the test, created before it and
 * removed after it: what one end sends, the other receives.
 *
 * <pre>{@code
 * @IsolatedNetNs({"client", "server"})
 * @VethLink(left = "client", right = "server", subnet = "10.0.0.0/24") // client eth0 10.0.0.1, server eth0 10.0.0.2
 * class ClientServerTest { ... }
 * }</pre>
 *
 * <p>Addresses: {@link #subnet()} gives the left end the first host address and the right end the
 * second; {@link #leftAddress()}/{@link #rightAddress()} set them explicitly (CIDR, or a bare
 * address inside {@code subnet}). IPv6 works the same way and needs no wait for duplicate address
 * detection. With neither, the veth has no addresses. Interfaces are named {@code eth0},
 * {@code eth1}, ... in each namespace, in declaration order ({@code @VethLink}s before
 * {@code @Bridge}s), unless {@link #leftName()}/{@link #rightName()} say otherwise.
 *
 * <p>{@link #HOST} as an end connects the namespace the JVM started in: opt-in, since it puts an
 * interface on the host (named {@code jn<pid>-<n>}, in base 36, unless given). It is removed after the test,
 * also when the test fails.
 *
 * @see "docs/annotations.md#vethlink in the junit-netns repository"
 */
@Target({ElementType.TYPE, ElementType.METHOD, ElementType.ANNOTATION_TYPE})
@Retention(RetentionPolicy.RUNTIME)
@Documented
@Inherited
@Repeatable(VethLink.List.class)
@ExtendWith(NetNsExtension.class)
public @interface VethLink {
  /** The namespace the JVM started in (the host's, usually), as an end of a link. */
  String HOST = "<host>";

  /** Name of the namespace at the left end (from {@link IsolatedNetNs#value()}), or {@link #HOST}. */
  String left();

  /** Name of the namespace at the right end, or {@link #HOST}. */
  String right();

  /** A subnet such as {@code 10.0.0.0/24} or {@code fd00:1::/64}: left gets the first host address, right the second. */
  String subnet() default "";

  /** The left end's address, e.g. {@code 10.0.0.1/24}; inside {@link #subnet()} when both are given. */
  String leftAddress() default "";

  /** The right end's address, e.g. {@code 10.0.0.2/24}. */
  String rightAddress() default "";

  /** The left end's interface name (at most 15 bytes); default {@code eth0}, {@code eth1}, ... */
  String leftName() default "";

  /** The right end's interface name. */
  String rightName() default "";

  /** The MTU of both ends; 0 is the kernel's default (1500). */
  int mtu() default 0;

  /** Holds repeated {@code @VethLink}; written by the compiler, not by hand. */
  @Target({ElementType.TYPE, ElementType.METHOD, ElementType.ANNOTATION_TYPE})
  @Retention(RetentionPolicy.RUNTIME)
  @Documented
  @Inherited
  @ExtendWith(NetNsExtension.class)
  @interface List {
    VethLink[] value();
  }
}
