package io.vigil.rules;

import static org.junit.jupiter.api.Assertions.*;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class RuleEngineTest {
  private static final Instant T0 = Instant.EPOCH.plusSeconds(1_000_000);
  private static final Labels DB1 = Labels.of("customer", "acme", "system", "erp", "host", "db1");
  private ManualClock clock;

  @BeforeEach
  void setUp() {
    clock = new ManualClock(T0);
  }

  private RuleEngine engine(String forText) {
    Rule r = RulesFile.parse("t.yaml", """
        rules:
          - name: HighCpu
            expr: cpu_usage > 90
            for: %s
            severity: P2
            labels: {team: noc}
            annotations: {summary: "CPU {{ $value }}%% on {{ $labels.host }}"}
        """.formatted(forText)).get(0);
    return new RuleEngine(List.of(r), clock);
  }

  /** A cpu_usage sample stamped with the engine clock's now (windows and staleness use sample time). */
  private Sample cpu(Labels l, double v) {
    return new Sample("cpu_usage", l, v, clock.millis());
  }

  @Test
  void faultFiresAtOnceWhenForIsZero() {
    RuleEngine e = engine("0s");
    List<FaultEvent> ev = e.evaluate(cpu(DB1, 97.5));
    assertEquals(1, ev.size());
    assertNull(ev.get(0).from());
    Fault f = ev.get(0).fault();
    assertEquals(FaultState.FIRING, f.state());
    assertEquals(T0, f.firingAt());
    assertEquals("CPU 97.5% on db1", f.summary());
    assertEquals("noc", f.labels().get("team"), "rule labels are added to the fault");
    assertEquals(Severity.P2, f.severity());
  }

  @Test
  void faultFiresOnlyAfterForDurationElapses() {
    RuleEngine e = engine("30s");
    assertEquals(FaultState.PENDING, e.evaluate(cpu(DB1, 95)).get(0).to());
    assertEquals(T0.plusSeconds(30), e.nextDue().orElseThrow());
    clock.advance(Duration.ofSeconds(29));
    assertTrue(e.tick().isEmpty(), "not yet due");
    assertTrue(e.evaluate(cpu(DB1, 96)).isEmpty(), "still pending, no event");
    clock.advance(Duration.ofSeconds(1));
    List<FaultEvent> fired = e.tick();
    assertEquals(1, fired.size());
    assertEquals(FaultState.PENDING, fired.get(0).from());
    assertEquals(FaultState.FIRING, fired.get(0).to());
    assertEquals(96, fired.get(0).fault().value(), "carries the latest value");
    assertTrue(e.nextDue().map(d -> d.isAfter(clock.instant())).orElse(true), "nothing is due any more");
  }

  @Test
  void sampleArrivingAfterForElapsedFiresWithoutTick() {
    RuleEngine e = engine("30s");
    e.evaluate(cpu(DB1, 95));
    clock.advance(Duration.ofSeconds(31));
    assertEquals(FaultState.FIRING, e.evaluate(cpu(DB1, 95)).get(0).to());
  }

  @Test
  void pendingFaultThatClearsResolvesWithoutEverFiring() {
    RuleEngine e = engine("30s");
    e.evaluate(cpu(DB1, 95));
    clock.advance(Duration.ofSeconds(10));
    FaultEvent ev = e.evaluate(cpu(DB1, 50)).get(0);
    assertEquals(FaultState.PENDING, ev.from());
    assertEquals(FaultState.RESOLVED, ev.to());
    assertNull(ev.fault().firingAt());
    assertTrue(e.tick().isEmpty());
  }

  @Test
  void firingFaultResolvesWhenConditionStopsHolding() {
    RuleEngine e = engine("0s");
    e.evaluate(cpu(DB1, 95));
    clock.advance(Duration.ofMinutes(5));
    FaultEvent ev = e.evaluate(cpu(DB1, 40)).get(0);
    assertEquals(FaultState.FIRING, ev.from());
    assertEquals(FaultState.RESOLVED, ev.to());
    assertEquals(T0.plusSeconds(300), ev.fault().endsAt());
    assertEquals(95, ev.fault().value(), "a resolved fault keeps the last value that proved it (as Prometheus does)");
    assertTrue(e.activeFaults().isEmpty());
  }

  @Test
  void eachSeriesGetsItsOwnFaultAndFingerprint() {
    RuleEngine e = engine("0s");
    Labels db2 = DB1.with(Map.of("host", "db2"));
    String a = e.evaluate(cpu(DB1, 95)).get(0).fault().fingerprint();
    String b = e.evaluate(cpu(db2, 95)).get(0).fault().fingerprint();
    assertNotEquals(a, b);
    assertEquals(2, e.activeFaults().size());
    assertEquals(Fingerprints.of("HighCpu", DB1), a);
  }

  @Test
  void fingerprintIsStableAndIndependentOfLabelInsertionOrder() {
    Labels x = Labels.of(Map.of("b", "2", "a", "1"));
    Labels y = Labels.of("a", "1", "b", "2");
    assertEquals(Fingerprints.of("R", x), Fingerprints.of("R", y));
    assertNotEquals(Fingerprints.of("R", x), Fingerprints.of("S", x));
    assertNotEquals(Fingerprints.of("R", Labels.of("a", "1b")), Fingerprints.of("R", Labels.of("a", "1", "b", "")));
    assertEquals(16, Fingerprints.of("R", x).length());
  }

  @Test
  void repeatedViolatingSamplesEmitNoDuplicateEvents() {
    RuleEngine e = engine("0s");
    assertEquals(1, e.evaluate(cpu(DB1, 95)).size());
    for (int i = 0; i < 10; i++) assertTrue(e.evaluate(cpu(DB1, 95 + i)).isEmpty());
    assertEquals(104, e.activeFaults().iterator().next().value());
  }

  @Test
  void samplesOfOtherMetricsOrNotSelectedSeriesAreNotEvaluated() {
    RuleEngine e = engine("0s");
    assertTrue(e.evaluate(new Sample("mem_usage", DB1, 99, clock.millis())).isEmpty());
    assertEquals(0, e.evaluations());
    e.evaluate(cpu(DB1, 1));
    assertEquals(1, e.evaluations());
  }

  @Test
  void restoredFiringFaultIsNotRaisedAgainButStillResolves() {
    RuleEngine first = engine("0s");
    Fault firing = first.evaluate(cpu(DB1, 95)).get(0).fault();
    RuleEngine second = engine("0s");
    second.restore(List.of(firing));
    assertTrue(second.evaluate(cpu(DB1, 99)).isEmpty(), "no duplicate firing after restart");
    assertEquals(FaultState.RESOLVED, second.evaluate(cpu(DB1, 10)).get(0).to());
  }

  @Test
  void restoreLeavesFaultsOfOtherSourcesAloneEvenWhenARuleHasTheirName() {
    RuleEngine e = engineFrom("""
        rules:
          - {name: NoData, expr: up < 1, severity: P2}
        """);
    Labels erp = Labels.of("customer", "acme", "system", "erp");
    Fault patrol = Fault.pending("patrol:erp", "NoData", Severity.P4, erp, 60, "erp has sent nothing", clock.instant())
        .moveTo(FaultState.FIRING, clock.instant()).withSource("patrol");
    e.restore(List.of(patrol));
    List<FaultEvent> events = new java.util.ArrayList<>(e.reconcile());
    events.addAll(e.evaluate(new Sample("up", erp, 1, clock.millis())));
    clock.advance(Duration.ofMinutes(10));
    events.addAll(e.tick());
    assertTrue(events.stream().noneMatch(ev -> ev.fault().fingerprint().equals("patrol:erp")), events.toString());
  }

  @Test
  void restoredPendingFaultKeepsItsOriginalStartForTheForTimer() {
    RuleEngine first = engine("1m");
    Fault pending = first.evaluate(cpu(DB1, 95)).get(0).fault();
    clock.advance(Duration.ofSeconds(45));
    RuleEngine second = engine("1m");
    second.restore(List.of(pending));
    assertEquals(T0.plusSeconds(60), second.nextDue().orElseThrow());
    clock.advance(Duration.ofSeconds(15));
    assertEquals(FaultState.FIRING, second.tick().get(0).to());
  }

  @Test
  void batchEvaluationReturnsEventsInSampleOrder() {
    RuleEngine e = engine("0s");
    List<FaultEvent> ev = e.evaluate(new SampleBatch(List.of(cpu(DB1, 95), cpu(DB1, 10))));
    assertEquals(List.of(FaultState.FIRING, FaultState.RESOLVED), ev.stream().map(FaultEvent::to).toList());
  }

  // ---- issue 4: keep_firing_for, hysteresis, flapping, grading, reload --------------------------

  private RuleEngine engineFrom(String yaml) {
    return new RuleEngine(RulesFile.load("t.yaml", yaml), clock);
  }

  private RuleEngine highCpuKeptFiring2m() {
    return engineFrom("""
        rules:
          - {name: HighCpu, expr: cpu_usage > 90, keep_firing_for: 2m, severity: P2}
        """);
  }

  @Test
  void keepFiringForHoldsTheFaultAfterTheConditionClearsThenResolves() {
    RuleEngine e = highCpuKeptFiring2m();
    e.evaluate(cpu(DB1, 95));
    clock.advance(Duration.ofSeconds(10));
    List<FaultEvent> cleared = e.evaluate(cpu(DB1, 50));
    assertEquals(1, cleared.size());
    assertEquals(FaultState.FIRING, cleared.get(0).to(), "still firing");
    assertEquals(T0.plusSeconds(130), cleared.get(0).fault().keepFiringUntil());
    assertEquals(T0.plusSeconds(130), e.nextDue().orElseThrow());
    clock.advance(Duration.ofSeconds(119));
    assertTrue(e.tick().isEmpty());
    clock.advance(Duration.ofSeconds(1));
    FaultEvent resolved = e.tick().get(0);
    assertEquals(FaultState.RESOLVED, resolved.to());
    assertEquals(T0.plusSeconds(130), resolved.fault().endsAt());
  }

  @Test
  void keepFiringForEndsAtItsDeadlineEvenWhenTheTimerRunsLate() {
    RuleEngine e = highCpuKeptFiring2m();
    e.evaluate(cpu(DB1, 95));
    e.evaluate(cpu(DB1, 50));
    clock.advance(Duration.ofSeconds(127)); // a loaded machine: the tick comes 7 s after the deadline
    FaultEvent resolved = e.tick().get(0);
    assertEquals(FaultState.RESOLVED, resolved.to());
    assertEquals(T0.plusSeconds(120), resolved.fault().endsAt());
  }

  @Test
  void keepFiringForIsCancelledWhenTheConditionHoldsAgain() {
    RuleEngine e = highCpuKeptFiring2m();
    e.evaluate(cpu(DB1, 95));
    clock.advance(Duration.ofSeconds(10));
    e.evaluate(cpu(DB1, 50));
    clock.advance(Duration.ofSeconds(10));
    FaultEvent held = e.evaluate(cpu(DB1, 97)).get(0);
    assertNull(held.fault().keepFiringUntil());
    clock.advance(Duration.ofMinutes(5));
    e.evaluate(cpu(DB1, 97));
    assertTrue(e.tick().isEmpty(), "no resolution: the condition holds");
    assertEquals(FaultState.FIRING, e.activeFaults().iterator().next().state());
  }

  @Test
  void resolveExprGivesHysteresisFireAbove90ClearOnlyBelow80() {
    RuleEngine e = engineFrom("""
        rules:
          - {name: HighCpu, expr: cpu_usage > 90, resolve_expr: cpu_usage < 80, severity: P2}
        """);
    assertEquals(FaultState.FIRING, e.evaluate(cpu(DB1, 95)).get(0).to());
    clock.advance(Duration.ofSeconds(10));
    assertTrue(e.evaluate(cpu(DB1, 85)).isEmpty(), "85 is not above 90 but not below 80 either: still firing");
    assertEquals(FaultState.FIRING, e.activeFaults().iterator().next().state());
    clock.advance(Duration.ofSeconds(10));
    assertTrue(e.evaluate(cpu(DB1, 92)).isEmpty());
    clock.advance(Duration.ofSeconds(10));
    FaultEvent ev = e.evaluate(cpu(DB1, 79)).get(0);
    assertEquals(FaultState.RESOLVED, ev.to());
  }

  @Test
  void pendingFaultWithResolveExprStillNeedsExprThroughoutFor() {
    RuleEngine e = engineFrom("""
        rules:
          - {name: HighCpu, expr: cpu_usage > 90, resolve_expr: cpu_usage < 80, for: 1m, severity: P2}
        """);
    e.evaluate(cpu(DB1, 95));
    clock.advance(Duration.ofSeconds(10));
    assertEquals(FaultState.RESOLVED, e.evaluate(cpu(DB1, 85)).get(0).to());
  }

  @Test
  void faultThatFlapsGoesToFlappingInsteadOfResolvingAndSettlesAfterTheQuietPeriod() {
    RuleEngine e = engineFrom("""
        rules:
          - {name: HighCpu, expr: cpu_usage > 90, severity: P2}
        flapping: {transitions: 4, window: 10m, quiet: 5m}
        """);
    List<FaultState> seen = new java.util.ArrayList<>();
    for (int i = 0; i < 3; i++) {
      for (FaultEvent ev : e.evaluate(cpu(DB1, 95))) seen.add(ev.to());
      clock.advance(Duration.ofSeconds(30));
      for (FaultEvent ev : e.evaluate(cpu(DB1, 10))) seen.add(ev.to());
      clock.advance(Duration.ofSeconds(30));
    }
    assertEquals(List.of(FaultState.FIRING, FaultState.RESOLVED, FaultState.FIRING, FaultState.RESOLVED,
        FaultState.FIRING, FaultState.FLAPPING), seen, "the 6th change within 10m (more than 4) makes it flap");
    assertEquals(1, e.activeFaults().size(), "a flapping fault stays one active fault");
    // Oscillations while flapping emit nothing.
    for (int i = 0; i < 3; i++) {
      assertTrue(e.evaluate(cpu(DB1, 95)).isEmpty());
      clock.advance(Duration.ofSeconds(20));
      assertTrue(e.evaluate(cpu(DB1, 10)).isEmpty());
      clock.advance(Duration.ofSeconds(20));
    }
    Instant quietFrom = clock.instant().minusSeconds(20);
    assertFalse(e.nextDue().orElseThrow().isAfter(quietFrom.plus(Duration.ofMinutes(5))), "the quiet period is scheduled");
    clock.advance(Duration.ofMinutes(5));
    FaultEvent settled = e.tick().get(0);
    assertEquals(FaultState.FLAPPING, settled.from());
    assertEquals(FaultState.RESOLVED, settled.to(), "quiet and cleared: it settles resolved");
  }

  @Test
  void flappingFaultThatSettlesHoldingGoesBackToFiring() {
    RuleEngine e = engineFrom("""
        rules:
          - {name: HighCpu, expr: cpu_usage > 90, severity: P2}
        flapping: {transitions: 2, window: 10m, quiet: 1m}
        """);
    e.evaluate(cpu(DB1, 95));
    e.evaluate(cpu(DB1, 10));
    e.evaluate(cpu(DB1, 95));
    assertEquals(FaultState.FLAPPING, e.evaluate(cpu(DB1, 10)).get(0).to());
    clock.advance(Duration.ofSeconds(10));
    e.evaluate(cpu(DB1, 96));
    clock.advance(Duration.ofMinutes(1));
    FaultEvent ev = e.tick().get(0);
    assertEquals(FaultState.FIRING, ev.to());
    assertEquals(T0, ev.fault().firingAt(), "keeps the time it first fired");
  }

  private static final String SCOPE_RULES = """
      rules:
        - {name: HighCpu, expr: cpu_usage > 90, severity: P3}
      grading:
        scope: [{systems: 3, raise: 1}]
      """;

  private Sample cpuOn(String customer, String system, String host, double v) {
    return cpu(Labels.of("customer", customer, "system", system, "host", host), v);
  }

  @Test
  void gradingByScopeRaisesEveryFaultOfTheCustomerWhenTheThirdSystemFiresAndExplainsIt() {
    RuleEngine e = engineFrom(SCOPE_RULES);
    assertEquals(Severity.P3, e.evaluate(cpuOn("acme", "erp", "h1", 95)).get(0).fault().severity());
    assertEquals(Severity.P3, e.evaluate(cpuOn("acme", "erp", "h2", 95)).get(0).fault().severity(), "same system again: still 1 system");
    assertEquals(Severity.P3, e.evaluate(cpuOn("acme", "mes", "h3", 95)).get(0).fault().severity());
    assertEquals(Severity.P3, e.evaluate(cpuOn("globex", "crm", "h4", 95)).get(0).fault().severity(), "another customer does not count");
    List<FaultEvent> third = e.evaluate(cpuOn("acme", "oa", "h5", 95));
    assertEquals(4, third.size(), "3 re-grades of the live acme faults + the new one: " + third);
    for (FaultEvent ev : third) {
      assertEquals(Severity.P2, ev.fault().severity());
      assertEquals("acme", ev.fault().labels().get("customer"));
      assertEquals(List.of("base P3", "3 systems of acme affected (≥ 3) → P2"), ev.fault().grading());
    }
    assertEquals(3, third.stream().filter(ev -> ev.from() == FaultState.FIRING && ev.to() == FaultState.FIRING).count(),
        "a re-grade is an event whose from equals its state");
    // One system recovers: back under the step, the others are re-graded down.
    List<FaultEvent> down = e.evaluate(cpuOn("acme", "oa", "h5", 10));
    assertEquals(List.of(Severity.P2, Severity.P3, Severity.P3, Severity.P3), down.stream().map(ev -> ev.fault().severity()).toList());
  }

  @Test
  void gradingByDurationRaisesALongFiringFaultOnTick() {
    RuleEngine e = engineFrom("""
        rules:
          - {name: HighCpu, expr: cpu_usage > 90, severity: P3}
        grading:
          duration: [{after: 30m, raise: 1}]
        """);
    assertEquals(Severity.P3, e.evaluate(cpu(DB1, 95)).get(0).fault().severity());
    List<FaultEvent> events = new java.util.ArrayList<>();
    for (int minute = 1; minute <= 31; minute++) {
      clock.advance(Duration.ofMinutes(1));
      events.addAll(e.evaluate(cpu(DB1, 95)));
      events.addAll(e.tick());
      if (minute == 29) assertEquals(List.of(), events, "nothing before 30 minutes");
    }
    assertEquals(1, events.size(), events.toString());
    FaultEvent ev = events.get(0);
    assertEquals(FaultState.FIRING, ev.from());
    assertEquals(Severity.P2, ev.fault().severity());
    assertEquals(List.of("base P3", "firing for 30m or more → P2"), ev.fault().grading());
  }

  @Test
  void annotationsAreRenderedWithHelpersAtEachEvent() {
    RuleEngine e = engineFrom("""
        rules:
          - name: HighCpu
            expr: cpu_usage > 0.9
            severity: P2
            annotations:
              summary: "CPU {{ $value | humanizePercentage }} on {{ $labels.host }}"
              runbook_url: "https://runbooks.example/cpu?host={{ $labels.host }}"
        """);
    Fault f = e.evaluate(cpu(DB1, 0.953)).get(0).fault();
    assertEquals("CPU 95.3% on db1", f.summary());
    assertEquals(Map.of("runbook_url", "https://runbooks.example/cpu?host=db1"), f.annotations());
  }

  @Test
  void reloadKeepsFaultsOfRulesThatStayAndResolvesTheOthers() {
    RuleEngine e = engineFrom("""
        rules:
          - {name: HighCpu, expr: cpu_usage > 90, severity: P2}
          - {name: LowCpu, expr: cpu_usage < 100, severity: P4}
        """);
    assertEquals(2, e.evaluate(cpu(DB1, 95)).size());
    List<FaultEvent> resolved = new java.util.ArrayList<>();
    RuleEngine next = e.reload(RulesFile.load("t.yaml", """
        rules:
          - {name: HighCpu, expr: cpu_usage > 90, severity: P2}
        """), resolved);
    assertEquals(List.of("LowCpu"), resolved.stream().map(ev -> ev.fault().rule()).toList());
    assertEquals(FaultState.RESOLVED, resolved.get(0).to());
    assertTrue(next.evaluate(cpu(DB1, 96)).isEmpty(), "HighCpu still firing, not raised again");
    assertEquals(FaultState.RESOLVED, next.evaluate(cpu(DB1, 50)).get(0).to());
  }

  @Test
  void aDurationStepReachedBetweenAnEarlyTickAndTheNextSchedulingIsStillDue() {
    // Seen in the server: a tick a fraction of a millisecond before the 2 s step re-graded nothing, and
    // by the time the next timer was computed the step lay in the past and was never scheduled again.
    clock.advance(Duration.ofNanos(123_456)); // real clocks have sub-millisecond precision
    RuleEngine e = engineFrom("""
        rules:
          - {name: HighCpu, expr: cpu_usage > 90, severity: P3}
        grading:
          duration: [{after: 2s, raise: 1}]
        """);
    Instant fired = e.evaluate(cpu(DB1, 95)).get(0).fault().firingAt();
    Instant step = fired.plusSeconds(2);
    assertEquals(step.truncatedTo(java.time.temporal.ChronoUnit.MILLIS).plusMillis(1), e.nextDue().orElseThrow(),
        "due times round up to the millisecond: a timer never fires before the step");
    clock.set(step.minusNanos(50_000)); // a timer firing a hair early all the same (clock skew)
    assertTrue(e.tick().isEmpty(), "not yet 2 s");
    clock.set(step.plusNanos(400_000)); // the step passes before the next timer is computed
    Instant due = e.nextDue().orElseThrow();
    assertFalse(due.isAfter(step.plusMillis(1)), "the passed step is still due, not skipped: " + due);
    clock.set(due.isAfter(clock.instant()) ? due : clock.instant());
    List<FaultEvent> ev = e.tick();
    assertEquals(1, ev.size(), ev.toString());
    assertEquals(Severity.P2, ev.get(0).fault().severity());
    assertTrue(e.nextDue().map(d -> d.isAfter(step.plusSeconds(60))).orElse(true), "no step left to schedule");
  }

  @Test
  void durationRegradeIsNeverLostWhateverTheSubMillisecondTimingOfFiringSchedulingAndTimers() {
    // The server's loop exactly: after each evaluation or tick, delay = max(1 ms, due - now truncated to
    // ms), and the timer runs tick() that much later. Try many sub-millisecond firing times and lags.
    String yaml = """
        rules:
          - {name: HighCpu, expr: cpu_usage > 90, severity: P3}
        grading:
          duration: [{after: 2s, raise: 1}]
        """;
    List<String> lost = new java.util.ArrayList<>();
    for (int fireMicros = 0; fireMicros < 1000; fireMicros += 37) {
      for (int lagMicros : new int[] {0, 1, 250, 499, 500, 501, 999}) {
        clock = new ManualClock(T0.plusNanos(fireMicros * 1000L));
        RuleEngine e = engineFrom(yaml);
        e.evaluate(cpu(DB1, 95));
        boolean regraded = false;
        for (int timers = 0; timers < 10 && !regraded; timers++) {
          clock.advance(Duration.ofNanos(lagMicros * 1000L)); // scheduling happens a little after the work
          Instant due = e.nextDue().orElse(null);
          if (due == null || due.isAfter(T0.plusSeconds(60))) break;
          long delay = Math.max(1, Duration.between(clock.instant(), due).toMillis());
          clock.advance(Duration.ofMillis(delay));
          regraded = e.tick().stream().anyMatch(ev -> ev.fault().severity() == Severity.P2);
        }
        if (!regraded) lost.add("fired at +" + fireMicros + "µs, lag " + lagMicros + "µs");
      }
    }
    assertEquals(List.of(), lost, "the 2 s step was never applied");
  }

  @Test
  void restoredFaultsFollowTheReplayedHistoryNotAnAssumption() {
    // Before the crash: cpu went above 90 (pending, for 1m) and then back to 40, but the clearing
    // sample was stored without being evaluated. After the restart the warm-up replays both.
    RuleEngine first = engine("1m");
    Fault pending = first.evaluate(cpu(DB1, 95)).get(0).fault();
    RuleEngine second = engine("1m");
    second.warm(new SampleBatch(List.of(cpu(DB1, 95), cpu(DB1, 40))));
    second.restore(List.of(pending));
    List<FaultEvent> ev = second.reconcile();
    assertEquals(1, ev.size(), ev.toString());
    assertEquals(FaultState.RESOLVED, ev.get(0).to(), "the replayed 40 clears it");
    clock.advance(Duration.ofMinutes(2));
    assertTrue(second.tick().isEmpty(), "and it never fires on its old schedule");
  }

  @Test
  void withoutReplayedHistoryARestoredFaultIsAssumedToHoldUntilASampleSaysOtherwise() {
    RuleEngine first = engine("1m");
    Fault pending = first.evaluate(cpu(DB1, 95)).get(0).fault();
    RuleEngine second = engine("1m");
    second.restore(List.of(pending));
    assertTrue(second.reconcile().isEmpty());
    clock.advance(Duration.ofMinutes(1));
    assertEquals(FaultState.FIRING, second.tick().get(0).to());
  }
}
