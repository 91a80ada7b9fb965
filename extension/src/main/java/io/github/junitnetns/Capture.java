package io.github.junitnetns;

import io.github.junitnetns.internal.capture.CaptureSession;
import io.github.junitnetns.internal.linux.ErrnoException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A recording of every interface of a namespace or a network, {@code lo} and the bridges' hidden
 * namespaces included, kept in memory (the last 8 MiB of frames, 256 bytes of each) until it is
 * written as a pcapng file that Wireshark and tcpdump open, or summarised as text.
 *
 * <pre>{@code
 * try (Network net = Network.builder().namespace("client").namespace("server")
 *         .veth("client", "server", "10.0.0.0/30").build();
 *      Capture capture = net.capture()) {
 *   // ... traffic between client and server ...
 *   capture.writeTo(Path.of("target/exchange.pcapng")); // tshark -r target/exchange.pcapng
 *   System.out.println(capture.summary());
 * }
 * }</pre>
 *
 * <p>Each namespace is read through an {@code AF_PACKET} socket made inside it, which needs
 * {@code CAP_NET_RAW} over the namespace (root, or the user namespace that owns it). Interfaces are
 * named {@code name@namespace}, e.g. {@code eth0@client}, {@code lan@bridge-lan}. In the JUnit
 * extension every test is recorded this way and the file kept when it fails; see
 * {@code docs/capture.md}.
 */
public final class Capture implements AutoCloseable {
  private final CaptureSession session;

  private Capture(CaptureSession session) {
    this.session = session;
  }

  /** Starts recording {@code namespaces}; used by {@link NetNs#capture()} and {@link Network#capture()}. */
  static Capture of(List<NetNs> namespaces) {
    List<CaptureSession.Target> targets = new ArrayList<>();
    for (NetNs ns : namespaces) {
      ns.checkOpen("capture its traffic");
      targets.add(new CaptureSession.Target(ns.label(), ns.handle()));
    }
    try {
      return new Capture(CaptureSession.start(targets, CaptureSession.DEFAULT_LIMIT,
          CaptureSession.DEFAULT_SNAP_LENGTH, true));
    } catch (ErrnoException e) {
      throw NetNsException.of(e);
    }
  }

  /**
   * Writes what was recorded so far (all of it after {@link #close()}) to {@code file} as pcapng,
   * creating its directory, and returns the file. Open it with {@code tshark -r FILE} or Wireshark.
   *
   * @throws UncheckedIOException if the file cannot be written
   */
  public Path writeTo(Path file) {
    try {
      session.writeTo(file);
      return file;
    } catch (IOException e) {
      throw new UncheckedIOException("Capture.writeTo(" + file + "): " + e.getMessage(), e);
    }
  }

  /**
   * The recording as text: per interface the packet counts by protocol, then the last 20 packets
   * one line each in tcpdump's style, retransmitted SYNs and RSTs marked with {@code <--}.
   */
  public String summary() {
    return session.summary();
  }

  /** Packets recorded so far, including those dropped to stay within the memory budget. */
  public long packetCount() {
    return session.total();
  }

  /**
   * Stops recording and closes the sockets; what was recorded stays readable through
   * {@link #writeTo} and {@link #summary()}. Closing twice is harmless.
   */
  @Override
  public void close() {
    session.stop();
  }
}
