package io.github.junitnetns.internal.launch;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;

/**
 * Writes the {@code java} wrapper that gives test JVMs the privileges junit-netns needs, for a
 * build tool's "use this java" setting (Surefire's and Failsafe's {@code jvm}, Gradle's
 * {@code Test.executable}). The Maven plugin calls {@link #prepare}; anything else runs
 * {@link #main}:
 *
 * <pre>
 * java -cp junit-netns.jar io.github.junitnetns.internal.launch.JvmWrapper --mode auto build/junit-netns
 * </pre>
 *
 * <p>Modes: {@code root} (the test JVM starts as it is: Maven or Gradle already has
 * {@code CAP_SYS_ADMIN}), {@code rootless} (each test JVM starts under
 * {@code unshare --user --map-root-user --net}, with {@code lo} brought up first, because the JDK
 * decides at startup whether IPv6 exists), {@code sudo} (each test JVM starts through
 * {@code sudo setpriv}, keeping the caller's uid and gid, with root's capabilities as ambient
 * capabilities, so every file it writes stays the caller's), {@code off} (nothing), and
 * {@code auto}: root if this process has {@code CAP_SYS_ADMIN}, else rootless if a probe JVM
 * starts that way, else sudo if a probe JVM starts that way without a password, else nothing,
 * with a warning that says how to enable one.
 *
 * <p>The wrapper is {@code DIR/bin/java} (Surefire insists on that name), with the real
 * {@code java} and the tools' absolute paths written into it, so it needs no environment; the real
 * JDK's {@code release} file is copied to {@code DIR}, where Surefire reads the version. When
 * no wrapper is needed, {@code DIR/bin/java} is removed: its existence says whether to use it.
 *
 * <p>This package uses only the JDK, so it also runs compiled on its own, before anything else is
 * built: {@code javac -d DIR2 .../internal/launch/*.java && java -cp DIR2
 * io.github.junitnetns.internal.launch.JvmWrapper --mode rootless DIR} (this repository's
 * {@code ci/} scripts do that). Not API: the command line is what is documented.
 */
public final class JvmWrapper {

  /** The modes, as written in {@code junitnetns.mode} or {@code --mode}. */
  public enum Mode {
    AUTO, ROOT, ROOTLESS, SUDO, OFF;

    /** The mode's name as users write it. */
    public String word() {
      return name().toLowerCase(Locale.ROOT);
    }

    /**
     * Parses a mode as users write it.
     *
     * @throws IllegalArgumentException naming {@code setting} and the values it takes
     */
    public static Mode parse(String value, String setting) {
      String word = value == null ? "" : value.strip().toLowerCase(Locale.ROOT);
      for (Mode mode : values()) {
        if (mode.word().equals(word)) {
          return mode;
        }
      }
      throw new IllegalArgumentException(setting + " is \"" + value + "\"; use one of auto, root, rootless, sudo, off");
    }
  }

  /**
   * What {@link #prepare} decided.
   *
   * @param mode the mode in effect: {@code ROOT}, {@code ROOTLESS}, {@code SUDO} or {@code OFF}
   *     (nothing done, also when {@code auto} found no way)
   * @param wrapper the {@code java} to give the build tool, or empty to leave it as it is
   * @param summary one line: what was chosen and why, for the build's log (empty when there is
   *     a {@code warning} instead)
   * @param warning one line saying that the tests will lack privileges and how to give them,
   *     or empty
   * @param realJava the java the test JVMs run
   * @param javaFeature that java's feature version (17, 21, 25, ...), or 0 if unknown
   */
  public record Result(Mode mode, Optional<Path> wrapper, String summary, String warning, Path realJava,
      int javaFeature) {

    /** The JVM options the test JVMs need: native access for JNA on JDK 22 and later. */
    public List<String> jvmOptions() {
      return javaFeature >= 22 ? List.of(NATIVE_ACCESS) : List.of();
    }
  }

  /** Thrown when an explicitly asked mode cannot work here; the message says why and what to do. */
  public static final class WrapperException extends Exception {
    private static final long serialVersionUID = 1L;

    WrapperException(String message) {
      super(message);
    }
  }

  /** Grants JNA native access (JEP 472), without which JDK 24 and later warn. */
  public static final String NATIVE_ACCESS = "--enable-native-access=ALL-UNNAMED";

