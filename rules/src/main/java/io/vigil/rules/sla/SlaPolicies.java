package io.vigil.rules.sla;

import io.vigil.rules.Durations;
import io.vigil.rules.Severity;
import java.time.DateTimeException;
import java.time.DayOfWeek;
import java.time.Duration;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.Collection;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.snakeyaml.engine.v2.api.Load;
import org.snakeyaml.engine.v2.api.LoadSettings;
import org.snakeyaml.engine.v2.exceptions.YamlEngineException;

/**
 * The SLA configuration ({@code VIGIL_SLA}): named calendars and, per contract tier, the terms of
 * each severity. Immutable, thread-safe. The YAML shape (every section optional; a missing one
 * takes the default):
 *
 * <pre>
 * warn_at: 0.8
 * calendars:
 *   business:
 *     time_zone: Asia/Shanghai        # optional: else the customer's zone
 *     hours: {mon-fri: "09:00-12:00,13:00-18:00"}
 *     holidays: [2026-10-01]
 *     workdays: [2026-10-10]          # make-up working days
 * policies:
 *   default:                          # the fallback for any tier not listed
 *     P1: {respond: 15m, resolve: 4h, calendar: 7x24, update_every: 30m}
 *     ...
 * </pre>
 */
public final class SlaPolicies {
  public static final String DEFAULT_TIER = "default";
  private static final List<String> TOP = List.of("warn_at", "calendars", "policies");
  private static final List<String> CALENDAR_KEYS = List.of("time_zone", "hours", "holidays", "workdays");
  private static final List<String> TERM_KEYS = List.of("respond", "resolve", "calendar", "update_every", "pause_on_pending_customer");
  private static final String[] DAYS = {"mon", "tue", "wed", "thu", "fri", "sat", "sun"};

  /** A calendar as configured: its zone may be left to the customer. */
  private record CalendarSpec(ZoneId zone, WeeklyCalendar hours) {}

  private final double warnFraction;
  private final Map<String, CalendarSpec> calendars;
  private final Map<String, Map<Severity, SlaTerms>> policies;

  private SlaPolicies(double warnFraction, Map<String, CalendarSpec> calendars, Map<String, Map<Severity, SlaTerms>> policies) {
    this.warnFraction = warnFraction;
    this.calendars = calendars;
    this.policies = policies;
  }

  /**
   * DESIGN.md's table. Tiers {@code default} and {@code 7x24}: everything on 7×24 (a business day is
   * 24 h). Tier {@code 5x8}: P1 and P2 on 7×24, P3 and P4 on {@code business}, Monday to Friday
   * 09:00–18:00 in the customer's zone, no holidays (add them with a file of your own).
   */
  public static SlaPolicies defaults() {
    return parse("""
        warn_at: 0.8
        calendars:
          business:
            hours: {mon-fri: "09:00-18:00"}
        policies:
          default: &all-day
            P1: {respond: 15m, resolve: 4h, calendar: 7x24, update_every: 30m}
            P2: {respond: 1h, resolve: 24h, calendar: 7x24, update_every: 2h}
            P3: {respond: 4h, resolve: 3bd, calendar: 7x24, update_every: 1d}
            P4: {respond: 2bd, resolve: 10bd, calendar: 7x24}
          7x24: *all-day
          5x8:
            P1: {respond: 15m, resolve: 4h, calendar: 7x24, update_every: 30m}
            P2: {respond: 1h, resolve: 24h, calendar: 7x24, update_every: 2h}
            P3: {respond: 4h, resolve: 3bd, calendar: business, update_every: 1d}
            P4: {respond: 2bd, resolve: 10bd, calendar: business}
        """, "built-in SLA defaults");
  }

