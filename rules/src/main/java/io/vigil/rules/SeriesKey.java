package io.vigil.rules;

/** Identifies a series: metric name plus its sorted labels. */
public record SeriesKey(String metric, Labels labels) {
  @Override
  public String toString() {
    return metric + labels;
  }
}
