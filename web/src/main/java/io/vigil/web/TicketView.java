package io.vigil.web;

import io.vigil.rules.Severity;
import io.vigil.rules.TicketState;
import java.time.Instant;

/** A ticket as the API and the stream show it. Timestamps are null until the event happened. */
public record TicketView(long id, String fingerprint, Long faultId, String customer, String system,
    Severity severity, TicketState state, String summary, Instant openedAt, Instant respondBy, Instant resolveBy,
    Instant acknowledgedAt, Instant resolvedAt, Instant closedAt, Instant faultResolvedAt, Resolution resolution) {

  /** The resolution feedback the service contracts ask for: cause, fix, prevention. */
  public record Resolution(String cause, String fix, String prevention) {}
}
