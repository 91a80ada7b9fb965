package io.github.junitnetns.jupiter;

import io.github.junitnetns.NetNs;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.testkit.engine.EngineExecutionResults;
import org.junit.platform.testkit.engine.Event;
import org.junit.platform.testkit.engine.Events;

/**
 * The child JVM's side of {@link UnprivilegedPrivilegedTest}: runs a fixture (argument: the
 * unprivileged mode, or {@code default}) or the library ({@code library PID}) and prints what happened.
 * What the extension logs goes to stderr, as java.util.logging's console handler writes it.
 */
public final class UnprivilegedRun {
  @IsolatedNetNs
  static class Fixture {
    @Test
    void needsANamespace() {}

    @Test
    void needsAnotherNamespace() {}

    @Test
    void needsAThirdNamespace() {}
  }

  public static void main(String[] args) throws Exception {
    Files.readAllLines(Path.of("/proc/self/status")).stream().filter(l -> l.startsWith("CapEff")).forEach(System.out::println);
    if (args[0].equals("library")) {
      library(java.util.Arrays.copyOfRange(args, 1, args.length));
      return;
    }
    // "default": the parameter unset, so that its default (which depends on the environment variable CI) applies.
    EngineExecutionResults results = args[0].equals("default") ? EngineRuns.run(Fixture.class)
        : EngineRuns.run(Fixture.class, "junit.netns.unprivileged", args[0]);
    Events tests = results.testEvents();
    System.out.println("started=" + tests.started().count() + " aborted=" + tests.aborted().count()
        + " failed=" + tests.failed().count() + " succeeded=" + tests.succeeded().count());
    tests.list().stream().map((Event e) -> e.getPayload(TestExecutionResult.class))
        .flatMap(java.util.Optional::stream)
        .flatMap(r -> r.getThrowable().stream())
        .forEach(t -> System.out.println("type=" + t.getClass().getName() + "\nreason=" + t.getMessage()));
  }

  /** The library without the extension: creating a namespace, and entering the ones the processes {@code pids} are in. */
  private static void library(String... pids) {
    try (NetNs ns = NetNs.create("unprivileged")) {
      System.out.println("create=succeeded " + ns);
    } catch (RuntimeException e) {
      System.out.println("create=" + e.getClass().getName() + ": " + e.getMessage());
    }
    for (String pid : pids) {
      try (NetNs other = NetNs.ofPid(Long.parseLong(pid))) {
        other.run(() -> {});
        System.out.println("enter " + pid + "=succeeded");
      } catch (RuntimeException e) {
        System.out.println("enter " + pid + "=" + e.getClass().getName() + ": " + e.getMessage());
      }
    }
  }
}
