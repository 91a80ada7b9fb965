package io.github.junitnetns.internal.ns;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Makes processes started inside namespaces die with the JVM, even when it is killed by SIGKILL.
 *
 * <p>A namespace of ours disappears with the JVM's descriptors, unless a process is still inside: a
 * child started with {@code NetNs.exec} outlives a killed JVM (it is merely reparented), and with it
 * the namespace, its links and the host end of any veth. So on the first {@code exec} the JVM starts
 * one small {@code /bin/sh} watchdog (in its initial namespace) whose standard input is a pipe from
 * the JVM. The JVM tells it which namespaces and processes to watch and which to forget; when the
 * pipe reaches end of file, which the kernel guarantees however the JVM ends, the watchdog kills
 * every process still inside a watched namespace (found through {@code /proc/PID/ns/net}, so
 * processes that daemonized are found too) and the watched processes of namespaces we only opened,
 * removes the directory of captured output, and exits. It ignores SIGINT, SIGHUP and SIGTERM, so a
 * Ctrl-C to the terminal's process group does not take it down before the JVM.
 */
public final class Watchdog {
  // Lines on standard input: +N / -N watch / forget namespace inode N; p+PID / p-PID: a process.
  private static final String SCRIPT = String.join("\n",
      "trap '' INT HUP TERM QUIT",
      "nets=' '; pids=' '",
      "drop() { out=' '; for x in $1; do [ \"$x\" = \"$2\" ] || out=\"$out$x \"; done; echo \"$out\"; }",
      "while IFS= read -r line; do",
      "  case $line in",
      "    p+*) pids=\"$pids${line#p+} \" ;;",
      "    p-*) pids=$(drop \"$pids\" \"${line#p-}\") ;;",
      "    +*) nets=\"$nets${line#+} \" ;;",
      "    -*) nets=$(drop \"$nets\" \"${line#-}\") ;;",
      "  esac",
      "done",
      "for p in $pids; do kill -9 \"$p\" 2>/dev/null; done",
      "if [ \"$nets\" != ' ' ]; then",
      "  for round in 1 2 3 4 5 6 7 8 9 10; do",
      "    found=",
      "    for d in /proc/[0-9]*; do",
      "      l=$(readlink \"$d/ns/net\" 2>/dev/null) || continue",
      "      for n in $nets; do",
      "        if [ \"$l\" = \"net:[$n]\" ]; then kill -9 \"${d#/proc/}\" 2>/dev/null; found=1; fi",
      "      done",
      "    done",
      "    [ -n \"$found\" ] || break",
      "    sleep 0.1",
      "  done",
      "fi",
      "rm -rf \"$1\"",
      "");

  private static Watchdog instance;
  private static boolean unavailable;

  private final Process process;
  private final OutputStream commands;
  private final Path captureDirectory;

  private Watchdog(Process process, Path captureDirectory) {
    this.process = process;
    this.commands = process.getOutputStream();
    this.captureDirectory = captureDirectory;
  }

  /**
   * The JVM's watchdog, started on first use from a carrier in the JVM's initial namespace; null if
   * it cannot be started (no /bin/sh), in which case processes may outlive a killed JVM.
   */
  public static synchronized Watchdog get() {
    if (instance != null || unavailable) {
      return instance;
    }
    Carrier carrier = Carrier.acquire();
    Path directory = null;
    try {
      Path dir = Files.createTempDirectory("junit-netns-" + ProcessHandle.current().pid() + "-");
      directory = dir;
      Process process = carrier.call(() -> new ProcessBuilder("/bin/sh", "-c", SCRIPT, "junit-netns-watchdog",
          dir.toString()).redirectOutput(ProcessBuilder.Redirect.DISCARD)
          .redirectError(ProcessBuilder.Redirect.DISCARD).start());
      instance = new Watchdog(process, dir);
    } catch (Throwable t) {
      unavailable = true;
      System.getLogger(Watchdog.class.getName()).log(System.Logger.Level.WARNING, "junit-netns: cannot start the"
          + " watchdog that kills processes started by NetNs.exec if the JVM is killed (" + t + "); they may"
          + " outlive a killed JVM");
      if (directory != null) {
        try {
          Files.deleteIfExists(directory);
        } catch (IOException ignored) {
          // an empty temporary directory
        }
      }
    } finally {
      carrier.release();
    }
    return instance;
  }

  /** The directory for captured process output, removed by the watchdog when the JVM ends. */
  public Path captureDirectory() {
    return captureDirectory;
  }

  /** Kill whatever is inside the namespace with this inode if the JVM dies. */
  public void watchNamespace(long inode) {
    send("+" + inode);
  }

  public void forgetNamespace(long inode) {
    send("-" + inode);
  }

  /** Kill this process if the JVM dies (for namespaces that are not ours, where we kill only our own). */
  public void watchProcess(long pid) {
    send("p+" + pid);
  }

  public void forgetProcess(long pid) {
    send("p-" + pid);
  }

  private synchronized void send(String line) {
    try {
      commands.write((line + "\n").getBytes(StandardCharsets.US_ASCII));
      commands.flush();
    } catch (IOException e) {
      // The watchdog is gone (killed by someone): nothing better to do than go on without it.
    }
  }
}
