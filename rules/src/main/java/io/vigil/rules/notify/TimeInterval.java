package io.vigil.rules.notify;

import java.time.DateTimeException;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalTime;
import java.time.Month;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.time.format.TextStyle;
import java.time.zone.ZoneOffsetTransition;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * A named set of recurring times, in Alertmanager's {@code time_intervals} shape, used by routes'
 * {@code mute_time_intervals} and {@code active_time_intervals}. Immutable.
 *
 * <p>An instant is in the interval when it is in any of its {@link Spec}s; it is in a spec when
 * every field the spec sets holds (an unset field holds always, so an empty spec is "always").
 * Fields are read on the local wall clock of the spec's {@code location}, as Alertmanager does:
 * {@code times} are {@code [start_time, end_time)} in minutes ({@code end_time} may be
 * {@code 24:00}); during an autumn DST change a local hour happens twice and both are in, during a
 * spring change the skipped hour does not exist. {@code weekdays} run sunday … saturday, so a
 * range never wraps ({@code saturday:sunday} is refused, as in Alertmanager: write both days).
 * {@code days_of_month} count from the end when negative ({@code -1} is the last day); ranges
 * past a short month's end are clamped to it. {@code months} are names or 1–12, {@code years}
 * whole years; ranges are inclusive.
 *
 * <p>One deliberate difference: a spec without {@code location} is read in the configuration's
 * zone (see {@link NotifyConfig#zone()}), not UTC, so {@code 09:00} means what the NOC means.
 */
public record TimeInterval(String name, List<Spec> specs) {
  private static final Set<String> INTERVAL_KEYS = Set.of("name", "time_intervals");
  private static final Set<String> SPEC_KEYS = Set.of("times", "weekdays", "days_of_month", "months", "years", "location");
  private static final Set<String> TIME_KEYS = Set.of("start_time", "end_time");
  private static final String[] WEEKDAYS = {"sunday", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday"};

  public TimeInterval {
    Objects.requireNonNull(name);
    specs = List.copyOf(specs);
  }

  /** Inclusive range of whole numbers. */
  public record Range(int begin, int end) {
    boolean has(int v) {
      return v >= begin && v <= end;
    }
  }

  /** {@code [startMinute, endMinute)} of the local day, 0 … 1440. */
  public record Times(int startMinute, int endMinute) {}

  /**
   * One entry of the interval. Empty lists mean "any". {@code weekdays} use 0 = sunday … 6 =
   * saturday, as Alertmanager.
   */
  public record Spec(List<Times> times, List<Range> weekdays, List<Range> daysOfMonth, List<Range> months, List<Range> years,
      ZoneId location) {
    public Spec {
      times = List.copyOf(times);
      weekdays = List.copyOf(weekdays);
      daysOfMonth = List.copyOf(daysOfMonth);
      months = List.copyOf(months);
      years = List.copyOf(years);
      Objects.requireNonNull(location);
    }

    public boolean contains(Instant t) {
      ZonedDateTime z = t.atZone(location);
      if (!times.isEmpty()) {
        int minute = z.getHour() * 60 + z.getMinute();
        if (times.stream().noneMatch(r -> minute >= r.startMinute() && minute < r.endMinute())) return false;
      }
      int weekday = z.getDayOfWeek().getValue() % 7; // java: monday=1 … sunday=7
      if (!weekdays.isEmpty() && weekdays.stream().noneMatch(r -> r.has(weekday))) return false;
      if (!daysOfMonth.isEmpty() && daysOfMonth.stream().noneMatch(r -> dayOfMonthHolds(r, z.toLocalDate()))) return false;
      if (!months.isEmpty() && months.stream().noneMatch(r -> r.has(z.getMonthValue()))) return false;
      return years.isEmpty() || years.stream().anyMatch(r -> r.has(z.getYear()));
    }

    /** Alertmanager's reading: negative days count back from the month's end; a range is clamped to the month. */
    private static boolean dayOfMonthHolds(Range r, LocalDate d) {
      int len = d.lengthOfMonth();
      int begin = r.begin() < 0 ? len + r.begin() + 1 : r.begin();
      int end = r.end() < 0 ? len + r.end() + 1 : r.end();
      if (begin > len) return false;
      begin = Math.max(begin, 1);
      end = Math.min(end, len);
      return d.getDayOfMonth() >= begin && d.getDayOfMonth() <= end;
    }

    /** The first instant after {@code t} at which {@link #contains} may change (never later than the next local midnight). */
    Instant nextChange(Instant t) {
      LocalDate today = t.atZone(location).toLocalDate();
      Instant best = today.plusDays(1).atStartOfDay(location).toInstant();
      for (LocalDate d = today; !d.isAfter(today.plusDays(1)); d = d.plusDays(1)) {
        for (Times r : times) {
          for (int m : new int[] {r.startMinute(), r.endMinute()}) {
            Instant c = m >= 1440 ? d.plusDays(1).atStartOfDay(location).toInstant()
                : ZonedDateTime.of(d, LocalTime.of(m / 60, m % 60), location).toInstant();
            if (c.isAfter(t) && c.isBefore(best)) best = c;
          }
        }
      }
      // Wall-clock times inside a DST gap resolve to a later instant than where the clock really
      // changes the answer; the transition itself is that point.
      ZoneOffsetTransition tr = location.getRules().nextTransition(t);
      if (tr != null && tr.getInstant().isBefore(best)) best = tr.getInstant();
      return best;
    }
  }

  public boolean contains(Instant t) {
    for (Spec s : specs) if (s.contains(t)) return true;
    return false;
  }

  /** The first instant after {@code t} at which {@link #contains} may change; a safe over-approximation. */
  public Instant nextChange(Instant t) {
    Instant best = null;
    for (Spec s : specs) {
      Instant c = s.nextChange(t);
      if (best == null || c.isBefore(best)) best = c;
    }
    return best == null ? t.plusSeconds(86_400) : best;
  }

  /** Parses one entry of {@code time_intervals}; throws {@link io.vigil.rules.RuleFileException} listing every problem. */
  public static TimeInterval parse(Map<String, Object> m, String where, ZoneId defaultZone) {
    ConfigReader r = new ConfigReader("");
    TimeInterval t = read(m, where, defaultZone, r);
    r.throwIfAny();
    return t;
  }

  static TimeInterval read(Object node, String path, ZoneId defaultZone, ConfigReader r) {
    Map<String, Object> m = r.mapping(node, path);
    if (m == null) return null;
    r.knownKeys(m, INTERVAL_KEYS, path);
    String name = r.string(m, "name", path);
    if (name == null || name.isBlank()) {
      r.problem(ConfigReader.child(path, "name"), "missing");
      name = null;
    }
    List<Spec> specs = new ArrayList<>();
    String specsPath = ConfigReader.child(path, "time_intervals");
    List<Object> entries = r.list(m.get("time_intervals"), specsPath);
    for (int i = 0; i < entries.size(); i++) {
      Spec s = spec(entries.get(i), ConfigReader.item(specsPath, i), defaultZone, r);
      if (s != null) specs.add(s);
    }
    return name == null ? null : new TimeInterval(name, specs);
  }

  private static Spec spec(Object node, String path, ZoneId defaultZone, ConfigReader r) {
    Map<String, Object> m = r.mapping(node, path);
    if (m == null) return null;
    r.knownKeys(m, SPEC_KEYS, path);
    List<Times> times = new ArrayList<>();
    String timesPath = ConfigReader.child(path, "times");
    List<Object> tl = r.list(m.get("times"), timesPath);
    for (int i = 0; i < tl.size(); i++) {
      String p = ConfigReader.item(timesPath, i);
      Map<String, Object> tm = r.mapping(tl.get(i), p);
      if (tm == null) continue;
      r.knownKeys(tm, TIME_KEYS, p);
      Integer start = minute(r.string(tm, "start_time", p), ConfigReader.child(p, "start_time"), r);
      Integer end = minute(r.string(tm, "end_time", p), ConfigReader.child(p, "end_time"), r);
      if (start == null || end == null) continue;
      if (start >= end) r.problem(p, "start_time must be before end_time");
      else times.add(new Times(start, end));
    }
    List<Range> weekdays = ranges(r.strings(m, "weekdays", path), ConfigReader.child(path, "weekdays"), r, 0, 6, TimeInterval::weekday);
    List<Range> days = new ArrayList<>();
    List<String> dayTexts = r.strings(m, "days_of_month", path);
    for (int i = 0; dayTexts != null && i < dayTexts.size(); i++) {
      String p = ConfigReader.item(ConfigReader.child(path, "days_of_month"), i);
      Range d = range(dayTexts.get(i), p, r, -31, 31, TimeInterval::number);
      if (d == null) continue;
      if (d.begin() == 0 || d.end() == 0) r.problem(p, "0 is not a day of the month (1 … 31, or -1 for the last)");
      else if (d.begin() < 0 && d.end() > 0) r.problem(p, "end day must be negative when the start day is");
      // As Alertmanager: with negative days the order is checked against a 28-day month.
      else if ((d.begin() < 0 ? 28 + d.begin() : d.begin()) > (d.end() < 0 ? 28 + d.end() : d.end())) r.problem(p, "end day is before start day");
      else days.add(d);
    }
    List<Range> months = ranges(r.strings(m, "months", path), ConfigReader.child(path, "months"), r, 1, 12, TimeInterval::month);
    List<Range> years = ranges(r.strings(m, "years", path), ConfigReader.child(path, "years"), r, 1, 9999, TimeInterval::number);
    ZoneId zone = defaultZone;
    String loc = r.string(m, "location", path);
    if (loc != null && !loc.equalsIgnoreCase("Local")) {
      try {
        zone = ZoneId.of(loc);
      } catch (DateTimeException e) {
        r.problem(ConfigReader.child(path, "location"), "'" + loc + "' is not a time zone (use e.g. Asia/Shanghai, UTC)");
      }
    }
    return new Spec(times, weekdays, days, months, years, zone);
  }

  private static Integer minute(String text, String path, ConfigReader r) {
    if (text == null) {
      r.problem(path, "missing");
      return null;
    }
    String s = text.trim();
    if (s.equals("24:00")) return 1440;
    java.util.regex.Matcher mm = java.util.regex.Pattern.compile("([01]?\\d|2[0-3]):([0-5]\\d)").matcher(s);
    if (!mm.matches()) {
      r.problem(path, "'" + text + "' is not a time of day (HH:MM, 00:00 … 24:00)");
      return null;
    }
    return Integer.parseInt(mm.group(1)) * 60 + Integer.parseInt(mm.group(2));
  }

  private interface Word {
    Integer value(String s);
  }

  private static List<Range> ranges(List<String> texts, String path, ConfigReader r, int min, int max, Word word) {
    List<Range> out = new ArrayList<>();
    for (int i = 0; texts != null && i < texts.size(); i++) {
      Range x = range(texts.get(i), ConfigReader.item(path, i), r, min, max, word);
      if (x == null) continue;
      if (x.begin() > x.end()) r.problem(ConfigReader.item(path, i), "'" + texts.get(i) + "': the range ends before it starts");
      else out.add(x);
    }
    return out;
  }

  private static Range range(String text, String path, ConfigReader r, int min, int max, Word word) {
    String s = text.trim().toLowerCase(Locale.ROOT);
    // A leading '-' is a negative day, not a range separator, so split on ':' only.
    String[] parts = s.split(":", -1);
    if (parts.length > 2) {
      r.problem(path, "'" + text + "' is not a value or a 'start:end' range");
      return null;
    }
    Integer b = word.value(parts[0].trim());
    Integer e = parts.length == 2 ? word.value(parts[1].trim()) : b;
    if (b == null || e == null || b < min || b > max || e < min || e > max) {
      r.problem(path, "'" + text + "' is not valid here");
      return null;
    }
    return new Range(b, e);
  }

  private static Integer number(String s) {
    try {
      return Integer.parseInt(s);
    } catch (NumberFormatException e) {
      return null;
    }
  }

  private static Integer weekday(String s) {
    for (int i = 0; i < WEEKDAYS.length; i++) if (WEEKDAYS[i].equals(s)) return i;
    return null;
  }

  private static Integer month(String s) {
    for (Month m : Month.values()) if (m.getDisplayName(TextStyle.FULL, Locale.ENGLISH).toLowerCase(Locale.ROOT).equals(s)) return m.getValue();
    return number(s);
  }

  /** The YAML/JSON shape this was read from (names for weekdays and months, location always written). */
  public Map<String, Object> toMap() {
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("name", name);
    List<Object> list = new ArrayList<>();
    for (Spec s : specs) {
      Map<String, Object> m = new LinkedHashMap<>();
      if (!s.times().isEmpty()) {
        List<Object> times = new ArrayList<>();
        for (Times t : s.times()) {
          Map<String, Object> tm = new LinkedHashMap<>();
          tm.put("start_time", clock(t.startMinute()));
          tm.put("end_time", clock(t.endMinute()));
          times.add(tm);
        }
        m.put("times", times);
      }
      if (!s.weekdays().isEmpty()) m.put("weekdays", texts(s.weekdays(), v -> WEEKDAYS[v]));
      if (!s.daysOfMonth().isEmpty()) m.put("days_of_month", texts(s.daysOfMonth(), String::valueOf));
      if (!s.months().isEmpty()) {
        m.put("months", texts(s.months(), v -> Month.of(v).getDisplayName(TextStyle.FULL, Locale.ENGLISH).toLowerCase(Locale.ROOT)));
      }
      if (!s.years().isEmpty()) m.put("years", texts(s.years(), String::valueOf));
      m.put("location", s.location().getId());
      list.add(m);
    }
    out.put("time_intervals", list);
    return out;
  }

  private static String clock(int minute) {
    return String.format(Locale.ROOT, "%02d:%02d", minute / 60, minute % 60);
  }

  private static List<String> texts(List<Range> ranges, java.util.function.IntFunction<String> name) {
    return ranges.stream().map(r -> r.begin() == r.end() ? name.apply(r.begin()) : name.apply(r.begin()) + ":" + name.apply(r.end())).toList();
  }
}
