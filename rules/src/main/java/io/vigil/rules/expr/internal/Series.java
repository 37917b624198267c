package io.vigil.rules.expr.internal;

import io.vigil.rules.Labels;

/**
 * What the engine holds for one series: which leaves select it (matched once, when first seen),
 * its newest sample and, when some range function needs it, a window of recent samples.
 */
final class Series {
  static final long NONE = Long.MAX_VALUE;

  final String metric;
  final Labels labels;
  Leaf[] leaves;
  /** Leaves whose output changes with time alone (range functions, absence). */
  Leaf[] timed;
  boolean hasInstant;
  boolean hasAbsence;
  /** The longest range a window function of this series needs; 0 = keep no window. */
  long windowRange;
  Window window;

  long lastTs = Long.MIN_VALUE;
  double lastValue;
  /** When the timed leaves were last evaluated. */
  long lastEval = Long.MIN_VALUE;
  boolean stale;
  /** The deadline under which this series sits in the queue; NONE when not queued. */
  long queuedAt = NONE;

  Series(String metric, Labels labels) {
    this.metric = metric;
    this.labels = labels;
  }
}
