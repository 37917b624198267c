package io.vigil.rules.expr;

import java.time.Duration;
import java.util.Objects;

/**
 * Limits of an {@link ExprRuntime}.
 *
 * @param maxSamplesPerSeries most samples one series' window keeps; older ones are evicted first
 *     (and counted), so one chatty series cannot exhaust the heap
 * @param lookback how long a series without samples still counts in instant selections and
 *     aggregations (engine time), and how long a seeded element lives unrefreshed
 */
public record RuntimeOptions(int maxSamplesPerSeries, Duration lookback) {
  public RuntimeOptions {
    Objects.requireNonNull(lookback, "lookback");
    if (maxSamplesPerSeries < 2) throw new IllegalArgumentException("maxSamplesPerSeries must be >= 2");
    if (lookback.isNegative() || lookback.isZero()) throw new IllegalArgumentException("lookback must be positive");
  }

  /** 1024 samples per series, 5 minutes lookback (Prometheus' default). */
  public static RuntimeOptions defaults() {
    return new RuntimeOptions(1024, Duration.ofMinutes(5));
  }
}
