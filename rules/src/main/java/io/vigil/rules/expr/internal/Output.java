package io.vigil.rules.expr.internal;

import io.vigil.rules.Labels;
import io.vigil.rules.expr.ChangeSink;
import java.util.HashMap;
import java.util.Map;

/**
 * The output vector of one expression, and the only place that decides what changed. When one
 * series can reach this output along two paths (the same metric selected twice, as in
 * {@code x > 5 and x < 10}), changes are buffered until {@link #flush} so that a half-updated
 * state in the middle of one sample is never reported.
 */
final class Output implements Downstream {
  static final long NOT_SEEDED = Long.MIN_VALUE;

  static final class Cell {
    double value;
    long seededAt = NOT_SEEDED;

    Cell(double value) {
      this.value = value;
    }
  }

  private static final Cell WAS_ABSENT = new Cell(0);

  final int index;
  private final Engine engine;
  private final boolean buffered;
  final Map<Labels, Cell> cells = new HashMap<>();
  /** Buffered mode: each element touched since the last flush, with its state before. */
  private final Map<Labels, Cell> before = new HashMap<>();

  Output(int index, Engine engine, boolean buffered) {
    this.index = index;
    this.engine = engine;
    this.buffered = buffered;
  }

  @Override
  public void set(Labels element, double value) {
    Cell c = cells.get(element);
    if (buffered) remember(element, c);
    if (c == null) {
      cells.put(element, new Cell(value));
      if (!buffered) engine.sink.set(index, element, value);
      return;
    }
    c.seededAt = NOT_SEEDED;
    if (!same(c.value, value)) {
      c.value = value;
      if (!buffered) engine.sink.set(index, element, value);
    }
  }

  @Override
  public void removed(Labels element) {
    Cell c = cells.remove(element);
    if (c == null) return;
    if (buffered) remember(element, c);
    else engine.sink.removed(index, element);
  }

  /** Present without being reported (restored after a restart). */
  void seed(Labels element, double value, long at) {
    Cell c = new Cell(value);
    c.seededAt = at;
    cells.put(element, c);
  }

  /** Drops a seeded element nothing refreshed since {@code at}. */
  void expireSeed(Labels element, long at) {
    Cell c = cells.get(element);
    if (c != null && c.seededAt == at) removed(element);
  }

  void flush() {
    if (before.isEmpty()) return;
    for (Map.Entry<Labels, Cell> e : before.entrySet()) {
      Cell now = cells.get(e.getKey());
      Cell was = e.getValue();
      if (now == null && was != WAS_ABSENT) engine.sink.removed(index, e.getKey());
      else if (now != null && (was == WAS_ABSENT || !same(was.value, now.value))) engine.sink.set(index, e.getKey(), now.value);
    }
    before.clear();
  }

  private void remember(Labels element, Cell c) {
    if (before.isEmpty()) engine.dirty(this);
    if (!before.containsKey(element)) before.put(element, c == null ? WAS_ABSENT : new Cell(c.value));
  }

  private static boolean same(double a, double b) {
    return Double.doubleToLongBits(a) == Double.doubleToLongBits(b);
  }
}
