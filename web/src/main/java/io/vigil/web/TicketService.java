package io.vigil.web;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vigil.rules.Severity;
import io.vigil.rules.TicketState;
import java.time.Instant;
import java.util.List;

/**
 * Ticket queries and the human work on tickets. Non-blocking. Operations fail with
 * {@link NotFoundException} for an unknown id, with {@link io.vigil.rules.IllegalTransitionException}
 * (carrying the current state) for an illegal move, and with {@link ApiError} (400, naming the
 * field) for input that does not fit the stored data (an unknown customer, a fault that does not
 * exist). Every successful change is recorded as a ticket event with the actor and time, commits,
 * and is then published on the live stream.
 */
public interface TicketService {
  /** Filters of the ticket list; null fields do not filter. {@code text} matches summary and description. */
  record Filter(TicketState state, String customer, Severity severity, String assignee, String text) {
    public static final Filter ALL = new Filter(null, null, null, null, null);
  }

  /** A ticket reported by a person (hotline, e-mail, web, portal). */
  record Report(String channel, String customer, String system, String summary, String description, String reporter,
      Severity severity) {}

  /** An on-site visit: arrival, departure (null: still there). */
  record Visit(String engineer, Instant arrivedAt, Instant departedAt, String note) {}

  /** Newest first. */
  Future<List<TicketView>> list(Filter filter, int limit);

  Future<TicketView> get(long id);

  Future<List<TicketEventView>> events(long id);

  /**
   * Fault events of every linked fault, the ticket's events (SLA warnings and breaches included),
   * visits and (once they exist) notifications, in one list ordered by time; each entry has
   * {@code at}, {@code source} ({@code fault|ticket|visit|notification}), {@code kind} and details.
   */
  Future<List<JsonObject>> timeline(long id);

  Future<TicketView> open(Report report, String actor);

  /** Moves to {@code to} (acknowledged, in_progress, pending_customer, pending_vendor, closed, reopened) with an optional comment. */
  Future<TicketView> transition(long id, TicketState to, String comment, String actor);

  Future<TicketView> acknowledge(long id, String actor);

  Future<TicketView> resolve(long id, TicketView.Resolution resolution, String actor);

  Future<TicketView> close(long id, String actor);

  /** A person changes the grade: the SLA dues are recomputed from the opening under the new grade; logged with the reason. */
  Future<TicketView> regrade(long id, Severity severity, String reason, String actor);

  /** Dispatch: engineer and/or group, remote or on site; null fields keep their value. */
  Future<TicketView> assign(long id, TicketView.Dispatch dispatch, String actor);

  Future<TicketView> recordVisit(long id, Visit visit, String actor);

  Future<TicketView> comment(long id, String text, String actor);

  /** Links another fault to this ticket (an incident with many symptoms). */
  Future<TicketView> linkFault(long id, long faultId, String actor);

  /**
   * The knowledge base: resolved tickets whose summary and cause/fix/prevention contain every word of
   * {@code q} (Chinese by character pairs), best first; optional filters (null: any). Entries:
   * ticketId, customer, system, rule, severity, summary, cause, fix, prevention, kind, resolvedAt, rank.
   */
  Future<List<JsonObject>> knowledge(String q, String customer, String rule, String system, int limit);

  /** Earlier resolutions closest to ticket {@code id}: same customer and rule first, then same system; ranked by shared text. */
  Future<List<JsonObject>> similar(long id, int limit);

  /** The satisfaction survey of a closed ticket and its signed link ({@code link}, a path to send to the customer). */
  Future<JsonObject> survey(long id);

  /** The ticket a signed acknowledge link (from a page) points at, no account: 404 forged, 410 expired. */
  Future<JsonObject> ackByToken(String token);

  /**
   * Acknowledges through the signed link as {@code by} (free text, may be null); a ticket someone
   * already owns is answered as it is ({@code already: true}), not refused.
   */
  Future<JsonObject> ackWithToken(String token, String by);

  /** The survey a signed link opens (no account): 404 for a forged token, 410 for an expired one. */
  Future<JsonObject> surveyByToken(String token);

  /** The customer's one answer (1–5 and a comment); 409 when answered already; 2 or less opens a review ticket ({@code reviewTicketId}). */
  Future<JsonObject> answerSurvey(String token, int score, String comment);

  /** Merges duplicate ticket {@code id} into {@code into}: its faults move over, it is closed with a pointer. */
  Future<TicketView> merge(long id, long into, String actor);

  /** The SLA configuration in force (calendars, policies per tier and severity, warn_at) in the {@code VIGIL_SLA} file's shape. */
  java.util.Map<String, Object> slaPolicies();
}
