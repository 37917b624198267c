package io.vigil.web;

import io.vigil.rules.Severity;
import io.vigil.rules.TicketState;
import java.time.Instant;

/**
 * A ticket as the API and the stream show it. Timestamps are null until the event happened; a due
 * time is null while its clock is stopped in an open-ended pause.
 */
public record TicketView(long id, String fingerprint, Long faultId, String customer, String system,
    Severity severity, TicketState state, String summary, Instant openedAt, Instant respondBy, Instant resolveBy,
    Instant acknowledgedAt, Instant resolvedAt, Instant closedAt, Instant faultResolvedAt, Resolution resolution,
    Report report, Dispatch dispatch, Sla sla, Instant respondedAt, Instant reopenedAt, Long mergedInto, FollowUp followUp) {

  /** Resolution feedback the service contracts ask for: cause, fix, prevention, and how it was resolved. */
  public record Resolution(String cause, String fix, String prevention, String kind) {}

  /** Where the ticket came from: {@code monitoring} (a fault) or a person's report by phone, e-mail, web or portal. */
  public record Report(String channel, String description, String reporter) {}

  /**
   * What came after: how often its fingerprint fired again within the recurrence window, the earlier
   * ticket this one recurs (link mode), and the ticket a low satisfaction answer made this a review of.
   */
  public record FollowUp(int recurrences, Long recurrenceOf, Long reviewOf) {}

  /** Who works it: an engineer and/or a group, remotely or on site. All null until dispatched. */
  public record Dispatch(String assignee, String group, String mode) {}

  /**
   * The SLA state: the contract tier it runs under, when each clock warns, which warnings and
   * breaches fired, time paused so far (working time of the resolve clock, as of the last
   * recompute), whether it is paused now ({@code pending_customer} or {@code maintenance}) and
   * since when, and how often it escalated.
   */
  public record Sla(String tier, Instant respondWarnAt, Instant resolveWarnAt, Instant respondWarnedAt,
      Instant respondBreachedAt, Instant resolveWarnedAt, Instant resolveBreachedAt, long pausedMs, String pausedFor, Instant pausedSince,
      int escalationLevel, Instant lastUpdateAt, Instant updateDueAt) {}
}
