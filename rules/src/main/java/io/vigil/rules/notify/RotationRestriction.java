package io.vigil.rules.notify;

import java.time.DayOfWeek;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalTime;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * A weekly window in which a rotation layer is active, e.g. nights ({@code 18:00}–{@code 09:00}) or
 * weekends. Immutable.
 *
 * <p>An occurrence starts on each of {@code days} at local {@code start} and ends at local {@code end}
 * the same day, or the next day when {@code end} is not after {@code start} (a window across midnight
 * belongs to the day it starts; {@code end == start} means 24 hours; {@code end: 24:00} is midnight).
 * Local times resolve as {@link ZonedDateTime#of} does, so an occurrence may be an hour shorter or longer
 * on a DST night, as everything else in a schedule.
 */
public record RotationRestriction(Set<DayOfWeek> days, LocalTime start, LocalTime end) {
  private static final Set<String> KEYS = Set.of("days", "start", "end");

  public RotationRestriction {
    Objects.requireNonNull(start);
    Objects.requireNonNull(end);
    if (days.isEmpty()) throw new IllegalArgumentException("a restriction needs at least one day");
    days = Set.copyOf(EnumSet.copyOf(days));
  }

  /** Every day of the week from {@code start} to {@code end} (across midnight when end is not after start). */
  public static RotationRestriction daily(LocalTime start, LocalTime end) {
    return new RotationRestriction(EnumSet.allOf(DayOfWeek.class), start, end);
  }

  static RotationRestriction parse(Object o, String where, OnCallYaml.Problems p) {
    Map<?, ?> m = OnCallYaml.map(o, where, p);
    if (m == null) return null;
    int before = p.size();
    OnCallYaml.knownKeys(m, KEYS, where, p);
    Set<DayOfWeek> days = m.containsKey("days") ? OnCallYaml.days(m.get("days"), OnCallYaml.at(where, "days"), p)
        : EnumSet.allOf(DayOfWeek.class);
    LocalTime start = need(m, "start", where, p);
    LocalTime end = need(m, "end", where, p);
    return p.size() > before ? null : new RotationRestriction(days, start, end);
  }

  private static LocalTime need(Map<?, ?> m, String key, String where, OnCallYaml.Problems p) {
    if (m.get(key) == null) {
      p.add(OnCallYaml.at(where, key), "missing");
      return null;
    }
    return OnCallYaml.time(m.get(key), OnCallYaml.at(where, key), p);
  }

  /** The occurrences overlapping {@code [from, to)}, in order, not clipped; {@code [0]} start, {@code [1]} end. */
  List<Instant[]> occurrences(Instant from, Instant to, ZoneId zone) {
    List<Instant[]> out = new ArrayList<>();
    LocalDate last = to.atZone(zone).toLocalDate();
    for (LocalDate d = from.atZone(zone).toLocalDate().minusDays(1); !d.isAfter(last); d = d.plusDays(1)) {
      if (!days.contains(d.getDayOfWeek())) continue;
      Instant s = ZonedDateTime.of(d, start, zone).toInstant();
      Instant e = ZonedDateTime.of(end.isAfter(start) ? d : d.plusDays(1), end, zone).toInstant();
      if (e.isAfter(s) && e.isAfter(from) && s.isBefore(to)) out.add(new Instant[] {s, e});
    }
    return out;
  }

  public Map<String, Object> toMap() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("days", EnumSet.copyOf(days).stream().map(d -> d.name().toLowerCase(java.util.Locale.ROOT)).toList());
    m.put("start", OnCallYaml.time(start));
    m.put("end", OnCallYaml.time(end));
    return m;
  }
}
