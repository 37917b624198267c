package io.vigil.server.storage;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;
import io.vigil.rules.Fault;
import io.vigil.rules.FaultEvent;
import io.vigil.rules.FaultState;
import io.vigil.rules.mute.Muting;
import io.vigil.web.FaultQueries;
import io.vigil.web.FaultView;
import io.vigil.web.TicketView;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * Stores fault events and the tickets they open, atomically: a fault that fires and its ticket are
 * committed in one transaction, so a crash never leaves a firing fault without its ticket.
 * The partial unique indexes on {@code faults} and {@code tickets} make duplicate active faults or
 * tickets for one fingerprint impossible even with several writers. Non-blocking, thread-safe.
 */
public final class PgFaultStore implements FaultQueries {
  public static final String ACTIVE_TICKET =
      "state IN ('open', 'acknowledged', 'in_progress', 'pending_customer', 'pending_vendor', 'reopened')";
  private static final String UPSERT_FAULT =
      "INSERT INTO faults (fingerprint, rule, severity, state, labels, value, summary, starts_at, firing_at, ends_at, "
          + "grading, annotations, keep_firing_until, muted_by, source) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15) "
          + "ON CONFLICT (fingerprint) WHERE state <> 'resolved' DO UPDATE SET state = EXCLUDED.state, "
          + "severity = EXCLUDED.severity, value = EXCLUDED.value, summary = EXCLUDED.summary, "
          + "firing_at = COALESCE(faults.firing_at, EXCLUDED.firing_at), ends_at = EXCLUDED.ends_at, grading = EXCLUDED.grading, "
          + "annotations = EXCLUDED.annotations, keep_firing_until = EXCLUDED.keep_firing_until, muted_by = EXCLUDED.muted_by, "
          + "updated_at = now() RETURNING *, NULL::text AS previous_severity";
  // A transition updates the one active row. (An upsert cannot: a row being inserted as 'resolved'
  // lies outside the partial unique index, so it would never conflict with the active row.)
  // previous_severity tells a re-grade apart, so the ticket can follow it.
  private static final String UPDATE_ACTIVE_FAULT =
      "WITH old AS (SELECT id, severity FROM faults WHERE fingerprint = $1 AND state <> 'resolved' FOR UPDATE) "
          + "UPDATE faults f SET state = $2, severity = $3, value = $4, summary = $5, firing_at = COALESCE(f.firing_at, $6), "
          + "ends_at = $7, grading = $8, annotations = $9, keep_firing_until = $10, muted_by = $11, updated_at = now() "
          + "FROM old WHERE f.id = old.id RETURNING f.*, old.severity AS previous_severity";
  private static final String SET_MUTING =
      "UPDATE faults SET muted_by = $2, updated_at = now() WHERE fingerprint = $1 AND state <> 'resolved' RETURNING *";
  // The SLA terms follow the customer's contract tier and time zone at opening (inventory; an
  // unknown customer runs under the 'default' tier in the default zone). Dues are filled in by
  // SlaTimers.recompute in the same transaction.
  private static final String OPEN_TICKET =
      "INSERT INTO tickets (fingerprint, fault_id, customer, system, severity, state, summary, opened_at, sla_tier, time_zone) "
          + "VALUES ($1, $2, $3, $4, $5, 'open', $6, $7, COALESCE((SELECT tier FROM customers WHERE id = $3), 'default'), "
          + "COALESCE((SELECT time_zone FROM customers WHERE id = $3), $8)) "
          + "ON CONFLICT (fingerprint) WHERE " + ACTIVE_TICKET + " DO NOTHING RETURNING *";

  /** What one fault event changed: the stored fault and, if it touched one, its ticket. */
  public record Recorded(FaultView fault, TicketView ticket) {}

