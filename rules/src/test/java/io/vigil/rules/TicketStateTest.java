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
  void closedCanOnlyBeReopened() {
    for (TicketState to : values()) assertEquals(to == REOPENED, CLOSED.canMoveTo(to), "closed -> " + to);
  }

  @Test
  void openCanWaitOnTheCustomer() {
    assertEquals(PENDING_CUSTOMER, OPEN.moveTo(PENDING_CUSTOMER, "1"));
  }

  @Test
  void openCanWaitOnAVendor() {
    assertEquals(PENDING_VENDOR, OPEN.moveTo(PENDING_VENDOR, "1"));
  }

  @Test
  void openCanGoInProgress() {
    assertEquals(IN_PROGRESS, OPEN.moveTo(IN_PROGRESS, "1"));
  }

  @Test
  void acknowledgedCanWaitOnTheCustomer() {
    assertEquals(PENDING_CUSTOMER, ACKNOWLEDGED.moveTo(PENDING_CUSTOMER, "1"));
  }

  @Test
  void inProgressCanWaitOnTheCustomerOrAVendor() {
    assertEquals(PENDING_CUSTOMER, IN_PROGRESS.moveTo(PENDING_CUSTOMER, "1"));
    assertEquals(PENDING_VENDOR, IN_PROGRESS.moveTo(PENDING_VENDOR, "1"));
  }

  @Test
  void inProgressCannotGoBackToAcknowledged() {
    assertThrows(IllegalTransitionException.class, () -> IN_PROGRESS.moveTo(ACKNOWLEDGED, "1"));
  }

  @Test
  void pendingCustomerResumesWorkOrSwitchesToVendorOrIsResolved() {
    assertEquals(IN_PROGRESS, PENDING_CUSTOMER.moveTo(IN_PROGRESS, "1"));
    assertEquals(PENDING_VENDOR, PENDING_CUSTOMER.moveTo(PENDING_VENDOR, "1"));
    assertEquals(RESOLVED, PENDING_CUSTOMER.moveTo(RESOLVED, "1"));
    assertThrows(IllegalTransitionException.class, () -> PENDING_CUSTOMER.moveTo(CLOSED, "1"));
  }

  @Test
  void pendingVendorResumesWorkOrSwitchesToCustomerOrIsResolved() {
    assertEquals(IN_PROGRESS, PENDING_VENDOR.moveTo(IN_PROGRESS, "1"));
    assertEquals(PENDING_CUSTOMER, PENDING_VENDOR.moveTo(PENDING_CUSTOMER, "1"));
    assertEquals(RESOLVED, PENDING_VENDOR.moveTo(RESOLVED, "1"));
    assertThrows(IllegalTransitionException.class, () -> PENDING_VENDOR.moveTo(ACKNOWLEDGED, "1"));
  }

  @Test
  void resolvedCannotGoBackToWork() {
    assertThrows(IllegalTransitionException.class, () -> RESOLVED.moveTo(IN_PROGRESS, "1"));
  }

  @Test
  void reopenedCanWaitOrBeResolved() {
    assertEquals(PENDING_VENDOR, REOPENED.moveTo(PENDING_VENDOR, "1"));
    assertEquals(RESOLVED, REOPENED.moveTo(RESOLVED, "1"));
  }

  @Test
  void onlyWorkInHandCountsAsActive() {
    assertTrue(OPEN.active() && ACKNOWLEDGED.active() && IN_PROGRESS.active() && PENDING_CUSTOMER.active()
        && PENDING_VENDOR.active() && REOPENED.active());
    assertFalse(RESOLVED.active() || CLOSED.active());
  }

  @Test
  void wireNamesRoundTrip() {
    for (TicketState s : values()) assertEquals(s, parse(s.wireName()));
    assertEquals("pending_customer", PENDING_CUSTOMER.wireName());
  }
}
