package io.github.junitnetns.docs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

import io.github.junitnetns.testsupport.NestedEngine;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URLClassLoader;
import java.nio.file.Path;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.api.parallel.Isolated;
import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.testkit.engine.EngineTestKit;
import org.junit.platform.testkit.engine.Events;

/**
 * The README's tests do what their comments say: compiled as pasted, then run, they pass.
 * {@code @Isolated}: their timeouts (a 1 s connect) are a reader's, not a loaded CI machine's.
 */
@Tag("privileged")
@Isolated
class ReadmeSnippetsPrivilegedTest {

  @Test
  void everyTestOfTheReadmePasses(@TempDir Path output) throws Exception {
    for (ReadmeSnippets.Snippet snippet : ReadmeSnippets.all()) {
      Path classes = output.resolve(snippet.className());
      ReadmeSnippets.compile(snippet, classes);
      try (URLClassLoader loader = ReadmeSnippets.loader(classes)) {
        Events tests = NestedEngine.execute(EngineTestKit.engine("junit-jupiter")
            .selectors(selectClass(loader.loadClass(snippet.className()))))
            .testEvents();
        assertThat(tests.failed().stream()
            .map(event -> event.getRequiredPayload(TestExecutionResult.class).getThrowable()
                .map(ReadmeSnippetsPrivilegedTest::describe).orElse("(no exception)")))
            .as("failures of the README's %s", snippet.className()).isEmpty();
        tests.assertStatistics(stats -> stats.started(1).succeeded(1));
      }
    }
  }

  private static String describe(Throwable failure) {
    StringWriter trace = new StringWriter();
    failure.printStackTrace(new PrintWriter(trace));
    return trace.toString();
  }
}
