package io.github.junitnetns.internal.capture;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The sentence a recording's file comment and summary give for what it lost. */
class CaptureReportTest {

  @Test
  void nothingLostSaysNothing() {
    assertThat(CaptureReport.losses(0, 8 << 20, 0, 0, List.of())).isEmpty();
  }

  @Test
  void theBudgetAndTheKernelsDropsAreCountedApart() {
    assertThat(CaptureReport.losses(12, 8 << 20, 3, 0, List.of()))
        .isEqualTo("12 oldest packets dropped to stay within the 8 MiB memory budget (junit.netns.capture.limit)."
            + " 3 packets dropped by the kernel: the capture reader fell behind.");
  }

  @Test
  void dropsOnACappedBufferNameTheSysctlToRaise() {
    assertThat(CaptureReport.losses(0, 8 << 20, 21, 212992, List.of("reading netns a stopped: EBADF")))
        .isEqualTo("21 packets dropped by the kernel: the capture reader fell behind. The kernel capped the capture"
            + " socket's receive buffer at net.core.rmem_max (208 KiB, as this JVM has no CAP_NET_ADMIN over the"
            + " host) until a ring took over: raise it on the host, e.g. sysctl -w net.core.rmem_max=33554432."
            + " reading netns a stopped: EBADF.");
  }

  @Test
  void sizesAreWrittenInTheLargestWholeUnit() {
    assertThat(CaptureReport.size(64 << 10)).isEqualTo("64 KiB");
    assertThat(CaptureReport.size(3L << 20)).isEqualTo("3 MiB");
    assertThat(CaptureReport.size(1000)).isEqualTo("1000 bytes");
  }
}
