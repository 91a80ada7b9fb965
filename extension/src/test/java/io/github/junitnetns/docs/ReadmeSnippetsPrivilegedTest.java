package io.github.junitnetns.docs;

import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

import java.net.URLClassLoader;
import java.nio.file.Path;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.platform.testkit.engine.EngineTestKit;

/** The README's tests do what their comments say: compiled as pasted, then run, they pass. */
@Tag("privileged")
class ReadmeSnippetsPrivilegedTest {

  @Test
  void everyTestOfTheReadmePasses(@TempDir Path output) throws Exception {
    for (ReadmeSnippets.Snippet snippet : ReadmeSnippets.all()) {
      Path classes = output.resolve(snippet.className());
      ReadmeSnippets.compile(snippet, classes);
      try (URLClassLoader loader = ReadmeSnippets.loader(classes)) {
        EngineTestKit.engine("junit-jupiter")
            .selectors(selectClass(loader.loadClass(snippet.className())))
            .execute()
            .testEvents()
            .assertStatistics(stats -> stats.started(1).succeeded(1));
      }
    }
  }
}
