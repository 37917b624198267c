package io.vigil.collectors;

import io.vigil.rules.Labels;
import java.util.concurrent.ConcurrentHashMap;

/**
 * One {@code Labels} object per label set, shared by every decoder and thread: the maps a sample
 * is looked up in downstream (storage ids, cardinality guard, rule engine) then find the key they
 * hold by identity instead of comparing label arrays, and the series key cached on the labels
 * ({@link Labels#seriesKey}, with the storage id it remembers) is shared too. Bounded: past
 * {@link #MAX} entries it starts over, which only costs those comparisons again. Thread-safe.
 */
public final class CanonicalLabels {
  static final int MAX = 1 << 20;
  private static final ConcurrentHashMap<Labels, Labels> HELD = new ConcurrentHashMap<>();

  private CanonicalLabels() {}

  /** The held object equal to {@code l}, or {@code l} itself (now held). */
  public static Labels of(Labels l) {
    Labels held = HELD.putIfAbsent(l, l);
    if (held != null) return held;
    if (HELD.size() > MAX) HELD.clear();
    return l;
  }
}
