package io.vigil.rules.expr.internal;

import io.vigil.rules.Labels;
import java.util.HashMap;
import java.util.Map;

/**
 * The per-series state and the deadline queue: what survives a rule reload
 * ({@link Engine#withExprs}). Owned by one engine at a time.
 */
final class Store {
  /** metric -> labels -> series, only for metrics some expression names. */
  final Map<String, Map<Labels, Series>> byMetric = new HashMap<>();
  /**
   * Lazy deadline queue: at most one live entry per series (the one equal to its queuedAt).
   * Samples only ever move a series' deadline later, so most samples never touch the queue.
   */
  final DeadlineHeap queue = new DeadlineHeap();
  long now = Long.MIN_VALUE;
  long series;
  long windowSamples;
  long outOfOrderDropped;
  long windowEvictions;
  long evaluations;

  void schedule(Series s, long deadline) {
    s.queuedAt = deadline;
    if (deadline != Series.NONE) queue.add(deadline, s);
  }
}
