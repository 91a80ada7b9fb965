package io.github.junitnetns.internal.launch;

import io.github.junitnetns.internal.launch.JvmWrapper.Mode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * Tries a wrapper {@link JvmWrapper} has just written: runs {@code wrapper -version} and says why it
 * failed, or nothing when it worked.
 */
final class WrapperProbe {
  private WrapperProbe() {}

  /** Empty when {@code wrapper -version} ran and exited 0; else what went wrong, for the mode's message. */
  static Optional<String> probe(Mode mode, Path wrapper) {
    String what = mode == Mode.ROOTLESS ? "user namespaces are refused" : "sudo refused";
    try {
      Process process = start(new ProcessBuilder(wrapper.toString(), "-version").redirectErrorStream(true));
      process.getOutputStream().close();
      byte[] output = process.getInputStream().readAllBytes();
      if (!process.waitFor(60, TimeUnit.SECONDS)) {
        process.destroyForcibly();
        return Optional.of(what + " (" + wrapper + " -version did not end within 60 s)");
      }
      if (process.exitValue() == 0) {
        return Optional.empty();
      }
      String text = new String(output, StandardCharsets.UTF_8).lines().map(String::strip)
          .filter(line -> !line.isEmpty()).findFirst().orElse("exit status " + process.exitValue());
      return Optional.of(what + " (" + text + ")");
    } catch (IOException e) {
      return Optional.of(what + " (cannot start " + wrapper + ": " + e.getMessage() + ")");
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return Optional.of(what + " (interrupted)");
    }
  }

  /**
   * Starts {@code builder}'s program, the wrapper just written: again a few times while the kernel
   * says "Text file busy" (ETXTBSY, error 26). A process that another thread of this JVM forks while
   * the wrapper is being written inherits the descriptor it is written through, until that child
   * execs; meanwhile the file cannot be executed.
   */
  private static Process start(ProcessBuilder builder) throws IOException, InterruptedException {
    for (int attempt = 1; ; attempt++) {
      try {
        return builder.start();
      } catch (IOException e) {
        if (attempt == 10 || e.getMessage() == null || !e.getMessage().contains("error=26,")) {
          throw e;
        }
        Thread.sleep(10L * attempt);
      }
    }
  }
}