  /** Bit 21 of the capability sets. */
  private static final int CAP_SYS_ADMIN = 21;

  private static final List<String> SYSTEM_DIRS = List.of("/usr/bin", "/bin", "/usr/sbin", "/sbin");

  private static final String APPARMOR_KNOB = "/proc/sys/kernel/apparmor_restrict_unprivileged_userns";

  /** Probe outcomes in this JVM, by wrapper script: a multi-module build probes once. */
  private static final Map<String, Optional<String>> PROBES = new ConcurrentHashMap<>();

  private JvmWrapper() {
  }

  /**
   * Decides the mode, writes {@code directory/bin/java} when it needs a wrapper (and removes a
   * stale one when it does not), and says what it did.
   *
   * @param mode the requested mode
   * @param setting how the user sets the mode, for messages ({@code junitnetns.mode}, {@code --mode})
   * @param directory where {@code bin/java} goes, e.g. {@code target/junit-netns}
   * @param realJava the {@code java} the test JVMs should run
   * @throws WrapperException an explicitly requested mode cannot work here
   */
  public static Result prepare(Mode mode, String setting, Path directory, Path realJava) throws WrapperException {
    return prepare(mode, setting, directory, realJava, Host.current());
  }

  static Result prepare(Mode mode, String setting, Path directory, Path realJava, Host host) throws WrapperException {
    Path java = realPath(realJava);
    Path wrapper = directory.resolve("bin").resolve("java");
    int feature = javaFeature(java);
    switch (mode) {
      case OFF -> {
        delete(wrapper);
        return new Result(Mode.OFF, Optional.empty(),
            "junit-netns: mode off (" + setting + "=off): the test JVMs start as they are", "", java, feature);
      }
      case ROOT -> {
        delete(wrapper);
        if (!host.capSysAdmin()) {
          throw new WrapperException("junit-netns: " + setting + "=root, but this build runs as uid " + host.uid()
              + " without CAP_SYS_ADMIN: run it as root, or set " + setting + "=auto");
        }
        return new Result(Mode.ROOT, Optional.empty(), "junit-netns: mode root (" + setting
            + "=root): the test JVMs start as they are, with CAP_SYS_ADMIN", "", java, feature);
      }
      case ROOTLESS, SUDO -> {
        Optional<String> refusal = tryMode(mode, host, wrapper, java);
        if (refusal.isPresent()) {
          delete(wrapper);
          throw new WrapperException("junit-netns: " + setting + "=" + mode.word() + ", but " + refusal.get()
              + (mode == Mode.ROOTLESS ? "; " + usernsAdvice() : "; " + sudoAdvice(host)));
        }
        return new Result(mode, Optional.of(wrapper), summary(mode, setting + "=" + mode.word(), host, wrapper),
            "", java, feature);
      }
      default -> {
        return auto(setting, host, wrapper, java, feature);
      }
    }
  }

  private static Result auto(String setting, Host host, Path wrapper, Path java, int feature) {
    if (host.capSysAdmin()) {
      delete(wrapper);
      return new Result(Mode.ROOT, Optional.empty(), "junit-netns: mode root (" + setting
          + "=auto, and this build runs with CAP_SYS_ADMIN): the test JVMs start as they are", "", java, feature);
    }
    Optional<String> rootless = tryMode(Mode.ROOTLESS, host, wrapper, java);
    if (rootless.isEmpty()) {
      return new Result(Mode.ROOTLESS, Optional.of(wrapper), summary(Mode.ROOTLESS, setting
          + "=auto, no CAP_SYS_ADMIN, and user namespaces are allowed", host, wrapper), "", java, feature);
    }
    Optional<String> sudo = tryMode(Mode.SUDO, host, wrapper, java);
    if (sudo.isEmpty()) {
      return new Result(Mode.SUDO, Optional.of(wrapper), summary(Mode.SUDO, setting
          + "=auto, no CAP_SYS_ADMIN, user namespaces refused, passwordless sudo", host, wrapper), "", java, feature);
    }
    delete(wrapper);
    return new Result(Mode.OFF, Optional.empty(), "", noWayWarning(setting, host, rootless.get(), sudo.get()), java,
        feature);
  }

