package io.vigil.rules.expr;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The reference for window functions: a plain list of a series' samples with the documented
 * policy (older than newest: dropped; same timestamp: replaces), each function recomputed from
 * scratch over (t - w, t]. Deliberately naive: textbook formulas, no incremental state.
 */
final class NaiveWindow {
  final List<long[]> ts = new ArrayList<>();
  final List<Double> vs = new ArrayList<>();

  /** Returns false when the policy drops the sample. */
  boolean add(long t, double v) {
    if (!ts.isEmpty()) {
      long newest = ts.get(ts.size() - 1)[0];
      if (t < newest) return false;
      if (t == newest) {
        vs.set(vs.size() - 1, v);
        return true;
      }
    }
    ts.add(new long[] {t});
    vs.add(v);
    return true;
  }

  long newest() {
    return ts.isEmpty() ? Long.MIN_VALUE : ts.get(ts.size() - 1)[0];
  }

  /** f over (t - w, t]; null when the function yields no element. */
  Double eval(String f, long t, long w, double param) {
    List<Long> xs = new ArrayList<>();
    List<Double> ys = new ArrayList<>();
    for (int i = 0; i < ts.size(); i++) {
      long x = ts.get(i)[0];
      if (x > t - w && x <= t) {
        xs.add(x);
        ys.add(vs.get(i));
      }
    }
    int n = ys.size();
    if (n == 0) return null;
    double sum = 0;
    for (double y : ys) sum += y;
    double mean = sum / n;
    double var = 0;
    for (double y : ys) var += (y - mean) * (y - mean);
    var /= n;
    switch (f) {
      case "sum_over_time": return sum;
      case "avg_over_time": return mean;
      case "count_over_time": return (double) n;
      case "last_over_time": return ys.get(n - 1);
      case "min_over_time": return ys.stream().min(Double::compare).get();
      case "max_over_time": return ys.stream().max(Double::compare).get();
      case "stddev_over_time": return Math.sqrt(var);
      case "quantile_over_time": {
        double[] s = ys.stream().mapToDouble(Double::doubleValue).toArray();
        Arrays.sort(s);
        double rank = param * (n - 1);
        int lo = (int) Math.floor(rank);
        int hi = Math.min(n - 1, lo + 1);
        return s[lo] + (s[hi] - s[lo]) * (rank - lo);
      }
      default: break;
    }
    if (n < 2) return null;
    switch (f) {
      case "zscore": return var == 0 ? null : (ys.get(n - 1) - mean) / Math.sqrt(var);
      case "deriv": return slope(xs, ys);
      case "predict_linear": {
        double mx = 0;
        for (long x : xs) mx += (x - t) / 1000.0;
        mx /= n;
        double b = slope(xs, ys);
        return mean - b * mx + b * param; // value of the fitted line at t, then param seconds on
      }
      case "rate": return extrapolated(xs, ys, t, w, true, true);
      case "increase": return extrapolated(xs, ys, t, w, true, false);
      case "delta": return extrapolated(xs, ys, t, w, false, false);
      default: throw new IllegalArgumentException(f);
    }
  }

  /** Centred least squares (a different formula from the engine's, equal within tolerance). */
  private static double slope(List<Long> xs, List<Double> ys) {
    int n = xs.size();
    double mx = 0;
    double my = 0;
    for (int i = 0; i < n; i++) {
      mx += (xs.get(i) - xs.get(0)) / 1000.0;
      my += ys.get(i);
    }
    mx /= n;
    my /= n;
    double cov = 0;
    double vx = 0;
    for (int i = 0; i < n; i++) {
      double dx = (xs.get(i) - xs.get(0)) / 1000.0 - mx;
      cov += dx * (ys.get(i) - my);
      vx += dx * dx;
    }
    return cov / vx;
  }

  /** Prometheus' extrapolatedRate, written out step by step from its documentation. */
  private static double extrapolated(List<Long> xs, List<Double> ys, long t, long w, boolean counter, boolean rate) {
    int n = ys.size();
    double increase = ys.get(n - 1) - ys.get(0);
    if (counter) {
      for (int i = 1; i < n; i++) if (ys.get(i) < ys.get(i - 1)) increase += ys.get(i - 1);
    }
    double sampled = (xs.get(n - 1) - xs.get(0)) / 1000.0;
    double avg = sampled / (n - 1);
    double toStart = (xs.get(0) - (t - w)) / 1000.0;
    double toEnd = (t - xs.get(n - 1)) / 1000.0;
    if (toStart >= avg * 1.1) toStart = avg / 2;
    if (counter && increase > 0 && ys.get(0) >= 0) toStart = Math.min(toStart, sampled * ys.get(0) / increase);
    if (toEnd >= avg * 1.1) toEnd = avg / 2;
    double result = increase * (sampled + toStart + toEnd) / sampled;
    return rate ? result / (w / 1000.0) : result;
  }

  /** Tolerance of every property: 1e-6 relative, absolute below 1 (see docs/EXPRESSIONS.md). */
  static boolean close(Double expected, Double actual) {
    if (expected == null || actual == null) return expected == actual;
    if (expected.isNaN() || actual.isNaN()) return expected.isNaN() && actual.isNaN();
    if (expected.isInfinite() || actual.isInfinite()) return expected.equals(actual);
    return Math.abs(expected - actual) <= 1e-6 * Math.max(1, Math.max(Math.abs(expected), Math.abs(actual)));
  }
}
