package io.github.junitnetns.internal.process;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Finding programs on the PATH, as the JDK does for {@link ProcessBuilder#start()}: in the JVM's own PATH. */
final class Programs {
  private static volatile String nsenter;
  private static volatile boolean nsenterLooked;

  private Programs() {}

  /** The nsenter(1) of util-linux or busybox, or null when the PATH has none. */
  static String nsenter() {
    if (!nsenterLooked) {
      Path found = find("nsenter");
      nsenter = found == null ? null : found.toString();
      nsenterLooked = true;
    }
    return nsenter;
  }

  /**
   * {@code program} as an absolute path when it is a bare name found on the PATH; unchanged when it
   * names a file by path (nsenter then finds it relative to the process's working directory).
   */
  static String resolve(String program, File directory) throws IOException {
    if (program.indexOf('/') >= 0) {
      return program;
    }
    Path found = find(program);
    if (found == null) {
      throw new IOException("Cannot run program \"" + program + "\": no executable \"" + program
          + "\" in any directory of the PATH (" + System.getenv("PATH") + "); install it or give its full path");
    }
    return found.toString();
  }

  private static Path find(String name) {
    String path = System.getenv("PATH");
    if (name.isEmpty() || path == null) {
      return null;
    }
    for (String directory : path.split(":")) {
      Path candidate = Path.of(directory.isEmpty() ? "." : directory, name);
      if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) {
        return candidate.toAbsolutePath();
      }
    }
    return null;
  }
}
