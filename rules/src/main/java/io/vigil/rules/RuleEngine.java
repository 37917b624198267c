package io.vigil.rules;

import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Streaming rule evaluation. Each sample is evaluated at once against the rules that select
 * its metric; {@link #tick()} moves pending faults whose {@code for} has elapsed to firing.
 * Both return the fault events they caused and send nothing.
 *
 * <p>Not thread-safe: one owner thread (in the server, one event loop) calls every method.
 * Never blocks; time comes only from the injected clock.
 */
public final class RuleEngine {
  private final Map<String, List<Rule>> rulesByMetric = new HashMap<>();
  private final List<Rule> rules;
  private final Clock clock;
  /** Active (pending or firing) faults by fingerprint. */
  private final Map<String, Fault> active = new HashMap<>();
  private final Map<String, Rule> ruleOf = new HashMap<>();
  private long evaluations;

  public RuleEngine(List<Rule> rules, Clock clock) {
    this.rules = List.copyOf(rules);
    this.clock = clock;
    for (Rule r : this.rules) rulesByMetric.computeIfAbsent(r.expr().metric(), k -> new ArrayList<>()).add(r);
  }

  public List<Rule> rules() {
    return rules;
  }

  /** Re-installs faults that were active before a restart, without emitting events. */
  public void restore(Collection<Fault> faults) {
    Map<String, Rule> byName = new HashMap<>();
    for (Rule r : rules) byName.put(r.name(), r);
    for (Fault f : faults) {
      Rule r = byName.get(f.rule());
      if (r != null && f.active()) {
        active.put(f.fingerprint(), f);
        ruleOf.put(f.fingerprint(), r);
      }
    }
  }

  public List<FaultEvent> evaluate(SampleBatch batch) {
    List<FaultEvent> out = new ArrayList<>(0);
    for (Sample s : batch.samples()) evaluate(s, out);
    return out;
  }

  public List<FaultEvent> evaluate(Sample s) {
    List<FaultEvent> out = new ArrayList<>(0);
    evaluate(s, out);
    return out;
  }

  private void evaluate(Sample s, List<FaultEvent> out) {
    List<Rule> candidates = rulesByMetric.get(s.metric());
    if (candidates == null) return;
    for (Rule r : candidates) {
      if (!r.expr().selects(s.metric(), s.labels())) continue;
      evaluations++;
      Labels faultLabels = s.labels().with(r.labels());
      String fp = Fingerprints.of(r.name(), s.labels());
      Fault current = active.get(fp);
      boolean holds = r.expr().holds(s.value());
      Instant now = clock.instant();
      if (holds) {
        String summary = r.summary(faultLabels, s.value());
        if (current == null) {
          Fault f = Fault.pending(fp, r.name(), r.severity(), faultLabels, s.value(), summary, now);
          if (r.forDuration().isZero()) {
            f = f.moveTo(FaultState.FIRING, now);
          }
          active.put(fp, f);
          ruleOf.put(fp, r);
          out.add(new FaultEvent(null, f));
        } else {
          Fault updated = current.withValue(s.value(), summary);
          if (updated.state() == FaultState.PENDING && due(updated, r, now)) {
            updated = updated.moveTo(FaultState.FIRING, now);
            out.add(new FaultEvent(FaultState.PENDING, updated));
          }
          active.put(fp, updated);
        }
      } else if (current != null) {
        Fault resolved = current.withValue(s.value(), current.summary()).moveTo(FaultState.RESOLVED, now);
        active.remove(fp);
        ruleOf.remove(fp);
        out.add(new FaultEvent(current.state(), resolved));
      }
    }
  }

  /** Fires every pending fault whose {@code for} has elapsed by the clock's now. */
  public List<FaultEvent> tick() {
    Instant now = clock.instant();
    List<FaultEvent> out = new ArrayList<>(0);
    for (Map.Entry<String, Fault> e : active.entrySet()) {
      Fault f = e.getValue();
      if (f.state() == FaultState.PENDING && due(f, ruleOf.get(e.getKey()), now)) {
        Fault firing = f.moveTo(FaultState.FIRING, now);
        e.setValue(firing);
        out.add(new FaultEvent(FaultState.PENDING, firing));
      }
    }
    return out;
  }

  /** The earliest instant at which {@link #tick()} has work, if any fault is pending. */
  public Optional<Instant> nextDue() {
    Instant best = null;
    for (Map.Entry<String, Fault> e : active.entrySet()) {
      Fault f = e.getValue();
      if (f.state() != FaultState.PENDING) continue;
      Instant due = f.startsAt().plus(ruleOf.get(e.getKey()).forDuration());
      if (best == null || due.isBefore(best)) best = due;
    }
    return Optional.ofNullable(best);
  }

  private static boolean due(Fault f, Rule r, Instant now) {
    return !now.isBefore(f.startsAt().plus(r.forDuration()));
  }

  public Collection<Fault> activeFaults() {
    return List.copyOf(active.values());
  }

  /** How many (sample, rule) pairs were evaluated since start; for metrics. */
  public long evaluations() {
    return evaluations;
  }
}
