package io.vigil.rules.expr.internal;

import java.util.Arrays;

/**
 * The range functions over samples [from, to) of a window, evaluated at {@code evalTime} for a
 * range of {@code rangeMs}. Formulas follow Prometheus' promql/functions.go so that users get the
 * numbers they know. {@link #ABSENT} (a NaN with a private payload) means "no element".
 */
final class WindowFunctions {
  /** Distinct from every NaN arithmetic produces; test with {@link #isAbsent}. */
  static final double ABSENT = Double.longBitsToDouble(0x7ff0_dead_beef_0001L);

  private WindowFunctions() {}

  static boolean isAbsent(double v) {
    return Double.doubleToRawLongBits(v) == Double.doubleToRawLongBits(ABSENT);
  }

  static double eval(Func f, Window w, int from, int to, long evalTime, long rangeMs, double param) {
    int n = to - from;
    if (n < Math.max(1, f.minSamples)) return ABSENT;
    return switch (f) {
      case SUM_OVER_TIME -> sum(w, from, to);
      case AVG_OVER_TIME -> sum(w, from, to) / n;
      case COUNT_OVER_TIME -> n;
      case LAST_OVER_TIME -> w.value(to - 1);
      case MIN_OVER_TIME -> extreme(w, from, to, false);
      case MAX_OVER_TIME -> extreme(w, from, to, true);
      case QUANTILE_OVER_TIME -> quantile(param, w, from, to);
      case STDDEV_OVER_TIME -> Math.sqrt(variance(w, from, to));
      case RATE -> extrapolatedRate(w, from, to, evalTime, rangeMs, true, true);
      case INCREASE -> extrapolatedRate(w, from, to, evalTime, rangeMs, true, false);
      case DELTA -> extrapolatedRate(w, from, to, evalTime, rangeMs, false, false);
      case DERIV -> regression(w, from, to, w.ts(from))[0];
      case PREDICT_LINEAR -> {
        double[] si = regression(w, from, to, evalTime);
        yield si[1] + si[0] * param;
      }
      case ZSCORE -> zscore(w, from, to);
      case ABSENT_OVER_TIME, NODATA -> throw new IllegalStateException("absence is not a window function");
    };
  }

  private static double sum(Window w, int from, int to) {
    // Neumaier summation: windows can mix large and small values (counters, latencies).
    double s = 0;
    double c = 0;
    for (int i = from; i < to; i++) {
      double v = w.value(i);
      double t = s + v;
      c += Math.abs(s) >= Math.abs(v) ? (s - t) + v : (v - t) + s;
      s = t;
    }
    return Double.isFinite(c) ? s + c : s;
  }

  /** Max (or min) ignoring NaN unless every value is NaN, as Prometheus does. */
  static double extreme(Window w, int from, int to, boolean max) {
    double r = w.value(from);
    for (int i = from + 1; i < to; i++) {
      double v = w.value(i);
      if (Double.isNaN(r) || (max ? v > r : v < r)) r = v;
    }
    return r;
  }

  private static double variance(Window w, int from, int to) {
    int n = to - from;
    double mean = sum(w, from, to) / n;
    double acc = 0;
    for (int i = from; i < to; i++) {
      double d = w.value(i) - mean;
      acc += d * d;
    }
    return acc / n;
  }

  private static double zscore(Window w, int from, int to) {
    double sd = Math.sqrt(variance(w, from, to));
    if (sd == 0) return ABSENT;
    double mean = sum(w, from, to) / (to - from);
    return (w.value(to - 1) - mean) / sd;
  }

  private static double quantile(double q, Window w, int from, int to) {
    if (Double.isNaN(q)) return Double.NaN;
    if (q < 0) return Double.NEGATIVE_INFINITY;
    if (q > 1) return Double.POSITIVE_INFINITY;
    int n = to - from;
    double[] vs = new double[n];
    for (int i = 0; i < n; i++) vs[i] = w.value(from + i);
    Arrays.sort(vs);
    double rank = q * (n - 1);
    int lower = (int) Math.max(0, Math.floor(rank));
    int upper = Math.min(n - 1, lower + 1);
    double weight = rank - Math.floor(rank);
    return vs[lower] * (1 - weight) + vs[upper] * weight;
  }

  /** promql/functions.go extrapolatedRate: counter resets, extrapolation to the range edges. */
  private static double extrapolatedRate(Window w, int from, int to, long evalTime, long rangeMs,
                                         boolean counter, boolean rate) {
    double first = w.value(from);
    double result = w.value(to - 1) - first;
    if (counter) {
      double prev = first;
      for (int i = from + 1; i < to; i++) {
        double cur = w.value(i);
        if (cur < prev) result += prev;
        prev = cur;
      }
    }
    long firstT = w.ts(from);
    long lastT = w.ts(to - 1);
    double durationToStart = (firstT - (evalTime - rangeMs)) / 1000.0;
    double durationToEnd = (evalTime - lastT) / 1000.0;
    double sampled = (lastT - firstT) / 1000.0;
    double avgGap = sampled / (to - from - 1);
    double threshold = avgGap * 1.1;
    if (durationToStart >= threshold) durationToStart = avgGap / 2;
    if (counter && result > 0 && first >= 0) {
      // A counter cannot go below zero: do not extrapolate the start past its zero point.
      double durationToZero = sampled * (first / result);
      if (durationToZero < durationToStart) durationToStart = durationToZero;
    }
    if (durationToEnd >= threshold) durationToEnd = avgGap / 2;
    double factor = (sampled + durationToStart + durationToEnd) / sampled;
    if (rate) factor /= rangeMs / 1000.0;
    return result * factor;
  }

  /** Least squares {slope per second, intercept at interceptTime}; promql linearRegression. */
  private static double[] regression(Window w, int from, int to, long interceptTime) {
    double initY = w.value(from);
    boolean constY = true;
    double n = 0;
    double sumX = 0;
    double sumY = 0;
    double sumXY = 0;
    double sumX2 = 0;
    for (int i = from; i < to; i++) {
      double y = w.value(i);
      if (constY && i > from && y != initY) constY = false;
      double x = (w.ts(i) - interceptTime) / 1000.0;
      n++;
      sumX += x;
      sumY += y;
      sumXY += x * y;
      sumX2 += x * x;
    }
    if (constY) {
      return Double.isInfinite(initY) ? new double[] {Double.NaN, Double.NaN} : new double[] {0, initY};
    }
    double covXY = sumXY - sumX * sumY / n;
    double varX = sumX2 - sumX * sumX / n;
    double slope = covXY / varX;
    return new double[] {slope, sumY / n - slope * sumX / n};
  }
}