  private final Pool pool;
  /**
   * What a fingerprint firing again soon after its ticket was resolved does: within {@code window}
   * of the resolution (or close) it is a recurrence, which either reopens that ticket
   * ({@code reopen}) or opens a new one linked to it. Either way it is counted on the earlier ticket.
   */
  public record Recurrence(java.time.Duration window, boolean reopen) {
    public static final Recurrence DEFAULT = new Recurrence(java.time.Duration.ofDays(7), true);
  }

  private final io.vigil.server.tickets.SlaTimers sla;
  private final java.time.ZoneId defaultZone;
  private final Recurrence recurrence;
  private volatile CommitHook beforeCommit = CommitHook.NONE;

  public PgFaultStore(Pool pool, io.vigil.server.tickets.SlaTimers sla, java.time.ZoneId defaultZone, Recurrence recurrence) {
    this.pool = pool;
    this.sla = sla;
    this.defaultZone = defaultZone;
    this.recurrence = recurrence;
  }

  /** What joins the transactions of faults that page, before their commit (the notification router). */
  public void beforeCommit(CommitHook hook) {
    this.beforeCommit = hook;
  }

  public Future<Recorded> record(FaultEvent ev, Instant now) {
    return record(ev, Muting.NONE, now);
  }

  /**
   * Records a fault event with its muting. A muted firing fault opens no ticket (see
   * {@link #updateMuting}: its ticket opens when it is unmuted while still firing); a fault that
   * resolves while muted never gets one.
   */
  public Future<Recorded> record(FaultEvent ev, Muting muting, Instant now) {
    // Faults that start, stop or change while firing are what pages: the commit hook (the router)
    // routes them in this transaction. Other changes reach it through the outbox's NOTIFY.
    boolean pages = ev.to() == FaultState.FIRING || ev.from() == FaultState.FIRING;
    CommitHook.Outcome[] outcome = {CommitHook.Outcome.NONE};
    return Pipelined.transaction(pool, conn -> recordIn(conn, ev, muting, now)
        .compose(rec -> !pages ? Future.succeededFuture(rec) : beforeCommit.beforeCommit(conn).map(o -> {
          outcome[0] = o;
          return rec;
        })))
        .andThen(ar -> outcome[0].ended(ar.succeeded()));
  }

  private Future<Recorded> recordIn(SqlConnection conn, FaultEvent ev, Muting muting, Instant now) {
    {
      Fault f = ev.fault();
      Future<RowSet<Row>> write = ev.from() == null ? insert(conn, f, muting)
          : conn.preparedQuery(UPDATE_ACTIVE_FAULT).execute(Tuple.from(new Object[] {f.fingerprint(), f.state().wireName(),
                  f.severity().name(), value(f), f.summary(), Rows.ts(f.firingAt()), Rows.ts(f.endsAt()), grading(f),
                  new JsonObject(new java.util.LinkedHashMap<>(f.annotations())), Rows.ts(f.keepFiringUntil()), Rows.muting(muting)}))
              // No active row (its start was never recorded): store the fault as it is now.
              .compose(rows -> rows.size() == 1 ? Future.succeededFuture(rows) : insert(conn, f, muting));
      return write.compose(rows -> {
        Row row = rows.iterator().next();
        FaultView stored = Rows.fault(row);
        String previous = row.getString("previous_severity");
        // Only becoming firing opens a ticket (a re-grade is firing -> firing; flapping -> firing keeps
        // the ticket it has); a muted fault opens none until it is unmuted (updateMuting).
        boolean becameFiring = f.state() == FaultState.FIRING && ev.from() != FaultState.FIRING && ev.from() != FaultState.FLAPPING;
        if (becameFiring) return muting.muted() ? Future.succeededFuture(new Recorded(stored, null)) : openTicket(conn, stored, now, false);
        if (f.state() == FaultState.RESOLVED && stored.ticketId() != null) return faultResolved(conn, stored, now);
        if (stored.ticketId() != null && previous != null && !previous.equals(f.severity().name())) return regraded(conn, stored, previous, now);
        if (stored.ticketId() != null && f.state() == FaultState.FLAPPING && ev.from() == FaultState.FIRING) {
          return ticketNote(conn, stored, now, "fault_flapping", new JsonObject().put("faultId", stored.id()));
        }
        return Future.succeededFuture(new Recorded(stored, null));
      });
    }
  }

