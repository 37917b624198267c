package io.vigil.rules;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * How a fault's final severity is computed from its rule's base severity and its impact, as the
 * service manager configures it (the {@code grading:} section of the rules file). Pure and
 * immutable; {@link #grade} is a function of its arguments only.
 *
 * <ul>
 *   <li><b>scope</b>: the same rule firing on at least N distinct systems of one customer raises
 *       the grade (the largest step reached applies);
 *   <li><b>duration</b>: still firing after T raises it (the largest step reached applies);
 *   <li><b>tiers</b>: the customer's contract tier raises (or lowers) it; until the customer
 *       inventory exists, {@code customers:} maps customer → tier here;
 *   <li><b>criticality</b>: the value of the fault's {@code criticality} label raises or lowers it.
 * </ul>
 * Raises add up and are clamped to P1…P4. The {@link Grade} explains every step, e.g.
 * {@code ["base P3", "4 systems of acme affected (≥ 3) → P2"]}.
 */
public record GradingPolicy(List<ScopeStep> scope, List<DurationStep> duration, Map<String, Integer> tiers,
    Map<String, String> customerTiers, Map<String, Integer> criticality) {
  /** {@code systems} or more systems of one customer affected by the same rule: raise by {@code raise}. */
  public record ScopeStep(int systems, int raise) {}

  /** Firing for {@code after} or longer: raise by {@code raise}. */
  public record DurationStep(Duration after, int raise) {}

  /** A graded severity and the reasons, in order. */
  public record Grade(Severity severity, List<String> explanation) {}

  private static final Set<String> KEYS = Set.of("scope", "duration", "tiers", "customers", "criticality");

  public GradingPolicy {
    scope = scope.stream().sorted(Comparator.comparingInt(ScopeStep::systems)).toList();
    duration = duration.stream().sorted(Comparator.comparing(DurationStep::after)).toList();
    tiers = Map.copyOf(tiers);
    customerTiers = Map.copyOf(customerTiers);
    criticality = Map.copyOf(criticality);
  }

  public static GradingPolicy none() {
    return new GradingPolicy(List.of(), List.of(), Map.of(), Map.of(), Map.of());
  }

  public boolean usesScope() {
    return !scope.isEmpty();
  }

  /**
   * @param systemsAffected distinct systems of the fault's customer on which the same rule is firing
   * @param firingFor       how long the fault has been firing (zero while pending)
   */
  public Grade grade(Severity base, Labels labels, int systemsAffected, Duration firingFor) {
    List<String> why = new ArrayList<>(4);
    why.add("base " + base);
    Severity s = base;
    String customer = labels.get("customer");
    ScopeStep sc = null;
    for (ScopeStep st : scope) if (systemsAffected >= st.systems()) sc = st;
    if (sc != null && customer != null) {
      s = s.raise(sc.raise());
      why.add(systemsAffected + " systems of " + customer + " affected (≥ " + sc.systems() + ") → " + s);
    }
    DurationStep du = null;
    for (DurationStep st : duration) if (firingFor.compareTo(st.after()) >= 0) du = st;
    if (du != null) {
      s = s.raise(du.raise());
      why.add("firing for " + Durations.format(du.after()) + " or more → " + s);
    }
    String tier = customer == null ? null : customerTiers.get(customer);
    if (tier != null && tiers.getOrDefault(tier, 0) != 0) {
      s = s.raise(tiers.get(tier));
      why.add("customer " + customer + " on contract tier " + tier + " → " + s);
    }
    String crit = labels.get("criticality");
    if (crit != null && criticality.getOrDefault(crit, 0) != 0) {
      s = s.raise(criticality.get(crit));
      why.add("system criticality " + crit + " → " + s);
    }
    return new Grade(s, List.copyOf(why));
  }

  /** The next firing duration at which the grade may change, after {@code firingFor}; for timers. */
  public Optional<Duration> nextDurationStep(Duration firingFor) {
    for (DurationStep st : duration) if (st.after().compareTo(firingFor) > 0) return Optional.of(st.after());
    return Optional.empty();
  }

  /** Reads the {@code grading:} mapping of a rules file; throws naming the bad key and why. */
  public static GradingPolicy parse(Object node) {
    if (node == null) return none();
    Map<?, ?> m = map(node, "grading");
    for (Object k : m.keySet()) {
      if (!KEYS.contains(String.valueOf(k))) {
        throw new IllegalArgumentException("grading: unknown key '" + k + "' (known: criticality, customers, duration, scope, tiers)");
      }
    }
    List<ScopeStep> scope = new ArrayList<>();
    for (Map<?, ?> st : steps(m.get("scope"), "grading.scope")) {
      int systems = integer(st.get("systems"), "grading.scope[].systems");
      if (systems < 2) throw new IllegalArgumentException("grading.scope[].systems must be at least 2, got " + systems);
      scope.add(new ScopeStep(systems, integer(st.get("raise"), "grading.scope[].raise")));
    }
    List<DurationStep> duration = new ArrayList<>();
    for (Map<?, ?> st : steps(m.get("duration"), "grading.duration")) {
      Object after = st.get("after");
      if (after == null) throw new IllegalArgumentException("grading.duration[].after is missing (e.g. after: 1h)");
      duration.add(new DurationStep(Durations.parse(String.valueOf(after)), integer(st.get("raise"), "grading.duration[].raise")));
    }
    Map<String, String> customers = new LinkedHashMap<>();
    if (m.get("customers") != null) map(m.get("customers"), "grading.customers").forEach((k, v) -> customers.put(String.valueOf(k), String.valueOf(v)));
    return new GradingPolicy(scope, duration, raises(m.get("tiers"), "grading.tiers"), customers,
        raises(m.get("criticality"), "grading.criticality"));
  }

  private static Map<String, Integer> raises(Object node, String where) {
    Map<String, Integer> out = new LinkedHashMap<>();
    if (node != null) map(node, where).forEach((k, v) -> out.put(String.valueOf(k), integer(v, where + "." + k)));
    return out;
  }

  private static List<Map<?, ?>> steps(Object node, String where) {
    if (node == null) return List.of();
    if (!(node instanceof List<?> l)) throw new IllegalArgumentException(where + " must be a list of steps");
    List<Map<?, ?>> out = new ArrayList<>();
    for (Object o : l) out.add(map(o, where + "[]"));
    return out;
  }

  private static Map<?, ?> map(Object node, String where) {
    if (node instanceof Map<?, ?> m) return m;
    throw new IllegalArgumentException(where + " must be a mapping");
  }

  private static int integer(Object v, String where) {
    if (v instanceof Integer i) return i;
    if (v instanceof Long l && Math.abs(l) < 100) return l.intValue();
    throw new IllegalArgumentException(where + " must be a whole number, got '" + v + "'");
  }
}
