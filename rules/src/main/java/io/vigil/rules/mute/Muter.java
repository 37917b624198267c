package io.vigil.rules.mute;

import io.vigil.rules.Fault;
import io.vigil.rules.FaultState;
import io.vigil.rules.Labels;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

/**
 * Decides whether a fault is muted, as a pure function of (silences, maintenance windows, inhibit
 * rules, the faults firing now, now). Immutable and thread-safe: build a new one when the
 * definitions change. Never blocks; no clock of its own.
 *
 * <p>Matching sees a fault's labels plus two pseudo-labels: {@code severity} (the graded P1…P4)
 * and {@code alertname} (the rule name, as Alertmanager calls it), so {@code severity=~"P3|P4"}
 * works in silences and inhibit rules. The pseudo-labels win over real labels of the same name.
 */
public final class Muter {
  public static final Muter NONE = new Muter(List.of(), List.of(), List.of());
  /** Which firing source is named when several inhibit: most severe, then longest firing, then fingerprint. */
  private static final Comparator<Fault> SOURCE_ORDER = Comparator.comparing(Fault::severity)
      .thenComparing(f -> f.firingAt() == null ? Instant.MAX : f.firingAt()).thenComparing(Fault::fingerprint);

  private final List<Silence> silences;
  private final List<MaintenanceWindow> windows;
  private final List<InhibitRule> rules;

  public Muter(Collection<Silence> silences, Collection<MaintenanceWindow> windows, Collection<InhibitRule> rules) {
    this.silences = List.copyOf(silences);
    this.windows = List.copyOf(windows);
    this.rules = List.copyOf(rules);
  }

  public List<Silence> silences() {
    return silences;
  }

  public List<MaintenanceWindow> windows() {
    return windows;
  }

  public List<InhibitRule> inhibitRules() {
    return rules;
  }

  public static Labels matchLabels(Fault f) {
    return f.labels().with(Map.of("severity", f.severity().name(), "alertname", f.rule()));
  }

  /** The muting of one fault. {@code firing} may contain anything; only FIRING faults can inhibit. */
  public Muting muting(Fault f, Collection<Fault> firing, Instant now) {
    return against(firing, now).apply(f);
  }

  /**
   * The muting of each of {@code faults}, by fingerprint. Sources are indexed once per rule, so
   * this is linear in faults × rules rather than quadratic.
   */
  public Map<String, Muting> mutings(Collection<Fault> faults, Collection<Fault> firing, Instant now) {
    Function<Fault, Muting> decide = against(firing, now);
    Map<String, Muting> out = new LinkedHashMap<>();
    for (Fault f : faults) out.put(f.fingerprint(), decide.apply(f));
    return out;
  }

  /**
   * The muting of any fault against the same {@code firing} set at {@code now}: the inhibit sources
   * are sorted and indexed once, here, so deciding a batch of faults one by one costs one index, not
   * one sort of every firing fault per fault. The function must not outlive a change of {@code firing}.
   */
  public Function<Fault, Muting> against(Collection<Fault> firing, Instant now) {
    return against(() -> firing, now);
  }