  /** The one line said when {@code auto} finds no way: what was tried, and how to enable one. */
  static String noWayWarning(String setting, Host host, String rootlessRefusal, String sudoRefusal) {
    return "junit-netns: the test JVMs get no CAP_SYS_ADMIN, so tests that need a namespace will be skipped: "
        + "uid " + host.uid() + " has none, " + rootlessRefusal + ", and " + sudoRefusal + ". "
        + "Fix: " + usernsAdvice() + "; or allow sudo without a password for " + host.setpriv().orElse("/usr/bin/setpriv")
        + " (see junit-netns's docs/privileges-and-ci.md); or run the build as root. " + setting
        + "=off silences this";
  }

  private static String summary(Mode mode, String why, Host host, Path wrapper) {
    String how = mode == Mode.ROOTLESS ? "each in a user namespace of its own"
        : "as uid " + host.uid() + " with root's capabilities";
    return "junit-netns: mode " + mode.word() + " (" + why + "): the test JVMs start through " + wrapper + ", " + how;
  }

  /** How to allow user namespaces here, as a command. */
  static String usernsAdvice() {
    if (read(APPARMOR_KNOB).filter(v -> !v.equals("0")).isPresent()) {
      return "allow user namespaces, which AppArmor restricts (Ubuntu 23.10 and later): "
          + "sudo sysctl -w kernel.apparmor_restrict_unprivileged_userns=0";
    }
    if (read("/proc/sys/kernel/unprivileged_userns_clone").filter(v -> v.equals("0")).isPresent()) {
      return "allow user namespaces: sudo sysctl -w kernel.unprivileged_userns_clone=1";
    }
    if (read("/proc/sys/user/max_user_namespaces").filter(v -> v.equals("0")).isPresent()) {
      return "allow user namespaces: sudo sysctl -w user.max_user_namespaces=15000";
    }
    return "allow user namespaces (kernel.apparmor_restrict_unprivileged_userns=0 on Ubuntu, "
        + "kernel.unprivileged_userns_clone=1 on old Debian, user.max_user_namespaces > 0), "
        + "with unshare (util-linux) and ip (iproute2) installed";
  }

  private static String sudoAdvice(Host host) {
    return "allow uid " + host.uid() + " to run " + host.setpriv().orElse("/usr/bin/setpriv")
        + " with sudo without a password (see junit-netns's docs/privileges-and-ci.md)";
  }

  /** Writes the wrapper for {@code mode} and starts {@code java -version} through it; empty when that worked. */
  private static Optional<String> tryMode(Mode mode, Host host, Path wrapper, Path java) {
    Optional<String> missing = mode == Mode.ROOTLESS
        ? missing(host, "unshare", "ip")
        : missing(host, "sudo", "setpriv");
    if (missing.isPresent()) {
      return missing.map(what -> (mode == Mode.ROOTLESS ? "user namespaces cannot be used: " : "sudo cannot be used: ")
          + what);
    }
    String script = mode == Mode.ROOTLESS ? rootlessScript(host, java) : sudoScript(host, java);
    write(wrapper, script);
    copyRelease(java, wrapper);
    return PROBES.computeIfAbsent(script, key -> WrapperProbe.probe(mode, wrapper));
  }

  private static Optional<String> missing(Host host, String... tools) {
    List<String> absent = new ArrayList<>();
    for (String tool : tools) {
      if (host.tool(tool).isEmpty()) {
        absent.add(tool + " is not installed (" + (tool.equals("ip") ? "iproute2" : tool.equals("sudo") ? "sudo"
            : "util-linux") + ")");
      }
    }
    return absent.isEmpty() ? Optional.empty() : Optional.of(String.join(", ", absent));
  }

  /** The rootless wrapper: a user namespace where the caller is root, a network namespace, {@code lo} up. */
  static String rootlessScript(Host host, Path java) {
    return "#!/bin/sh\n"
        + "# Written by junit-netns (mode rootless): the java for the build tool's test JVMs. It starts the real\n"
        + "# java in a new user namespace, where it is root, with a network namespace of its own. lo goes up\n"
        + "# first: the JDK decides once, at startup, whether IPv6 exists (by looking for addresses).\n"
        + "exec " + quote(host.tool("unshare").orElseThrow()) + " --user --map-root-user --net -- /bin/sh -c "
        + quote("ip=$1; shift; \"$ip\" link set lo up && exec \"$0\" \"$@\"") + " " + quote(java.toString()) + " "
        + quote(host.tool("ip").orElseThrow()) + " \"$@\"\n";
  }