  private static Future<RowSet<Row>> insert(SqlConnection conn, Fault f, Muting muting) {
    return conn.preparedQuery(UPSERT_FAULT).execute(Tuple.from(new Object[] {f.fingerprint(), f.rule(), f.severity().name(),
        f.state().wireName(), Rows.labels(f.labels()), value(f), f.summary(), Rows.ts(f.startsAt()), Rows.ts(f.firingAt()),
        Rows.ts(f.endsAt()), grading(f), new JsonObject(new java.util.LinkedHashMap<>(f.annotations())), Rows.ts(f.keepFiringUntil()), Rows.muting(muting),
        f.source()}));
  }

  private static io.vertx.core.json.JsonArray grading(Fault f) {
    return new io.vertx.core.json.JsonArray(new ArrayList<>(f.grading()));
  }

  /**
   * The fault was re-graded: a ticket still in work follows it (severity, and due times counted
   * again from when it was opened under the new grade's targets). A closed or resolved ticket keeps
   * the grade it was worked under.
   */
  private Future<Recorded> regraded(SqlConnection conn, FaultView fv, String previous, Instant now) {
    Fault f = fv.fault();
    return conn.preparedQuery("UPDATE tickets SET severity = $2, updated_at = now() WHERE id = $1 AND " + ACTIVE_TICKET + " RETURNING id")
        .execute(Tuple.of(fv.ticketId(), f.severity().name()))
        .compose(found -> {
          if (found.size() == 0) return Future.succeededFuture(new Recorded(fv, null));
          return sla.recompute(conn, fv.ticketId(), now, true).compose(ticket ->
              event(conn, ticket.id(), now, "regraded", new JsonObject().put("from", previous).put("to", f.severity().name())
                  .put("grading", grading(f)).put("respondBy", str(ticket.respondBy())).put("resolveBy", str(ticket.resolveBy())))
                  .map(v -> new Recorded(fv, ticket)));
        });
  }

  private static String str(Instant i) {
    return i == null ? null : i.toString();
  }

  private Future<Recorded> ticketNote(SqlConnection conn, FaultView fv, Instant now, String kind, JsonObject detail) {
    return conn.preparedQuery("SELECT * FROM tickets WHERE id = $1 AND " + ACTIVE_TICKET).execute(Tuple.of(fv.ticketId()))
        .compose(found -> {
          if (found.size() == 0) return Future.succeededFuture(new Recorded(fv, null));
          TicketView ticket = Rows.ticket(found.iterator().next());
          return event(conn, ticket.id(), now, kind, detail).map(v -> new Recorded(fv, ticket));
        });
  }

  /**
   * Stores a new muting decision for the active fault of {@code fingerprint}. When that unmutes a
   * fault that is still firing and has no ticket, its ticket is opened in the same transaction, with
   * the SLA clock starting now. A ticket opened before the fault was muted stays as it is. Completes
   * with null when the fingerprint has no active fault (it resolved meanwhile).
   */
  public Future<Recorded> updateMuting(String fingerprint, Muting muting, Instant now) {
    return pool.withTransaction(conn -> conn.preparedQuery(SET_MUTING).execute(Tuple.of(fingerprint, Rows.muting(muting)))
        .compose(rows -> {
          if (rows.size() == 0) return Future.succeededFuture(null);
          FaultView stored = Rows.fault(rows.iterator().next());
          if (stored.fault().state() == FaultState.FIRING && !muting.muted() && stored.ticketId() == null) {
            return openTicket(conn, stored, now, true);
          }
          return Future.succeededFuture(new Recorded(stored, null));
        }));
  }

