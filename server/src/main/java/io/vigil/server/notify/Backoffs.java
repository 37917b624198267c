package io.vigil.server.notify;

import java.time.Duration;

/** Exponential backoff with full jitter (AWS architecture blog, "Exponential Backoff And Jitter"). */
final class Backoffs {
  private Backoffs() {}

  /** A delay in [0, min(cap, base·2^(attempt-1))), never below 100 ms; {@code random} in [0, 1). */
  static Duration fullJitter(int attempt, Duration base, Duration cap, double random) {
    int shift = Math.max(0, Math.min(attempt - 1, 30));
    long ceiling = Math.min(cap.toMillis(), base.toMillis() << shift);
    if (ceiling < 0) ceiling = cap.toMillis();
    return Duration.ofMillis(Math.max(100, (long) (ceiling * random)));
  }
}