  /** The sudo wrapper: the caller's uid, gid and groups, with every bounding capability as ambient capabilities. */
  static String sudoScript(Host host, Path java) {
    String caps = host.boundingCapabilities().stream().map(bit -> "+cap_" + bit).collect(Collectors.joining(","));
    return "#!/bin/sh\n"
        + "# Written by junit-netns (mode sudo): the java for the build tool's test JVMs. It starts the real java\n"
        + "# through sudo and setpriv with the caller's uid, gid and groups and root's capabilities, so the\n"
        + "# kernel lets it create namespaces while every file it writes stays the caller's.\n"
        + "exec " + quote(host.tool("sudo").orElseThrow()) + " --non-interactive --preserve-env -- "
        + quote(host.setpriv().orElseThrow()) + " --reuid=" + host.uid() + " --regid=" + host.gid()
        + " --init-groups --inh-caps=" + caps + " --ambient-caps=" + caps + " -- " + quote(java.toString())
        + " \"$@\"\n";
  }

  /** A word for {@code /bin/sh}, in single quotes. */
  static String quote(String word) {
    return "'" + word.replace("'", "'\\''") + "'";
  }

  /** The feature version of the JDK that {@code java} belongs to, from its {@code release} file; 0 if unknown. */
  public static int javaFeature(Path java) {
    Path home = java.getParent() == null ? null : java.getParent().getParent();
    if (home != null) {
      try {
        for (String line : Files.readAllLines(home.resolve("release"), StandardCharsets.UTF_8)) {
          if (line.startsWith("JAVA_VERSION=")) {
            String version = line.substring("JAVA_VERSION=".length()).replace("\"", "");
            String feature = version.split("[.+-]", 2)[0];
            return feature.equals("1") ? 8 : Integer.parseInt(feature);
          }
        }
      } catch (IOException | NumberFormatException e) {
        // fall through: unknown
      }
    }
    Path running = realPath(Path.of(System.getProperty("java.home"), "bin", "java"));
    return running.equals(java) ? Runtime.version().feature() : 0;
  }

  private static Path realPath(Path path) {
    try {
      return path.toRealPath();
    } catch (IOException e) {
      return path.toAbsolutePath().normalize();
    }
  }

