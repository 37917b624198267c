package io.vigil.rules.notify;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * An on-call schedule: rotation layers and overrides in one time zone. Immutable and thread-safe; every
 * answer is a pure function of the schedule and the instants passed in.
 *
 * <p>Who is on call at an instant (PagerDuty's layering): the last override covering it, else the
 * person of the <em>last</em> layer active at it (a later layer overrides earlier ones where it is
 * active, e.g. a night layer over a weekly day layer), else nobody. Local times in layers and overrides
 * are in {@link #zone()}; how they behave across DST is described in {@link Rotation}.
 *
 * <p>{@link #shifts} cuts the answer into maximal stretches of one person. Finding where such a stretch
 * really starts and ends needs looking beyond the range asked about; {@link #at} and
 * {@link #shiftsOverlapping} look {@link #HORIZON} either side, so a single person continuously on call
 * for longer than that is reported as starting or ending at that horizon.
 */
public record Schedule(String name, ZoneId zone, List<Rotation> layers, List<ScheduleOverride> overrides) {
  /** How far {@link #at} and {@link #shiftsOverlapping} look for the true ends of a shift. */
  public static final Duration HORIZON = Duration.ofDays(31);
  private static final Set<String> KEYS = Set.of("name", "zone", "layers", "overrides");

  public Schedule {
    Objects.requireNonNull(name);
    Objects.requireNonNull(zone);
    layers = List.copyOf(layers);
    overrides = List.copyOf(overrides);
    if (layers.isEmpty()) throw new IllegalArgumentException("schedule " + name + " has no layers");
  }

  /**
   * Parses one schedule (a REST body); {@code zone} is required. Throws
   * {@link io.vigil.rules.RuleFileException} listing every problem, each prefixed by {@code where}.
   * People are not checked here: {@link OnCallConfig#withSchedule} checks them against the config.
   */
  public static Schedule parse(Map<?, ?> m, String where) {
    return parse(m, where, null);
  }

  /** As {@link #parse(Map, String)}, with {@code defaultZone} when the mapping has no {@code zone}. */
  public static Schedule parse(Map<?, ?> m, String where, ZoneId defaultZone) {
    OnCallYaml.Problems p = new OnCallYaml.Problems();
    Schedule s = parse(m, defaultZone, where, p);
    p.throwIfAny();
    return s;
  }

  static Schedule parse(Object o, ZoneId defaultZone, String where, OnCallYaml.Problems p) {
    Map<?, ?> m = OnCallYaml.map(o, where, p);
    if (m == null) return null;
    int before = p.size();
    OnCallYaml.knownKeys(m, KEYS, where, p);
    String name = OnCallYaml.id(m, "name", true, where, p);
    ZoneId zone = defaultZone;
    if (m.get("zone") != null) {
      zone = OnCallYaml.zone(m.get("zone"), OnCallYaml.at(where, "zone"), p);
    } else if (defaultZone == null) {
      p.add(OnCallYaml.at(where, "zone"), "missing (e.g. Asia/Shanghai)");
    }
    List<Rotation> layers = new ArrayList<>();
    List<?> rawLayers = OnCallYaml.list(m.get("layers"), OnCallYaml.at(where, "layers"), p);
    if (rawLayers != null) {
      if (rawLayers.isEmpty()) p.add(OnCallYaml.at(where, "layers"), "a schedule needs at least one layer");
      for (int i = 0; i < rawLayers.size(); i++) {
        Rotation r = Rotation.parse(rawLayers.get(i), OnCallYaml.at(where, "layers", i), p);
        if (r != null) layers.add(r);
      }
    }
    List<ScheduleOverride> overrides = new ArrayList<>();
    List<?> rawOverrides = OnCallYaml.list(m.get("overrides"), OnCallYaml.at(where, "overrides"), p);
    if (rawOverrides != null) {
      for (int i = 0; i < rawOverrides.size(); i++) {
        ScheduleOverride ov = ScheduleOverride.parse(rawOverrides.get(i), zone, OnCallYaml.at(where, "overrides", i), p);
        if (ov != null) overrides.add(ov);
      }
    }
    return p.size() > before ? null : new Schedule(name, zone, layers, overrides);
  }

  public Map<String, Object> toMap() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("name", name);
    m.put("zone", zone.getId());
    m.put("layers", layers.stream().map(Rotation::toMap).toList());
    if (!overrides.isEmpty()) m.put("overrides", overrides.stream().map(ScheduleOverride::toMap).toList());
    return m;
  }

  /** Every person id the layers and overrides name, in order of first mention. */
  public Set<String> people() {
    Set<String> ids = new LinkedHashSet<>();
    layers.forEach(l -> ids.addAll(l.people()));
    overrides.forEach(o -> ids.add(o.person()));
    return ids;
  }

  public Schedule withOverrides(List<ScheduleOverride> newOverrides) {
    return new Schedule(name, zone, layers, newOverrides);
  }

  /**
   * Who is on call at {@code t}, if anyone. The shift's start and end are those of the whole stretch
   * (within {@link #HORIZON}); its source is the layer or override active at {@code t}. Walks the handoffs
   * of {@code 2 × HORIZON} (a few hundred for hourly rotations): fine per page or API call; cache it
   * rather than calling it per sample.
   */
  public Optional<OnCallShift> at(Instant t) {
    List<OnCallShift> now = shifts(t, t.plusNanos(1));
    if (now.isEmpty()) return Optional.empty();
    for (OnCallShift s : shifts(t.minus(HORIZON), t.plus(HORIZON))) {
      if (s.covers(t)) return Optional.of(s.withSource(now.get(0).source()));
    }
    throw new IllegalStateException("unreachable: " + t + " is covered in a 1 ns window but not around it");
  }

  /**
   * Who is on call over {@code [from, to)}: contiguous, non-overlapping shifts in time order, cut at
   * {@code from} and {@code to}. Stretches where nobody is on call are simply absent; when the same person
   * continues (the next turn, another layer, an override) the stretches merge into one shift. Empty when
   * {@code to} is not after {@code from}.
   */
  public List<OnCallShift> shifts(Instant from, Instant to) {
    if (!to.isAfter(from)) return List.of();
    // Priority order: layers first to last, then overrides first to last; the highest present wins.
    List<List<OnCallShift>> sources = new ArrayList<>();
    for (int i = 0; i < layers.size(); i++) sources.add(layers.get(i).pieces(from, to, zone, OnCallShift.Source.layer(i)));
    for (int i = 0; i < overrides.size(); i++) {
      ScheduleOverride o = overrides.get(i);
      Instant s = o.from().isBefore(from) ? from : o.from();
      Instant e = o.to().isAfter(to) ? to : o.to();
      sources.add(e.isAfter(s) ? List.of(new OnCallShift(o.person(), s, e, OnCallShift.Source.override(i))) : List.of());
    }
    TreeSet<Instant> cuts = new TreeSet<>();
    cuts.add(from);
    cuts.add(to);
    for (List<OnCallShift> src : sources) {
      for (OnCallShift p : src) {
        cuts.add(p.start());
        cuts.add(p.end());
      }
    }
    int[] next = new int[sources.size()];
    List<OnCallShift> out = new ArrayList<>();
    Instant a = null;
    for (Instant b : cuts) {
      if (a != null) {
        OnCallShift winner = null;
        for (int s = sources.size() - 1; s >= 0 && winner == null; s--) {
          List<OnCallShift> src = sources.get(s);
          while (next[s] < src.size() && !src.get(next[s]).end().isAfter(a)) next[s]++;
          if (next[s] < src.size() && !src.get(next[s]).start().isAfter(a)) winner = src.get(next[s]);
        }
        // Lower-priority pointers lag behind when a higher source wins; they catch up on their next look.
        if (winner != null) {
          OnCallShift last = out.isEmpty() ? null : out.get(out.size() - 1);
          if (last != null && last.person().equals(winner.person()) && last.end().equals(a)) {
            out.set(out.size() - 1, last.withEnd(b));
          } else {
            out.add(new OnCallShift(winner.person(), a, b, winner.source()));
          }
        }
      }
      a = b;
    }
    return List.copyOf(out);
  }

  /**
   * The whole shifts (not cut at the range; within {@link #HORIZON}) that overlap {@code [from, to)}: what a
   * calendar export wants, so that an event keeps its true start, and so its UID, whatever range is asked.
   */
  public List<OnCallShift> shiftsOverlapping(Instant from, Instant to) {
    if (!to.isAfter(from)) return List.of();
    List<OnCallShift> out = new ArrayList<>();
    for (OnCallShift s : shifts(from.minus(HORIZON), to.plus(HORIZON))) {
      if (s.end().isAfter(from) && s.start().isBefore(to)) out.add(s);
    }
    return List.copyOf(out);
  }
}
