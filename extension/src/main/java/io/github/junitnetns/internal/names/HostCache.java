package io.github.junitnetns.internal.names;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.security.Security;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

/**
 * The JDK's address cache, kept here instead of in {@code InetAddress}. The JDK caches every
 * answer by name alone, JVM-wide, before a resolver is asked again; one test's {@code server}
 * would then be another's, and a host thread's. So when the JVM loads this library's resolver
 * (before its first lookup has been cached: {@code sun.net.InetAddressCachePolicy} reads its
 * security properties once, after that lookup) the JDK's cache is turned off, and the names the
 * test's namespaces do not define are cached here with the same settings the JDK would have used:
 * {@code networkaddress.cache.ttl} (or {@code sun.net.inetaddr.ttl}; 30 s by default, negative
 * for ever) and {@code networkaddress.cache.negative.ttl} (or {@code sun.net.inetaddr.negative.ttl};
 * the JDK's java.security sets 10 s). Test names are never cached.
 */
final class HostCache {
  static final String TTL = "networkaddress.cache.ttl";
  static final String NEGATIVE_TTL = "networkaddress.cache.negative.ttl";

  /** A lookup through the JDK's built-in resolver. */
  @FunctionalInterface
  interface Lookup {
    List<InetAddress> lookup() throws UnknownHostException;
  }

  private record Answer(List<InetAddress> addresses, String failure, long expiresAt, boolean forever) {
    boolean fresh(long now) {
      return forever || now - expiresAt < 0;
    }
  }

  private final int positiveSeconds;
  private final int negativeSeconds;
  private final ConcurrentMap<String, Answer> answers = new ConcurrentHashMap<>();

  HostCache(int positiveSeconds, int negativeSeconds) {
    this.positiveSeconds = positiveSeconds;
    this.negativeSeconds = negativeSeconds;
  }

  /** Reads the settings the JDK would use, then turns the JDK's own cache off. */
  static HostCache takeOver() {
    int positive = setting(TTL, "sun.net.inetaddr.ttl", 30);
    int negative = setting(NEGATIVE_TTL, "sun.net.inetaddr.negative.ttl", 0);
    Security.setProperty(TTL, "0");
    Security.setProperty(NEGATIVE_TTL, "0");
    return new HostCache(positive, negative);
  }

  /** {@code host}'s answer from the cache while fresh, otherwise from {@code builtin}, then kept as the settings say. */
  List<InetAddress> lookup(String host, int characteristics, Lookup builtin) throws UnknownHostException {
    String key = characteristics + " " + host;
    long now = System.nanoTime();
    Answer cached = answers.get(key);
    if (cached != null && cached.fresh(now)) {
      if (cached.failure() != null) {
        throw new UnknownHostException(cached.failure());
      }
      return cached.addresses();
    }
    try {
      List<InetAddress> addresses = List.copyOf(builtin.lookup());
      keep(key, addresses, null, positiveSeconds, now);
      return addresses;
    } catch (UnknownHostException e) {
      keep(key, null, e.getMessage(), negativeSeconds, now);
      throw e;
    }
  }

  private void keep(String key, List<InetAddress> addresses, String failure, int seconds, long now) {
    if (seconds == 0) {
      answers.remove(key);
    } else {
      answers.put(key, new Answer(addresses, failure, now + seconds * 1_000_000_000L, seconds < 0));
    }
  }

  /** As {@code InetAddressCachePolicy} reads it: the security property, else the system property, else the default. */
  private static int setting(String securityProperty, String systemProperty, int otherwise) {
    try {
      String value = Security.getProperty(securityProperty);
      if (value != null) {
        return Integer.parseInt(value.trim());
      }
    } catch (NumberFormatException ignored) {
      // as the JDK: an unreadable value counts as unset
    }
    try {
      String value = System.getProperty(systemProperty);
      if (value != null) {
        return Integer.decode(value.trim());
      }
    } catch (NumberFormatException ignored) {
      // likewise
    }
    return otherwise;
  }
}
