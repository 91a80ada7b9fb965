package io.github.junitnetns.jupiter;

import io.github.junitnetns.internal.capture.CaptureSession;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import org.junit.jupiter.api.extension.ExtensionConfigurationException;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ExtensionContext.Namespace;

/**
 * The {@code junit.netns.capture*} configuration parameters, read and checked once per engine run
 * and kept in the root context's store; a bad value is refused before any namespace exists.
 */
final class CaptureConfiguration {
  static final String CAPTURE = "junit.netns.capture";
  static final String DIR = "junit.netns.capture.dir";
  static final String LIMIT = "junit.netns.capture.limit";
  static final String SNAP_LENGTH = "junit.netns.capture.snaplen";

  /** When a test's recording is written to a file. */
  enum Mode { ON_FAILURE, ALWAYS, OFF }

  private static final Namespace NAMESPACE = Namespace.create(CaptureConfiguration.class);

  final Mode mode;
  final Path dir;
  final long limit;
  final int snapLength;

  private CaptureConfiguration(ExtensionContext context) {
    String value = context.getConfigurationParameter(CAPTURE).orElse("on-failure").trim();
    switch (value) {
      case "on-failure": mode = Mode.ON_FAILURE; break;
      case "always": mode = Mode.ALWAYS; break;
      case "off": mode = Mode.OFF; break;
      default:
        throw new ExtensionConfigurationException("Configuration parameter " + CAPTURE + " is \"" + value
            + "\"; use \"on-failure\" (the default: record every test, keep a pcapng file of each failed one),"
            + " \"always\" (keep one for every test) or \"off\" (record nothing).");
    }
    dir = context.getConfigurationParameter(DIR).map(String::trim).filter(s -> !s.isEmpty()).map(Path::of)
        .orElseGet(CaptureConfiguration::defaultDir);
    limit = size(context.getConfigurationParameter(LIMIT).orElse("8MiB").trim());
    String snap = context.getConfigurationParameter(SNAP_LENGTH).orElse(String.valueOf(
        CaptureSession.DEFAULT_SNAP_LENGTH)).trim();
    int parsed = -1;
    try {
      parsed = Integer.parseInt(snap);
    } catch (NumberFormatException e) {
      // refused below
    }
    if (parsed < 64 || parsed > 65535) {
      throw new ExtensionConfigurationException("Configuration parameter " + SNAP_LENGTH + " is \"" + snap
          + "\"; use the bytes kept of each packet, from 64 to 65535 (default 256: the headers).");
    }
    snapLength = parsed;
  }

  /** target/junit-netns under the working directory, or build/junit-netns where build/ exists and target/ does not. */
  private static Path defaultDir() {
    boolean gradle = Files.isDirectory(Path.of("build")) && !Files.isDirectory(Path.of("target"));
    return Path.of(gradle ? "build" : "target", "junit-netns");
  }

  /** {@code 8MiB}, {@code 512KiB}, {@code 1G}, {@code 65536}: bytes, at least 64 KiB. */
  private static long size(String text) {
    String s = text.toLowerCase(Locale.ROOT).replace(" ", "");
    long unit = 1;
    for (String[] suffix : new String[][] {{"kib", "1024"}, {"mib", "1048576"}, {"gib", "1073741824"}, {"k", "1024"},
        {"m", "1048576"}, {"g", "1073741824"}, {"b", "1"}}) {
      if (s.endsWith(suffix[0])) {
        unit = Long.parseLong(suffix[1]);
        s = s.substring(0, s.length() - suffix[0].length());
        break;
      }
    }
    long bytes = -1;
    try {
      bytes = Math.multiplyExact(Long.parseLong(s), unit);
    } catch (NumberFormatException | ArithmeticException e) {
      // refused below
    }
    if (bytes < 64 * 1024) {
      throw new ExtensionConfigurationException("Configuration parameter " + LIMIT + " is \"" + text
          + "\"; use the memory kept per test, at least 64KiB, e.g. 8MiB (the default), 512KiB or 65536.");
    }
    return bytes;
  }

  /** The configuration of the run {@code context} belongs to; a bad value is refused on every call. */
  static CaptureConfiguration of(ExtensionContext context) {
    ExtensionContext.Store store = context.getRoot().getStore(NAMESPACE);
    CaptureConfiguration configuration = store.get(CaptureConfiguration.class, CaptureConfiguration.class);
    if (configuration == null) {
      configuration = new CaptureConfiguration(context);
      store.put(CaptureConfiguration.class, configuration);
    }
    return configuration;
  }
}
