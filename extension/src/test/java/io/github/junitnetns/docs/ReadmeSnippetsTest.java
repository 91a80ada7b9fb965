package io.github.junitnetns.docs;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Every Java snippet of README.md compiles as pasted, without a warning. */
class ReadmeSnippetsTest {

  @Test
  void everyJavaSnippetOfTheReadmeCompilesAsPasted(@TempDir Path output) throws Exception {
    List<ReadmeSnippets.Snippet> snippets = ReadmeSnippets.all();
    assertThat(snippets).extracting(ReadmeSnippets.Snippet::className).contains("ServerTest", "PartitionTest");
    for (ReadmeSnippets.Snippet snippet : snippets) {
      assertThat(ReadmeSnippets.compile(snippet, output.resolve(snippet.className())))
          .as("javac on README.md's snippet %s:%n%s", snippet.className(), snippet.source()).isEmpty();
    }
  }

  @Test
  void aSnippetWithoutItsImportsWouldFail(@TempDir Path output) throws Exception {
    ReadmeSnippets.Snippet partition = ReadmeSnippets.all().stream()
        .filter(s -> s.className().equals("PartitionTest")).findFirst().orElseThrow();
    // The wrong Bridge, the library's class, is what an IDE may pick: the annotation does not compile.
    ReadmeSnippets.Snippet wrongBridge = new ReadmeSnippets.Snippet("PartitionTest",
        partition.source().replace("import io.github.junitnetns.jupiter.Bridge;", "import io.github.junitnetns.Bridge;"));
    assertThat(ReadmeSnippets.compile(wrongBridge, output)).anyMatch(d -> d.startsWith("ERROR"));
  }
}
