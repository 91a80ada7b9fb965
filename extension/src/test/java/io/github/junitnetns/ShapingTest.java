package io.github.junitnetns;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ShapingTest {
  private static final Duration MS_50 = Duration.ofMillis(50);
  private static final Duration MS_5 = Duration.ofMillis(5);

  @ParameterizedTest(name = "{0} = {1} bit/s")
  @CsvSource({
      "8mbit, 8000000",
      "100kbit, 100000",
      "1gbit, 1000000000",
      "2tbit, 2000000000000",
      "1500, 1500",
      "64bit, 64",
      "500kbps, 4000000",      // bytes per second
      "1bps, 8",
      "2mbps, 16000000",
      "1gbps, 8000000000",
      "1kibit, 1024",
      "1mibit, 1048576",
      "1gibit, 1073741824",
      "1kibps, 8192",
      "1.5mbit, 1500000",
      "0.5kbit, 500",
      "8Mbit, 8000000",        // tc compares units without case
      "' 8 mbit ', 8000000",
  })
  void ratesUseTheUnitsOfTc(String text, long bits) {
    assertThat(Shaping.rate(text).rateBitsPerSecond()).isEqualTo(bits);
  }

  @ParameterizedTest
  @CsvSource({"fast", "8 megabit", "mbit", "-8mbit", "8mbit/s", "8xbit", "1e6bit", "''"})
  void unparsableRatesSayWhatATcRateLooksLike(String text) {
    assertThatThrownBy(() -> Shaping.rate(text))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("Shaping.rate(\"" + text + "\")")
        .hasMessageContaining("\"8mbit\"");
  }

  @Test
  void ratesBelowAByteASecondAreRefused() {
    assertThatThrownBy(() -> Shaping.rate("7bit")).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("Shaping.rate(\"7bit\")").hasMessageContaining("at least 8 bits");
    assertThatThrownBy(() -> Shaping.rate(0)).hasMessageStartingWith("Shaping.rate(0)")
        .hasMessageContaining("Shaping.none()");
    assertThatThrownBy(() -> Shaping.none().withRate(-1)).hasMessageStartingWith("Shaping.withRate(-1)");
    assertThatThrownBy(() -> Shaping.rate((String) null)).hasMessageStartingWith("Shaping.rate(null)");
    assertThatThrownBy(() -> Shaping.rate("99999999999tbit")).hasMessageContaining("too large");
  }

  @Test
  void chainingBuildsNewValuesAndLeavesTheOldOnesAlone() {
    Shaping slow = Shaping.rate("8mbit");
    Shaping slowAndFar = slow.withDelay(MS_50).withJitter(MS_5);
    Shaping all = slowAndFar.withLoss(1).withDuplication(0.5).withReordering(25).withCorruption(0.1);

    assertThat(slow.delay()).isEqualTo(Duration.ZERO);
    assertThat(slowAndFar.rateBitsPerSecond()).isEqualTo(8_000_000);
    assertThat(slowAndFar.delay()).isEqualTo(MS_50);
    assertThat(slowAndFar.jitter()).isEqualTo(MS_5);
    assertThat(slowAndFar.lossPercent()).isZero();
    assertThat(all.lossPercent()).isEqualTo(1);
    assertThat(all.duplicationPercent()).isEqualTo(0.5);
    assertThat(all.reorderingPercent()).isEqualTo(25);
    assertThat(all.corruptionPercent()).isEqualTo(0.1);
    assertThat(all.withRate(1_000_000).rateBitsPerSecond()).isEqualTo(1_000_000);
    assertThat(all.withRate("1mbit")).isEqualTo(all.withRate(1_000_000));
  }

  @Test
  void onlyARateWorksWithoutNetem() {
    assertThat(Shaping.rate("8mbit").needsNetem()).isFalse();
    assertThat(Shaping.rate("8mbit").hasRate()).isTrue();
    assertThat(Shaping.delay(MS_50).needsNetem()).isTrue();
    assertThat(Shaping.delay(MS_50).hasRate()).isFalse();
    assertThat(Shaping.none().withLoss(0.1).needsNetem()).as("loss alone: nf_tables").isFalse();
    assertThat(Shaping.loss(30)).isEqualTo(Shaping.none().withLoss(30)).hasToString("loss 30%");
    assertThat(Shaping.rate("8mbit").withLoss(1).needsNetem()).isFalse();
    assertThat(Shaping.delay(MS_50).withLoss(1).needsNetem()).isTrue();
    assertThat(Shaping.none().withDuplication(1).needsNetem()).isTrue();
    assertThat(Shaping.none().withCorruption(1).needsNetem()).isTrue();
    assertThat(Shaping.rate("8mbit").withLoss(0).needsNetem()).isFalse();
  }

  @Test
  void noneIsNothingAtAll() {
    assertThat(Shaping.none().isNone()).isTrue();
    assertThat(Shaping.none().needsNetem()).isFalse();
    assertThat(Shaping.delay(Duration.ZERO).isNone()).isTrue();
    assertThat(Shaping.none().withLoss(0)).isEqualTo(Shaping.none());
    assertThat(Shaping.rate("8mbit").isNone()).isFalse();
    assertThat(Shaping.none().withLoss(1).isNone()).isFalse();
    assertThat(Shaping.none()).hasToString("none");
  }

  @Test
  void toStringReadsLikeTc() {
    assertThat(Shaping.rate("8mbit").withDelay(MS_50).withJitter(MS_5).withLoss(1))
        .hasToString("rate 8mbit delay 50ms jitter 5ms loss 1%");
    assertThat(Shaping.rate("500kbps")).hasToString("rate 4mbit");
    assertThat(Shaping.rate("1.5mbit")).hasToString("rate 1500kbit");
    assertThat(Shaping.rate("1kibit")).hasToString("rate 1024bit");
    assertThat(Shaping.rate("40gbit")).hasToString("rate 40gbit");
    assertThat(Shaping.delay(Duration.ofSeconds(2)).withJitter(Duration.ofNanos(250_000)))
        .hasToString("delay 2s jitter 250us");
    assertThat(Shaping.delay(Duration.ofNanos(1500))).hasToString("delay 1500ns");
    assertThat(Shaping.delay(Duration.ofMillis(10)).withReordering(25).withDuplication(0.5).withCorruption(0.01))
        .hasToString("delay 10ms duplicate 0.5% reorder 25% corrupt 0.01%");
  }

  @Test
  void equalValuesAreEqual() {
    Shaping a = Shaping.rate("8mbit").withDelay(MS_50).withLoss(1);
    Shaping b = Shaping.delay(Duration.ofMillis(50)).withLoss(1.0).withRate(8_000_000);
    assertThat(a).isEqualTo(b).hasSameHashCodeAs(b);
    assertThat(a).isNotEqualTo(a.withLoss(2)).isNotEqualTo(a.withRate("9mbit")).isNotEqualTo(a.withDelay(MS_5))
        .isNotEqualTo(a.withDuplication(1)).isNotEqualTo(a.withCorruption(1)).isNotEqualTo(a.withReordering(1))
        .isNotEqualTo(a.withJitter(MS_5)).isNotEqualTo(null).isNotEqualTo("rate 8mbit delay 50ms loss 1%");
    assertThat(Shaping.none().withLoss(-0.0)).isEqualTo(Shaping.none()).hasSameHashCodeAs(Shaping.none());
  }

  @Test
  void negativeDurationsAreRefused() {
    assertThatThrownBy(() -> Shaping.delay(Duration.ofMillis(-1)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("Shaping.delay(PT-0.001S)")
        .hasMessageContaining("negative").hasMessageContaining("Duration.ofMillis(50)");
    assertThatThrownBy(() -> Shaping.delay(MS_50).withJitter(Duration.ofMillis(-5)))
        .hasMessageStartingWith("Shaping.withJitter(PT-0.005S)").hasMessageContaining("negative");
    assertThatThrownBy(() -> Shaping.none().withDelay(null)).hasMessageStartingWith("Shaping.withDelay(null)");
    assertThatThrownBy(() -> Shaping.delay(Duration.ofDays(365 * 300))).hasMessageContaining("too long");
  }

  @Test
  void jitterAndReorderingNeedADelay() {
    assertThatThrownBy(() -> Shaping.rate("8mbit").withJitter(MS_5))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("Shaping.withJitter(PT0.005S)")
        .hasMessageContaining("has none")
        .hasMessageContaining("Shaping.delay(Duration.ofMillis(50)).withJitter(Duration.ofMillis(5))");
    assertThatThrownBy(() -> Shaping.none().withReordering(25))
        .hasMessageStartingWith("Shaping.withReordering(25.0)").hasMessageContaining("no delay");
    assertThatThrownBy(() -> Shaping.delay(MS_50).withJitter(MS_5).withDelay(Duration.ZERO))
        .hasMessageStartingWith("Shaping.withDelay(PT0S)").hasMessageContaining("jitter of 5ms");
    assertThatThrownBy(() -> Shaping.delay(MS_50).withReordering(5).withDelay(Duration.ZERO))
        .hasMessageStartingWith("Shaping.withDelay(PT0S)").hasMessageContaining("withReordering(0)");
    assertThatThrownBy(() -> Shaping.delay(Duration.ofSeconds(10)).withJitter(Duration.ofSeconds(3)))
        .hasMessageContaining("2.147 s");
    // Zero jitter and zero reordering need nothing.
    assertThat(Shaping.none().withJitter(Duration.ZERO).withReordering(0)).isEqualTo(Shaping.none());
  }

  @ParameterizedTest
  @CsvSource({"-1", "100.5", "NaN", "Infinity"})
  void percentagesAreFromZeroToHundred(double percent) {
    assertThatThrownBy(() -> Shaping.none().withLoss(percent))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("Shaping.withLoss(" + percent + ")")
        .hasMessageContaining("from 0 to 100").hasMessageContaining("withLoss(1.5)");
    assertThatThrownBy(() -> Shaping.none().withDuplication(percent)).hasMessageStartingWith("Shaping.withDuplication(");
    assertThatThrownBy(() -> Shaping.delay(MS_50).withReordering(percent)).hasMessageStartingWith("Shaping.withReordering(");
    assertThatThrownBy(() -> Shaping.none().withCorruption(percent)).hasMessageStartingWith("Shaping.withCorruption(");
  }

  @Test
  void theBoundsThemselvesAreFine() {
    assertThat(Shaping.none().withLoss(100).lossPercent()).isEqualTo(100);
    assertThat(Shaping.none().withLoss(0).lossPercent()).isZero();
  }
}
