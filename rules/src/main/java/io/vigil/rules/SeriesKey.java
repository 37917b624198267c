package io.vigil.rules;

import java.util.Objects;

/**
 * Identifies a series: metric name plus its sorted labels. Immutable; the hash is computed once.
 * Samples hand out a key cached on their labels ({@link Labels#seriesKey}), so the several maps a
 * sample is looked up in (storage ids, cardinality guard) usually find the very same object and
 * compare by identity.
 */
public final class SeriesKey {
  private final String metric;
  private final Labels labels;
  private final int hash;

  public SeriesKey(String metric, Labels labels) {
    this.metric = Objects.requireNonNull(metric, "metric");
    this.labels = Objects.requireNonNull(labels, "labels");
    this.hash = 31 * metric.hashCode() + labels.hashCode();
  }

  public String metric() {
    return metric;
  }

  public Labels labels() {
    return labels;
  }

  @Override
  public boolean equals(Object o) {
    return this == o || (o instanceof SeriesKey k && k.hash == hash && k.metric.equals(metric) && k.labels.equals(labels));
  }

  @Override
  public int hashCode() {
    return hash;
  }

  @Override
  public String toString() {
    return metric + labels;
  }
}
