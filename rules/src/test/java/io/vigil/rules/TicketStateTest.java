package io.vigil.rules;

import static io.vigil.rules.TicketState.*;
import static org.junit.jupiter.api.Assertions.*;

import org.junit.jupiter.api.Test;

/** One test per ticket transition. */
class TicketStateTest {
  @Test
  void openCanBeAcknowledged() {
    assertEquals(ACKNOWLEDGED, OPEN.moveTo(ACKNOWLEDGED, "1"));
  }

  @Test
  void openCanBeResolvedDirectly() {
    assertEquals(RESOLVED, OPEN.moveTo(RESOLVED, "1"));
  }

  @Test
  void acknowledgedCanBeResolved() {
    assertEquals(RESOLVED, ACKNOWLEDGED.moveTo(RESOLVED, "1"));
  }

  @Test
  void acknowledgedCanGoInProgress() {
    assertEquals(IN_PROGRESS, ACKNOWLEDGED.moveTo(IN_PROGRESS, "1"));
  }

  @Test
  void inProgressCanBeResolved() {
    assertEquals(RESOLVED, IN_PROGRESS.moveTo(RESOLVED, "1"));
  }

  @Test
  void resolvedCanBeClosed() {
    assertEquals(CLOSED, RESOLVED.moveTo(CLOSED, "1"));
  }

  @Test
  void resolvedCanBeReopened() {
    assertEquals(REOPENED, RESOLVED.moveTo(REOPENED, "1"));
  }

  @Test
  void reopenedCanBeAcknowledgedAgain() {
    assertEquals(ACKNOWLEDGED, REOPENED.moveTo(ACKNOWLEDGED, "1"));
  }

  @Test
  void openCannotBeClosedAndErrorNamesCurrentState() {
    var e = assertThrows(IllegalTransitionException.class, () -> OPEN.moveTo(CLOSED, "42"));
    assertEquals("open", e.current());
    assertEquals("ticket 42 is open and cannot move to closed", e.getMessage());
  }

  @Test
  void acknowledgedCannotBeAcknowledgedTwice() {
    assertThrows(IllegalTransitionException.class, () -> ACKNOWLEDGED.moveTo(ACKNOWLEDGED, "1"));
  }

  @Test
  void closedIsFinal() {
    for (TicketState to : values()) assertFalse(CLOSED.canMoveTo(to), "closed -> " + to);
  }

  @Test
  void onlyWorkInHandCountsAsActive() {
    assertTrue(OPEN.active() && ACKNOWLEDGED.active() && IN_PROGRESS.active() && REOPENED.active());
    assertFalse(RESOLVED.active() || CLOSED.active());
  }
}