  private static Double value(Fault f) {
    return Double.isNaN(f.value()) ? null : f.value();
  }

  private Future<Recorded> openTicket(SqlConnection conn, FaultView fv, Instant now, boolean afterMute) {
    String fp = fv.fault().fingerprint();
    // A fingerprint whose last ticket was merged into an incident still in work is one more symptom
    // of that incident: the fault joins it instead of opening a duplicate again. Otherwise the latest
    // ticket of this fingerprint resolved or closed within the recurrence window (unless one is in
    // work) comes back. Both are asked at once (the connection pipelines them): one round trip, not
    // two, on the way from a fault to its page; the second's row lock is harmless when unused.
    Future<RowSet<Row>> incident = conn.preparedQuery("SELECT i.* FROM tickets d JOIN tickets i ON i.id = d.merged_into WHERE d.fingerprint = $1 "
            + "AND d.id = (SELECT max(id) FROM tickets WHERE fingerprint = $1) AND i." + ACTIVE_TICKET + " FOR UPDATE OF i")
        .execute(Tuple.of(fp));
    Future<RowSet<Row>> earlier = recurrence.window().isZero() ? Future.succeededFuture(null)
        : conn.preparedQuery("SELECT * FROM tickets WHERE fingerprint = $1 AND state IN ('resolved', 'closed') AND merged_into IS NULL "
            + "AND COALESCE(resolved_at, closed_at) >= $2 AND NOT EXISTS (SELECT 1 FROM tickets a WHERE a.fingerprint = $1 AND a."
            + ACTIVE_TICKET + ") ORDER BY id DESC LIMIT 1 FOR UPDATE")
        .execute(Tuple.of(fp, Rows.ts(now.minus(recurrence.window()))));
    return Future.all(incident, earlier).compose(x -> {
      RowSet<Row> rows = incident.result();
      if (rows.size() == 0) return openOrRecur(conn, fv, now, afterMute, earlier.result());
      TicketView found = Rows.ticket(rows.iterator().next());
      return event(conn, found.id(), now, "fault_linked", new JsonObject().put("faultId", fv.id())
              .put("fingerprint", fp).put("reason", "merged duplicate fired again"))
          .compose(v -> linkFault(conn, fv, found));
    });
  }

  private Future<Recorded> openOrRecur(SqlConnection conn, FaultView fv, Instant now, boolean afterMute, RowSet<Row> earlier) {
    if (earlier == null || earlier.size() == 0) return insertTicket(conn, fv, now, afterMute, null);
    Row row = earlier.iterator().next();
    return recurrence.reopen() ? reopenRecurrence(conn, fv, row, now) : insertTicket(conn, fv, now, afterMute, row.getLong("id"));
  }

  /** Reopens {@code earlier} for its fault's return; the time it stood resolved is a pause of its resolve clock. */
  private Future<Recorded> reopenRecurrence(SqlConnection conn, FaultView fv, Row earlier, Instant now) {
    long id = earlier.getLong("id");
    String from = earlier.getString("state");
    Instant stopped = Rows.instant(earlier, "resolved_at") != null ? Rows.instant(earlier, "resolved_at") : Rows.instant(earlier, "closed_at");
    io.vertx.core.json.JsonArray pauses = earlier.getJsonArray("pauses").copy();
    if (stopped.isBefore(now)) {
      pauses.add(new JsonObject().put("start", stopped.toString()).put("end", now.toString()).put("reason", "resolved"));
    }
    return conn.preparedQuery("UPDATE tickets SET state = 'reopened', reopened_at = $2, resolved_at = NULL, closed_at = NULL, "
            + "fault_id = $3, fault_resolved_at = NULL, recurrences = recurrences + 1, pauses = $4, updated_at = now() WHERE id = $1")
        .execute(Tuple.of(id, Rows.ts(now), fv.id(), pauses))
        .compose(v -> event(conn, id, now, "reopened", new JsonObject().put("from", from).put("to", "reopened")
            .put("reason", "recurrence").put("faultId", fv.id()).put("resolvedAt", stopped.toString())))
        .compose(v -> sla.recompute(conn, id, now, false))
        .compose(ticket -> linkFault(conn, fv, ticket));
  }

