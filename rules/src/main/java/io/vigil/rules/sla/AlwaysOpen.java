package io.vigil.rules.sla;

import java.time.Duration;
import java.time.Instant;

/** The 7×24 calendar. */
final class AlwaysOpen implements BusinessCalendar {
  static final AlwaysOpen INSTANCE = new AlwaysOpen();
  static final String NAME = "7x24";

  private AlwaysOpen() {}

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public Instant addWorkingTime(Instant start, Duration work) {
    if (work.isNegative()) throw new IllegalArgumentException("negative working time " + work);
    return start.plus(work);
  }

  @Override
  public Duration workingTimeBetween(Instant from, Instant to) {
    return to.isAfter(from) ? Duration.between(from, to) : Duration.ZERO;
  }

  @Override
  public Duration businessDay() {
    return Duration.ofHours(24);
  }

  @Override
  public String toString() {
    return NAME;
  }
}
