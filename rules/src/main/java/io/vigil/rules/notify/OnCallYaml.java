package io.vigil.rules.notify;

import io.vigil.rules.Durations;
import io.vigil.rules.RuleFileException;
import java.time.DateTimeException;
import java.time.DayOfWeek;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.OffsetDateTime;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * Reading helpers shared by the on-call parsers. Every reader takes the path of the value (e.g.
 * {@code rules.yaml: schedules[0].layers[1].handoff}), adds a problem naming that path when the value
 * is wrong, and returns null so that parsing goes on and reports everything at once. Values come from
 * snakeyaml-engine (YAML 1.2 core schema: {@code 09:00} and {@code 2026-01-05} stay strings) or from a
 * JSON request body, so only strings, numbers, booleans, lists and maps occur.
 */
final class OnCallYaml {
  /** Ids of people and names of schedules and chains: safe in URLs, YAML keys and iCal UIDs. */
  static final Pattern ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.-]{0,63}");
  private static final DateTimeFormatter HH_MM = DateTimeFormatter.ofPattern("HH:mm");

  private OnCallYaml() {}

  /** Problems found so far, each {@code path: reason}. */
  static final class Problems {
    private final List<String> list = new ArrayList<>();

    void add(String path, String reason) {
      list.add(path + ": " + reason);
    }

    boolean isEmpty() {
      return list.isEmpty();
    }

    int size() {
      return list.size();
    }

    List<String> list() {
      return list;
    }

    void throwIfAny() {
      if (!list.isEmpty()) throw new RuleFileException(list);
    }
  }

  static String at(String where, String key) {
    return where + "." + key;
  }

  static String at(String where, String key, int i) {
    return where + "." + key + "[" + i + "]";
  }

  /** Adds a problem per key not in {@code known}. */
  static void knownKeys(Map<?, ?> m, Set<String> known, String where, Problems p) {
    for (Object k : m.keySet()) {
      if (!known.contains(String.valueOf(k))) {
        p.add(where, "unknown key '" + k + "' (known: " + String.join(", ", new TreeSet<>(known)) + ")");
      }
    }
  }

  static Map<?, ?> map(Object o, String where, Problems p) {
    if (o instanceof Map<?, ?> m) return m;
    p.add(where, "expected a mapping, got " + describe(o));
    return null;
  }

  /** A list, an absent value as the empty list, anything else a problem (null). */
  static List<?> list(Object o, String where, Problems p) {
    if (o == null) return List.of();
    if (o instanceof List<?> l) return l;
    p.add(where, "expected a list, got " + describe(o));
    return null;
  }

  /** A string; absent: null, with a problem when {@code required}. Numbers are refused (quote them). */
  static String string(Map<?, ?> m, String key, boolean required, String where, Problems p) {
    Object o = m.get(key);
    if (o == null) {
      if (required) p.add(at(where, key), "missing");
      return null;
    }
    if (o instanceof String s && !s.isBlank()) return s.strip();
    p.add(at(where, key), "expected a non-empty string, got " + describe(o) + (o instanceof Number ? " (quote it)" : ""));
    return null;
  }

  static String id(Map<?, ?> m, String key, boolean required, String where, Problems p) {
    String s = string(m, key, required, where, p);
    if (s != null && !ID.matcher(s).matches()) {
      p.add(at(where, key), "'" + s + "' is not a valid id (letters, digits, '_', '.', '-'; at most 64)");
      return null;
    }
    return s;
  }

  static String idValue(Object o, String where, Problems p) {
    if (o instanceof String s && ID.matcher(s.strip()).matches()) return s.strip();
    p.add(where, describe(o) + " is not a valid id (letters, digits, '_', '.', '-'; at most 64)");
    return null;
  }

  static LocalTime time(Object o, String where, Problems p) {
    if (o instanceof String s) {
      String t = s.strip();
      if (t.equals("24:00")) return LocalTime.MIDNIGHT;
      try {
        return LocalTime.parse(t);
      } catch (DateTimeParseException e) {
        // fall through
      }
    }
    p.add(where, describe(o) + " is not a time (write HH:MM, e.g. 09:00)");
    return null;
  }

  static String time(LocalTime t) {
    return t.getSecond() == 0 && t.getNano() == 0 ? t.format(HH_MM) : t.toString();
  }

  static DayOfWeek day(Object o, String where, Problems p) {
    if (o instanceof String s) {
      String d = s.strip().toLowerCase(Locale.ROOT);
      for (DayOfWeek w : DayOfWeek.values()) {
        String full = w.name().toLowerCase(Locale.ROOT);
        if (d.equals(full) || d.equals(full.substring(0, 3))) return w;
      }
    }
    p.add(where, describe(o) + " is not a day of the week (monday … sunday, or mon … sun)");
    return null;
  }

  /**
   * Days as a list of names and {@code first:last} ranges (Alertmanager's weekday syntax); a range may
   * wrap over the week's end ({@code friday:monday} is Friday to Monday). A single string is a list of one.
   */
  static Set<DayOfWeek> days(Object o, String where, Problems p) {
    List<?> items = o instanceof String ? List.of(o) : list(o, where, p);
    if (items == null) return null;
    if (items.isEmpty()) {
      p.add(where, "needs at least one day");
      return null;
    }
    EnumSet<DayOfWeek> out = EnumSet.noneOf(DayOfWeek.class);
    int before = p.size();
    for (int i = 0; i < items.size(); i++) {
      Object item = items.get(i);
      String path = where + "[" + i + "]";
      if (item instanceof String s && s.contains(":")) {
        String[] fl = s.split(":", -1);
        DayOfWeek first = fl.length == 2 ? day(fl[0], path, p) : null;
        DayOfWeek last = fl.length == 2 ? day(fl[1], path, p) : null;
        if (fl.length != 2) p.add(path, "'" + s + "' is not a day range (write e.g. monday:friday)");
        if (first == null || last == null) continue;
        for (DayOfWeek d = first; ; d = d.plus(1)) {
          out.add(d);
          if (d == last) break;
        }
      } else {
        DayOfWeek d = day(item, path, p);
        if (d != null) out.add(d);
      }
    }
    return p.size() == before ? out : null;
  }

  static Duration duration(Object o, String where, Problems p) {
    if (o instanceof String s) {
      try {
        return Durations.parse(s);
      } catch (IllegalArgumentException e) {
        p.add(where, e.getMessage());
        return null;
      }
    }
    p.add(where, describe(o) + " is not a duration (write e.g. 5m, 1h30m)");
    return null;
  }

  /** A whole number in [min, max]; absent: {@code absent}. */
  static Integer integer(Map<?, ?> m, String key, int absent, int min, int max, String where, Problems p) {
    Object o = m.get(key);
    if (o == null) return absent;
    if (o instanceof Integer || o instanceof Long || o instanceof Short) {
      long v = ((Number) o).longValue();
      if (v >= min && v <= max) return (int) v;
    }
    p.add(at(where, key), describe(o) + " is not a whole number from " + min + " to " + max);
    return null;
  }

  static ZoneId zone(Object o, String where, Problems p) {
    if (o instanceof String s) {
      try {
        return ZoneId.of(s.strip());
      } catch (DateTimeException e) {
        // fall through
      }
    }
    p.add(where, describe(o) + " is not a time zone (write a region id, e.g. Asia/Shanghai)");
    return null;
  }

  /** A local date-time; a bare date means that date at {@code timeOfDateOnly}. */
  static LocalDateTime localDateTime(Object o, LocalTime timeOfDateOnly, String where, Problems p) {
    if (o instanceof String s) {
      String t = s.strip();
      try {
        return LocalDateTime.parse(t);
      } catch (DateTimeParseException e) {
        try {
          return LocalDate.parse(t).atTime(timeOfDateOnly);
        } catch (DateTimeParseException e2) {
          // fall through
        }
      }
    }
    p.add(where, describe(o) + " is not a local date-time (write e.g. 2026-01-05T09:00)");
    return null;
  }

  /**
   * An instant written with an offset ({@code 2027-02-10T00:00:00Z}, {@code …+08:00}), or a local
   * date-time or date in {@code zone} (a date is its start of day), resolved as {@link ZonedDateTime#of}
   * does.
   */
  static Instant instant(Object o, ZoneId zone, String where, Problems p) {
    if (o instanceof String s) {
      String t = s.strip();
      try {
        return OffsetDateTime.parse(t).toInstant();
      } catch (DateTimeParseException e) {
        // try the local forms
      }
      try {
        return ZonedDateTime.of(LocalDateTime.parse(t), zone).toInstant();
      } catch (DateTimeParseException e) {
        // try a date
      }
      try {
        return LocalDate.parse(t).atStartOfDay(zone).toInstant();
      } catch (DateTimeParseException e) {
        // fall through
      }
    }
    p.add(where, describe(o) + " is not a date-time (write e.g. 2027-02-10T18:00 in the schedule's zone, or 2027-02-10T10:00:00Z)");
    return null;
  }

  static String describe(Object o) {
    if (o == null) return "nothing";
    if (o instanceof String s) return "'" + s + "'";
    if (o instanceof Map<?, ?>) return "a mapping";
    if (o instanceof List<?>) return "a list";
    return String.valueOf(o);
  }
}
