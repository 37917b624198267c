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

  private static Sample cpu(Labels l, double v) {
    return new Sample("cpu_usage", l, v, 0);
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
    assertTrue(e.nextDue().isEmpty());
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
    assertEquals(40, ev.fault().value());
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
    assertTrue(e.evaluate(new Sample("mem_usage", DB1, 99, 0)).isEmpty());
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
}
