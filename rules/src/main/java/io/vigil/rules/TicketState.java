package io.vigil.rules;

import java.util.Locale;

/**
 * A ticket's lifecycle: {@code open → acknowledged → in_progress → resolved → closed}, with
 * {@code reopened} when a resolved or closed ticket's problem comes back, and two waiting states
 * for work in hand: {@code pending_customer} (waiting on the customer: may pause the SLA clocks)
 * and {@code pending_vendor} (waiting on a third party: the clocks run).
 *
 * <ul>
 *   <li>Work not started ({@code open}, {@code reopened}) may be acknowledged, started, put on
 *       hold or resolved at once (the fix was quick).
 *   <li>Work in hand moves forward only: acknowledged → in progress or a waiting state; the two
 *       waiting states go back to in progress or to each other. Any of them may be resolved.
 *   <li>Resolved is closed or reopened; closed is only ever reopened (a recurrence, or a review).
 * </ul>
 */
public enum TicketState {
  OPEN, ACKNOWLEDGED, IN_PROGRESS, PENDING_CUSTOMER, PENDING_VENDOR, RESOLVED, CLOSED, REOPENED;

  public boolean canMoveTo(TicketState to) {
    return switch (this) {
      case OPEN, REOPENED -> to == ACKNOWLEDGED || to == IN_PROGRESS || to == PENDING_CUSTOMER || to == PENDING_VENDOR || to == RESOLVED;
      case ACKNOWLEDGED -> to == IN_PROGRESS || to == PENDING_CUSTOMER || to == PENDING_VENDOR || to == RESOLVED;
      case IN_PROGRESS -> to == PENDING_CUSTOMER || to == PENDING_VENDOR || to == RESOLVED;
      case PENDING_CUSTOMER -> to == IN_PROGRESS || to == PENDING_VENDOR || to == RESOLVED;
      case PENDING_VENDOR -> to == IN_PROGRESS || to == PENDING_CUSTOMER || to == RESOLVED;
      case RESOLVED -> to == CLOSED || to == REOPENED;
      case CLOSED -> to == REOPENED;
    };
  }

  /** Not yet touched by a person since it (re)opened: the first move out of it is the first response. */
  public boolean awaitingResponse() {
    return this == OPEN;
  }

  /** Returns {@code to} or throws {@link IllegalTransitionException} with the current state. */
  public TicketState moveTo(TicketState to, String ticket) {
    if (!canMoveTo(to)) throw new IllegalTransitionException("ticket " + ticket, wireName(), to.wireName());
    return to;
  }

  /** Still needs work: counts against the one-open-ticket-per-fingerprint rule. */
  public boolean active() {
    return this == OPEN || this == ACKNOWLEDGED || this == IN_PROGRESS || this == PENDING_CUSTOMER || this == PENDING_VENDOR
        || this == REOPENED;
  }

  public String wireName() {
    return name().toLowerCase(Locale.ROOT);
  }

  public static TicketState parse(String s) {
    for (TicketState v : values()) if (v.wireName().equalsIgnoreCase(s)) return v;
    throw new IllegalArgumentException(
        "state must be one of open, acknowledged, in_progress, pending_customer, pending_vendor, resolved, closed, reopened, got '"
            + s + "'");
  }
}