  /**
   * The same, asking for the firing set only when inhibit rules need it: without inhibit rules the
   * caller's walk over every active fault is skipped.
   */
  public Function<Fault, Muting> against(java.util.function.Supplier<? extends Collection<Fault>> firing, Instant now) {
    List<Map<List<String>, List<Fault>>> sourcesByRule = new ArrayList<>(rules.size());
    if (!rules.isEmpty()) {
      List<Fault> sorted = firing.get().stream().filter(f -> f.state() == FaultState.FIRING).sorted(SOURCE_ORDER).toList();
      for (InhibitRule r : rules) {
        Map<List<String>, List<Fault>> index = new HashMap<>();
        for (Fault s : sorted) {
          Labels l = matchLabels(s);
          if (r.matchesSource(l)) index.computeIfAbsent(r.equalKey(l), k -> new ArrayList<>(1)).add(s);
        }
        sourcesByRule.add(index);
      }
    }
    // What is active at now, once for the batch: most faults then cost a few map lookups.
    List<Silence> activeSilences = silences.stream().filter(s -> s.activeAt(now)).toList();
    List<Map.Entry<MaintenanceWindow, MaintenanceWindow.Occurrence>> activeWindows = new ArrayList<>();
    for (MaintenanceWindow w : windows) w.activeAt(now).ifPresent(o -> activeWindows.add(Map.entry(w, o)));
    if (activeSilences.isEmpty() && activeWindows.isEmpty() && rules.isEmpty()) return f -> Muting.NONE;
    return f -> {
      Labels l = matchLabels(f);
      List<Silence> bySilence = List.of();
      for (Silence s : activeSilences) {
        if (!s.matches(l)) continue;
        if (bySilence.isEmpty()) bySilence = new ArrayList<>(1);
        bySilence.add(s);
      }
      List<Map.Entry<MaintenanceWindow, MaintenanceWindow.Occurrence>> byWindow = List.of();
      for (Map.Entry<MaintenanceWindow, MaintenanceWindow.Occurrence> w : activeWindows) {
        if (!w.getKey().selects(f.labels())) continue;
        if (byWindow.isEmpty()) byWindow = new ArrayList<>(1);
        byWindow.add(w);
      }
      Fault source = inhibitor(f, l, sourcesByRule);
      return muting(bySilence, byWindow, source);
    };
  }

  private Fault inhibitor(Fault target, Labels l, List<Map<List<String>, List<Fault>>> sourcesByRule) {
    for (int i = 0; i < rules.size(); i++) {
      InhibitRule r = rules.get(i);
      if (!r.matchesTarget(l)) continue;
      for (Fault s : sourcesByRule.get(i).getOrDefault(r.equalKey(l), List.of())) {
        if (!s.fingerprint().equals(target.fingerprint())) return s; // a fault never inhibits itself
      }
    }
    return null;
  }

  private static Muting muting(List<Silence> bySilence, List<Map.Entry<MaintenanceWindow, MaintenanceWindow.Occurrence>> byWindow,
      Fault source) {
    if (bySilence.isEmpty() && byWindow.isEmpty() && source == null) return Muting.NONE;
    Instant until = null;
    List<String> reasons = new ArrayList<>();
    for (Silence s : bySilence) {
      until = later(until, s.endsAt());
      // The comment first: a wall with little room shows the start of the reason.
      reasons.add("silenced by " + s.createdBy() + ": " + s.comment() + " (until " + s.endsAt() + ")");
    }
    for (Map.Entry<MaintenanceWindow, MaintenanceWindow.Occurrence> e : byWindow) {
      until = later(until, e.getValue().until());
      reasons.add("maintenance window: " + e.getKey().comment() + " (until " + e.getValue().until() + ")");
    }
    if (source != null) {
      String c = source.labels().get("customer");
      String sys = source.labels().get("system");
      String where = c != null || sys != null ? (c == null ? "?" : c) + "/" + (sys == null ? "?" : sys) : source.labels().toString();
      reasons.add("inhibited by " + source.rule() + " (" + source.severity() + ") on " + where);
    }
    return new Muting(bySilence.stream().map(Silence::id).toList(), byWindow.stream().map(e -> e.getKey().id()).toList(),
        source == null ? null : source.fingerprint(), until, String.join("; ", reasons));
  }

  private static Instant later(Instant a, Instant b) {
    return a == null || b.isAfter(a) ? b : a;
  }

  /** The next instant after {@code now} at which a silence or a maintenance window starts or ends. */
  public Optional<Instant> nextChange(Instant now) {
    Instant best = null;
    for (Silence s : silences) {
      for (Instant b : new Instant[] {s.startsAt(), s.endsAt()}) {
        if (b.isAfter(now) && (best == null || b.isBefore(best))) best = b;
      }
    }
    for (MaintenanceWindow w : windows) {
      Instant b = w.nextBoundary(now);
      if (b != null && (best == null || b.isBefore(best))) best = b;
    }
    return Optional.ofNullable(best);
  }
}
