package java.net.spi;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.stream.Stream;

/**
 * Compile-time copy of the declarations of the JDK 18 interface (Java SE API), so that
 * NamesResolverProvider compiles on JDK 17. Never packaged: the JVM's own is used at run time.
 */
public interface InetAddressResolver {
  Stream<InetAddress> lookupByName(String host, LookupPolicy lookupPolicy) throws UnknownHostException;

  String lookupByAddress(byte[] addr) throws UnknownHostException;

  final class LookupPolicy {
    public static final int IPV4 = 1 << 0;
    public static final int IPV6 = 1 << 1;
    public static final int IPV4_FIRST = 1 << 2;
    public static final int IPV6_FIRST = 1 << 3;

    private final int characteristics;

    private LookupPolicy(int characteristics) {
      this.characteristics = characteristics;
    }

    public static LookupPolicy of(int characteristics) {
      return new LookupPolicy(characteristics);
    }

    public int characteristics() {
      return characteristics;
    }
  }
}
