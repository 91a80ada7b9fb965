package io.github.junitnetns.testsupport;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;

/**
 * Wireshark's command-line reader, an independent check of the pcapng files junit-netns writes.
 * Where it is not installed the test is skipped naming the package ({@code apt-get install
 * tshark}; {@code ci/install-test-tools} installs it on CI), never passed.
 */
public final class Tshark {
  private Tshark() {}

  /** Skips the calling test unless tshark is on the PATH. */
  public static void assumeInstalled() {
    boolean found = Stream.of(System.getenv().getOrDefault("PATH", "/usr/bin:/bin").split(":"))
        .anyMatch(dir -> Files.isExecutable(Path.of(dir, "tshark")));
    Assumptions.assumeTrue(found, "tshark is not installed: apt-get install tshark (Debian/Ubuntu package tshark)"
        + " to read the capture files independently");
  }

  /**
   * The fields of every packet of {@code file} matching the display {@code filter}, one row per
   * packet, e.g. {@code fields(file, "tcp.flags.syn==1", "frame.interface_name", "ip.src")}.
   */
  public static List<List<String>> fields(Path file, String filter, String... fields)
      throws IOException, InterruptedException {
    List<String> command = new ArrayList<>(List.of("tshark", "-n", "-r", file.toString(), "-T", "fields",
        "-E", "separator=/t", "-E", "occurrence=f"));
    if (!filter.isEmpty()) {
      command.add("-Y");
      command.add(filter);
    }
    for (String field : fields) {
      command.add("-e");
      command.add(field);
    }
    Path output = Files.createTempFile("junit-netns-tshark", ".out");
    Path errors = Files.createTempFile("junit-netns-tshark", ".err");
    try {
      Process process = new ProcessBuilder(command).redirectOutput(output.toFile()).redirectError(errors.toFile())
          .start();
      if (!process.waitFor(30, TimeUnit.SECONDS)) {
        process.destroyForcibly();
        throw new AssertionError("tshark did not end within 30 s: " + command);
      }
      if (process.exitValue() != 0) {
        throw new AssertionError("tshark exited with " + process.exitValue() + " reading " + file + ":\n"
            + Files.readString(errors, StandardCharsets.UTF_8));
      }
      List<List<String>> rows = new ArrayList<>();
      for (String line : Files.readAllLines(output, StandardCharsets.UTF_8)) {
        if (!line.isEmpty()) {
          rows.add(List.of(line.split("\t", -1)));
        }
      }
      return rows;
    } finally {
      Files.deleteIfExists(output);
      Files.deleteIfExists(errors);
    }
  }

  /** Every frame of {@code file}, one line each (time, interface, tshark's summary), for a failure message. */
  public static String everyFrame(Path file) {
    try {
      return fields(file, "", "frame.time_epoch", "frame.interface_name", "_ws.col.Info").stream()
          .map(row -> String.join(" ", row)).collect(Collectors.joining("\n"));
    } catch (Exception e) {
      return "(unreadable: " + e + ")";
    }
  }
}
