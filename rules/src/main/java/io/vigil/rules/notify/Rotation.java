package io.vigil.rules.notify;

import java.time.DayOfWeek;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.time.temporal.ChronoUnit;
import java.time.temporal.TemporalAdjusters;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * One layer of a {@link Schedule}: people taking turns. Immutable.
 *
 * <p>The first person's first shift starts at {@code start} (local, in the schedule's zone) and ends at
 * the first handoff after it; from then on each handoff passes the turn to the next person in
 * {@code people}, wrapping round. Handoffs are <b>local wall-clock times</b>:
 * <ul>
 *   <li>{@code daily}: every day at {@code handoff};</li>
 *   <li>{@code weekly}: every {@code handoffDay} at {@code handoff};</li>
 *   <li>a duration such as {@code 12h}: {@code start + k × length} in local time, so 08:00/20:00 shifts
 *       stay at 08:00/20:00 all year.</li>
 * </ul>
 * A local time becomes an instant as {@link ZonedDateTime#of} makes it: a handoff in a spring-forward gap
 * moves later by the gap's length (02:30 in Berlin on the last Sunday of March is 03:30 CEST), one in an
 * autumn overlap takes the earlier offset. So the shift across a DST change is an hour shorter or
 * longer (a daily 09:00 handoff gives a 23 h or 25 h shift), and nobody's turn is lost.
 *
 * <p>With {@code restrict} the layer is active only inside those weekly windows; handoffs still happen
 * on the rotation's own grid (PagerDuty's "restrictions" semantics), so whoever's turn it is covers the
 * windows that fall in their turn.
 *
 * @param name        optional display name of the layer (e.g. {@code nights}); null when not given
 * @param handoff     null for duration rotations
 * @param handoffDay  null unless weekly
 */
