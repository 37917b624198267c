package io.vigil.rules.expr.internal;

import java.util.Arrays;

/**
 * A min-heap of (deadline, series) kept in two parallel arrays, 4-ary. With every series of a
 * sliding window due once per scrape round, the queue is re-filed about once per sample: a
 * {@code PriorityQueue} of entry objects then spent its time chasing cold entries (one object per
 * compare, 17 levels for 100,000 series); here a sift compares adjacent {@code long}s, four children
 * share a cache line, and the tree is half as deep. Ties come out in no particular order.
 */
final class DeadlineHeap {
  private long[] deadlines = new long[64];
  private Series[] series = new Series[64];
  private int size;

  boolean isEmpty() {
    return size == 0;
  }

  int size() {
    return size;
  }

  /** The smallest deadline; only when not empty. */
  long peekDeadline() {
    return deadlines[0];
  }

  /** The series under the smallest deadline; only when not empty. */
  Series peekSeries() {
    return series[0];
  }

  void add(long deadline, Series s) {
    if (size == deadlines.length) {
      deadlines = Arrays.copyOf(deadlines, size * 2);
      series = Arrays.copyOf(series, size * 2);
    }
    int i = size++;
    while (i > 0) {
      int parent = (i - 1) >>> 2;
      if (deadlines[parent] <= deadline) break;
      deadlines[i] = deadlines[parent];
      series[i] = series[parent];
      i = parent;
    }
    deadlines[i] = deadline;
    series[i] = s;
  }

  /** Removes the smallest entry; only when not empty. */
  void poll() {
    int last = --size;
    long d = deadlines[last];
    Series s = series[last];
    series[last] = null;
    if (last == 0) return;
    int i = 0;
    while (true) {
      int first = (i << 2) + 1;
      if (first >= last) break;
      int end = Math.min(first + 4, last);
      int min = first;
      for (int c = first + 1; c < end; c++) if (deadlines[c] < deadlines[min]) min = c;
      if (deadlines[min] >= d) break;
      deadlines[i] = deadlines[min];
      series[i] = series[min];
      i = min;
    }
    deadlines[i] = d;
    series[i] = s;
  }
}
