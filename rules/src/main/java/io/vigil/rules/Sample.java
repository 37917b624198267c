package io.vigil.rules;

import java.util.Objects;

/**
 * One value of one series at one instant. {@code timestampMillis} is epoch milliseconds.
 */
public record Sample(String metric, Labels labels, double value, long timestampMillis) {
  public Sample {
    Objects.requireNonNull(metric, "metric");
    Objects.requireNonNull(labels, "labels");
  }

  /** The series key: metric name plus labels. */
  public SeriesKey series() {
    return labels.seriesKey(metric);
  }
}