public record Rotation(String name, List<String> people, Period period, LocalTime handoff, DayOfWeek handoffDay,
    LocalDateTime start, List<RotationRestriction> restrict) {
  static final LocalTime DEFAULT_HANDOFF = LocalTime.of(9, 0);
  private static final Set<String> KEYS = Set.of("name", "people", "rotation", "handoff", "handoff_day", "start", "restrict");
  private static final Duration MIN_LENGTH = Duration.ofHours(1);

  public enum Kind { DAILY, WEEKLY, EVERY }

  /** {@code daily}, {@code weekly}, or a fixed local-time length ({@code 12h}; at least 1 h, whole minutes). */
  public record Period(Kind kind, Duration length) {
    public static final Period DAILY = new Period(Kind.DAILY, null);
    public static final Period WEEKLY = new Period(Kind.WEEKLY, null);

    public Period {
      Objects.requireNonNull(kind);
      if (kind == Kind.EVERY) {
        if (length == null || length.compareTo(MIN_LENGTH) < 0 || length.toSeconds() % 60 != 0 || length.getNano() != 0) {
          throw new IllegalArgumentException("a rotation length must be whole minutes and at least 1h, got " + length);
        }
      } else if (length != null) {
        throw new IllegalArgumentException(kind + " has no length");
      }
    }

    public static Period every(Duration length) {
      return new Period(Kind.EVERY, length);
    }

    public static Period parse(String text) {
      String t = text.strip().toLowerCase(Locale.ROOT);
      if (t.equals("daily")) return DAILY;
      if (t.equals("weekly")) return WEEKLY;
      Duration d;
      try {
        d = io.vigil.rules.Durations.parse(t);
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("'" + text + "' is not daily, weekly or a duration like 12h");
      }
      return every(d);
    }

    @Override
    public String toString() {
      return kind == Kind.EVERY ? io.vigil.rules.Durations.format(length) : kind.name().toLowerCase(Locale.ROOT);
    }
  }

  public Rotation {
    people = List.copyOf(people);
    restrict = List.copyOf(restrict);
    Objects.requireNonNull(period);
    Objects.requireNonNull(start);
    if (people.isEmpty()) throw new IllegalArgumentException("a rotation needs at least one person");
    if (period.kind() == Kind.EVERY) {
      if (handoff != null || handoffDay != null) {
        throw new IllegalArgumentException("handoff and handoff_day apply to daily and weekly rotations; rotation " + period + " hands off every " + period + " from its start");
      }
    } else {
      Objects.requireNonNull(handoff, "handoff");
      if ((period.kind() == Kind.WEEKLY) != (handoffDay != null)) {
        throw new IllegalArgumentException("handoff_day applies to weekly rotations only (and weekly ones need it)");
      }
    }
  }

  /** A daily rotation handing off at {@code handoff}, no restriction. */
  public static Rotation daily(List<String> people, LocalTime handoff, LocalDateTime start) {
    return new Rotation(null, people, Period.DAILY, handoff, null, start, List.of());
  }

  /** A weekly rotation handing off on {@code day} at {@code handoff}, no restriction. */
  public static Rotation weekly(List<String> people, DayOfWeek day, LocalTime handoff, LocalDateTime start) {
    return new Rotation(null, people, Period.WEEKLY, handoff, day, start, List.of());
  }

  public Rotation withRestrict(List<RotationRestriction> windows) {
    return new Rotation(name, people, period, handoff, handoffDay, start, windows);
  }

  public Rotation withName(String newName) {
    return new Rotation(newName, people, period, handoff, handoffDay, start, restrict);
  }

  static Rotation parse(Object o, String where, OnCallYaml.Problems p) {
    Map<?, ?> m = OnCallYaml.map(o, where, p);
    if (m == null) return null;
    int before = p.size();
    OnCallYaml.knownKeys(m, KEYS, where, p);
    String name = OnCallYaml.string(m, "name", false, where, p);
    List<String> people = new ArrayList<>();
    List<?> rawPeople = OnCallYaml.list(m.get("people"), OnCallYaml.at(where, "people"), p);
    if (rawPeople != null) {
      if (rawPeople.isEmpty()) p.add(OnCallYaml.at(where, "people"), "a rotation needs at least one person");
      for (int i = 0; i < rawPeople.size(); i++) {
        String id = OnCallYaml.idValue(rawPeople.get(i), OnCallYaml.at(where, "people", i), p);
        if (id != null) people.add(id);
      }
    }
    Period period = null;
    String rotation = OnCallYaml.string(m, "rotation", true, where, p);
    if (rotation != null) {
      try {
        period = Period.parse(rotation);
      } catch (IllegalArgumentException e) {
        p.add(OnCallYaml.at(where, "rotation"), e.getMessage());
      }
    }
    LocalTime handoff = null;
    DayOfWeek handoffDay = null;
    boolean every = period != null && period.kind() == Kind.EVERY;
    if (every && (m.containsKey("handoff") || m.containsKey("handoff_day"))) {
      p.add(where, "handoff and handoff_day apply to daily and weekly rotations; rotation " + period + " hands off every " + period + " from its start");
    } else if (period != null && !every) {
      handoff = m.get("handoff") == null ? DEFAULT_HANDOFF : OnCallYaml.time(m.get("handoff"), OnCallYaml.at(where, "handoff"), p);
      if (period.kind() == Kind.WEEKLY) {
        handoffDay = m.get("handoff_day") == null ? DayOfWeek.MONDAY : OnCallYaml.day(m.get("handoff_day"), OnCallYaml.at(where, "handoff_day"), p);
      } else if (m.containsKey("handoff_day")) {
        p.add(OnCallYaml.at(where, "handoff_day"), "applies to weekly rotations only");
      }
    }
    LocalDateTime start = null;
    if (m.get("start") == null) {
      p.add(OnCallYaml.at(where, "start"), "missing (the local date-time of the first person's first shift, e.g. 2026-01-05T09:00)");
    } else {
      start = OnCallYaml.localDateTime(m.get("start"), handoff == null ? LocalTime.MIDNIGHT : handoff, OnCallYaml.at(where, "start"), p);
    }
    List<RotationRestriction> restrict = new ArrayList<>();
    List<?> rawRestrict = OnCallYaml.list(m.get("restrict"), OnCallYaml.at(where, "restrict"), p);
    if (rawRestrict != null) {
      for (int i = 0; i < rawRestrict.size(); i++) {
        RotationRestriction r = RotationRestriction.parse(rawRestrict.get(i), OnCallYaml.at(where, "restrict", i), p);
        if (r != null) restrict.add(r);
      }
    }
    if (p.size() > before) return null;
    return new Rotation(name, people, period, handoff, handoffDay, start, restrict);
  }

  public Map<String, Object> toMap() {
    Map<String, Object> m = new LinkedHashMap<>();
    if (name != null) m.put("name", name);
    m.put("people", people);
    m.put("rotation", period.toString());
    if (handoff != null) m.put("handoff", OnCallYaml.time(handoff));
    if (handoffDay != null) m.put("handoff_day", handoffDay.name().toLowerCase(Locale.ROOT));
    m.put("start", start.toString());
    if (!restrict.isEmpty()) m.put("restrict", restrict.stream().map(RotationRestriction::toMap).toList());
    return m;
  }

  private String person(long k) {
    return people.get((int) Math.floorMod(k, (long) people.size()));
  }

  /**
   * The layer's stretches within {@code [from, to)}, clipped to it, in order and not overlapping. Consecutive
   * turns of the same person stay separate pieces; the schedule merges them.
   */
  List<OnCallShift> pieces(Instant from, Instant to, ZoneId zone, OnCallShift.Source source) {
    List<OnCallShift> turns = new ArrayList<>();
    if (!to.isAfter(from)) return turns;
    Grid g = new Grid(zone);
    long k = g.indexAt(from);
    if (k < 0) k = 0;
    for (Instant b = g.boundary(k); b.isBefore(to); k++) {
      Instant next = g.boundary(k + 1);
      Instant s = b.isBefore(from) ? from : b;
      Instant e = next.isAfter(to) ? to : next;
      if (e.isAfter(s)) turns.add(new OnCallShift(person(k), s, e, source));
      b = next;
    }
    if (restrict.isEmpty()) return turns;
    return intersect(turns, windows(from, to, zone));
  }

  /** The union of the restriction windows overlapping {@code [from, to)}, in order. */
  private List<Instant[]> windows(Instant from, Instant to, ZoneId zone) {
    List<Instant[]> all = new ArrayList<>();
    for (RotationRestriction r : restrict) all.addAll(r.occurrences(from, to, zone));
    all.sort((a, b) -> a[0].compareTo(b[0]));
    List<Instant[]> union = new ArrayList<>();
    for (Instant[] w : all) {
      Instant[] last = union.isEmpty() ? null : union.get(union.size() - 1);
      if (last != null && !w[0].isAfter(last[1])) {
        if (w[1].isAfter(last[1])) last[1] = w[1];
      } else {
        union.add(new Instant[] {w[0], w[1]});
      }
    }
    return union;
  }

  private static List<OnCallShift> intersect(List<OnCallShift> turns, List<Instant[]> windows) {
    List<OnCallShift> out = new ArrayList<>();
    int w = 0;
    for (OnCallShift t : turns) {
      while (w < windows.size() && !windows.get(w)[1].isAfter(t.start())) w++;
      for (int j = w; j < windows.size() && windows.get(j)[0].isBefore(t.end()); j++) {
        Instant s = windows.get(j)[0].isAfter(t.start()) ? windows.get(j)[0] : t.start();
        Instant e = windows.get(j)[1].isBefore(t.end()) ? windows.get(j)[1] : t.end();
        if (e.isAfter(s)) out.add(new OnCallShift(t.person(), s, e, t.source()));
      }
    }
    return out;
  }

  /** The handoff grid in one zone: boundary(0) is the start, boundary(k ≥ 1) the k-th handoff. */
  private final class Grid {
    private final ZoneId zone;
    private final Instant first;
    private final LocalDate firstHandoff;
    private final int stepDays;

    Grid(ZoneId zone) {
      this.zone = zone;
      this.first = ZonedDateTime.of(start, zone).toInstant();
      if (period.kind() == Kind.EVERY) {
        this.firstHandoff = null;
        this.stepDays = 0;
      } else {
        this.stepDays = period.kind() == Kind.DAILY ? 1 : 7;
        LocalDate d = start.toLocalDate();
        if (period.kind() == Kind.WEEKLY) d = d.with(TemporalAdjusters.nextOrSame(handoffDay));
        if (!handoffOn(d).isAfter(first)) d = d.plusDays(stepDays);
        this.firstHandoff = d;
      }
    }

    private Instant handoffOn(LocalDate d) {
      return ZonedDateTime.of(d, handoff, zone).toInstant();
    }

    Instant boundary(long k) {
      if (k <= 0) return first;
      if (period.kind() == Kind.EVERY) {
        return ZonedDateTime.of(start.plus(period.length().multipliedBy(k)), zone).toInstant();
      }
      return handoffOn(firstHandoff.plusDays((k - 1) * stepDays));
    }

    /** The turn covering {@code t}: boundary(k) ≤ t < boundary(k + 1); -1 before the start. */
    long indexAt(Instant t) {
      if (t.isBefore(first)) return -1;
      long k;
      if (period.kind() == Kind.EVERY) {
        // Local time runs at most a DST shift away from real time, so this is off by one or two turns at most.
        k = Duration.between(first, t).toMinutes() / period.length().toMinutes();
      } else {
        LocalDate d = t.atZone(zone).toLocalDate();
        k = Math.floorDiv(ChronoUnit.DAYS.between(firstHandoff, d), stepDays) + 1;
      }
      k = Math.max(0, k);
      while (k > 0 && boundary(k).isAfter(t)) k--;
      while (!boundary(k + 1).isAfter(t)) k++;
      return k;
    }
  }
}
