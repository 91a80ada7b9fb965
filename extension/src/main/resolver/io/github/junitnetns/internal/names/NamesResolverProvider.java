package io.github.junitnetns.internal.names;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.net.spi.InetAddressResolver;
import java.net.spi.InetAddressResolverProvider;
import java.util.stream.Stream;

/**
 * The JVM's resolver when the junit-netns jar is on the class path (JDK 18+; registered in
 * META-INF/services): the names of a test's namespaces on threads inside them, the JDK's built-in
 * resolver for everything else. The logic is {@link NameResolution}'s.
 *
 * <p>Built apart from the rest of the library: the SPI arrived in JDK 18 and the library compiles
 * for JDK 17, so this one source file is compiled (for class files JDK 17 can read) against copies
 * of the SPI's declarations patched into java.base at compile time, src/main/resolver-stubs. JDK 17
 * never loads it: it has no such service to look for.
 */
public final class NamesResolverProvider extends InetAddressResolverProvider {
  /** For {@link java.util.ServiceLoader}. */
  public NamesResolverProvider() {}

  @Override
  public InetAddressResolver get(Configuration configuration) {
    InetAddressResolver builtin = configuration.builtinResolver();
    NameResolution resolution = NameResolution.install();
    return new InetAddressResolver() {
      @Override
      public Stream<InetAddress> lookupByName(String host, LookupPolicy lookupPolicy) throws UnknownHostException {
        return resolution.byName(host, lookupPolicy.characteristics(),
            () -> builtin.lookupByName(host, lookupPolicy).toList()).stream();
      }

      @Override
      public String lookupByAddress(byte[] addr) throws UnknownHostException {
        return resolution.byAddress(addr, () -> builtin.lookupByAddress(addr));
      }
    };
  }

  @Override
  public String name() {
    return "junit-netns";
  }
}
