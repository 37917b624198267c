package io.vigil.rules.expr;

/**
 * Counters of an {@link ExprRuntime}, for {@code /metrics}. A snapshot: values do not change after
 * it is taken.
 *
 * @param seriesHeld series in the store (including series that match no leaf: their "no match" is cached)
 * @param windowSamplesHeld samples held in all series windows
 * @param outOfOrderDropped samples older than their series' newest sample, ignored by the engine
 * @param windowEvictions samples evicted because a window reached maxSamplesPerSeries
 * @param evaluations leaf evaluations (one selector or window function for one series)
 * @param estimatedBytes a rough heap estimate of the store (series, windows, output vectors)
 */
public record RuntimeStats(
    long seriesHeld,
    long windowSamplesHeld,
    long outOfOrderDropped,
    long windowEvictions,
    long evaluations,
    long estimatedBytes) {}
