package io.vigil.rules.expr.internal;

/**
 * One series' recent samples, oldest first, in a growable ring buffer. Timestamps only ever
 * increase (the engine drops out-of-order samples before they get here). Indices are logical:
 * 0 is the oldest sample held.
 */
final class Window {
  private long[] ts;
  private double[] vs;
  private int head;
  private int size;

  Window() {
    ts = new long[4];
    vs = new double[4];
  }

  int size() {
    return size;
  }

  int capacity() {
    return ts.length;
  }

  long ts(int i) {
    return ts[(head + i) & (ts.length - 1)];
  }

  double value(int i) {
    return vs[(head + i) & (ts.length - 1)];
  }

  /** Appends a sample; when {@code max} samples are held the oldest goes first. Returns how many were evicted. */
  int append(long t, double v, int max) {
    int evicted = 0;
    if (size >= max) {
      dropFirst();
      evicted = 1;
    }
    if (size == ts.length) grow();
    int at = (head + size) & (ts.length - 1);
    ts[at] = t;
    vs[at] = v;
    size++;
    return evicted;
  }

  /** Last write wins for a repeated timestamp. */
  void replaceLast(double v) {
    vs[(head + size - 1) & (ts.length - 1)] = v;
  }

  /** Drops samples with {@code ts <= t}; returns how many. */
  int dropUpTo(long t) {
    int n = 0;
    while (size > 0 && ts[head] <= t) {
      dropFirst();
      n++;
    }
    return n;
  }

  int clear() {
    int n = size;
    size = 0;
    head = 0;
    if (ts.length > 4) {
      ts = new long[4];
      vs = new double[4];
    }
    return n;
  }

  /** The logical index of the first sample with {@code ts > t} ({@link #size()} if none). */
  int firstAfter(long t) {
    int lo = 0;
    int hi = size;
    while (lo < hi) {
      int mid = (lo + hi) >>> 1;
      if (ts(mid) <= t) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  private void dropFirst() {
    head = (head + 1) & (ts.length - 1);
    size--;
  }

  private void grow() {
    long[] nt = new long[ts.length * 2];
    double[] nv = new double[ts.length * 2];
    for (int i = 0; i < size; i++) {
      nt[i] = ts(i);
      nv[i] = value(i);
    }
    ts = nt;
    vs = nv;
    head = 0;
  }
}
