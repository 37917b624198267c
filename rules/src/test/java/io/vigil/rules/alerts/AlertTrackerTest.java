package io.vigil.rules.alerts;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vigil.rules.Fault;
import io.vigil.rules.FaultEvent;
import io.vigil.rules.FaultState;
import io.vigil.rules.Fingerprints;
import io.vigil.rules.Labels;
import io.vigil.rules.Severity;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class AlertTrackerTest {
  private static final Instant T0 = Instant.EPOCH.plusSeconds(1_000_000);
  private final AlertTracker tracker = new AlertTracker("prometheus", AlertSeverityMap.defaults(), Duration.ofMinutes(5));

  private static Alert alert(String name, String severity, Instant startsAt, Instant endsAt) {
    return new Alert(Labels.of("alertname", name, "severity", severity, "customer", "acme", "instance", "db1:9100"),
        Map.of("summary", name + " on db1", "runbook_url", "https://wiki/" + name), startsAt, endsAt, "http://prom:9090/graph?g0.expr=x");
  }

  @Test
  void firingAlertBecomesAGradedFiringFaultWithItsSourceAndExplanation() {
    List<FaultEvent> events = tracker.receive(List.of(alert("DiskFull", "critical", T0, T0.plusSeconds(240))), T0.plusSeconds(1));

    assertEquals(1, events.size());
    assertNull(events.get(0).from());
    Fault f = events.get(0).fault();
    assertEquals(FaultState.FIRING, f.state());
    assertEquals("DiskFull", f.rule());
    assertEquals("prometheus", f.source());
    assertEquals(Severity.P1, f.severity());
    assertEquals(List.of("base P1 (severity=critical from prometheus)"), f.grading());
    assertEquals(Labels.of("severity", "critical", "customer", "acme", "instance", "db1:9100"), f.labels());
    assertEquals("DiskFull on db1", f.summary());
    assertEquals(Map.of("runbook_url", "https://wiki/DiskFull", "generatorURL", "http://prom:9090/graph?g0.expr=x"), f.annotations());
    assertEquals(T0, f.startsAt());
    assertEquals(T0, f.firingAt());
    assertTrue(f.fingerprint().startsWith("prom:"));
  }

  @Test
  void refreshOfAnUnchangedAlertRaisesNothingAndMovesItsDeadline() {
    tracker.receive(List.of(alert("DiskFull", "critical", T0, T0.plusSeconds(240))), T0);
    assertEquals(Optional.of(T0.plusSeconds(240)), tracker.nextDue());

    assertEquals(List.of(), tracker.receive(List.of(alert("DiskFull", "critical", T0, T0.plusSeconds(300))), T0.plusSeconds(60)));
    assertEquals(Optional.of(T0.plusSeconds(300)), tracker.nextDue());
    assertEquals(List.of(), tracker.expire(T0.plusSeconds(299)));
  }

  @Test
  void alertArrivingWithEndsAtPastResolvesItsFaultAtThatTime() {
    tracker.receive(List.of(alert("DiskFull", "critical", T0, T0.plusSeconds(240))), T0);

    List<FaultEvent> events = tracker.receive(List.of(alert("DiskFull", "critical", T0, T0.plusSeconds(90))), T0.plusSeconds(100));

    assertEquals(1, events.size());
    assertEquals(FaultState.FIRING, events.get(0).from());
    assertEquals(FaultState.RESOLVED, events.get(0).to());
    assertEquals(T0.plusSeconds(90), events.get(0).fault().endsAt());
    assertEquals(0, tracker.activeCount());
    assertEquals(Optional.empty(), tracker.nextDue());
  }

  @Test
  void resolvedAlertForAnUnknownFaultRaisesNothing() {
    // Prometheus keeps re-sending resolved alerts for 15 minutes.
    assertEquals(List.of(), tracker.receive(List.of(alert("DiskFull", "critical", T0, T0.plusSeconds(10))), T0.plusSeconds(20)));
  }

  @Test
  void alertNotRefreshedResolvesWhenItsEndsAtPasses() {
    tracker.receive(List.of(alert("A", "warning", T0, T0.plusSeconds(40)), alert("B", "info", T0, T0.plusSeconds(80))), T0);

    assertEquals(List.of(), tracker.expire(T0.plusSeconds(39)));
    List<FaultEvent> first = tracker.expire(T0.plusSeconds(40));
    assertEquals(List.of("A"), first.stream().map(e -> e.fault().rule()).toList());
    assertEquals(T0.plusSeconds(40), first.get(0).fault().endsAt());
    assertEquals(Optional.of(T0.plusSeconds(80)), tracker.nextDue());
    assertEquals(List.of("B"), tracker.expire(T0.plusSeconds(500)).stream().map(e -> e.fault().rule()).toList());
  }

  @Test
  void missingTimesMeanNowAndNowPlusResolveTimeout() {
    Alert bare = new Alert(Labels.of("alertname", "X"), Map.of(), null, null, null);
    Fault f = tracker.receive(List.of(bare), T0).get(0).fault();
    assertEquals(T0, f.startsAt());
    assertEquals(Optional.of(T0.plus(Duration.ofMinutes(5))), tracker.nextDue());
    assertEquals(Severity.P3, f.severity());
    assertEquals(List.of("base P3 (no severity label, default for prometheus)"), f.grading());
    assertEquals("X", f.summary());
  }

  @Test
  void changedSummaryOnRefreshIsOneUpdateEventStillFiring() {
    tracker.receive(List.of(alert("A", "warning", T0, T0.plusSeconds(40))), T0);
    Alert changed = new Alert(Labels.of("alertname", "A", "severity", "warning", "customer", "acme", "instance", "db1:9100"),
        Map.of("summary", "now worse"), T0, T0.plusSeconds(80), null);

    List<FaultEvent> events = tracker.receive(List.of(changed), T0.plusSeconds(20));

    assertEquals(1, events.size());
    assertEquals(FaultState.FIRING, events.get(0).from());
    assertEquals(FaultState.FIRING, events.get(0).to());
    assertEquals("now worse", events.get(0).fault().summary());
  }

  @Test
  void fingerprintIsStableIgnoresLabelOrderAndNeverLooksLikeARuleFingerprint() {
    Labels a = Labels.of("alertname", "A", "x", "1", "y", "2");
    Labels b = Labels.of(Map.of("y", "2", "alertname", "A", "x", "1"));
    assertEquals(AlertTracker.fingerprint(a), AlertTracker.fingerprint(b));
    assertEquals("prom:" + Fingerprints.of("A", Labels.of("x", "1", "y", "2")), AlertTracker.fingerprint(a));
    assertNotEquals(AlertTracker.fingerprint(a), AlertTracker.fingerprint(Labels.of("alertname", "A", "x", "1", "y", "3")));
    assertNotEquals(Fingerprints.of("A", Labels.of("x", "1", "y", "2")), AlertTracker.fingerprint(a));
  }

  @Test
  void restoredFaultsOfThisSourceResolveAfterResolveTimeoutUnlessRefreshed() {
    Fault mine = tracker.receive(List.of(alert("A", "critical", T0, T0.plusSeconds(40))), T0).get(0).fault();
    AlertTracker after = new AlertTracker("prometheus", AlertSeverityMap.defaults(), Duration.ofMinutes(5));
    Fault ruleFault = Fault.pending("abc", "HighCpu", Severity.P2, Labels.EMPTY, 1, "s", T0);
    Instant restart = T0.plusSeconds(600);

    after.restore(List.of(mine, ruleFault), restart);

    assertEquals(1, after.activeCount());
    assertEquals(List.of(), after.receive(List.of(alert("A", "critical", T0, restart.plusSeconds(40))), restart), "a refresh is no duplicate");
    assertEquals(Optional.of(restart.plusSeconds(40)), after.nextDue());
  }
}