  /** Parses an SLA file; {@link SlaConfigException} names {@code sourceName}, the path and the problem (all problems at once). */
  public static SlaPolicies parse(String yaml, String sourceName) {
    Object root;
    try {
      root = new Load(LoadSettings.builder().setLabel(sourceName).build()).loadFromString(yaml);
    } catch (YamlEngineException e) {
      throw new SlaConfigException(sourceName + ": not valid YAML: " + e.getMessage().replace('\n', ' '));
    }
    List<String> problems = new ArrayList<>();
    Map<?, ?> top = root == null ? Map.of() : root instanceof Map<?, ?> m ? m : null;
    if (top == null) throw new SlaConfigException(sourceName + ": expected a mapping with warn_at, calendars and policies");
    unknownKeys(top, TOP, "", sourceName, problems);
    double warn = 0.8;
    if (top.get("warn_at") != null) {
      if (top.get("warn_at") instanceof Number n && n.doubleValue() > 0 && n.doubleValue() <= 1) warn = n.doubleValue();
      else problems.add(sourceName + ": warn_at: a fraction of the target in (0, 1], e.g. 0.8; got '" + top.get("warn_at") + "'");
    }
    Map<String, CalendarSpec> calendars = new LinkedHashMap<>();
    Object cals = top.get("calendars");
    if (cals instanceof Map<?, ?> cm) {
      cm.forEach((k, v) -> {
        String name = String.valueOf(k);
        if (name.equals(AlwaysOpen.NAME)) problems.add(sourceName + ": calendars." + name + ": 7x24 is built in and cannot be redefined");
        else calendar(name, v, sourceName, problems).ifPresent(c -> calendars.put(name, c));
      });
    } else if (cals != null) {
      problems.add(sourceName + ": calendars: a mapping of calendar names");
    }
    Map<String, Map<Severity, SlaTerms>> policies = new LinkedHashMap<>();
    Object pol = top.get("policies");
    if (pol instanceof Map<?, ?> pm) {
      pm.forEach((k, v) -> {
        Map<Severity, SlaTerms> terms = policy(String.valueOf(k), v, calendars.keySet(), sourceName, problems);
        if (terms != null) policies.put(String.valueOf(k), terms);
      });
    } else if (pol != null) {
      problems.add(sourceName + ": policies: a mapping of contract tiers");
    }
    if (pol == null) {
      SlaPolicies d = defaults();
      d.policies.forEach(policies::putIfAbsent);
      d.calendars.forEach(calendars::putIfAbsent);
    }
    if (!policies.containsKey(DEFAULT_TIER) && problems.isEmpty()) {
      problems.add(sourceName + ": policies." + DEFAULT_TIER + ": missing; it is the policy of every tier not listed");
    }
    if (!problems.isEmpty()) throw new SlaConfigException(String.join("\n", problems));
    return new SlaPolicies(warn, Map.copyOf(calendars), Map.copyOf(policies));
  }

  private static java.util.Optional<CalendarSpec> calendar(String name, Object v, String src, List<String> problems) {
    String path = src + ": calendars." + name;
    if (!(v instanceof Map<?, ?> m)) {
      problems.add(path + ": a mapping with hours (and time_zone, holidays, workdays)");
      return java.util.Optional.empty();
    }
    int before = problems.size();
    unknownKeys(m, CALENDAR_KEYS, "calendars." + name + ".", src, problems);
    ZoneId zone = null;
    if (m.get("time_zone") != null) {
      try {
        zone = ZoneId.of(String.valueOf(m.get("time_zone")));
      } catch (DateTimeException e) {
        problems.add(path + ".time_zone: not an IANA zone such as Asia/Shanghai: '" + m.get("time_zone") + "'");
      }
    }
    Map<DayOfWeek, List<LocalTimeRange>> hours = new EnumMap<>(DayOfWeek.class);
    if (m.get("hours") instanceof Map<?, ?> hm) {
      hm.forEach((dk, dv) -> {
        String key = String.valueOf(dk);
        try {
          List<LocalTimeRange> ranges = LocalTimeRange.parseList(String.valueOf(dv));
          for (DayOfWeek d : days(key)) {
            if (hours.put(d, ranges) != null) problems.add(path + ".hours." + key + ": " + DAYS[d.ordinal()] + " is given twice");
          }
        } catch (IllegalArgumentException e) {
          problems.add(path + ".hours." + key + ": " + e.getMessage());
        }
      });
      if (hours.isEmpty() && problems.size() == before) problems.add(path + ".hours: no working hours at all");
    } else {
      problems.add(path + ".hours: required, e.g. {mon-fri: \"09:00-12:00,13:00-18:00\"}");
    }
    Set<LocalDate> holidays = dates(m.get("holidays"), path + ".holidays", problems);
    Set<LocalDate> workdays = dates(m.get("workdays"), path + ".workdays", problems);
    for (LocalDate d : holidays) if (workdays.contains(d)) problems.add(path + ": " + d + " is both a holiday and a workday");
    if (problems.size() > before) return java.util.Optional.empty();
    return java.util.Optional.of(new CalendarSpec(zone, new WeeklyCalendar(name, zone == null ? ZoneId.of("UTC") : zone, hours, holidays, workdays)));
  }

