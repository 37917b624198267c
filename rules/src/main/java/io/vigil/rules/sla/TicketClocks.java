package io.vigil.rules.sla;

import io.vigil.rules.Severity;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * One ticket's two SLA clocks (respond, resolve) as a pure function of its facts: the due times,
 * the warning times, and the next thing the SLA scanner must do for it. Nothing here remembers:
 * the server stores the facts (and which warnings and breaches fired) and asks again after every
 * change, so a restart recomputes exactly what was there.
 *
 * <p>The rules, each tested by name in {@code TicketClocksTest}:
 * <ul>
 *   <li>Both clocks start when the ticket opens and count working time of their calendar.
 *   <li>The respond clock stops at the first response; the resolve clock at resolution.
 *   <li>Pauses stop both clocks (waiting on the customer when the terms say so, agreed maintenance,
 *       and the time between a resolution and a reopen, for the resolve clock).
 *   <li>A regrade counts the new grade's targets from the opening; see {@link #rearm}.
 *   <li>A reopen keeps the response (it was given) and continues the resolve clock where it
 *       stopped: the resolved stretch is a pause.
 *   <li>Each clock warns once at {@code warnFraction} of its target and breaches once at its due
 *       time; when the scanner was away past both, the warning still comes first.
 *   <li>With {@code update_every}, once responded and until resolved, an {@code sla_update_due}
 *       reminder comes each {@code update_every} of working time without an update by a person
 *       (counted from the response, the last update or the last reminder); pauses stop it too.
 * </ul>
 */
public final class TicketClocks {
  private TicketClocks() {}

  /** Which clock. */
  public enum Clock {
    RESPOND, RESOLVE, UPDATE;

    public String wireName() {
      return switch (this) {
        case RESPOND -> "respond";
        case RESOLVE -> "resolve";
        case UPDATE -> "update";
      };
    }
  }

  /** What the scanner does next: warn or breach one clock, or remind that the customer is owed an update. */
  public enum Kind {
    WARNING, BREACH, UPDATE_DUE;

    public String wireName() {
      return switch (this) {
        case WARNING -> "sla_warning";
        case BREACH -> "sla_breach";
        case UPDATE_DUE -> "sla_update_due";
      };
    }
  }

  /** One scheduled SLA event. */
  public record Step(Clock clock, Kind kind, Instant at, Instant due) {}

  /**
   * A ticket's facts. Instants are null when the thing has not happened. {@code lastUpdateAt}: the
   * last time a person worked or commented on the ticket; {@code updateRemindedAt}: the last
   * {@code sla_update_due} reminder.
   */
  public record Facts(Instant openedAt, Instant respondedAt, Instant resolvedAt, List<Pause> pauses,
      Instant respondWarned, Instant respondBreached, Instant resolveWarned, Instant resolveBreached,
      Instant lastUpdateAt, Instant updateRemindedAt) {
    public Facts {
      pauses = List.copyOf(pauses);
    }

    /** Without the update clock's facts. */
    public Facts(Instant openedAt, Instant respondedAt, Instant resolvedAt, List<Pause> pauses,
        Instant respondWarned, Instant respondBreached, Instant resolveWarned, Instant resolveBreached) {
      this(openedAt, respondedAt, resolvedAt, pauses, respondWarned, respondBreached, resolveWarned, resolveBreached, null, null);
    }

    /** The same facts with the four fired marks replaced. */
    public Facts fired(Instant respondWarned, Instant respondBreached, Instant resolveWarned, Instant resolveBreached) {
      return new Facts(openedAt, respondedAt, resolvedAt, pauses, respondWarned, respondBreached, resolveWarned, resolveBreached,
          lastUpdateAt, updateRemindedAt);
    }

    /** The same facts after an update reminder at {@code at}. */
    public Facts reminded(Instant at) {
      return new Facts(openedAt, respondedAt, resolvedAt, pauses, respondWarned, respondBreached, resolveWarned, resolveBreached,
          lastUpdateAt, at);
    }
  }

