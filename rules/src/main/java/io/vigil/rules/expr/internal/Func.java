package io.vigil.rules.expr.internal;

import java.util.Arrays;
import java.util.Comparator;
import java.util.Locale;
import java.util.Optional;

/**
 * The range-vector functions. Each takes one range selector; {@link #scalarFirst} functions take a
 * scalar before it, {@link #scalarLast} ones after it. {@link #minSamples} is how many samples the
 * window needs before the function yields a value.
 */
public enum Func {
  AVG_OVER_TIME(1), MIN_OVER_TIME(1), MAX_OVER_TIME(1), SUM_OVER_TIME(1), COUNT_OVER_TIME(1),
  LAST_OVER_TIME(1), QUANTILE_OVER_TIME(1), STDDEV_OVER_TIME(1),
  RATE(2), INCREASE(2), DELTA(2), DERIV(2), PREDICT_LINEAR(2), ZSCORE(2),
  ABSENT_OVER_TIME(0), NODATA(0);

  public final int minSamples;

  Func(int minSamples) {
    this.minSamples = minSamples;
  }

  public String text() {
    return name().toLowerCase(Locale.ROOT);
  }

  public boolean scalarFirst() {
    return this == QUANTILE_OVER_TIME;
  }

  public boolean scalarLast() {
    return this == PREDICT_LINEAR;
  }

  /** absent_over_time and nodata answer "silent?" from the last sample time; they keep no window. */
  public boolean isAbsence() {
    return this == ABSENT_OVER_TIME || this == NODATA;
  }

  public static Optional<Func> byName(String name) {
    return Arrays.stream(values()).filter(f -> f.text().equals(name)).findFirst();
  }

  /** The closest known function or aggregation name within edit distance 2, for "did you mean". */
  public static Optional<String> suggest(String name) {
    return java.util.stream.Stream.concat(
            Arrays.stream(values()).map(Func::text), Arrays.stream(AggOp.values()).map(AggOp::text))
        .filter(n -> editDistance(n, name) <= 2)
        .min(Comparator.comparingInt(n -> editDistance(n, name)));
  }

  static int editDistance(String a, String b) {
    int[] prev = new int[b.length() + 1];
    int[] cur = new int[b.length() + 1];
    for (int j = 0; j <= b.length(); j++) prev[j] = j;
    for (int i = 1; i <= a.length(); i++) {
      cur[0] = i;
      for (int j = 1; j <= b.length(); j++) {
        int sub = prev[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1);
        cur[j] = Math.min(sub, Math.min(prev[j] + 1, cur[j - 1] + 1));
      }
      int[] t = prev;
      prev = cur;
      cur = t;
    }
    return prev[b.length()];
  }
}
