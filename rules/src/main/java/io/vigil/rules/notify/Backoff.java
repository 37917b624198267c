package io.vigil.rules.notify;

import java.time.Duration;
import java.util.function.DoubleSupplier;

/**
 * Retry delays: exponential with "full jitter" (a uniform draw in {@code [0, min(cap, base·2^(n-1)))}),
 * which spreads the retries of many failed deliveries instead of letting them retry in lockstep
 * against a receiver that just came back. Pure: the random source is an argument. Immutable.
 */
public final class Backoff {
  private final RetryPolicy policy;

  public Backoff(RetryPolicy policy) {
    this.policy = policy;
  }

  /**
   * The upper bound for retry number {@code attempt} (1 after the first failure): {@code base·2^(attempt-1)}
   * capped. Attempts below 1 count as 1; any attempt count is safe (no overflow).
   */
  public Duration ceiling(int attempt) {
    int n = Math.max(1, attempt) - 1;
    long base = policy.base().toMillis();
    long cap = policy.cap().toMillis();
    // 2^n overflows long at n = 63; doubling past the cap is the cap anyway.
    if (n >= 62 || base > (cap >> n)) return policy.cap();
    return Duration.ofMillis(Math.min(cap, base << n));
  }

  /**
   * The delay before retry {@code attempt}; {@code random} yields [0, 1) (values outside are
   * clamped), e.g. {@code ThreadLocalRandom.current()::nextDouble}. Never negative, never above
   * {@link #ceiling}.
   */
  public Duration delay(int attempt, DoubleSupplier random) {
    double r = random.getAsDouble();
    if (Double.isNaN(r) || r < 0) r = 0;
    if (r > 1) r = 1;
    long ceiling = ceiling(attempt).toMillis();
    return Duration.ofMillis((long) (ceiling * r));
  }

  public RetryPolicy policy() {
    return policy;
  }
}
