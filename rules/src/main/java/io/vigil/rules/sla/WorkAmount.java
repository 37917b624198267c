package io.vigil.rules.sla;

import io.vigil.rules.Durations;
import java.time.Duration;

/** An SLA target: a plain duration ({@code 15m}, {@code 4h}) or business days ({@code 3bd}), resolved against a calendar. */
public record WorkAmount(Duration duration, int businessDays) {
  public WorkAmount {
    if (duration != null && businessDays != 0) throw new IllegalArgumentException("a duration or business days, not both");
    if (duration == null && businessDays <= 0) throw new IllegalArgumentException("business days must be positive");
  }

  public static WorkAmount of(Duration d) {
    return new WorkAmount(d, 0);
  }

  public static WorkAmount businessDays(int n) {
    return new WorkAmount(null, n);
  }

  public static WorkAmount parse(String text) {
    String s = text == null ? "" : text.trim();
    if (s.endsWith("bd")) {
      try {
        return businessDays(Integer.parseInt(s.substring(0, s.length() - 2)));
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException("bad target '" + text + "': use e.g. 15m, 4h, 1h30m or 3bd (business days)");
      }
    }
    try {
      return of(Durations.parse(s));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("bad target '" + text + "': use e.g. 15m, 4h, 1h30m or 3bd (business days)");
    }
  }

  public Duration on(BusinessCalendar cal) {
    return duration != null ? duration : cal.businessDay().multipliedBy(businessDays);
  }

  @Override
  public String toString() {
    return duration != null ? Durations.format(duration) : businessDays + "bd";
  }
}