  private Future<Recorded> insertTicket(SqlConnection conn, FaultView fv, Instant now, boolean afterMute, Long recurrenceOf) {
    Fault f = fv.fault();
    Tuple t = Tuple.of(f.fingerprint(), fv.id(), f.labels().getOrDefault("customer", "unknown"),
        f.labels().getOrDefault("system", "unknown"), f.severity().name(), f.summary(), Rows.ts(now), defaultZone.getId());
    return conn.preparedQuery(OPEN_TICKET).execute(t).compose(inserted -> {
      if (inserted.size() == 1) {
        Row opened = inserted.iterator().next();
        long id = opened.getLong("id");
        Future<Void> linked = recurrenceOf == null ? Future.succeededFuture()
            : conn.preparedQuery("UPDATE tickets SET recurrence_of = $2 WHERE id = $1").execute(Tuple.of(id, recurrenceOf))
                .compose(v -> conn.preparedQuery("UPDATE tickets SET recurrences = recurrences + 1 WHERE id = $1").execute(Tuple.of(recurrenceOf)))
                .compose(v -> event(conn, recurrenceOf, now, "recurred", new JsonObject().put("ticketId", id).put("faultId", fv.id())));
        // The row just inserted is the ticket as the clocks need it (recurrence_of, set above, is not one of their inputs).
        // The fault's link goes with the clocks' UPDATE (pipelined: it needs only the id).
        return linked.compose(v -> {
          Future<TicketView> clocked = sla.recompute(conn, opened, now, false);
          Future<Void> link = link(conn, fv.id(), id);
          return Future.all(clocked, link).map(x -> clocked.result());
        }).compose(ticket -> {
          JsonObject detail = new JsonObject().put("faultId", fv.id()).put("severity", f.severity().name())
              .put("tier", ticket.sla().tier()).put("respondBy", str(ticket.respondBy())).put("resolveBy", str(ticket.resolveBy()));
          // Opened late because the fault was muted when it started firing: the SLA clock starts now.
          if (afterMute) detail.put("afterMute", true);
          if (recurrenceOf != null) detail.put("recurrenceOf", recurrenceOf);
          return event(conn, ticket.id(), now, "opened", detail).map(v -> linked(fv, ticket));
        });
      }
      // A ticket for this fingerprint is still being worked: the fault came back; note it there.
      return conn.preparedQuery("UPDATE tickets SET fault_id = $2, fault_resolved_at = NULL, updated_at = now() "
              + "WHERE fingerprint = $1 AND " + ACTIVE_TICKET + " RETURNING *")
          .execute(Tuple.of(f.fingerprint(), fv.id()))
          .compose(rows -> {
            TicketView ticket = Rows.ticket(rows.iterator().next());
            return event(conn, ticket.id(), now, "fault_refired", new JsonObject().put("faultId", fv.id()))
                .compose(v -> linkFault(conn, fv, ticket));
          });
    });
  }

  private Future<Recorded> linkFault(SqlConnection conn, FaultView fv, TicketView ticket) {
    return link(conn, fv.id(), ticket.id()).map(v -> linked(fv, ticket));
  }

  /** One statement: the fault points at its ticket, and the ticket lists the fault. */
  private static Future<Void> link(SqlConnection conn, long faultId, long ticketId) {
    return conn.preparedQuery("WITH f AS (UPDATE faults SET ticket_id = $2 WHERE id = $1) INSERT INTO ticket_faults (ticket_id, fault_id, "
            + "linked_at, linked_by) VALUES ($2, $1, now(), 'vigil') ON CONFLICT DO NOTHING").execute(Tuple.of(faultId, ticketId)).mapEmpty();
  }

