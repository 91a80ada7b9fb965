package io.github.junitnetns.testsupport;

import io.github.junitnetns.internal.ns.Pins;
import java.io.IOException;
import java.nio.file.Files;
import java.util.List;
import java.util.stream.Collectors;

/**
 * The pins a keep-on-failure test makes under /run/netns, and their removal afterwards: opened
 * before the run, {@link #added()} lists this JVM's pins made since, and {@link #close()} sweeps
 * this JVM's pins and removes /run/netns if it did not exist before. Counts only this JVM's pins:
 * other processes may add and remove entries of /run/netns meanwhile. Tests using it hold
 * {@code @ResourceLock("/run/netns")}.
 *
 * <pre>{@code
 * try (KeptPins kept = new KeptPins()) {
 *   run(FailingFixture.class, NetNsConfiguration.KEEP_ON_FAILURE, "true");
 *   assertThat(kept.added()).containsExactly(...);
 * }
 * }</pre>
 */
public final class KeptPins implements AutoCloseable {
  private final boolean hadDirectory = Files.isDirectory(Pins.RUN_NETNS);
  private final List<String> before = OwnNames.pins(OwnNames.PID);

  /** This JVM's pins made since this was opened, sorted. */
  public List<String> added() {
    return OwnNames.pins(OwnNames.PID).stream().filter(n -> !before.contains(n)).sorted().collect(Collectors.toList());
  }

  /** This JVM's pins as they were when this was opened. */
  public List<String> before() {
    return before;
  }

  /** Sweeps every pin of this JVM, as if it had ended, and removes /run/netns if it was made meanwhile. */
  @Override
  public void close() throws IOException {
    Pins.sweep(Pins.RUN_NETNS, p -> p != OwnNames.PID);
    OwnNames.removeRunNetnsIfMadeHere(hadDirectory);
  }
}