  private static void write(Path wrapper, String script) {
    try {
      Files.createDirectories(wrapper.getParent());
      Path temporary = Files.createTempFile(wrapper.getParent(), "java", ".tmp");
      Files.writeString(temporary, script, StandardCharsets.UTF_8);
      Files.setPosixFilePermissions(temporary, PosixFilePermissions.fromString("rwxr-xr-x"));
      Files.move(temporary, wrapper, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException e) {
      throw new UncheckedIOException("junit-netns: cannot write the test JVM wrapper " + wrapper + ": " + e, e);
    }
  }

  /**
   * Copies the real JDK's {@code release} file next to {@code bin/}, where Surefire looks for it to
   * tell the test JVM's version (module path or class path).
   */
  private static void copyRelease(Path java, Path wrapper) {
    Path home = java.getParent() == null ? null : java.getParent().getParent();
    if (home != null && Files.isRegularFile(home.resolve("release"))) {
      try {
        Files.copy(home.resolve("release"), wrapper.getParent().getParent().resolve("release"),
            StandardCopyOption.REPLACE_EXISTING);
      } catch (IOException e) {
        throw new UncheckedIOException("junit-netns: cannot copy " + home.resolve("release") + " next to " + wrapper
            + ": " + e, e);
      }
    }
  }

  private static void delete(Path wrapper) {
    try {
      Files.deleteIfExists(wrapper);
    } catch (IOException e) {
      throw new UncheckedIOException("junit-netns: cannot remove the stale test JVM wrapper " + wrapper + ": " + e, e);
    }
  }

  private static Optional<String> read(String file) {
    try {
      return Optional.of(Files.readString(Path.of(file)).strip());
    } catch (IOException e) {
      return Optional.empty();
    }
  }

  /**
   * What this process is and has, from {@code /proc/self/status}, and where the tools are.
   *
   * @param uid the effective uid
   * @param gid the effective gid
   * @param effective the effective capabilities, as a bit mask
   * @param bounding the bounding set, as a bit mask
   * @param path the directories searched for tools: the system's first, then {@code PATH}
   */
  record Host(int uid, int gid, long effective, long bounding, List<String> path) {

    static Host current() {
      Map<String, String> status;
      try {
        status = Files.readAllLines(Path.of("/proc/self/status")).stream().filter(line -> line.indexOf(':') > 0)
            .collect(Collectors.toMap(line -> line.substring(0, line.indexOf(':')),
                line -> line.substring(line.indexOf(':') + 1).strip(), (a, b) -> a));
      } catch (IOException e) {
        throw new UncheckedIOException("junit-netns: cannot read /proc/self/status (is this Linux?): " + e, e);
      }
      Set<String> dirs = new LinkedHashSet<>(SYSTEM_DIRS);
      String env = System.getenv("PATH");
      if (env != null) {
        for (String dir : env.split(":")) {
          if (!dir.isEmpty()) {
            dirs.add(dir);
          }
        }
      }
      return new Host(Integer.parseInt(status.get("Uid").split("\\s+")[1]),
          Integer.parseInt(status.get("Gid").split("\\s+")[1]), Long.parseUnsignedLong(status.get("CapEff"), 16),
          Long.parseUnsignedLong(status.get("CapBnd"), 16), List.copyOf(dirs));
    }

    boolean capSysAdmin() {
      return (effective >>> CAP_SYS_ADMIN & 1) != 0;
    }

    List<Integer> boundingCapabilities() {
      List<Integer> bits = new ArrayList<>();
      for (int bit = 0; bit < 64; bit++) {
        if ((bounding >>> bit & 1) != 0) {
          bits.add(bit);
        }
      }
      return bits;
    }

    Optional<String> tool(String name) {
      return path.stream().map(dir -> Path.of(dir, name)).filter(Files::isExecutable).map(Path::toString).findFirst();
    }

    Optional<String> setpriv() {
      return tool("setpriv");
    }
  }

  /**
   * {@code JvmWrapper [--mode auto|root|rootless|sudo|off] [--java PATH] DIR}: writes
   * {@code DIR/bin/java} when the mode needs it (and removes it when not), prints the line that
   * says what it chose and why, or the warning on stderr. Exit status 1 when an explicit mode
   * cannot work here, 2 for a bad command line.
   */
  public static void main(String[] args) {
    Mode mode = Mode.AUTO;
    Path java = Path.of(System.getProperty("java.home"), "bin", "java");
    Path directory = null;
    try {
      for (int i = 0; i < args.length; i++) {
        switch (args[i]) {
          case "--mode" -> mode = Mode.parse(value(args, ++i), "--mode");
          case "--java" -> java = Path.of(value(args, ++i));
          default -> {
            if (args[i].startsWith("-") || directory != null) {
              throw new IllegalArgumentException("unexpected argument \"" + args[i] + "\"");
            }
            directory = Path.of(args[i]);
          }
        }
      }
      if (directory == null) {
        throw new IllegalArgumentException("give the directory for bin/java, e.g. build/junit-netns");
      }
    } catch (IllegalArgumentException e) {
      System.err.println("JvmWrapper: " + e.getMessage());
      System.err.println("usage: java -cp junit-netns.jar " + JvmWrapper.class.getName()
          + " [--mode auto|root|rootless|sudo|off] [--java PATH] DIR");
      System.exit(2);
      return;
    }
    try {
      Result result = prepare(mode, "--mode", directory.toAbsolutePath(), java);
      if (!result.warning().isEmpty()) {
        System.err.println(result.warning());
      } else {
        System.out.println(result.summary());
      }
    } catch (WrapperException e) {
      System.err.println(e.getMessage());
      System.exit(1);
    }
  }

  private static String value(String[] args, int i) {
    if (i >= args.length) {
      throw new IllegalArgumentException(args[i - 1] + " needs a value");
    }
    return args[i];
  }
}
