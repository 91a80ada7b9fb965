package io.github.junitnetns.jupiter;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Selects a namespace by name for a {@link io.github.junitnetns.NetNs} parameter of a test or
 * lifecycle method. An unannotated {@code NetNs} parameter is the namespace the body runs in.
 * On a parameter of any other type (a {@code Network}, say) it fails the test with a
 * {@code ParameterResolutionException} rather than being ignored.
 *
 * <pre>{@code
 * @IsolatedNetNs({"client", "server"})
 * class ClientServerTest {
 *   @Test
 *   void talks(@Ns("server") NetNs server) throws Exception { // the body runs in "client"
 *     try (var socket = server.call(() -> new ServerSocket(80))) { ... }
 *   }
 * }
 * }</pre>
 *
 * @see "docs/annotations.md#parameters-and-ns in the junit-netns repository"
 */
@Target(ElementType.PARAMETER)
@Retention(RetentionPolicy.RUNTIME)
@Documented
public @interface Ns {
  /** The name given in {@link IsolatedNetNs#value()}. */
  String value();
}
