package io.vigil.rules.mute;

import io.vigil.rules.Labels;
import java.time.DayOfWeek;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalTime;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.util.EnumSet;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * A recurring weekly maintenance window of one customer (optionally narrowed to one system),
 * in the customer's time zone. Immutable.
 *
 * <p>An occurrence starts on each of {@code days} at local {@code start} and ends at local
 * {@code end} the same day, or the next day when {@code end} is not after {@code start} (a window
 * crossing midnight; {@code end == start} means 24 hours). {@code days} are the days an occurrence
 * <em>starts</em>. Local times that do not exist or exist twice because of a DST change resolve as
 * {@link ZonedDateTime#of} does: a time in the spring-forward gap moves later by the gap's length,
 * an ambiguous autumn time takes the earlier offset. So a window is never lost to DST (one wholly
 * inside the gap happens an hour later), and its length in real time may differ by the DST shift
 * on those two nights.
 *
 * @param id     null in a draft that has not been stored yet
 * @param system null: every system of the customer
 */
public record MaintenanceWindow(String id, String customer, String system, Set<DayOfWeek> days, LocalTime start,
    LocalTime end, ZoneId zone, String comment, String createdBy) {
  public MaintenanceWindow {
    Objects.requireNonNull(customer);
    Objects.requireNonNull(start);
    Objects.requireNonNull(end);
    Objects.requireNonNull(zone);
    if (days.isEmpty()) throw new IllegalArgumentException("a maintenance window needs at least one day");
    days = Set.copyOf(EnumSet.copyOf(days));
  }

  /** One occurrence in real time: [from, until). */
  public record Occurrence(Instant from, Instant until) {
    public boolean covers(Instant t) {
      return !t.isBefore(from) && t.isBefore(until);
    }
  }

  /** The customer (and system, if set) labels equal the window's. */
  public boolean selects(Labels labels) {
    return customer.equals(labels.get("customer")) && (system == null || system.equals(labels.get("system")));
  }

  /** The occurrence starting on local date {@code d}, or empty when {@code d}'s weekday is not a window day. */
  public Optional<Occurrence> occurrenceOn(LocalDate d) {
    if (!days.contains(d.getDayOfWeek())) return Optional.empty();
    ZonedDateTime from = ZonedDateTime.of(d, start, zone);
    ZonedDateTime until = ZonedDateTime.of(end.isAfter(start) ? d : d.plusDays(1), end, zone);
    return Optional.of(new Occurrence(from.toInstant(), until.toInstant()));
  }

  /** The occurrence covering {@code now}, if any (it may have started the local day before). */
  public Optional<Occurrence> activeAt(Instant now) {
    LocalDate today = now.atZone(zone).toLocalDate();
    for (LocalDate d = today.minusDays(1); !d.isAfter(today); d = d.plusDays(1)) {
      Optional<Occurrence> o = occurrenceOn(d);
      if (o.isPresent() && o.get().covers(now)) return o;
    }
    return Optional.empty();
  }

  /** The first occurrence start or end strictly after {@code now}. */
  public Instant nextBoundary(Instant now) {
    LocalDate today = now.atZone(zone).toLocalDate();
    Instant best = null;
    // Eight days ahead cover every weekday once more; one day back covers an occurrence still running.
    for (LocalDate d = today.minusDays(1); d.isBefore(today.plusDays(9)); d = d.plusDays(1)) {
      Optional<Occurrence> o = occurrenceOn(d);
      if (o.isEmpty()) continue;
      for (Instant b : new Instant[] {o.get().from(), o.get().until()}) {
        if (b.isAfter(now) && (best == null || b.isBefore(best))) best = b;
      }
    }
    return best;
  }

  /** Every occurrence overlapping {@code [from, to)}, in order (the first may start before {@code from}). */
  public java.util.List<Occurrence> occurrencesBetween(Instant from, Instant to) {
    java.util.List<Occurrence> out = new java.util.ArrayList<>();
    for (LocalDate d = from.atZone(zone).toLocalDate().minusDays(1); !d.isAfter(to.atZone(zone).toLocalDate()); d = d.plusDays(1)) {
      occurrenceOn(d).filter(o -> o.until().isAfter(from) && o.from().isBefore(to)).ifPresent(out::add);
    }
    return out;
  }

  public MaintenanceWindow withId(String newId) {
    return new MaintenanceWindow(newId, customer, system, days, start, end, zone, comment, createdBy);
  }
}
