package io.vigil.rules;

import io.vigil.rules.expr.ChangeSink;
import io.vigil.rules.expr.Expr;
import io.vigil.rules.expr.ExprRuntime;
import io.vigil.rules.expr.RuntimeOptions;
import io.vigil.rules.expr.RuntimeStats;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Streaming rule evaluation: samples go through the {@link ExprRuntime} (one shared store of
 * per-series windows); each change of a rule's output vector drives that element's fault through
 * {@code pending → firing → (flapping) → resolved}, with {@code for}, {@code keep_firing_for},
 * {@code resolve_expr} hysteresis, flap control and grading. {@link #tick()} handles what time
 * alone changes. Every method returns the fault events it caused and sends nothing.
 *
 * <p>A re-grade of a live fault is an event whose {@code from} equals its state.
 *
 * <p>Not thread-safe: one owner thread (in the server, one event loop) calls every method.
 * Never blocks; time comes only from the injected clock.
 */
public final class RuleEngine {
  private final RuleSet set;
  private final Clock clock;
  private final ExprRuntime runtime;
  private final RuleState[] byExpr;
  private final List<RuleState> states = new ArrayList<>();
  private final FlapDetector flaps;
  /** (rule, customer) → system → confirmed faults on it: the scope that grading counts. */
  private final Map<String, Map<String, Integer>> scope = new HashMap<>();
  private final Sink sink = new Sink();
  /** Pending alerts: checked after every evaluation, since an unchanged value reports nothing. */
  private final java.util.Set<Alert> pending = new java.util.LinkedHashSet<>();
  /** Metrics the warm-up replayed history for: for their rules, the replayed windows say what holds. */
  private final Set<String> warmedMetrics = new java.util.HashSet<>();
  /** Restored faults the replayed history shows no longer holding: cleared by {@link #reconcile}. */
  private final List<Alert> restoredCleared = new ArrayList<>();
  /** Events of the call in progress; null between calls (restore emits nothing). */
  private List<FaultEvent> out;
  private Instant lastForget = Instant.MIN;

  /** One rule's live alerts, keyed by the output labels of its expression. */
  private static final class RuleState {
    final Rule rule;
    final int exprIndex;
    final int resolveIndex; // -1 without resolve_expr
    final Map<Labels, Alert> alerts = new HashMap<>();

    RuleState(Rule rule, int exprIndex, int resolveIndex) {
      this.rule = rule;
      this.exprIndex = exprIndex;
      this.resolveIndex = resolveIndex;
    }
  }

  /** One fault in the making: the engine's mutable record around the immutable {@link Fault}. */
  private static final class Alert {
    final Labels output;
    final RuleState st;
    Fault fault;
    double value;
    boolean holds = true;      // the expression currently yields this element
    /** How long it had fired when its grade was last computed: the next duration step is counted from here. */
    Duration gradedFor = Duration.ZERO;
    Instant lastChange;        // of the underlying condition, for the flapping quiet period

    Alert(RuleState st, Labels output, Fault fault, double value, Instant at) {
      this.st = st;
      this.output = output;
      this.fault = fault;
      this.value = value;
      this.lastChange = at;
    }
  }

  public RuleEngine(RuleSet set, Clock clock) {
    this(set, clock, new ExprRuntime(exprs(set), RuntimeOptions.defaults()));
  }

  public RuleEngine(List<Rule> rules, Clock clock) {
    this(RuleSet.of(rules), clock);
  }

  private RuleEngine(RuleSet set, Clock clock, ExprRuntime runtime) {
    this.set = set;
    this.clock = clock;
    this.runtime = runtime;
    this.flaps = new FlapDetector(set.flapping());
    List<Expr> exprs = exprs(set);
    this.byExpr = new RuleState[exprs.size()];
    int i = 0;
    for (Rule r : set.rules()) {
      int e = i++;
      int re = r.resolveExpr() == null ? -1 : i++;
      RuleState st = new RuleState(r, e, re);
      states.add(st);
      byExpr[e] = st;
      if (re >= 0) byExpr[re] = st;
    }
  }

  /** The expressions of a rule set in runtime order: each rule's expr, then its resolve_expr if any. */
  private static List<Expr> exprs(RuleSet set) {
    List<Expr> out = new ArrayList<>();
    for (Rule r : set.rules()) {
      out.add(r.expr());
      if (r.resolveExpr() != null) out.add(r.resolveExpr());
    }
    return out;
  }

  /**
   * An engine for a new rule set that keeps this one's series windows and the faults of rules that
   * still exist (by name); faults of rules that are gone resolve, reported in {@code resolvedByReload}.
   */
  public RuleEngine reload(RuleSet next, List<FaultEvent> resolvedByReload) {
    RuleEngine e = new RuleEngine(next, clock, runtime.withExprs(exprs(next)));
    Set<String> names = new java.util.HashSet<>();
    for (Rule r : next.rules()) names.add(r.name());
    List<Fault> keep = new ArrayList<>();
    Instant now = clock.instant();
    for (Fault f : activeFaults()) {
      if (names.contains(f.rule())) keep.add(f);
      else resolvedByReload.add(new FaultEvent(f.state(), f.moveTo(FaultState.RESOLVED, now)));
    }
    e.restore(keep);
    return e;
  }

  public List<Rule> rules() {
    return set.rules();
  }

  public RuleSet ruleSet() {
    return set;
  }

  /**
   * Re-installs faults that were active before a restart, without emitting events. Each is assumed
   * to still hold until an evaluation of its series says otherwise.
   */
  public void restore(Collection<Fault> faults) {
    Map<String, RuleState> byName = new HashMap<>();
    for (RuleState st : states) byName.put(st.rule.name(), st);
    Map<Integer, Map<Labels, Double>> replayed = new HashMap<>();
    long now = clock.millis();
    for (Fault f : faults) {
      // Only this engine's faults: patrol's NoData or a Prometheus alert may share a rule's name
      // (the demo rules have a NoData rule) and must not be adopted, re-graded or resolved here.
      if (!Fault.SOURCE_RULE.equals(f.source())) continue;
      RuleState st = byName.get(f.rule());
      if (st == null || !f.active()) continue;
      Labels output = outputLabels(st.rule, f.labels());
      Alert a = new Alert(st, output, f, f.value(), clock.instant());
      if (f.state() == FaultState.PENDING) pending.add(a);
      st.alerts.put(output, a);
      if (f.keepFiringUntil() != null) {
        a.holds = false; // it had cleared; keep_firing_for runs on
      } else if (!java.util.Collections.disjoint(st.rule.expr().metricNames(), warmedMetrics)) {
        // The warm-up replayed this rule's data: believe it rather than assume the fault still holds.
        a.holds = replayed.computeIfAbsent(st.exprIndex, runtime::current).containsKey(output);
        if (!a.holds && f.state() != FaultState.FLAPPING) restoredCleared.add(a);
      } else {
        runtime.seed(st.exprIndex, output, Double.isNaN(f.value()) ? 0 : f.value(), now);
      }
      if (f.confirmed()) changeScope(st, a, +1);
    }
  }

  /** The rule's labels were laid over the output labels; take back those the output did not have. */
  private static Labels outputLabels(Rule r, Labels faultLabels) {
    if (r.labels().isEmpty()) return faultLabels;
    Map<String, String> m = new HashMap<>(faultLabels.asMap());
    r.labels().forEach((k, v) -> {
      if (v.equals(m.get(k))) m.remove(k);
    });
    return Labels.of(m);
  }

  /**
   * Feeds stored history (in time order) after a restart, so range windows are full again; raises
   * nothing. Call before {@link #restore}, then {@link #reconcile}.
   */
  public void warm(SampleBatch history) {
    for (Sample s : history.samples()) {
      runtime.accept(s, ChangeSink.NONE);
      warmedMetrics.add(s.metric());
    }
  }

  /**
   * After {@link #warm} and {@link #restore}: output elements that hold per the windows but have no
   * fault become faults now (the runtime reports changes only, so an unchanged condition would
   * otherwise never be reported again).
   */
  public List<FaultEvent> reconcile() {
    begin();
    // Restored faults the replayed data shows cleared: clear them now, as the sample that cleared
    // them would have (pending resolves; firing honours keep_firing_for, resolve_expr and flapping).
    for (Alert a : restoredCleared) {
      if (a.st.alerts.get(a.output) != a) continue;
      boolean hysteresis = a.st.resolveIndex >= 0 && a.fault.state() == FaultState.FIRING;
      if (!hysteresis || runtime.current(a.st.resolveIndex).containsKey(a.output)) cleared(a.st, a.output);
      else a.holds = true; // between the thresholds: hysteresis keeps it firing
    }
    restoredCleared.clear();
    for (RuleState st : states) {
      for (Map.Entry<Labels, Double> e : runtime.current(st.exprIndex).entrySet()) {
        if (!st.alerts.containsKey(e.getKey())) holds(st, e.getKey(), e.getValue());
      }
    }
    return end();
  }

  /** Metrics the rules read: what a warm-up must replay. */
  public Set<String> metricNames() {
    Set<String> out = new java.util.TreeSet<>();
    for (Rule r : set.rules()) {
      out.addAll(r.expr().metricNames());
      if (r.resolveExpr() != null) out.addAll(r.resolveExpr().metricNames());
    }
    return out;
  }

  /** How much history a warm-up needs: the longest range any rule uses, plus the staleness lookback. */
  public Duration warmRange() {
    Duration longest = Duration.ZERO;
    for (Rule r : set.rules()) {
      if (r.expr().maxRange().compareTo(longest) > 0) longest = r.expr().maxRange();
      if (r.resolveExpr() != null && r.resolveExpr().maxRange().compareTo(longest) > 0) longest = r.resolveExpr().maxRange();
    }
    return longest.plus(RuntimeOptions.defaults().lookback());
  }

  /** Replays the history of recent changes per fingerprint (from storage) into flap detection. */
  public void restoreFlapHistory(Map<String, List<Instant>> changes) {
    changes.forEach((fp, times) -> times.stream().sorted().forEach(t -> flaps.record(fp, t)));
  }

  public List<FaultEvent> evaluate(SampleBatch batch) {
    begin();
    for (Sample s : batch.samples()) runtime.accept(s, sink);
    return end();
  }

  public List<FaultEvent> evaluate(Sample s) {
    begin();
    runtime.accept(s, sink);
    return end();
  }

  private void begin() {
    out = new ArrayList<>(0);
  }

  private List<FaultEvent> end() {
    if (!pending.isEmpty()) {
      Instant now = clock.instant();
      for (Alert a : new ArrayList<>(pending)) {
        if (a.holds && due(a.st, a, now)) fire(a.st, a, FaultState.PENDING, now);
      }
    }
    List<FaultEvent> r = out;
    out = null;
    return r;
  }

  /** Output changes of the runtime, turned into fault transitions. */
  private final class Sink implements ChangeSink {
    @Override
    public void set(int exprIndex, Labels output, double value) {
      RuleState st = byExpr[exprIndex];
      if (exprIndex == st.exprIndex) holds(st, output, value);
      else cleared(st, output); // resolve_expr yields it: the hysteresis says clear
    }

    @Override
    public void removed(int exprIndex, Labels output) {
      RuleState st = byExpr[exprIndex];
      if (exprIndex != st.exprIndex) return; // resolve_expr stopped yielding it: nothing to do
      Alert a = st.alerts.get(output);
      if (a == null) return;
      // With resolve_expr, only it clears a confirmed fault (hysteresis: between the two thresholds
      // the fault stays as it is); a pending one needs `expr` throughout its `for`.
      if (st.resolveIndex < 0 || a.fault.state() == FaultState.PENDING) cleared(st, output);
    }
  }

  private void holds(RuleState st, Labels output, double value) {
    Instant now = clock.instant();
    Alert a = st.alerts.get(output);
    if (a == null) {
      Rule r = st.rule;
      Labels labels = output.with(r.labels());
      Fault f = Fault.pending(Fingerprints.of(r.name(), output), r.name(), r.severity(), labels, value, null, now);
      a = new Alert(st, output, f, value, now);
      st.alerts.put(output, a);
      pending.add(a);
      a.fault = render(st, a, gradeOf(st, a.fault, now));
      if (r.forDuration().isZero()) fire(st, a, null, now);
      else emit(null, a.fault);
      return;
    }
    a.value = value;
    if (!a.holds) {
      a.holds = true;
      a.lastChange = now;
    }
    switch (a.fault.state()) {
      case PENDING -> {
        if (due(st, a, now)) fire(st, a, FaultState.PENDING, now);
      }
      case FIRING -> {
        if (a.fault.keepFiringUntil() != null) {
          a.fault = render(st, a, a.fault.withKeepFiringUntil(null)); // held again: keep_firing_for no longer counts
          emit(FaultState.FIRING, a.fault);
        }
      }
      default -> { }
    }
  }

  /** The condition no longer holds (or resolve_expr says clear). */
  private void cleared(RuleState st, Labels output) {
    Alert a = st.alerts.get(output);
    if (a == null) return;
    Instant now = clock.instant();
    boolean was = a.holds;
    a.holds = false;
    switch (a.fault.state()) {
      case PENDING -> resolve(st, a, now);
      case FIRING -> {
        Duration keep = st.rule.keepFiringFor();
        if (!keep.isZero()) {
          if (a.fault.keepFiringUntil() == null) {
            a.fault = a.fault.withKeepFiringUntil(now.plus(keep));
            emit(FaultState.FIRING, a.fault);
          }
        } else {
          resolveOrFlap(st, a, now);
        }
      }
      case FLAPPING -> {
        if (was) a.lastChange = now; // only a real change of the condition restarts the quiet period
      }
      default -> { }
    }
  }

  private void fire(RuleState st, Alert a, FaultState from, Instant now) {
    FaultState before = a.fault.state();
    pending.remove(a);
    a.fault = a.fault.moveTo(FaultState.FIRING, now);
    flaps.record(a.fault.fingerprint(), now);
    changeScope(st, a, +1); // re-grades the others of its scope; this one is graded below, once
    a.fault = render(st, a, gradeOf(st, a.fault, now));
    emit(from == null ? null : before, a.fault);
  }

  private void resolveOrFlap(RuleState st, Alert a, Instant now) {
    if (flaps.record(a.fault.fingerprint(), now)) {
      a.fault = render(st, a, a.fault.moveTo(FaultState.FLAPPING, now));
      a.lastChange = now;
      emit(FaultState.FIRING, a.fault);
    } else {
      resolve(st, a, now);
    }
  }

  private void resolve(RuleState st, Alert a, Instant now) {
    FaultState from = a.fault.state();
    boolean wasConfirmed = a.fault.confirmed();
    a.fault = render(st, a, a.fault.moveTo(FaultState.RESOLVED, now));
    st.alerts.remove(a.output);
    pending.remove(a);
    emit(from, a.fault);
    if (wasConfirmed) changeScope(st, a, -1);
  }

  /** Fires every pending fault whose {@code for} has elapsed, and everything else time alone changes. */
  public List<FaultEvent> tick() {
    begin();
    Instant now = clock.instant();
    runtime.advance(now.toEpochMilli(), sink);
    for (RuleState st : states) {
      for (Iterator<Alert> it = new ArrayList<>(st.alerts.values()).iterator(); it.hasNext(); ) {
        Alert a = it.next();
        Fault f = a.fault;
        switch (f.state()) {
          case PENDING -> {
            if (due(st, a, now)) fire(st, a, FaultState.PENDING, now);
          }
          case FIRING -> {
            // Ends at the deadline itself, not at whenever the timer ran (late under load).
            if (f.keepFiringUntil() != null && !now.isBefore(f.keepFiringUntil())) resolveOrFlap(st, a, f.keepFiringUntil());
            else regrade(st, a, now);
          }
          case FLAPPING -> {
            if (!now.isBefore(a.lastChange.plus(set.flapping().quiet()))) settle(st, a, now);
          }
          default -> { }
        }
      }
    }
    if (now.isAfter(lastForget.plus(set.flapping().window()))) {
      flaps.forgetQuiet(now);
      lastForget = now;
    }
    return end();
  }

  /** A flapping fault has been quiet long enough: it settles as what its condition says now. */
  private void settle(RuleState st, Alert a, Instant now) {
    if (a.holds) {
      a.fault = render(st, a, a.fault.moveTo(FaultState.FIRING, now));
      emit(FaultState.FLAPPING, a.fault);
    } else {
      resolve(st, a, now);
    }
  }

  /** The earliest instant at which {@link #tick()} has work, if any. */
  public Optional<Instant> nextDue() {
    return due(runtime.nextDeadline());
  }

  /**
   * When to wake {@link #tick()}: never after {@link #nextDue()}, possibly before (a tick with
   * nothing due is harmless), and cheap to ask after every batch (see ExprRuntime#nextWakeup).
   */
  public Optional<Instant> nextWakeup() {
    return due(runtime.nextWakeup());
  }

  private Optional<Instant> due(long runtimeDue) {
    long best = runtimeDue;
    for (RuleState st : states) {
      for (Alert a : st.alerts.values()) {
        Instant due = switch (a.fault.state()) {
          case PENDING -> a.fault.startsAt().plus(st.rule.forDuration());
          case FIRING -> a.fault.keepFiringUntil() != null ? a.fault.keepFiringUntil() : nextGradeStep(a);
          case FLAPPING -> a.lastChange.plus(set.flapping().quiet());
          default -> null;
        };
        if (due != null) best = Math.min(best, ceilMillis(due));
      }
    }
    return best == Long.MAX_VALUE ? Optional.empty() : Optional.of(Instant.ofEpochMilli(best));
  }

  /**
   * When the next duration step of a firing fault is reached, counted from the duration its grade
   * was last computed at, not from now: a step passed between a tick and the next scheduling (timer
   * granularity) is then due at once instead of being skipped for good.
   */
  private Instant nextGradeStep(Alert a) {
    Fault f = a.fault;
    if (f.firingAt() == null) return null;
    return set.grading().nextDurationStep(a.gradedFor).map(d -> f.firingAt().plus(d)).orElse(null);
  }

  /** Due times round up to the millisecond the timers work in, so a timer never fires before its work is due. */
  private static long ceilMillis(Instant t) {
    long ms = t.toEpochMilli();
    return t.getNano() % 1_000_000 == 0 ? ms : ms + 1;
  }

  private static boolean due(RuleState st, Alert a, Instant now) {
    return !now.isBefore(a.fault.startsAt().plus(st.rule.forDuration()));
  }

  // ---- grading ------------------------------------------------------------------------------

  private Fault gradeOf(RuleState st, Fault f, Instant now) {
    Duration firing = f.firingAt() == null ? Duration.ZERO : Duration.between(f.firingAt(), now);
    GradingPolicy.Grade g = set.grading().grade(st.rule.severity(), f.labels(), systemsAffected(st, f.labels()), firing);
    return f.withGrade(g.severity(), g.explanation());
  }

  /** Re-grades one live fault; emits an event only if its severity changed. */
  private void regrade(RuleState st, Alert a, Instant now) {
    Fault graded = gradeOf(st, a.fault, now);
    if (a.fault.firingAt() != null) a.gradedFor = Duration.between(a.fault.firingAt(), now);
    if (graded.severity() != a.fault.severity()) {
      a.fault = render(st, a, graded);
      emit(a.fault.state(), a.fault);
    } else {
      a.fault = graded;
    }
  }

  private String scopeKey(RuleState st, Labels labels) {
    String customer = labels.get("customer");
    return customer == null ? null : st.rule.name() + '\u0000' + customer;
  }

  private int systemsAffected(RuleState st, Labels labels) {
    String k = scopeKey(st, labels);
    Map<String, Integer> systems = k == null ? null : scope.get(k);
    return systems == null ? 0 : systems.size();
  }


  /**
   * Counts a confirmed fault in or out of its (rule, customer) scope; when the number of systems
   * changes, re-grades the group's other live faults (the caller grades {@code a} itself).
   */
  private void changeScope(RuleState st, Alert a, int delta) {
    String k = scopeKey(st, a.fault.labels());
    if (k == null || !set.grading().usesScope()) return;
    String system = a.fault.labels().getOrDefault("system", "");
    Map<String, Integer> systems = scope.computeIfAbsent(k, x -> new HashMap<>());
    int before = systems.size();
    systems.merge(system, delta, (x, y) -> x + y == 0 ? null : x + y);
    if (systems.isEmpty()) scope.remove(k);
    if (systems.size() == before || out == null) return;
    Instant now = clock.instant();
    String customer = a.fault.labels().get("customer");
    for (Alert other : new ArrayList<>(st.alerts.values())) {
      if (other != a && customer.equals(other.fault.labels().get("customer"))) regrade(st, other, now);
    }
  }

  // ---- helpers ------------------------------------------------------------------------------

  /** Summary and annotations rendered with the alert's latest value (only at events: rendering per sample would cost). */
  private static Fault render(RuleState st, Alert a, Fault f) {
    return f.withValue(a.value, st.rule.summary(f.labels(), a.value), st.rule.renderAnnotations(f.labels(), a.value));
  }

  private void emit(FaultState from, Fault f) {
    out.add(new FaultEvent(from, f));
  }

  public Collection<Fault> activeFaults() {
    List<Fault> all = new ArrayList<>();
    for (RuleState st : states) for (Alert a : st.alerts.values()) all.add(render(st, a, a.fault)); // with the latest value
    return all;
  }

  /**
   * The active faults as last emitted, without rendering their summaries again: labels, state,
   * severity and fingerprint are current, which is all that deciding mutings needs. Rendering every
   * active fault's templates per batch cost seconds of event loop with 50,000 of them.
   */
  public Collection<Fault> activeFaultsAsEmitted() {
    List<Fault> all = new ArrayList<>();
    for (RuleState st : states) for (Alert a : st.alerts.values()) all.add(a.fault);
    return all;
  }

  /** How many leaf evaluations the runtime made since start; for metrics. */
  public long evaluations() {
    return runtime.stats().evaluations();
  }

  public RuntimeStats runtimeStats() {
    return runtime.stats();
  }
}
