package io.vigil.rules;

import java.util.Locale;

/**
 * A ticket's lifecycle: {@code open → acknowledged → in_progress → resolved → closed}, with
 * {@code reopened} when a resolved ticket's fault comes back. Resolving straight from open or
 * acknowledged is allowed (the fix was quick); closing is only from resolved, and closed is final.
 */
public enum TicketState {
  OPEN, ACKNOWLEDGED, IN_PROGRESS, RESOLVED, CLOSED, REOPENED;

  public boolean canMoveTo(TicketState to) {
    return switch (this) {
      case OPEN, REOPENED -> to == ACKNOWLEDGED || to == IN_PROGRESS || to == RESOLVED;
      case ACKNOWLEDGED -> to == IN_PROGRESS || to == RESOLVED;
      case IN_PROGRESS -> to == RESOLVED;
      case RESOLVED -> to == CLOSED || to == REOPENED;
      case CLOSED -> false;
    };
  }

  /** Returns {@code to} or throws {@link IllegalTransitionException} with the current state. */
  public TicketState moveTo(TicketState to, String ticket) {
    if (!canMoveTo(to)) throw new IllegalTransitionException("ticket " + ticket, wireName(), to.wireName());
    return to;
  }

  /** Still needs work: counts against the one-open-ticket-per-fingerprint rule. */
  public boolean active() {
    return this == OPEN || this == ACKNOWLEDGED || this == IN_PROGRESS || this == REOPENED;
  }

  public String wireName() {
    return name().toLowerCase(Locale.ROOT);
  }

  public static TicketState parse(String s) {
    for (TicketState v : values()) if (v.wireName().equalsIgnoreCase(s)) return v;
    throw new IllegalArgumentException(
        "state must be one of open, acknowledged, in_progress, resolved, closed, reopened, got '" + s + "'");
  }
}
