package io.vigil.rules.expr.internal;

import io.vigil.rules.Matcher;

/**
 * A selector at the bottom of an expression, with what it computes per series: the latest value
 * (instant), a window function, or absence. One leaf serves every series it selects; per-series
 * state lives in {@link Series}.
 */
abstract class Leaf {
  final Node.Selector selector;
  final Downstream parent;

  Leaf(Node.Selector selector, Downstream parent) {
    this.selector = selector;
    this.parent = parent;
  }

  /** Run once per series, when it is first seen: regexes never run per sample. */
  final boolean selects(Series s) {
    if (!selector.metric().equals(s.metric)) return false;
    for (Matcher m : selector.matchers()) if (!m.matches(s.labels)) return false;
    return true;
  }

  /** Range in ms this leaf needs a window for; 0 when none. */
  long windowRange() {
    return 0;
  }

  /** Evaluate {@code s} at time {@code t} (a new sample's timestamp, or the engine time). */
  abstract void evaluate(Series s, long t);

  /** The first instant after {@code evaluatedAt} at which this leaf's output for {@code s} changes by time alone. */
  long nextChange(Series s, long evaluatedAt) {
    return Series.NONE;
  }

  static final class Instant extends Leaf {
    Instant(Node.Selector selector, Downstream parent) {
      super(selector, parent);
    }

    @Override
    void evaluate(Series s, long t) {
      if (s.stale) parent.removed(s.labels);
      else parent.set(s.labels, s.lastValue);
    }
  }

  static final class Range extends Leaf {
    private final Func func;
    private final long rangeMs;
    private final double param;

    Range(Node.Selector selector, Func func, long rangeMs, double param, Downstream parent) {
      super(selector, parent);
      this.func = func;
      this.rangeMs = rangeMs;
      this.param = param;
    }

    @Override
    long windowRange() {
      return rangeMs;
    }

    @Override
    void evaluate(Series s, long t) {
      Window w = s.window;
      int from = w.firstAfter(t - rangeMs);
      int to = w.size();
      double v = WindowFunctions.eval(func, w, from, to, t, rangeMs, param);
      if (WindowFunctions.isAbsent(v)) parent.removed(s.labels);
      else parent.set(s.labels, v);
    }

    @Override
    long nextChange(Series s, long evaluatedAt) {
      Window w = s.window;
      int first = w.firstAfter(evaluatedAt - rangeMs);
      return first < w.size() ? w.ts(first) + rangeMs : Series.NONE;
    }
  }

  /** absent_over_time / nodata: present (value 1) once a seen series has been silent for the range. */
  static final class Absence extends Leaf {
    private final long rangeMs;

    Absence(Node.Selector selector, long rangeMs, Downstream parent) {
      super(selector, parent);
      this.rangeMs = rangeMs;
    }

    @Override
    void evaluate(Series s, long t) {
      if (s.lastTs + rangeMs <= t) parent.set(s.labels, 1);
      else parent.removed(s.labels);
    }

    @Override
    long nextChange(Series s, long evaluatedAt) {
      long silentAt = s.lastTs + rangeMs;
      return silentAt > evaluatedAt ? silentAt : Series.NONE;
    }
  }
}