  /** {@code mon}, {@code mon-fri}, {@code sat,sun}, {@code mon-fri,sun}. */
  static List<DayOfWeek> days(String key) {
    List<DayOfWeek> out = new ArrayList<>();
    for (String part : key.toLowerCase(Locale.ROOT).split(",")) {
      String[] ab = part.trim().split("-");
      int a = day(ab[0].trim(), key);
      int b = ab.length == 2 ? day(ab[1].trim(), key) : a;
      if (ab.length > 2 || b < a) throw new IllegalArgumentException("days '" + key + "': write e.g. mon-fri, sat,sun");
      for (int i = a; i <= b; i++) out.add(DayOfWeek.of(i + 1));
    }
    return out;
  }

  private static int day(String s, String key) {
    for (int i = 0; i < DAYS.length; i++) if (DAYS[i].equals(s)) return i;
    throw new IllegalArgumentException("days '" + key + "': '" + s + "' is not one of mon, tue, wed, thu, fri, sat, sun");
  }

  private static Set<LocalDate> dates(Object v, String path, List<String> problems) {
    Set<LocalDate> out = new TreeSet<>();
    if (v == null) return out;
    if (!(v instanceof List<?> l)) {
      problems.add(path + ": a list of dates such as [2026-10-01, 2026-10-02]");
      return out;
    }
    for (Object o : l) {
      try {
        out.add(LocalDate.parse(String.valueOf(o)));
      } catch (DateTimeException e) {
        problems.add(path + ": '" + o + "' is not a date (YYYY-MM-DD)");
      }
    }
    return out;
  }

  private static Map<Severity, SlaTerms> policy(String tier, Object v, Set<String> calendars, String src, List<String> problems) {
    String path = src + ": policies." + tier;
    if (!(v instanceof Map<?, ?> m)) {
      problems.add(path + ": a mapping of P1..P4 to {respond, resolve, calendar}");
      return null;
    }
    Map<Severity, SlaTerms> out = new EnumMap<>(Severity.class);
    for (Object k : m.keySet()) {
      Severity s;
      try {
        s = Severity.parse(String.valueOf(k));
      } catch (IllegalArgumentException e) {
        problems.add(path + "." + k + ": not a severity (P1, P2, P3, P4)");
        continue;
      }
      SlaTerms t = terms(path + "." + k, "policies." + tier + "." + k + ".", m.get(k), calendars, src, problems);
      if (t != null) out.put(s, t);
    }
    List<String> missing = new ArrayList<>();
    for (Severity s : Severity.values()) if (!m.containsKey(s.name())) missing.add(s.name());
    if (!missing.isEmpty()) problems.add(path + ": no terms for " + String.join(", ", missing));
    return out.size() == Severity.values().length ? out : null;
  }

  private static SlaTerms terms(String path, String prefix, Object v, Set<String> calendars, String src, List<String> problems) {
    if (!(v instanceof Map<?, ?> m)) {
      problems.add(path + ": a mapping {respond, resolve, calendar}");
      return null;
    }
    int before = problems.size();
    unknownKeys(m, TERM_KEYS, prefix, src, problems);
    WorkAmount respond = amount(m.get("respond"), path + ".respond", problems);
    WorkAmount resolve = amount(m.get("resolve"), path + ".resolve", problems);
    String cal = m.get("calendar") == null ? AlwaysOpen.NAME : String.valueOf(m.get("calendar"));
    if (!cal.equals(AlwaysOpen.NAME) && !calendars.contains(cal)) {
      problems.add(path + ".calendar: no calendar named '" + cal + "' (known: " + String.join(", ", known(calendars)) + ")");
    }
    Duration update = null;
    if (m.get("update_every") != null) {
      try {
        update = Durations.parse(String.valueOf(m.get("update_every")));
      } catch (IllegalArgumentException e) {
        problems.add(path + ".update_every: " + e.getMessage());
      }
    }
    boolean pause = true;
    Object p = m.get("pause_on_pending_customer");
    if (p != null) {
      if (p instanceof Boolean b) pause = b;
      else problems.add(path + ".pause_on_pending_customer: true or false, got '" + p + "'");
    }
    if (problems.size() > before) return null;
    return new SlaTerms(respond, resolve, update, cal, pause);
  }

  private static List<String> known(Collection<String> calendars) {
    List<String> l = new ArrayList<>();
    l.add(AlwaysOpen.NAME);
    l.addAll(new TreeSet<>(calendars));
    return l;
  }

