package io.vigil.rules.sla;

import java.time.DayOfWeek;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Weekly working hours in a time zone, with holidays (dates that do not work) and make-up working
 * days (调休: dates that work the standard weekday's hours even when they fall on a weekend).
 *
 * <p>Local hours become instants by {@link ZonedDateTime#of}: across a spring-forward gap a range
 * starting or ending in the gap moves to the gap's end (the day has an hour less), across a
 * fall-back overlap the earlier offset is used (the day has an hour more). Holidays and make-up days
 * are local dates in the calendar's zone. The arithmetic walks working stretches day by day, so a
 * 10-business-day target costs a few dozen steps, never minute by minute.
 */
public final class WeeklyCalendar implements BusinessCalendar {
  /** A span with no working time at all this long means a calendar that never works again. */
  private static final int MAX_IDLE_DAYS = 3700;
  private final String name;
  private final ZoneId zone;
  private final Map<DayOfWeek, List<LocalTimeRange>> hours;
  private final Set<LocalDate> holidays;
  private final Set<LocalDate> workdays;
  private final List<LocalTimeRange> standard;

  public WeeklyCalendar(String name, ZoneId zone, Map<DayOfWeek, List<LocalTimeRange>> hours, Set<LocalDate> holidays,
      Set<LocalDate> workdays) {
    this.name = name;
    this.zone = zone;
    EnumMap<DayOfWeek, List<LocalTimeRange>> h = new EnumMap<>(DayOfWeek.class);
    hours.forEach((d, l) -> {
      if (!l.isEmpty()) h.put(d, List.copyOf(l));
    });
    if (h.isEmpty()) throw new IllegalArgumentException("calendar " + name + " has no working hours");
    this.hours = h;
    this.holidays = Set.copyOf(holidays);
    this.workdays = Set.copyOf(workdays);
    List<LocalTimeRange> std = h.get(DayOfWeek.MONDAY);
    for (DayOfWeek d : DayOfWeek.values()) {
      if (std != null) break;
      std = h.get(d);
    }
    this.standard = std;
  }

  @Override
  public String name() {
    return name;
  }

  public ZoneId zone() {
    return zone;
  }

  public Map<DayOfWeek, List<LocalTimeRange>> hours() {
    return hours;
  }

  public Set<LocalDate> holidays() {
    return new TreeSet<>(holidays);
  }

  public Set<LocalDate> workdays() {
    return new TreeSet<>(workdays);
  }

  /** The same hours, holidays and make-up days counted in {@code other}. */
  public WeeklyCalendar inZone(ZoneId other) {
    return other.equals(zone) ? this : new WeeklyCalendar(name, other, hours, holidays, workdays);
  }

  @Override
  public Duration businessDay() {
    Duration d = Duration.ZERO;
    for (LocalTimeRange r : standard) d = d.plus(r.length());
    return d;
  }

  /** The working ranges of a local date. */
  List<LocalTimeRange> rangesOf(LocalDate date) {
    if (holidays.contains(date)) return List.of();
    if (workdays.contains(date)) return standard;
    return hours.getOrDefault(date.getDayOfWeek(), List.of());
  }

  /** The working stretches of {@code date} as instants, in order; empty ones (lost to a DST gap) left out. */
  private List<Instant[]> stretches(LocalDate date) {
    List<LocalTimeRange> ranges = rangesOf(date);
    List<Instant[]> out = new ArrayList<>(ranges.size());
    for (LocalTimeRange r : ranges) {
      Instant s = ZonedDateTime.of(date, r.start(), zone).toInstant();
      Instant e = r.toEndOfDay() ? date.plusDays(1).atStartOfDay(zone).toInstant() : ZonedDateTime.of(date, r.end(), zone).toInstant();
      if (e.isAfter(s)) out.add(new Instant[] {s, e});
    }
    return out;
  }

  @Override
  public Instant addWorkingTime(Instant start, Duration work) {
    if (work.isNegative()) throw new IllegalArgumentException("negative working time " + work);
    if (work.isZero()) return start;
    Duration remaining = work;
    // From the day before: a stretch of the previous local date may still be running at start.
    LocalDate date = start.atZone(zone).toLocalDate().minusDays(1);
    int idle = 0;
    while (true) {
      boolean any = false;
      for (Instant[] st : stretches(date)) {
        if (!st[1].isAfter(start)) continue;
        any = true;
        Instant s = st[0].isBefore(start) ? start : st[0];
        Duration len = Duration.between(s, st[1]);
        if (len.compareTo(remaining) >= 0) return s.plus(remaining);
        remaining = remaining.minus(len);
      }
      idle = any ? 0 : idle + 1;
      if (idle > MAX_IDLE_DAYS) throw new IllegalStateException("calendar " + name + " has no working time for years after " + start);
      date = date.plusDays(1);
    }
  }

  @Override
  public Duration workingTimeBetween(Instant from, Instant to) {
    if (!to.isAfter(from)) return Duration.ZERO;
    Duration total = Duration.ZERO;
    LocalDate date = from.atZone(zone).toLocalDate().minusDays(1);
    LocalDate last = to.atZone(zone).toLocalDate();
    for (; !date.isAfter(last); date = date.plusDays(1)) {
      for (Instant[] st : stretches(date)) {
        Instant s = st[0].isBefore(from) ? from : st[0];
        Instant e = st[1].isAfter(to) ? to : st[1];
        if (e.isAfter(s)) total = total.plus(Duration.between(s, e));
      }
    }
    return total;
  }

  @Override
  public String toString() {
    return name + "@" + zone;
  }
}
