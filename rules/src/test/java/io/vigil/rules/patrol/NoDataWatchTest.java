package io.vigil.rules.patrol;

import static org.junit.jupiter.api.Assertions.*;

import io.vigil.rules.FaultEvent;
import io.vigil.rules.FaultState;
import io.vigil.rules.Severity;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class NoDataWatchTest {
  private static final Instant T0 = Instant.EPOCH;

  private static SystemSpec system(String id, Duration interval, Criticality c) {
    return new SystemSpec("acme", id, id.toUpperCase(), interval, c, List.of());
  }

  @Test
  void silentSystemRaisesFiringFaultOnceItsIntervalHasPassed() {
    NoDataWatch w = new NoDataWatch();
    w.inventory(List.of(system("erp", Duration.ofMinutes(5), Criticality.HIGH)), T0);
    assertEquals(T0.plusSeconds(300), w.nextDue().orElseThrow());
    assertEquals(List.of(), w.check(T0.plusSeconds(299)));
    List<FaultEvent> raised = w.check(T0.plusSeconds(300));
    assertEquals(1, raised.size());
    FaultEvent ev = raised.get(0);
    assertNull(ev.from());
    assertEquals(FaultState.FIRING, ev.to());
    assertEquals(Severity.P2, ev.fault().severity());
    assertEquals("acme", ev.fault().labels().get("customer"));
    assertEquals("erp", ev.fault().labels().get("system"));
    assertEquals(NoDataWatch.fingerprint("acme", "erp"), ev.fault().fingerprint());
    assertTrue(ev.fault().summary().contains("has sent nothing for 5m"), ev.fault().summary());
    assertTrue(ev.fault().summary().contains("since monitoring began"), ev.fault().summary());
    assertEquals(List.of(), w.check(T0.plusSeconds(900)), "raised once, not again while active");
    assertTrue(w.nextDue().isEmpty(), "no deadline while its fault is active");
  }

  @Test
  void dataBeforeTheDeadlinePostponesIt() {
    NoDataWatch w = new NoDataWatch();
    w.inventory(List.of(system("erp", Duration.ofMinutes(5), Criticality.NORMAL)), T0);
    assertEquals(List.of(), w.seen("acme", "erp", T0.plusSeconds(200)));
    assertEquals(List.of(), w.check(T0.plusSeconds(300)));
    assertEquals(T0.plusSeconds(500), w.nextDue().orElseThrow());
    FaultEvent ev = w.check(T0.plusSeconds(500)).get(0);
    assertEquals(Severity.P3, ev.fault().severity());
    assertTrue(ev.fault().summary().contains("last data at 1970-01-01T00:03:20Z"), ev.fault().summary());
  }

  @Test
  void dataArrivingResolvesTheFaultAndRestartsTheClock() {
    NoDataWatch w = new NoDataWatch();
    w.inventory(List.of(system("erp", Duration.ofMinutes(1), Criticality.LOW)), T0);
    assertEquals(Severity.P4, w.check(T0.plusSeconds(60)).get(0).fault().severity());
    List<FaultEvent> resolved = w.seen("acme", "erp", T0.plusSeconds(90));
    assertEquals(1, resolved.size());
    assertEquals(FaultState.FIRING, resolved.get(0).from());
    assertEquals(FaultState.RESOLVED, resolved.get(0).to());
    assertEquals(T0.plusSeconds(90), resolved.get(0).fault().endsAt());
    assertEquals(T0.plusSeconds(150), w.nextDue().orElseThrow());
  }

  @Test
  void systemsWithoutAnIntervalOrFromOtherCustomersAreNotWatched() {
    NoDataWatch w = new NoDataWatch();
    w.inventory(List.of(system("erp", null, Criticality.HIGH)), T0);
    assertFalse(w.watches("acme", "erp"));
    assertTrue(w.nextDue().isEmpty());
    assertEquals(List.of(), w.seen("globex", "erp", T0));
  }

  @Test
  void restoredFaultStaysFiringWithoutNewEventAndResolvesOnData() {
    NoDataWatch first = new NoDataWatch();
    first.inventory(List.of(system("erp", Duration.ofMinutes(1), Criticality.HIGH)), T0);
    var fault = first.check(T0.plusSeconds(60)).get(0).fault();

    NoDataWatch after = new NoDataWatch();
    after.restore(List.of(fault));
    assertEquals(List.of(), after.inventory(List.of(system("erp", Duration.ofMinutes(1), Criticality.HIGH)), T0.plusSeconds(600)));
    assertEquals(List.of(), after.check(T0.plusSeconds(900)), "the restored fault is still the active one");
    assertEquals(FaultState.RESOLVED, after.seen("acme", "erp", T0.plusSeconds(901)).get(0).to());
  }

  @Test
  void removingASystemResolvesItsFaultAndCriticalityChangeRegradesIt() {
    NoDataWatch w = new NoDataWatch();
    w.inventory(List.of(system("erp", Duration.ofMinutes(1), Criticality.NORMAL)), T0);
    w.check(T0.plusSeconds(60));
    List<FaultEvent> regraded = w.inventory(List.of(system("erp", Duration.ofMinutes(1), Criticality.HIGH)), T0.plusSeconds(70));
    assertEquals(1, regraded.size());
    assertEquals(FaultState.FIRING, regraded.get(0).from());
    assertEquals(Severity.P2, regraded.get(0).fault().severity());
    List<FaultEvent> removed = w.inventory(List.of(), T0.plusSeconds(80));
    assertEquals(FaultState.RESOLVED, removed.get(0).to());
    assertFalse(w.watches("acme", "erp"));
  }

  @Test
  void restoredFaultOfASystemNoLongerInTheInventoryResolves() {
    NoDataWatch first = new NoDataWatch();
    first.inventory(List.of(system("erp", Duration.ofMinutes(1), Criticality.HIGH)), T0);
    var fault = first.check(T0.plusSeconds(60)).get(0).fault();
    NoDataWatch after = new NoDataWatch();
    after.restore(List.of(fault));
    List<FaultEvent> events = after.inventory(List.of(), T0.plusSeconds(100));
    assertEquals(1, events.size());
    assertEquals(FaultState.RESOLVED, events.get(0).to());
  }
}
