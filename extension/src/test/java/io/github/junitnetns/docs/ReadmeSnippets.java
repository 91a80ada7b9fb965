package io.github.junitnetns.docs;

import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.net.MalformedURLException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.tools.Diagnostic;
import javax.tools.DiagnosticCollector;
import javax.tools.JavaCompiler;
import javax.tools.JavaFileObject;
import javax.tools.StandardJavaFileManager;
import javax.tools.ToolProvider;

/**
 * The Java snippets of README.md, taken verbatim and compiled as they stand, against this test's
 * class path (the extension, JUnit, AssertJ, Awaitility): a snippet that stops compiling, or needs
 * an import it does not show, fails the build.
 */
final class ReadmeSnippets {
  private static final Pattern JAVA_BLOCK = Pattern.compile("(?ms)^```java\\n(.*?)^```$");
  private static final Pattern CLASS_NAME = Pattern.compile("(?m)^(?:public\\s+)?(?:final\\s+)?class\\s+(\\w+)");

  /** One snippet: its text and the name of its top-level class. */
  record Snippet(String className, String source) {}

  private ReadmeSnippets() {}

  /** The repository's README.md, found from the module's directory (Surefire's working directory) upwards. */
  static Path readme() {
    for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
      if (Files.isRegularFile(dir.resolve("README.md")) && Files.isDirectory(dir.resolve("extension"))) {
        return dir.resolve("README.md");
      }
    }
    throw new IllegalStateException("no README.md above " + Path.of("").toAbsolutePath());
  }

  static List<Snippet> all() {
    String text;
    try {
      text = Files.readString(readme(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    List<Snippet> snippets = new ArrayList<>();
    Matcher block = JAVA_BLOCK.matcher(text);
    while (block.find()) {
      String source = block.group(1);
      Matcher name = CLASS_NAME.matcher(source);
      if (!name.find()) {
        throw new IllegalStateException("a README snippet declares no top-level class:\n" + source);
      }
      snippets.add(new Snippet(name.group(1), source));
    }
    return snippets;
  }

  /**
   * Compiles {@code snippet} into {@code output} with every lint warning but {@code try} (the first
   * snippet's server is a placeholder its body never touches), and returns javac's diagnostics.
   */
  static List<String> compile(Snippet snippet, Path output) throws IOException {
    Path sources = Files.createDirectories(output.resolve("src"));
    Path file = sources.resolve(snippet.className() + ".java");
    Files.writeString(file, snippet.source(), StandardCharsets.UTF_8);
    JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
    DiagnosticCollector<JavaFileObject> diagnostics = new DiagnosticCollector<>();
    try (StandardJavaFileManager files = javac.getStandardFileManager(diagnostics, Locale.ROOT, StandardCharsets.UTF_8)) {
      List<String> options = List.of("--release", "17", "-Xlint:all,-try,-processing", "-proc:none",
          "-classpath", System.getProperty("java.class.path"), "-d", output.toString());
      StringWriter out = new StringWriter();
      javac.getTask(out, files, diagnostics, options, null, files.getJavaFileObjects(file)).call();
      List<String> found = new ArrayList<>();
      for (Diagnostic<? extends JavaFileObject> d : diagnostics.getDiagnostics()) {
        found.add(d.getKind() + " line " + d.getLineNumber() + ": " + d.getMessage(Locale.ROOT));
      }
      if (!out.toString().isBlank()) {
        found.add(out.toString());
      }
      return found;
    }
  }

  /** A class loader for the classes compiled into {@code output}, above this test's. */
  static URLClassLoader loader(Path output) {
    try {
      return new URLClassLoader(new URL[] {output.toUri().toURL()}, ReadmeSnippets.class.getClassLoader());
    } catch (MalformedURLException e) {
      throw new IllegalStateException(e);
    }
  }
}
