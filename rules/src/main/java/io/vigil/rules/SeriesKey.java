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
  /** The storage layer's id for this series, with the store it belongs to (see {@link #storedId}). */
  private volatile StoredId stored;

  /** An id some store gave this series; immutable, so a racy read sees a whole pair. */
  private record StoredId(Object store, Long id) {}

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

  /**
   * The id {@code store} gave this series, or 0 when it gave none (yet) or another store did. Keys
   * are shared (cached on canonical labels), so a store remembers its id here and skips a hash map
   * lookup per sample; the owner check keeps two stores in one JVM (tests) apart.
   */
  public long storedId(Object store) {
    StoredId s = stored;
    return s != null && s.store() == store ? s.id() : 0;
  }

  /** {@code store}'s id for this series as the boxed value it was given (no allocation per use); null when none. */
  public Long storedIdBoxed(Object store) {
    StoredId s = stored;
    return s != null && s.store() == store ? s.id() : null;
  }

  /** Remembers {@code id} as {@code store}'s id for this series (call only once it is committed). */
  public void storedId(Object store, long id) {
    stored = new StoredId(store, Long.valueOf(id));
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
