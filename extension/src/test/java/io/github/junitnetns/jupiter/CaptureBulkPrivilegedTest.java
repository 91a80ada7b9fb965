package io.github.junitnetns.jupiter;

import static io.github.junitnetns.jupiter.EngineRuns.onlyFailure;
import static io.github.junitnetns.jupiter.EngineRuns.run;
import static org.assertj.core.api.Assertions.assertThat;

import io.github.junitnetns.NetNs;
import io.github.junitnetns.internal.capture.CaptureSession;
import io.github.junitnetns.testsupport.BulkTransfer;
import io.github.junitnetns.testsupport.Tshark;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.api.parallel.Isolated;
import org.junit.platform.testkit.engine.EngineExecutionResults;

/**
 * A busy test's recording: it starts on {@code recvmmsg} and hands each namespace over to a
 * {@code TPACKET_V3} ring while the transfer runs, and the file still holds every byte of the
 * transfer at each end, no frame twice. {@code @Isolated}: a transfer at full speed with nothing
 * else running, so that the capture reader keeps up (the kernel's drops would make the file
 * incomplete, and say so).
 */
@Isolated
@Tag("privileged")
class CaptureBulkPrivilegedTest {

  /** A bulk TCP transfer from a to b, then a failure: busy enough for the recording to switch to rings. */
  @IsolatedNetNs({"a", "b"})
  @VethLink(left = "a", right = "b", subnet = "10.0.2.0/30")
  static class BulkThenFails {
    @Test
    void transfersThenFails(@Ns("a") NetNs a, @Ns("b") NetNs b) throws Exception {
      BulkTransfer.seconds(a, b, "10.0.2.2", 256 << 20);
      throw new AssertionError("fails on purpose after the transfer");
    }
  }

  @Test
  void aBusyTestIsRecordedThroughRingsWithEveryByteAtEachEndAndNoFrameTwice(@TempDir Path dir) throws Exception {
    Tshark.assumeInstalled();
    long handed = CaptureSession.handedOver();
    EngineExecutionResults results = run(BulkThenFails.class, CaptureConfiguration.DIR, dir.toString(),
        CaptureConfiguration.LIMIT, "64MiB");
    assertThat(onlyFailure(results.allEvents())).hasMessage("fails on purpose after the transfer");
    // Other tests running meanwhile may hand over too: at least this test's two namespaces.
    assertThat(CaptureSession.handedOver() - handed).as("namespaces handed over to a ring").isGreaterThanOrEqualTo(2);
    Path file = dir.resolve(BulkThenFails.class.getName() + ".transfersThenFails.pcapng");
    String entry = CapturePrivilegedTest.reportEntries(results).stream().filter(e -> e.startsWith("junit-netns capture=")).findFirst()
        .orElseThrow();
    assertThat(entry).as("nothing dropped, by the kernel or the budget").doesNotContain("dropped");
    // Every byte left a's eth0 and reached b's eth0 at least once: at each end the data segments in
    // the file cover the whole transfer. TCP may send a segment twice (a retransmission, at another
    // time); the recording must not keep one frame twice (the same segment at the same time).
    List<List<String>> segments = Tshark.fields(file, "ip.src==10.0.2.1 && tcp.len>0", "frame.interface_name",
        "tcp.seq", "tcp.len", "frame.time_epoch");
    for (String end : List.of("eth0@a", "eth0@b")) {
      List<List<String>> here = segments.stream().filter(row -> row.get(0).equals(end)).toList();
      assertThat(here).as(end).hasSizeGreaterThan(CaptureSession.RING_AFTER_FRAMES);
      assertThat(here.stream().map(row -> row.get(1) + " " + row.get(2) + " " + row.get(3)).toList())
          .as("frames kept twice at " + end).doesNotHaveDuplicates();
      assertThat(holes(here)).as("bytes of the transfer missing at " + end).isEmpty();
    }
  }

  /** The ranges of TCP sequence numbers (relative, from 1) up to 256 MiB that no segment covers. */
  private static List<String> holes(List<List<String>> segments) {
    List<long[]> ranges = segments.stream()
        .map(row -> new long[] {Long.parseLong(row.get(1)), Long.parseLong(row.get(1)) + Long.parseLong(row.get(2))})
        .sorted(Comparator.comparingLong(r -> r[0])).toList();
    List<String> holes = new ArrayList<>();
    long covered = 1;
    for (long[] range : ranges) {
      if (range[0] > covered) {
        holes.add(covered + "-" + range[0]);
      }
      covered = Math.max(covered, range[1]);
    }
    if (covered < (256L << 20) + 1) {
      holes.add(covered + "-end");
    }
    return holes;
  }

}
