package io.vigil.rules.patrol;

import java.util.OptionalDouble;

/**
 * Trend arithmetic for the patrol report, in the manner of PromQL's {@code predict_linear}: a least
 * squares line over a window, extended forward. Pure.
 */
public final class Trends {
  private Trends() {}

  /**
   * Days from the end of the window until the fitted line reaches {@code threshold}, or empty when
   * it never does going forward (flat or falling).
   *
   * @param slopePerSecond the fitted slope
   * @param fittedAtEnd    the fitted value at the end of the window
   */
  public static OptionalDouble daysUntil(double threshold, double slopePerSecond, double fittedAtEnd) {
    if (Double.isNaN(slopePerSecond) || Double.isNaN(fittedAtEnd)) return OptionalDouble.empty();
    if (fittedAtEnd >= threshold) return OptionalDouble.of(0);
    if (slopePerSecond <= 0) return OptionalDouble.empty();
    return OptionalDouble.of((threshold - fittedAtEnd) / slopePerSecond / 86_400.0);
  }

  /** Least squares slope and intercept of {@code ys} over {@code xs}: {@code [slope, intercept]} (NaN when undefined). */
  public static double[] leastSquares(double[] xs, double[] ys) {
    int n = xs.length;
    if (n < 2) return new double[] {Double.NaN, Double.NaN};
    double mx = 0, my = 0;
    for (int i = 0; i < n; i++) {
      mx += xs[i];
      my += ys[i];
    }
    mx /= n;
    my /= n;
    double sxy = 0, sxx = 0;
    for (int i = 0; i < n; i++) {
      sxy += (xs[i] - mx) * (ys[i] - my);
      sxx += (xs[i] - mx) * (xs[i] - mx);
    }
    if (sxx == 0) return new double[] {Double.NaN, Double.NaN};
    double slope = sxy / sxx;
    return new double[] {slope, my - slope * mx};
  }
}