  /**
   * The computed clocks: dues and warnings (null while a clock is stopped in an open pause), when
   * the customer is next owed an update (null: no {@code update_every}, not yet responded, resolved,
   * or paused), and what is next.
   */
  public record Clocks(Instant respondBy, Instant respondWarnAt, Instant resolveBy, Instant resolveWarnAt, Instant updateDueAt,
      Step next) {}

  /** Computes the clocks of a ticket of {@code severity} under {@code policies} for a customer of {@code tier} in {@code zone}. */
  public static Clocks compute(SlaPolicies policies, String tier, java.time.ZoneId zone, Severity severity, Facts f) {
    SlaTerms terms = policies.terms(tier, severity);
    BusinessCalendar cal = policies.calendar(terms.calendar(), zone);
    Duration respond = terms.respondWithin().on(cal);
    Duration resolve = terms.resolveWithin().on(cal);
    double warn = policies.warnFraction();
    List<Pause> pauses = f.pauses();
    Instant respondBy = SlaClock.due(f.openedAt(), respond, cal, pauses);
    Instant respondWarnAt = SlaClock.warnAt(f.openedAt(), respond, warn, cal, pauses);
    Instant resolveBy = SlaClock.due(f.openedAt(), resolve, cal, pauses);
    Instant resolveWarnAt = SlaClock.warnAt(f.openedAt(), resolve, warn, cal, pauses);
    List<Step> pending = new ArrayList<>(4);
    if (f.respondedAt() == null && f.resolvedAt() == null) {
      if (f.respondWarned() == null && respondWarnAt != null) pending.add(new Step(Clock.RESPOND, Kind.WARNING, respondWarnAt, respondBy));
      if (f.respondBreached() == null && respondBy != null) pending.add(new Step(Clock.RESPOND, Kind.BREACH, respondBy, respondBy));
    }
    if (f.resolvedAt() == null) {
      if (f.resolveWarned() == null && resolveWarnAt != null) pending.add(new Step(Clock.RESOLVE, Kind.WARNING, resolveWarnAt, resolveBy));
      if (f.resolveBreached() == null && resolveBy != null) pending.add(new Step(Clock.RESOLVE, Kind.BREACH, resolveBy, resolveBy));
    }
    // The update clock: once responded and until resolved, the customer hears from us at least every
    // update_every of working time after the last update (or the last reminder, so it repeats).
    Instant updateDueAt = null;
    if (terms.updateEvery() != null && f.respondedAt() != null && f.resolvedAt() == null) {
      Instant since = latest(f.respondedAt(), f.lastUpdateAt(), f.updateRemindedAt());
      updateDueAt = SlaClock.due(since, terms.updateEvery(), cal, pauses);
      if (updateDueAt != null) pending.add(new Step(Clock.UPDATE, Kind.UPDATE_DUE, updateDueAt, updateDueAt));
    }
    Step next = null;
    for (Step s : pending) {
      // Earliest first; at the same instant a warning before a breach, respond before resolve.
      if (next == null || s.at().isBefore(next.at())
          || s.at().equals(next.at()) && (s.kind().ordinal() < next.kind().ordinal()
              || s.kind() == next.kind() && s.clock().ordinal() < next.clock().ordinal())) {
        next = s;
      }
    }
    return new Clocks(respondBy, respondWarnAt, resolveBy, resolveWarnAt, updateDueAt, next);
  }

  private static Instant latest(Instant a, Instant b, Instant c) {
    Instant m = a;
    if (b != null && b.isAfter(m)) m = b;
    if (c != null && c.isAfter(m)) m = c;
    return m;
  }

  /**
   * The regrade rule for one fired warning or breach: it stays fired when its time under the new
   * grade has already come ({@code newAt <= now}: it is not fired a second time), and is re-armed
   * (null) when its new time lies in the future, so it fires again at that time.
   */
  public static Instant rearm(Instant fired, Instant newAt, Instant now) {
    if (fired == null) return null;
    return newAt != null && newAt.isAfter(now) ? null : fired;
  }
}
