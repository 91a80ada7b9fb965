package io.github.junitnetns.benchmarks;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/** Sorted samples in milliseconds: median, p90 (nearest rank), mean, min, max. */
final class Stats {
  private final double[] sorted;

  Stats(List<Double> samples) {
    if (samples.isEmpty()) {
      throw new IllegalArgumentException("no samples");
    }
    sorted = samples.stream().mapToDouble(Double::doubleValue).sorted().toArray();
  }

  /** The samples in {@code file}, one number per line; empty if the file does not exist. */
  static Optional<Stats> read(Path file) throws IOException {
    if (!Files.exists(file)) {
      return Optional.empty();
    }
    List<Double> samples = Files.readAllLines(file).stream()
        .map(String::trim).filter(l -> !l.isEmpty()).map(Double::valueOf).toList();
    return samples.isEmpty() ? Optional.empty() : Optional.of(new Stats(samples));
  }

  static void write(Path file, List<Double> samples) throws IOException {
    StringBuilder text = new StringBuilder();
    for (double sample : samples) {
      text.append(String.format(java.util.Locale.ROOT, "%.4f%n", sample));
    }
    Files.writeString(file, text);
  }

  int count() {
    return sorted.length;
  }

  double median() {
    int n = sorted.length;
    return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
  }

  double p90() {
    return percentile(0.90);
  }

  double percentile(double p) {
    int rank = (int) Math.ceil(p * sorted.length);
    return sorted[Math.max(0, Math.min(sorted.length - 1, rank - 1))];
  }

  double mean() {
    double sum = 0;
    for (double sample : sorted) {
      sum += sample;
    }
    return sum / sorted.length;
  }

  double min() {
    return sorted[0];
  }

  double max() {
    return sorted[sorted.length - 1];
  }
}
