package io.vigil.rules.notify;

import io.vigil.rules.Labels;
import io.vigil.rules.RuleFileException;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * The on-call part of a configuration: {@code people:}, {@code schedules:} and {@code escalations:}.
 * Immutable and thread-safe; every reference inside it resolves (each person a layer, override or step
 * names exists, each schedule a step names exists), which the constructor checks. Receiver names are
 * not checked here: they belong to the notification config, so the server checks
 * {@link #receiverNames()} against it.
 *
 * <p>See {@code docs/ONCALL.md} for the YAML keys and their meaning.
 */
public final class OnCallConfig {
  private static final OnCallConfig EMPTY = new OnCallConfig(List.of(), List.of(), List.of());
  private final Map<String, Person> people;
  private final Map<String, Schedule> schedules;
  private final List<EscalationChain> escalations;

  private OnCallConfig(Collection<Person> people, Collection<Schedule> schedules, List<EscalationChain> escalations) {
    Map<String, Person> p = new LinkedHashMap<>();
    people.forEach(x -> p.put(x.id(), x));
    Map<String, Schedule> s = new LinkedHashMap<>();
    schedules.forEach(x -> s.put(x.name(), x));
    this.people = Collections.unmodifiableMap(p);
    this.schedules = Collections.unmodifiableMap(s);
    this.escalations = List.copyOf(escalations);
  }

  public static OnCallConfig empty() {
    return EMPTY;
  }

  /**
   * The config from objects; throws {@link RuleFileException} listing duplicates and dangling references.
   */
  public static OnCallConfig of(List<Person> people, List<Schedule> schedules, List<EscalationChain> escalations) {
    OnCallYaml.Problems p = new OnCallYaml.Problems();
    check(people, schedules, escalations, "on-call", p);
    p.throwIfAny();
    return new OnCallConfig(people, schedules, escalations);
  }

  /**
   * Reads {@code people:}, {@code schedules:} and {@code escalations:} from a loaded YAML (or JSON) root
   * mapping, ignoring every other key; schedules without a {@code zone:} use {@code defaultZone}. Throws
   * {@link RuleFileException} with every problem, each as {@code sourceName: path: reason}, e.g.
   * {@code rules.yaml: schedules[0].layers[1].handoff: '25:00' is not a time (write HH:MM, e.g. 09:00)}.
   * A root without any of the three keys gives {@link #empty()}.
   */
  public static OnCallConfig parse(Map<?, ?> root, String sourceName, ZoneId defaultZone) {
    if (root == null) return EMPTY;
    OnCallYaml.Problems p = new OnCallYaml.Problems();
    List<Person> people = new ArrayList<>();
    List<Schedule> schedules = new ArrayList<>();
    List<EscalationChain> escalations = new ArrayList<>();
    String top = sourceName + ": ";
    List<?> raw = OnCallYaml.list(root.get("people"), top + "people", p);
    for (int i = 0; raw != null && i < raw.size(); i++) {
      Person x = Person.parse(raw.get(i), top + "people[" + i + "]", p);
      if (x != null) people.add(x);
    }
    raw = OnCallYaml.list(root.get("schedules"), top + "schedules", p);
    for (int i = 0; raw != null && i < raw.size(); i++) {
      Schedule x = Schedule.parse(raw.get(i), defaultZone, top + "schedules[" + i + "]", p);
      if (x != null) schedules.add(x);
    }
    raw = OnCallYaml.list(root.get("escalations"), top + "escalations", p);
    for (int i = 0; raw != null && i < raw.size(); i++) {
      EscalationChain x = EscalationChain.parse(raw.get(i), top + "escalations[" + i + "]", p);
      if (x != null) escalations.add(x);
    }
    // Cross-references only among what parsed: a broken schedule was reported already, and checking
    // steps against it would add a second, misleading "unknown schedule" problem.
    if (p.isEmpty()) check(people, schedules, escalations, sourceName, p);
    p.throwIfAny();
    return new OnCallConfig(people, schedules, escalations);
  }

  private static void check(List<Person> people, List<Schedule> schedules, List<EscalationChain> escalations, String source,
      OnCallYaml.Problems p) {
    String top = source + ": ";
    Set<String> ids = new TreeSet<>();
    for (int i = 0; i < people.size(); i++) {
      if (!ids.add(people.get(i).id())) p.add(top + "people[" + i + "].id", "duplicate person '" + people.get(i).id() + "'");
    }
    Set<String> names = new TreeSet<>();
    for (int i = 0; i < schedules.size(); i++) {
      Schedule s = schedules.get(i);
      String where = top + "schedules[" + i + "]";
      if (!names.add(s.name())) p.add(where + ".name", "duplicate schedule '" + s.name() + "'");
      checkPeople(s, where, ids, p);
    }
    Set<String> chains = new TreeSet<>();
    for (int i = 0; i < escalations.size(); i++) {
      EscalationChain c = escalations.get(i);
      String where = top + "escalations[" + i + "]";
      if (!chains.add(c.name())) p.add(where + ".name", "duplicate escalation '" + c.name() + "'");
      checkTargets(c, where, ids, names, p);
    }
  }

  private static void checkPeople(Schedule s, String where, Set<String> ids, OnCallYaml.Problems p) {
    for (int j = 0; j < s.layers().size(); j++) {
      List<String> ps = s.layers().get(j).people();
      for (int k = 0; k < ps.size(); k++) {
        if (!ids.contains(ps.get(k))) p.add(where + ".layers[" + j + "].people[" + k + "]", "unknown person '" + ps.get(k) + "'");
      }
    }
    for (int j = 0; j < s.overrides().size(); j++) {
      String id = s.overrides().get(j).person();
      if (!ids.contains(id)) p.add(where + ".overrides[" + j + "].person", "unknown person '" + id + "'");
    }
  }

  private static void checkTargets(EscalationChain c, String where, Set<String> ids, Set<String> schedules, OnCallYaml.Problems p) {
    for (int j = 0; j < c.steps().size(); j++) {
      EscalationTarget t = c.steps().get(j).target();
      String at = where + ".steps[" + j + "]." + t.key();
      if (t instanceof EscalationTarget.PersonTarget pt && !ids.contains(pt.person())) p.add(at, "unknown person '" + pt.person() + "'");
      if (t instanceof EscalationTarget.ScheduleTarget st && !schedules.contains(st.schedule())) {
        p.add(at, "unknown schedule '" + st.schedule() + "'");
      }
    }
  }

  /** People by id, in file order. */
  public Map<String, Person> people() {
    return people;
  }

  public Optional<Person> person(String id) {
    return Optional.ofNullable(people.get(id));
  }

  /** Schedules by name, in file order. */
  public Map<String, Schedule> schedules() {
    return schedules;
  }

  public Optional<Schedule> schedule(String name) {
    return Optional.ofNullable(schedules.get(name));
  }

  /** Escalation chains in file order (the order {@link #chainFor} tries them). */
  public List<EscalationChain> escalations() {
    return escalations;
  }

  public Optional<EscalationChain> escalation(String name) {
    return escalations.stream().filter(c -> c.name().equals(name)).findFirst();
  }

  /**
   * The first chain whose selectors match the fault's labels ({@code severity}, {@code customer},
   * {@code system}; see {@link EscalationChain#matches}). Put specific chains before catch-alls. Empty:
   * the fault escalates nowhere (the server pages nobody and may say so).
   */
  public Optional<EscalationChain> chainFor(Labels labels) {
    for (EscalationChain c : escalations) if (c.matches(labels)) return Optional.of(c);
    return Optional.empty();
  }

  /** Every receiver name people and steps refer to, sorted: the server checks them against its receivers. */
  public Set<String> receiverNames() {
    Set<String> out = new TreeSet<>();
    people.values().forEach(x -> {
      if (x.receiver() != null) out.add(x.receiver());
    });
    for (EscalationChain c : escalations) {
      for (EscalationChain.Step s : c.steps()) {
        if (s.target() instanceof EscalationTarget.ReceiverTarget r) out.add(r.receiver());
      }
    }
    return Collections.unmodifiableSet(out);
  }

  /**
   * This config with {@code s} added or replacing the schedule of the same name (a REST update). Throws
   * {@link RuleFileException} when it names unknown people.
   */
  public OnCallConfig withSchedule(Schedule s) {
    Map<String, Schedule> next = new LinkedHashMap<>(schedules);
    next.put(s.name(), s);
    return of(List.copyOf(people.values()), List.copyOf(next.values()), escalations);
  }

  /** This config with {@code c} added or replacing the chain of the same name; checked as {@link #withSchedule}. */
  public OnCallConfig withEscalation(EscalationChain c) {
    List<EscalationChain> next = new ArrayList<>(escalations);
    int at = -1;
    for (int i = 0; i < next.size(); i++) if (next.get(i).name().equals(c.name())) at = i;
    if (at >= 0) next.set(at, c);
    else next.add(c);
    return of(List.copyOf(people.values()), List.copyOf(schedules.values()), next);
  }

  /** {@code people:}, {@code schedules:}, {@code escalations:} as plain maps and lists; {@link #parse} reads it back. */
  public Map<String, Object> toMap() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("people", people.values().stream().map(Person::toMap).toList());
    m.put("schedules", schedules.values().stream().map(Schedule::toMap).toList());
    m.put("escalations", escalations.stream().map(EscalationChain::toMap).toList());
    return m;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof OnCallConfig c && c.people.equals(people) && c.schedules.equals(schedules) && c.escalations.equals(escalations);
  }

  @Override
  public int hashCode() {
    return people.hashCode() * 31 + schedules.hashCode() * 17 + escalations.hashCode();
  }

  @Override
  public String toString() {
    return "OnCallConfig[" + people.size() + " people, schedules " + schedules.keySet() + ", escalations "
        + escalations.stream().map(EscalationChain::name).toList() + "]";
  }
}
