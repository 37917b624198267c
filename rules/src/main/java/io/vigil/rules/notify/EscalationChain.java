package io.vigil.rules.notify;

import io.vigil.rules.Durations;
import io.vigil.rules.Labels;
import io.vigil.rules.Severity;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * Who is paged, in what order, while a fault stays unacknowledged. Immutable and thread-safe; the
 * planner methods are pure functions of their arguments.
 *
 * <p>Step {@code i} of round {@code r} fires at {@code start + r × roundLength + (wait of steps 0 … i-1)},
 * where {@code roundLength} is the sum of all waits (the last step's wait is the pause before the chain
 * starts over). The chain runs {@code 1 + repeat} rounds, then stops.
 *
 * <p><b>Acknowledgement is the server's job:</b> nothing here knows about acks. The server stores the
 * chain's start and how many steps it has fired, calls {@link #due} when {@link #nextAt} comes, fires
 * what it returns, stores the new count, and stops calling once the fault is acknowledged or resolved.
 * Because {@link #due} returns exactly the steps with {@code seq >= alreadyFired} whose time has come,
 * a server that restarts fires each step once; after an outage it gets every missed step, in order,
 * each once: missed steps are <em>not</em> collapsed, since a page to the secondary must not be lost
 * just because the primary's was late. A server that prefers to page only the latest missed step can
 * take the last element.
 *
 * @param severities empty: any severity
 * @param customers  empty: any customer
 * @param systems    empty: any system
 * @param repeat     how many more rounds after the first, 0 … {@value #MAX_REPEAT}
 */
public record EscalationChain(String name, Set<Severity> severities, Set<String> customers, Set<String> systems,
    List<Step> steps, int repeat) {
  public static final int MAX_REPEAT = 100;
  private static final Set<String> KEYS = Set.of("name", "severities", "customers", "systems", "steps", "repeat");
  private static final Set<String> STEP_KEYS = Set.of("schedule", "person", "receiver", "wait");

  /**
   * Page {@code target}, then wait {@code waitAfter} ({@code wait:} in YAML) before the next step; 0: the
   * next step fires at the same instant (page two targets at once).
   */
  public record Step(EscalationTarget target, Duration waitAfter) {
    public Step {
      Objects.requireNonNull(target);
      if (waitAfter.isNegative()) throw new IllegalArgumentException("negative wait " + waitAfter);
    }

    public Map<String, Object> toMap() {
      Map<String, Object> m = new LinkedHashMap<>(target.toMap());
      if (!waitAfter.isZero()) m.put("wait", Durations.format(waitAfter));
      return m;
    }
  }

  public EscalationChain {
    Objects.requireNonNull(name);
    severities = severities.isEmpty() ? Set.of() : Collections.unmodifiableSet(EnumSet.copyOf(severities));
    customers = Collections.unmodifiableSet(new TreeSet<>(customers));
    systems = Collections.unmodifiableSet(new TreeSet<>(systems));
    steps = List.copyOf(steps);
    if (steps.isEmpty()) throw new IllegalArgumentException("escalation " + name + " has no steps");
    if (repeat < 0 || repeat > MAX_REPEAT) throw new IllegalArgumentException("repeat must be 0 … " + MAX_REPEAT);
    if (repeat > 0 && roundLength(steps).isZero()) {
      throw new IllegalArgumentException("escalation " + name + " repeats but its steps never wait: every round would fire at once");
    }
  }

  /** A chain for any severity, customer and system. */
  public static EscalationChain of(String name, List<Step> steps, int repeat) {
    return new EscalationChain(name, Set.of(), Set.of(), Set.of(), steps, repeat);
  }

  private static Duration roundLength(List<Step> steps) {
    Duration d = Duration.ZERO;
    for (Step s : steps) d = d.plus(s.waitAfter());
    return d;
  }

  /** The time from a round's first step to the next round's first step. */
  public Duration roundLength() {
    return roundLength(steps);
  }

  /** How many firings the whole plan has: {@code steps × (1 + repeat)}. */
  public int size() {
    return steps.size() * (1 + repeat);
  }

  /** True when every non-empty selector matches the labels' {@code severity}, {@code customer} and {@code system}. */
  public boolean matches(Labels labels) {
    if (!severities.isEmpty()) {
      String sev = labels.get("severity");
      Severity s = null;
      if (sev != null) {
        for (Severity v : Severity.values()) if (v.name().equalsIgnoreCase(sev.strip())) s = v;
      }
      if (s == null || !severities.contains(s)) return false;
    }
    if (!customers.isEmpty() && !customers.contains(labels.get("customer"))) return false;
    return systems.isEmpty() || systems.contains(labels.get("system"));
  }

  /** The firing at position {@code seq} of the plan ({@code 0 <= seq < size()}). */
  public EscalationStep stepAt(Instant start, int seq) {
    if (seq < 0 || seq >= size()) throw new IndexOutOfBoundsException("step " + seq + " of " + size());
    int index = seq % steps.size();
    int round = seq / steps.size();
    Instant at = start.plus(roundLength().multipliedBy(round));
    for (int i = 0; i < index; i++) at = at.plus(steps.get(i).waitAfter());
    return new EscalationStep(seq, index, round, at, steps.get(index).target());
  }

  /** Every firing, in order, if nobody acknowledges: round by round, step by step. */
  public List<EscalationStep> plan(Instant start) {
    List<EscalationStep> out = new ArrayList<>(size());
    for (int seq = 0; seq < size(); seq++) out.add(stepAt(start, seq));
    return out;
  }

  /**
   * The firings due by {@code now} (inclusive) that were not fired yet, in order: those with
   * {@code seq >= alreadyFired} and {@code at <= now}. Fire them all, then store
   * {@code alreadyFired + result.size()}.
   */
  public List<EscalationStep> due(Instant start, int alreadyFired, Instant now) {
    if (alreadyFired < 0) throw new IllegalArgumentException("alreadyFired " + alreadyFired + " < 0");
    List<EscalationStep> out = new ArrayList<>();
    for (int seq = alreadyFired; seq < size(); seq++) {
      EscalationStep s = stepAt(start, seq);
      if (s.at().isAfter(now)) break;
      out.add(s);
    }
    return out;
  }

  /** When the next unfired step is due (maybe already past), or empty when the plan is exhausted. */
  public Optional<Instant> nextAt(Instant start, int alreadyFired) {
    if (alreadyFired < 0) throw new IllegalArgumentException("alreadyFired " + alreadyFired + " < 0");
    return alreadyFired >= size() ? Optional.empty() : Optional.of(stepAt(start, alreadyFired).at());
  }

  /** Parses one chain (a REST body); throws {@link io.vigil.rules.RuleFileException} listing every problem. */
  public static EscalationChain parse(Map<?, ?> m, String where) {
    OnCallYaml.Problems p = new OnCallYaml.Problems();
    EscalationChain c = parse(m, where, p);
    p.throwIfAny();
    return c;
  }

  static EscalationChain parse(Object o, String where, OnCallYaml.Problems p) {
    Map<?, ?> m = OnCallYaml.map(o, where, p);
    if (m == null) return null;
    int before = p.size();
    OnCallYaml.knownKeys(m, KEYS, where, p);
    String name = OnCallYaml.id(m, "name", true, where, p);
    Set<Severity> severities = EnumSet.noneOf(Severity.class);
    List<?> rawSev = OnCallYaml.list(m.get("severities"), OnCallYaml.at(where, "severities"), p);
    if (rawSev != null) {
      for (int i = 0; i < rawSev.size(); i++) {
        try {
          severities.add(Severity.parse(rawSev.get(i) instanceof String s ? s : null));
        } catch (IllegalArgumentException e) {
          p.add(OnCallYaml.at(where, "severities", i), OnCallYaml.describe(rawSev.get(i)) + " is not one of P1, P2, P3, P4");
        }
      }
    }
    Set<String> customers = names(m, "customers", where, p);
    Set<String> systems = names(m, "systems", where, p);
    List<Step> steps = new ArrayList<>();
    List<?> rawSteps = OnCallYaml.list(m.get("steps"), OnCallYaml.at(where, "steps"), p);
    if (rawSteps != null) {
      if (rawSteps.isEmpty()) p.add(OnCallYaml.at(where, "steps"), "an escalation needs at least one step");
      for (int i = 0; i < rawSteps.size(); i++) {
        Step s = step(rawSteps.get(i), OnCallYaml.at(where, "steps", i), p);
        if (s != null) steps.add(s);
      }
    }
    Integer repeat = OnCallYaml.integer(m, "repeat", 0, 0, MAX_REPEAT, where, p);
    if (p.size() > before) return null;
    if (repeat > 0 && roundLength(steps).isZero()) {
      p.add(OnCallYaml.at(where, "repeat"), "the steps never wait, so every round would fire at once: give the steps a wait");
      return null;
    }
    return new EscalationChain(name, severities, customers, systems, steps, repeat);
  }

  private static Set<String> names(Map<?, ?> m, String key, String where, OnCallYaml.Problems p) {
    Set<String> out = new TreeSet<>();
    List<?> raw = OnCallYaml.list(m.get(key), OnCallYaml.at(where, key), p);
    if (raw == null) return out;
    for (int i = 0; i < raw.size(); i++) {
      if (raw.get(i) instanceof String s && !s.isBlank()) out.add(s.strip());
      else p.add(OnCallYaml.at(where, key, i), OnCallYaml.describe(raw.get(i)) + " is not a name");
    }
    return out;
  }

  private static Step step(Object o, String where, OnCallYaml.Problems p) {
    Map<?, ?> m = OnCallYaml.map(o, where, p);
    if (m == null) return null;
    int before = p.size();
    OnCallYaml.knownKeys(m, STEP_KEYS, where, p);
    List<String> kinds = new ArrayList<>();
    for (String k : List.of("schedule", "person", "receiver")) if (m.containsKey(k)) kinds.add(k);
    EscalationTarget target = null;
    if (kinds.size() != 1) {
      p.add(where, "needs exactly one of schedule, person, receiver" + (kinds.isEmpty() ? "" : ", got " + String.join(" and ", kinds)));
    } else {
      String ref = OnCallYaml.id(m, kinds.get(0), true, where, p);
      if (ref != null) {
        target = switch (kinds.get(0)) {
          case "schedule" -> EscalationTarget.onCall(ref);
          case "person" -> EscalationTarget.person(ref);
          default -> EscalationTarget.receiver(ref);
        };
      }
    }
    Duration wait = m.get("wait") == null ? Duration.ZERO : OnCallYaml.duration(m.get("wait"), OnCallYaml.at(where, "wait"), p);
    return p.size() > before ? null : new Step(target, wait);
  }

  public Map<String, Object> toMap() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("name", name);
    if (!severities.isEmpty()) m.put("severities", severities.stream().map(Severity::name).toList());
    if (!customers.isEmpty()) m.put("customers", List.copyOf(customers));
    if (!systems.isEmpty()) m.put("systems", List.copyOf(systems));
    m.put("steps", steps.stream().map(Step::toMap).toList());
    if (repeat != 0) m.put("repeat", repeat);
    return m;
  }
}