  private static Recorded linked(FaultView fv, TicketView ticket) {
    return new Recorded(new FaultView(fv.id(), fv.fault(), ticket.id(), fv.muting()), ticket);
  }

  private Future<Recorded> faultResolved(SqlConnection conn, FaultView fv, Instant now) {
    return conn.preparedQuery("UPDATE tickets SET fault_resolved_at = $2, updated_at = now() WHERE id = $1 AND fault_id = $3 RETURNING *")
        .execute(Tuple.of(fv.ticketId(), Rows.ts(now), fv.id()))
        .compose(rows -> {
          if (rows.size() == 0) return Future.succeededFuture(new Recorded(fv, null));
          TicketView ticket = Rows.ticket(rows.iterator().next());
          return event(conn, ticket.id(), now, "fault_resolved", new JsonObject().put("faultId", fv.id()))
              .map(v -> new Recorded(fv, ticket));
        });
  }

  static Future<Void> event(SqlConnection conn, long ticketId, Instant at, String kind, JsonObject detail) {
    return event(conn, ticketId, at, "vigil", kind, detail);
  }

  static Future<Void> event(SqlConnection conn, long ticketId, Instant at, String actor, String kind, JsonObject detail) {
    return conn.preparedQuery("INSERT INTO ticket_events (ticket_id, at, actor, kind, detail) VALUES ($1, $2, $3, $4, $5)")
        .execute(Tuple.of(ticketId, Rows.ts(at), actor, kind, detail)).mapEmpty();
  }

  /**
   * State changes (fired, resolved) per fingerprint since {@code since}, from the faults table: the
   * flap detector's memory after a restart.
   */
  public Future<java.util.Map<String, List<Instant>>> flapHistory(Instant since) {
    return pool.preparedQuery("SELECT fingerprint, firing_at, ends_at FROM faults WHERE firing_at IS NOT NULL "
            + "AND (firing_at > $1 OR ends_at > $1)").execute(Tuple.of(Rows.ts(since)))
        .map(rows -> {
          java.util.Map<String, List<Instant>> out = new java.util.HashMap<>();
          for (Row r : rows) {
            List<Instant> l = out.computeIfAbsent(r.getString("fingerprint"), k -> new ArrayList<>());
            Instant fired = Rows.instant(r, "firing_at");
            Instant ended = Rows.instant(r, "ends_at");
            if (fired.isAfter(since)) l.add(fired);
            if (ended != null && ended.isAfter(since)) l.add(ended);
          }
          return out;
        });
  }

  /** Active (pending or firing) faults, for the engine and the stream after a restart. */
  public Future<List<FaultView>> active() {
    return pool.query("SELECT * FROM faults WHERE state <> 'resolved' ORDER BY id").execute().map(PgFaultStore::faults);
  }

  @Override
  public Future<List<FaultView>> list(FaultState state, String customer, int limit) {
    // Only the filters given, so each shape gets its own plan (faults_by_state serves the state one).
    List<Object> params = new ArrayList<>();
    StringBuilder where = new StringBuilder(" WHERE true");
    if (state != null) {
      params.add(state.wireName());
      where.append(" AND state = $").append(params.size());
    }
    if (customer != null) {
      params.add(customer);
      where.append(" AND labels->>'customer' = $").append(params.size());
    }
    params.add(limit);
    return pool.preparedQuery("SELECT * FROM faults" + where + " ORDER BY id DESC LIMIT $" + params.size())
        .execute(Tuple.from(params)).map(PgFaultStore::faults);
  }

  private static List<FaultView> faults(RowSet<Row> rows) {
    List<FaultView> out = new ArrayList<>(rows.size());
    for (Row r : rows) out.add(Rows.fault(r));
    return out;
  }
}
