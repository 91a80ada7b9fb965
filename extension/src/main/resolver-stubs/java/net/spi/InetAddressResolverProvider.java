package java.net.spi;

/**
 * Compile-time copy of the declarations of the JDK 18 class (Java SE API), so that
 * NamesResolverProvider compiles on JDK 17. Never packaged: the JVM's own class is used at run time.
 */
public abstract class InetAddressResolverProvider {
  protected InetAddressResolverProvider() {}

  public abstract InetAddressResolver get(Configuration configuration);

  public abstract String name();

  public interface Configuration {
    InetAddressResolver builtinResolver();

    String lookupLocalHostName();
  }
}
