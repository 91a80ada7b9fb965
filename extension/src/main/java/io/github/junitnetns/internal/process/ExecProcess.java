package io.github.junitnetns.internal.process;

import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A process started by {@code NetNs.exec}: the real process, with its standard output and error
 * (when they would have been pipes) written to files instead, which the streams of this object
 * follow as they grow. So the output never blocks the process, is there for the failure report
 * even if the test never reads it, and reads just like a pipe to a test that does.
 */
final class ExecProcess extends Process {
  /** What is kept of each stream once its namespace is closed and the file is deleted. */
  static final int KEPT_AFTER_CLOSE = 1 << 20;
  private static final long POLL_MILLIS = 10;

  private final Process process;
  private final List<String> command;
  private final Capture out;
  private final Capture err;
  private final InputStream outStream;
  private final InputStream errStream;

  ExecProcess(Process process, List<String> command, Path outFile, Path errFile) throws IOException {
    this.process = process;
    this.command = List.copyOf(command);
    this.out = outFile == null ? null : new Capture(outFile);
    this.err = errFile == null ? null : new Capture(errFile);
    this.outStream = out == null ? process.getInputStream() : new Follower(out);
    this.errStream = err == null ? process.getErrorStream() : new Follower(err);
  }

  /** The command as the caller gave it. */
  List<String> command() {
    return command;
  }

  /** Everything captured so far: standard output, then standard error if it was captured apart. */
  String output() {
    StringBuilder text = new StringBuilder();
    if (out != null) {
      text.append(out.text());
    }
    if (err != null) {
      String errors = err.text();
      if (!errors.isEmpty()) {
        if (text.length() > 0 && text.charAt(text.length() - 1) != '\n') {
          text.append('\n');
        }
        text.append(out == null ? "" : "--- stderr ---\n").append(errors);
      }
    }
    return text.toString();
  }

  /** Once the process is dead and its namespace closing: keep the end of the output in memory, delete the files. */
  void finish() {
    if (out != null) {
      out.finish();
    }
    if (err != null) {
      err.finish();
    }
  }

  // ---- Process, delegated ----

  @Override
  public OutputStream getOutputStream() {
    return process.getOutputStream();
  }

  @Override
  public InputStream getInputStream() {
    return outStream;
  }

  @Override
  public InputStream getErrorStream() {
    return errStream;
  }

  @Override
  public int waitFor() throws InterruptedException {
    return process.waitFor();
  }

  @Override
  public boolean waitFor(long timeout, TimeUnit unit) throws InterruptedException {
    return process.waitFor(timeout, unit);
  }

  @Override
  public int exitValue() {
    return process.exitValue();
  }

  @Override
  public void destroy() {
    process.destroy();
  }

  @Override
  public Process destroyForcibly() {
    process.destroyForcibly();
    return this;
  }

  @Override
  public boolean supportsNormalTermination() {
    return process.supportsNormalTermination();
  }

  @Override
  public boolean isAlive() {
    return process.isAlive();
  }

  @Override
  public long pid() {
    return process.pid();
  }

  @Override
  public CompletableFuture<Process> onExit() {
    return process.onExit().thenApply(p -> this);
  }

  @Override
  public ProcessHandle toHandle() {
    return process.toHandle();
  }

  @Override
  public ProcessHandle.Info info() {
    return process.info();
  }

  @Override
  public Stream<ProcessHandle> children() {
    return process.children();
  }

  @Override
  public Stream<ProcessHandle> descendants() {
    return process.descendants();
  }

  @Override
  public String toString() {
    return "Process[pid=" + pid() + ", " + String.join(" ", command)
        + (isAlive() ? ", running" : ", exitValue=" + exitValue()) + "]";
  }

  /** One captured stream: a file being written by the process, then (after finish) its end in memory. */
  private static final class Capture {
    private final Path file;
    private FileChannel channel; // null once finished
    private byte[] kept = new byte[0];
    private long keptFrom;

    Capture(Path file) throws IOException {
      this.file = file;
      this.channel = FileChannel.open(file, StandardOpenOption.READ);
    }

    /** Reads at {@code position}; -1 at the current end. Positions before what was kept skip ahead. */
    synchronized int read(long position, byte[] buffer, int offset, int length) throws IOException {
      if (channel != null) {
        return channel.read(ByteBuffer.wrap(buffer, offset, length), position);
      }
      long from = Math.max(position, keptFrom);
      int start = (int) (from - keptFrom);
      if (start >= kept.length) {
        return -1;
      }
      int n = Math.min(length, kept.length - start);
      System.arraycopy(kept, start, buffer, offset, n);
      return n;
    }

    synchronized long size() throws IOException {
      return channel != null ? channel.size() : keptFrom + kept.length;
    }

    synchronized long skipTo(long position) {
      return channel != null ? position : Math.max(position, keptFrom);
    }

    synchronized String text() {
      try {
        if (channel == null) {
          return new String(kept, StandardCharsets.UTF_8);
        }
        long size = channel.size();
        return new String(readRange(Math.max(0, size - KEPT_AFTER_CLOSE), size), StandardCharsets.UTF_8);
      } catch (IOException e) {
        return "(cannot read captured output: " + e + ")";
      }
    }

    synchronized void finish() {
      if (channel == null) {
        return;
      }
      try {
        long size = channel.size();
        keptFrom = Math.max(0, size - KEPT_AFTER_CLOSE);
        kept = readRange(keptFrom, size);
      } catch (IOException e) {
        kept = new byte[0];
      } finally {
        try {
          channel.close();
        } catch (IOException ignored) {
          // read-only
        }
        channel = null;
        try {
          Files.deleteIfExists(file);
        } catch (IOException e) {
          // the watchdog removes the directory when the JVM ends
        }
      }
    }

    private byte[] readRange(long from, long to) throws IOException {
      ByteBuffer buffer = ByteBuffer.allocate((int) (to - from));
      while (buffer.hasRemaining() && channel.read(buffer, from + buffer.position()) > 0) {
        // read on
      }
      return Arrays.copyOf(buffer.array(), buffer.position());
    }
  }

  /** Reads a capture as a pipe would: blocks at the end of what was written until the process has ended. */
  private final class Follower extends InputStream {
    private final Capture capture;
    private long position;

    Follower(Capture capture) {
      this.capture = capture;
    }

    @Override
    public int read() throws IOException {
      byte[] one = new byte[1];
      return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public synchronized int read(byte[] buffer, int offset, int length) throws IOException {
      Objects.checkFromIndexSize(offset, length, buffer.length);
      if (length == 0) {
        return 0;
      }
      while (true) {
        boolean ended = !process.isAlive(); // before reading: whatever it wrote before it ended is in the file
        position = capture.skipTo(position);
        int n = capture.read(position, buffer, offset, length);
        if (n > 0) {
          position += n;
          return n;
        }
        if (ended) {
          return -1;
        }
        try {
          Thread.sleep(POLL_MILLIS);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new InterruptedIOException("interrupted while reading the output of " + command);
        }
      }
    }

    @Override
    public synchronized int available() throws IOException {
      return (int) Math.min(Integer.MAX_VALUE, Math.max(0, capture.size() - capture.skipTo(position)));
    }
  }
}
