package io.vigil.rules.sla;

import java.time.Duration;
import java.time.Instant;

/**
 * Working time of a contract: which instants count toward an SLA target. Implementations are
 * immutable, thread-safe and pure (no clock: every instant is an argument).
 */
public interface BusinessCalendar {
  String name();

  /**
   * The earliest instant {@code t >= start} with {@code workingTimeBetween(start, t) == work}. A zero
   * {@code work} returns {@code start} itself (even outside working hours); a positive one always
   * ends inside, or at the end of, a working stretch.
   *
   * @throws IllegalArgumentException for a negative {@code work}
   */
  Instant addWorkingTime(Instant start, Duration work);

  /** Working time inside {@code [from, to)}; zero when {@code to <= from}. */
  Duration workingTimeBetween(Instant from, Instant to);

  /**
   * One "business day" for targets written in business days ({@code 3bd}): 24 h on 7×24; for weekly
   * hours, the working length of a standard weekday (Monday's, or the first working weekday's).
   */
  Duration businessDay();

  /** 7×24: every instant counts. */
  static BusinessCalendar always() {
    return AlwaysOpen.INSTANCE;
  }
}
