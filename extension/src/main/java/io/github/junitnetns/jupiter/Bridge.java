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
 * A bridge (a virtual Ethernet switch) joining several namespaces of the test. The bridge lives
 * in a hidden namespace of its own (never the host's); each member is plugged in with a veth
 * pair, one end a port of the bridge, the other the member's interface.
 *
 * <pre>{@code
 * @IsolatedNetNs({"n1", "n2", "n3"})
 * @Bridge(name = "lan", members = {"n1", "n2", "n3"}, subnet = "10.0.1.0/24") // n1 .1, n2 .2, n3 .3 on eth0
 * class ClusterTest { ... }
 * }</pre>
 *
 * <p>Members get the subnet's host addresses in member order, or {@link #addresses()} one by one.
 * (Not to be confused with the library's {@link io.github.junitnetns.Bridge}, which this creates.)
 *
 * @see "docs/annotations.md#bridge in the junit-netns repository"
 */
@Target({ElementType.TYPE, ElementType.METHOD, ElementType.ANNOTATION_TYPE})
@Retention(RetentionPolicy.RUNTIME)
@Documented
@Inherited
@Repeatable(Bridge.List.class)
@ExtendWith(NetNsExtension.class)
public @interface Bridge {
  /** The bridge's name (at most 15 bytes), unique among the test's bridges and namespaces. */
  String name();

  /** The namespaces plugged in, by name. */
  String[] members();

  /** A subnet such as {@code 10.0.1.0/24}: members get its host addresses in order (.1, .2, ...). */
  String subnet() default "";

  /** One address per member, in member order (CIDR, or bare addresses inside {@link #subnet()}). */
  String[] addresses() default {};

  /** The members' interface names, in member order; default {@code eth0}, {@code eth1}, ... per namespace. */
  String[] interfaceNames() default {};

  /** The MTU of the members' veths (both ends); 0 is the kernel's default (1500). */
  int mtu() default 0;

  /** Holds repeated {@code @Bridge}; written by the compiler, not by hand. */
  @Target({ElementType.TYPE, ElementType.METHOD, ElementType.ANNOTATION_TYPE})
  @Retention(RetentionPolicy.RUNTIME)
  @Documented
  @Inherited
  @ExtendWith(NetNsExtension.class)
  @interface List {
    Bridge[] value();
  }
}
