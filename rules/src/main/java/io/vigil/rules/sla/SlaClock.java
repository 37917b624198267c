package io.vigil.rules.sla;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Pure SLA clock arithmetic: working time of a calendar counted from a start, not counting pauses.
 * Pauses may be unsorted, overlapping or start before the clock; they are merged first, and an
 * open-ended pause (end null) stops the clock for good from its start.
 */
public final class SlaClock {
  private SlaClock() {}

  /**
   * The instant at which {@code target} working time has run from {@code start}, pauses excluded;
   * null when the target would be reached inside an open-ended pause (the clock is stopped).
   */
  public static Instant due(Instant start, Duration target, BusinessCalendar cal, List<Pause> pauses) {
    Instant t = start;
    Duration remaining = target;
    for (Pause p : merged(start, pauses)) {
      if (!p.start().isAfter(t)) { // inside it now
        if (p.end() == null) return null;
        t = p.end();
        continue;
      }
      Instant candidate = cal.addWorkingTime(t, remaining);
      if (!candidate.isAfter(p.start())) return candidate;
      remaining = remaining.minus(cal.workingTimeBetween(t, p.start()));
      if (p.end() == null) return null;
      t = p.end();
    }
    return cal.addWorkingTime(t, remaining);
  }

  /** The instant at which {@code fraction} of {@code target} has run (rounded to the millisecond); null as for {@link #due}. */
  public static Instant warnAt(Instant start, Duration target, double fraction, BusinessCalendar cal, List<Pause> pauses) {
    if (!(fraction > 0 && fraction <= 1)) throw new IllegalArgumentException("warning fraction must be in (0, 1], got " + fraction);
    return due(start, Duration.ofMillis(Math.round(target.toMillis() * fraction)), cal, pauses);
  }

  /** Working time counted in {@code [start, now)}: the calendar's working time there minus what fell in pauses. */
  public static Duration elapsed(Instant start, Instant now, BusinessCalendar cal, List<Pause> pauses) {
    return cal.workingTimeBetween(start, now).minus(paused(start, now, cal, pauses));
  }

  /** Working time in {@code [start, now)} that fell inside pauses (each instant counted once however many pauses cover it). */
  public static Duration paused(Instant start, Instant now, BusinessCalendar cal, List<Pause> pauses) {
    Duration total = Duration.ZERO;
    for (Pause p : merged(start, pauses)) {
      Instant end = p.end() == null || p.end().isAfter(now) ? now : p.end();
      total = total.plus(cal.workingTimeBetween(p.start(), end));
    }
    return total;
  }

  /** Pauses clipped to start at or after {@code start}, sorted, overlapping ones merged; an open one ends the list. */
  static List<Pause> merged(Instant start, List<Pause> pauses) {
    List<Pause> sorted = new ArrayList<>();
    for (Pause p : pauses) {
      if (p.end() != null && !p.end().isAfter(start)) continue;
      sorted.add(p.start().isBefore(start) ? new Pause(start, p.end()) : p);
    }
    sorted.sort(Comparator.comparing(Pause::start));
    List<Pause> out = new ArrayList<>();
    for (Pause p : sorted) {
      if (!out.isEmpty()) {
        Pause last = out.get(out.size() - 1);
        if (last.end() == null) break;
        if (!p.start().isAfter(last.end())) {
          Instant end = p.end() == null || p.end().isAfter(last.end()) ? p.end() : last.end();
          out.set(out.size() - 1, new Pause(last.start(), end));
          continue;
        }
      }
      out.add(p);
    }
    return out;
  }
}
