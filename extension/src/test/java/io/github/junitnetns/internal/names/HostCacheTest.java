package io.github.junitnetns.internal.names;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** The JDK's address cache as kept by junit-netns for names that are not a test's. */
class HostCacheTest {
  private final AtomicInteger asked = new AtomicInteger();

  private HostCache.Lookup answers(String literal) {
    return () -> {
      asked.incrementAndGet();
      return List.of(InetAddress.getByName(literal));
    };
  }

  private HostCache.Lookup fails() {
    return () -> {
      asked.incrementAndGet();
      throw new UnknownHostException("nowhere: Name or service not known");
    };
  }

  @Test
  void answersAreKeptForThePositiveTimeToLive() throws Exception {
    HostCache cache = new HostCache(30, 0);
    assertThat(cache.lookup("db", 3, answers("192.0.2.1"))).containsExactly(InetAddress.getByName("192.0.2.1"));
    assertThat(cache.lookup("db", 3, answers("192.0.2.9"))).containsExactly(InetAddress.getByName("192.0.2.1"));
    assertThat(asked).hasValue(1);
    cache.lookup("db", 1, answers("192.0.2.9")); // another lookup policy is another question
    assertThat(asked).hasValue(2);
  }

  @Test
  void failuresAreKeptForTheNegativeTimeToLiveOnly() throws Exception {
    HostCache negative = new HostCache(30, 10);
    assertThatThrownBy(() -> negative.lookup("nowhere", 3, fails())).isInstanceOf(UnknownHostException.class);
    assertThatThrownBy(() -> negative.lookup("nowhere", 3, answers("192.0.2.1")))
        .isInstanceOf(UnknownHostException.class).hasMessage("nowhere: Name or service not known");
    assertThat(asked).hasValue(1);
    HostCache never = new HostCache(0, 0);
    assertThatThrownBy(() -> never.lookup("nowhere", 3, fails())).isInstanceOf(UnknownHostException.class);
    assertThat(never.lookup("nowhere", 3, answers("192.0.2.1"))).hasSize(1);
    assertThat(never.lookup("nowhere", 3, answers("192.0.2.2"))).containsExactly(InetAddress.getByName("192.0.2.2"));
    assertThat(asked).hasValue(4);
  }
}
