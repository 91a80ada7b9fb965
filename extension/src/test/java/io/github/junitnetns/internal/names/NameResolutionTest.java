package io.github.junitnetns.internal.names;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * What the resolver provider does, without a namespace: a table published for the namespace this
 * thread is in (the host's) with a name nobody else uses, so other tests running meanwhile never
 * see it.
 */
class NameResolutionTest {
  private final String name = "nrt-" + UUID.randomUUID();
  private final AtomicInteger builtin = new AtomicInteger();
  private final NameResolution resolution = new NameResolution(new HostCache(30, 0));

  private HostCache.Lookup builtinAnswer() {
    return () -> {
      builtin.incrementAndGet();
      return List.of(InetAddress.getByName("192.0.2.77"));
    };
  }

  private AutoCloseable publishHere(String address) throws Exception {
    String here = Files.readSymbolicLink(Path.of("/proc/thread-self/ns/net")).toString();
    return Names.publish(NameTable.builder().namespace(name, here).address(name, InetAddress.getByName(address)).build());
  }

  @Test
  void aPublishedNameIsAnsweredFreshEveryTimeAndNeverCached() throws Exception {
    AutoCloseable first = publishHere("10.9.0.1");
    assertThat(resolution.byName(name, 3, builtinAnswer())).containsExactly(InetAddress.getByName("10.9.0.1"));
    first.close();
    AutoCloseable second = publishHere("10.9.0.2");
    try {
      assertThat(resolution.byName(name, 3, builtinAnswer())).containsExactly(InetAddress.getByName("10.9.0.2"));
      assertThat(resolution.byAddress(InetAddress.getByName("10.9.0.2").getAddress(), () -> "elsewhere"))
          .isEqualTo(name);
    } finally {
      second.close();
    }
    assertThat(builtin).hasValue(0);
    // Withdrawn: the built-in resolver answers, and its answer is cached as the JDK would.
    assertThat(resolution.byName(name, 3, builtinAnswer())).containsExactly(InetAddress.getByName("192.0.2.77"));
    assertThat(resolution.byAddress(InetAddress.getByName("10.9.0.2").getAddress(), () -> "elsewhere"))
        .isEqualTo("elsewhere");
    AutoCloseable third = publishHere("10.9.0.3");
    try {
      assertThat(resolution.byName(name, 3, builtinAnswer())).containsExactly(InetAddress.getByName("10.9.0.3"));
    } finally {
      third.close();
    }
    assertThat(builtin).hasValue(1);
  }

  @Test
  void aNameWithoutAnAddressOfTheWantedFamilyIsUnknown() throws Exception {
    AutoCloseable published = publishHere("10.9.0.1");
    try {
      assertThatThrownBy(() -> resolution.byName(name, 2, builtinAnswer())).isInstanceOf(UnknownHostException.class)
          .hasMessage(name + ": the namespace has no address of the kind this lookup asks for"
              + " (java.net.preferIPv4Stack / preferIPv6Addresses)");
    } finally {
      published.close();
    }
  }

  @Test
  void theHostsFileListsTheNamesFirstThenTheHostsOwn() throws Exception {
    Path hosts = Files.createTempFile("hosts", "");
    AutoCloseable published = publishHere("10.9.0.1");
    try {
      Files.writeString(hosts, "127.0.0.1\tlocalhost\n");
      String here = Files.readSymbolicLink(Path.of("/proc/thread-self/ns/net")).toString();
      assertThat(Names.hostsFileFor(here, hosts)).endsWith("\n10.9.0.1\t" + name + "\n\n127.0.0.1\tlocalhost\n");
      assertThat(Names.hostsFileFor("net:[1]", hosts)).isNull();
    } finally {
      published.close();
      Files.delete(hosts);
    }
  }
}
