package io.vigil.rules;

import static org.junit.jupiter.api.Assertions.*;

import java.time.Instant;
import org.junit.jupiter.api.Test;

/** One test per fault transition, legal and illegal. */
class FaultTransitionTest {
  private static final Instant T = Instant.EPOCH;
  private final Fault pending = Fault.pending("fp", "R", Severity.P1, Labels.EMPTY, 1, "s", T);

  @Test
  void pendingMovesToFiringAndRecordsFiringTime() {
    Fault f = pending.moveTo(FaultState.FIRING, T.plusSeconds(5));
    assertEquals(FaultState.FIRING, f.state());
    assertEquals(T.plusSeconds(5), f.firingAt());
    assertEquals(T, f.startsAt());
  }

  @Test
  void pendingMovesToResolved() {
    Fault f = pending.moveTo(FaultState.RESOLVED, T.plusSeconds(5));
    assertEquals(FaultState.RESOLVED, f.state());
    assertEquals(T.plusSeconds(5), f.endsAt());
  }

  @Test
  void firingMovesToResolved() {
    Fault f = pending.moveTo(FaultState.FIRING, T).moveTo(FaultState.RESOLVED, T.plusSeconds(9));
    assertEquals(T.plusSeconds(9), f.endsAt());
    assertEquals(T, f.firingAt());
  }

  @Test
  void firingCannotGoBackToPending() {
    var e = assertThrows(IllegalTransitionException.class,
        () -> pending.moveTo(FaultState.FIRING, T).moveTo(FaultState.PENDING, T));
    assertEquals("firing", e.current());
  }

  @Test
  void resolvedIsFinal() {
    Fault r = pending.moveTo(FaultState.RESOLVED, T);
    for (FaultState to : FaultState.values()) {
      assertThrows(IllegalTransitionException.class, () -> r.moveTo(to, T), "resolved -> " + to);
    }
  }

  @Test
  void pendingCannotMoveToPending() {
    assertThrows(IllegalTransitionException.class, () -> pending.moveTo(FaultState.PENDING, T));
  }

  @Test
  void firingMovesToFlappingKeepingItsFiringTime() {
    Fault f = pending.moveTo(FaultState.FIRING, T).moveTo(FaultState.FLAPPING, T.plusSeconds(60));
    assertEquals(FaultState.FLAPPING, f.state());
    assertEquals(T, f.firingAt());
    assertNull(f.endsAt());
  }

  @Test
  void flappingSettlesFiringWithTheOriginalFiringTime() {
    Fault f = pending.moveTo(FaultState.FIRING, T).moveTo(FaultState.FLAPPING, T.plusSeconds(60)).moveTo(FaultState.FIRING, T.plusSeconds(900));
    assertEquals(FaultState.FIRING, f.state());
    assertEquals(T, f.firingAt());
  }

  @Test
  void flappingSettlesResolved() {
    Fault f = pending.moveTo(FaultState.FIRING, T).moveTo(FaultState.FLAPPING, T).moveTo(FaultState.RESOLVED, T.plusSeconds(900));
    assertEquals(T.plusSeconds(900), f.endsAt());
  }

  @Test
  void pendingCannotMoveToFlapping() {
    assertThrows(IllegalTransitionException.class, () -> pending.moveTo(FaultState.FLAPPING, T));
  }

  @Test
  void aNewFaultIsExplainedByItsBaseSeverity() {
    assertEquals(java.util.List.of("base P1"), pending.grading());
  }
}