  private static WorkAmount amount(Object v, String path, List<String> problems) {
    if (v == null) {
      problems.add(path + ": required, e.g. 15m, 4h or 3bd");
      return null;
    }
    try {
      return WorkAmount.parse(String.valueOf(v));
    } catch (IllegalArgumentException e) {
      problems.add(path + ": " + e.getMessage());
      return null;
    }
  }

  private static void unknownKeys(Map<?, ?> m, List<String> known, String prefix, String src, List<String> problems) {
    for (Object k : m.keySet()) {
      String key = String.valueOf(k);
      if (known.contains(key)) continue;
      String hint = known.stream().filter(n -> editDistance(n, key) <= 3).min(java.util.Comparator.comparingInt(n -> editDistance(n, key)))
          .map(n -> "; did you mean '" + n + "'?").orElse(" (known: " + String.join(", ", known) + ")");
      problems.add(src + ": " + prefix + key + ": unknown key" + hint);
    }
  }

  static int editDistance(String a, String b) {
    int[] prev = new int[b.length() + 1];
    int[] cur = new int[b.length() + 1];
    for (int j = 0; j <= b.length(); j++) prev[j] = j;
    for (int i = 1; i <= a.length(); i++) {
      cur[0] = i;
      for (int j = 1; j <= b.length(); j++) {
        cur[j] = Math.min(prev[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1), Math.min(prev[j] + 1, cur[j - 1] + 1));
      }
      int[] t = prev;
      prev = cur;
      cur = t;
    }
    return prev[b.length()];
  }

  /** The terms of {@code severity} for a customer of {@code tier}; a tier not configured gets {@code default}'s. */
  public SlaTerms terms(String tier, Severity severity) {
    Map<Severity, SlaTerms> p = tier == null ? null : policies.get(tier);
    return (p != null ? p : policies.get(DEFAULT_TIER)).get(severity);
  }

  /** Whether {@code tier} has a policy of its own (else it runs under {@code default}). */
  public boolean hasTier(String tier) {
    return policies.containsKey(tier);
  }

  /** The calendar {@code name}, in {@code zone} unless its spec fixes a zone of its own (7×24 has none). */
  public BusinessCalendar calendar(String name, ZoneId zone) {
    if (name.equals(AlwaysOpen.NAME)) return BusinessCalendar.always();
    CalendarSpec c = calendars.get(name);
    if (c == null) throw new IllegalArgumentException("no SLA calendar named '" + name + "'");
    return c.zone() != null ? c.hours() : c.hours().inZone(zone);
  }

  public double warnFraction() {
    return warnFraction;
  }

  public Set<String> tiers() {
    return new TreeSet<>(policies.keySet());
  }

  public Set<String> calendarNames() {
    Set<String> s = new TreeSet<>(calendars.keySet());
    s.add(AlwaysOpen.NAME);
    return s;
  }

  /** Everything as a plain tree (String, Number, Boolean, List, Map) in the shape {@link #parse} reads. */
  public Map<String, Object> describe() {
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("warn_at", warnFraction);
    Map<String, Object> cals = new LinkedHashMap<>();
    for (String name : new TreeSet<>(calendars.keySet())) {
      CalendarSpec c = calendars.get(name);
      Map<String, Object> cm = new LinkedHashMap<>();
      if (c.zone() != null) cm.put("time_zone", c.zone().getId());
      Map<String, Object> hours = new LinkedHashMap<>();
      c.hours().hours().forEach((d, r) -> hours.put(DAYS[d.ordinal()], String.join(",", r.stream().map(LocalTimeRange::toString).toList())));
      cm.put("hours", hours);
      cm.put("holidays", c.hours().holidays().stream().map(LocalDate::toString).toList());
      cm.put("workdays", c.hours().workdays().stream().map(LocalDate::toString).toList());
      cals.put(name, cm);
    }
    out.put("calendars", cals);
    Map<String, Object> pols = new LinkedHashMap<>();
    for (String tier : new TreeSet<>(policies.keySet())) {
      Map<String, Object> pm = new LinkedHashMap<>();
      policies.get(tier).forEach((s, t) -> {
        Map<String, Object> tm = new LinkedHashMap<>();
        tm.put("respond", t.respondWithin().toString());
        tm.put("resolve", t.resolveWithin().toString());
        tm.put("calendar", t.calendar());
        if (t.updateEvery() != null) tm.put("update_every", Durations.format(t.updateEvery()));
        tm.put("pause_on_pending_customer", t.pauseOnPendingCustomer());
        pm.put(s.name(), tm);
      });
      pols.put(tier, pm);
    }
    out.put("policies", pols);
    return out;
  }
}
