package io.vigil.rules.notify;

import java.time.Instant;
import java.time.ZoneId;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * {@code person} is on call over {@code [from, to)} whatever the layers say (a holiday swap, a sick
 * day). Overrides may overlap: where they do, the later one in the schedule's list wins. Immutable.
 *
 * @param note optional free text (e.g. 春节换班)
 */
public record ScheduleOverride(String person, Instant from, Instant to, String note) {
  private static final Set<String> KEYS = Set.of("person", "from", "to", "note");

  public ScheduleOverride {
    Objects.requireNonNull(person);
    if (!to.isAfter(from)) throw new IllegalArgumentException("override ends at " + to + ", not after its start " + from);
  }

  /** {@code from}/{@code to}: instants with an offset, or local date-times or dates in {@code zone}. */
  static ScheduleOverride parse(Object o, ZoneId zone, String where, OnCallYaml.Problems p) {
    Map<?, ?> m = OnCallYaml.map(o, where, p);
    if (m == null) return null;
    int before = p.size();
    OnCallYaml.knownKeys(m, KEYS, where, p);
    String person = OnCallYaml.id(m, "person", true, where, p);
    Instant from = when(m, "from", zone, where, p);
    Instant to = when(m, "to", zone, where, p);
    String note = OnCallYaml.string(m, "note", false, where, p);
    if (from != null && to != null && !to.isAfter(from)) p.add(OnCallYaml.at(where, "to"), "must be after 'from'");
    return p.size() > before ? null : new ScheduleOverride(person, from, to, note);
  }

  private static Instant when(Map<?, ?> m, String key, ZoneId zone, String where, OnCallYaml.Problems p) {
    if (m.get(key) == null) {
      p.add(OnCallYaml.at(where, key), "missing");
      return null;
    }
    return zone == null ? null : OnCallYaml.instant(m.get(key), zone, OnCallYaml.at(where, key), p);
  }

  public Map<String, Object> toMap() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("person", person);
    m.put("from", from.toString());
    m.put("to", to.toString());
    if (note != null) m.put("note", note);
    return m;
  }
}
