package io.github.junitnetns.internal.linux;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** The values of -Djunitnetns.failpoint; what they do is in FailpointPrivilegedTest (a JVM each). */
class FailpointTest {
  @Test
  void takesCountOrTheRequestAndAnErrnoByNameOrNumber() {
    assertThat(Failpoint.parse("count").countOnly()).isTrue();
    assertThat(Failpoint.parse("7:ENOBUFS")).isEqualTo(new Failpoint.Setting(7, Errno.ENOBUFS));
    assertThat(Failpoint.parse(" 12 : EMFILE ")).isEqualTo(new Failpoint.Setting(12, Errno.EMFILE));
    assertThat(Failpoint.parse("1:105")).isEqualTo(new Failpoint.Setting(1, Errno.ENOBUFS));
  }

  @Test
  void refusesAnythingElseNamingThePropertyAndTheForms() {
    for (String bad : new String[] {"", "7", "0:ENOBUFS", "-1:ENOBUFS", "x:ENOBUFS", "7:ENOBUF", "7:0", "counts"}) {
      assertThatThrownBy(() -> Failpoint.parse(bad)).as(bad).isInstanceOf(IllegalArgumentException.class)
          .hasMessage("-Djunitnetns.failpoint=" + bad + " is not a failpoint: give N:ERRNO to fail the N-th kernel"
              + " request (N from 1) with that errno, e.g. junitnetns.failpoint=7:ENOBUFS, or"
              + " junitnetns.failpoint=count to print how many requests the JVM made.");
    }
  }

  @Test
  void isOffAndCountsNothingWithoutTheProperty() {
    assertThat(System.getProperty(Failpoint.PROPERTY)).isNull();
    assertThat(Failpoint.active()).isFalse();
    assertThat(Failpoint.count()).isZero();
    assertThat(Failpoint.injected()).isNull();
  }
}
