package io.vigil.rules.notify;

import java.time.Duration;
import java.time.Instant;
import java.util.Objects;

/**
 * How long a failing delivery is retried: exponential backoff from {@code base}, doubling, capped
 * at {@code cap}, with full jitter (see {@link Backoff}); after {@code deadLetterAfter} since the
 * first attempt the delivery is given up and dead-lettered. Immutable. Read from the optional
 * top-level {@code notify:} mapping ({@code retry_base}, {@code retry_cap},
 * {@code dead_letter_after}).
 */
public record RetryPolicy(Duration base, Duration cap, Duration deadLetterAfter) {
  public static final RetryPolicy DEFAULT = new RetryPolicy(Duration.ofSeconds(1), Duration.ofMinutes(5), Duration.ofHours(24));

  public RetryPolicy {
    Objects.requireNonNull(base);
    Objects.requireNonNull(cap);
    Objects.requireNonNull(deadLetterAfter);
    if (base.isNegative() || base.isZero()) throw new IllegalArgumentException("retry_base must be more than 0s");
    if (cap.compareTo(base) < 0) throw new IllegalArgumentException("retry_cap must be at least retry_base");
    if (deadLetterAfter.isNegative() || deadLetterAfter.isZero()) throw new IllegalArgumentException("dead_letter_after must be more than 0s");
  }

  /** True once a delivery first tried at {@code firstAttemptAt} should stop retrying. */
  public boolean deadLettered(Instant firstAttemptAt, Instant now) {
    return !now.isBefore(firstAttemptAt.plus(deadLetterAfter));
  }
}
