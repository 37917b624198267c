package io.vigil.server.tickets;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;
import io.vigil.rules.Severity;
import io.vigil.rules.TicketState;
import io.vigil.rules.sla.BusinessCalendar;
import io.vigil.rules.sla.Pause;
import io.vigil.rules.sla.SlaClock;
import io.vigil.rules.sla.SlaPolicies;
import io.vigil.rules.sla.SlaTerms;
import io.vigil.rules.sla.TicketClocks;
import io.vigil.server.storage.Rows;
import io.vigil.web.StreamHub;
import io.vigil.web.TicketView;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * SLA clocks kept in PostgreSQL, and the scanner that fires their warnings and breaches.
 *
 * <p>Timer model: there are no in-memory timers to lose. Every change to a ticket recomputes its
 * clocks ({@link TicketClocks}, pure) inside the transaction of the change and stores the dues, the
 * warning times and {@code sla_next_at}, the earliest instant at which something is due for it. The
 * scanner runs every {@code VIGIL_SLA_SCAN_INTERVAL} (1 s), takes what is due with
 * {@code FOR UPDATE SKIP LOCKED}, and in one transaction per batch marks each warning or breach as
 * fired, writes its ticket event, raises the escalation level on a breach and stores the next due
 * instant. A crash before that commit fires it again after the restart; a crash after it never does,
 * so nothing is missed and nothing fires twice, on one node or several.
 */
public final class SlaTimers {
  private static final Logger LOG = LoggerFactory.getLogger(SlaTimers.class);
  private static final int BATCH = 200;

  /** One fired warning or breach, for the live stream (and the notification module). */
  public record Fired(TicketView ticket, JsonObject event) {}

  private final Pool pool;
  private final SlaPolicies policies;
  private final StreamHub hub;
  private final Clock clock;
  private final AtomicBoolean scanning = new AtomicBoolean();
  /** The agreed maintenance windows in force (the mute registry's); none until {@link #maintenance} is called. */
  private volatile java.util.function.Supplier<List<io.vigil.rules.mute.MaintenanceWindow>> windows = List::of;
  private volatile List<io.vigil.rules.mute.MaintenanceWindow> lastWindows = List.of();
  /** How far after a ticket's opening maintenance occurrences count as pauses (a bound on the work per recompute). */
  static final Duration MAINTENANCE_HORIZON = Duration.ofDays(120);

  public SlaTimers(Pool pool, SlaPolicies policies, StreamHub hub, Clock clock) {
    this.pool = pool;
    this.policies = policies;
    this.hub = hub;
    this.clock = clock;
  }

  public SlaPolicies policies() {
    return policies;
  }

  /**
   * Counts agreed maintenance as pauses of both clocks: an occurrence of a window of the ticket's
   * customer (and system, if the window names one) within {@link #MAINTENANCE_HORIZON} of the opening.
   */
  public void maintenance(java.util.function.Supplier<List<io.vigil.rules.mute.MaintenanceWindow>> source) {
    this.windows = source;
    this.lastWindows = source.get();
  }

  /**
   * The windows may have changed (a mute change): when they did, every active ticket is rescanned
   * at once, so dues that moved earlier are not fired late (a due that moved later is found at the
   * old time, recomputed, and nothing fires).
   */
  public Future<Void> maintenanceChanged() {
    List<io.vigil.rules.mute.MaintenanceWindow> now = windows.get();
    if (now.equals(lastWindows)) return Future.succeededFuture();
    lastWindows = now;
    return pool.preparedQuery("UPDATE tickets SET sla_next_at = $1 WHERE sla_next_at > $1").execute(Tuple.of(Rows.ts(clock.instant())))
        .mapEmpty();
  }

  /** The ticket's own pauses plus its agreed maintenance. */
  private TicketClocks.Facts withMaintenance(Row r, TicketClocks.Facts f) {
    List<io.vigil.rules.mute.MaintenanceWindow> ws = windows.get();
    if (ws.isEmpty()) return f;
    String customer = r.getString("customer");
    String system = r.getString("system");
    Instant from = f.openedAt();
    Instant to = f.resolvedAt() != null ? f.resolvedAt() : from.plus(MAINTENANCE_HORIZON);
    List<Pause> pauses = new ArrayList<>(f.pauses());
    for (io.vigil.rules.mute.MaintenanceWindow w : ws) {
      if (!w.customer().equals(customer) || w.system() != null && !w.system().equals(system)) continue;
      for (io.vigil.rules.mute.MaintenanceWindow.Occurrence o : w.occurrencesBetween(from, to)) pauses.add(new Pause(o.from(), o.until()));
    }
    if (pauses.size() == f.pauses().size()) return f;
    return new TicketClocks.Facts(f.openedAt(), f.respondedAt(), f.resolvedAt(), pauses, f.respondWarned(), f.respondBreached(),
        f.resolveWarned(), f.resolveBreached(), f.lastUpdateAt(), f.updateRemindedAt());
  }

  /** Runs the scanner every {@code every} on {@code vertx}; a scan still running skips the tick. */
  public long start(Vertx vertx, Duration every) {
    return vertx.setPeriodic(every.toMillis(), id -> scan().onFailure(t -> LOG.warn("sla.scan_failed cause=\"{}\"", t.toString())));
  }

  /**
   * Recomputes and stores the clocks of ticket {@code id}, inside the caller's transaction, which
   * must hold the row's lock (or have just inserted it). {@code regrade}: the severity changed, so
   * fired warnings and breaches are re-armed by {@link TicketClocks#rearm}.
   */
  public Future<TicketView> recompute(SqlConnection conn, long id, Instant now, boolean regrade) {
    return conn.preparedQuery("SELECT * FROM tickets WHERE id = $1").execute(Tuple.of(id))
        .compose(rows -> recompute(conn, rows.iterator().next(), now, regrade));
  }

  /**
   * The same, from the ticket's current row (e.g. what the INSERT that opened it returned): one
   * round trip less on the path from a fault to its page.
   */
  public Future<TicketView> recompute(SqlConnection conn, Row r, Instant now, boolean regrade) {
    TicketClocks.Facts f = facts(r);
    TicketClocks.Clocks c = clocks(r, f);
    if (regrade) {
      f = f.fired(TicketClocks.rearm(f.respondWarned(), c.respondWarnAt(), now), TicketClocks.rearm(f.respondBreached(), c.respondBy(), now),
          TicketClocks.rearm(f.resolveWarned(), c.resolveWarnAt(), now), TicketClocks.rearm(f.resolveBreached(), c.resolveBy(), now));
      c = clocks(r, f);
    }
    return store(conn, r, f, c, now, 0);
  }

  /** Fires every warning and breach due by now; completes with how many fired. */
  public Future<Integer> scan() {
    if (!scanning.compareAndSet(false, true)) return Future.succeededFuture(0);
    Instant now = clock.instant();
    return pool.withTransaction(conn -> conn.preparedQuery(
            "SELECT * FROM tickets WHERE sla_next_at <= $1 ORDER BY sla_next_at LIMIT " + BATCH + " FOR UPDATE SKIP LOCKED")
        .execute(Tuple.of(Rows.ts(now))).compose(rows -> {
          List<Row> due = new ArrayList<>();
          rows.forEach(due::add);
          List<Fired> fired = new ArrayList<>();
          Future<Void> chain = Future.succeededFuture();
          for (Row r : due) chain = chain.compose(v -> fireDue(conn, r, now, fired));
          return chain.map(v -> fired);
        }))
        .map(fired -> {
          for (Fired f : fired) {
            hub.publishSla(f.ticket(), f.event());
            LOG.info("sla.{} ticket={} clock={} due={} customer={} severity={} escalation={}", f.event().getString("kind"),
                f.ticket().id(), f.event().getString("clock"), f.event().getString("due"), f.ticket().customer(),
                f.ticket().severity(), f.ticket().sla().escalationLevel());
          }
          return fired.size();
        })
        .onComplete(ar -> scanning.set(false));
  }

  private Future<Void> fireDue(SqlConnection conn, Row r, Instant now, List<Fired> out) {
    TicketClocks.Facts f = facts(r);
    TicketClocks.Clocks c = clocks(r, f);
    List<JsonObject> events = new ArrayList<>();
    int escalations = 0;
    // Everything due by now, in order: a scanner that was away past a warning and its breach fires both.
    for (int guard = 0; guard < 4 && c.next() != null && !c.next().at().isAfter(now); guard++) {
      TicketClocks.Step s = c.next();
      if (s.kind() == TicketClocks.Kind.UPDATE_DUE) {
        // A reminder, not an escalation; the next one comes an interval later unless someone updates.
        f = f.reminded(now);
      } else {
        boolean respond = s.clock() == TicketClocks.Clock.RESPOND;
        boolean warning = s.kind() == TicketClocks.Kind.WARNING;
        f = f.fired(respond && warning ? now : f.respondWarned(), respond && !warning ? now : f.respondBreached(),
            !respond && warning ? now : f.resolveWarned(), !respond && !warning ? now : f.resolveBreached());
        if (!warning) escalations++;
      }
      events.add(new JsonObject().put("kind", s.kind().wireName()).put("clock", s.clock().wireName())
          .put("due", s.due() == null ? null : s.due().toString()).put("scheduledAt", s.at().toString())
          .put("lateMs", Duration.between(s.at(), now).toMillis()));
      c = clocks(r, f);
    }
    if (events.isEmpty()) return store(conn, r, f, c, now, 0).mapEmpty(); // nothing due after all (the facts changed)
    int level = r.getInteger("escalation_level");
    Future<Void> chain = Future.succeededFuture();
    int lvl = level;
    for (JsonObject e : events) {
      if (e.getString("kind").equals(TicketClocks.Kind.BREACH.wireName())) e.put("escalationLevel", ++lvl);
      chain = chain.compose(v -> event(conn, r.getLong("id"), now, e.getString("kind"), e));
    }
    TicketClocks.Facts facts = f;
    TicketClocks.Clocks clocks = c;
    int esc = escalations;
    return chain.compose(v -> store(conn, r, facts, clocks, now, esc)).map(t -> {
      for (JsonObject e : events) out.add(new Fired(t, e));
      return null;
    });
  }

  private Future<TicketView> store(SqlConnection conn, Row r, TicketClocks.Facts f, TicketClocks.Clocks c, Instant now, int escalations) {
    PausedNow p = pausedNow(r, f, now);
    Instant next = c.next() == null ? null : c.next().at();
    // A maintenance start or end is a wake-up too, so paused time and reason are current on the ticket.
    if (p.boundary() != null && (next == null || p.boundary().isBefore(next))) next = p.boundary();
    return conn.preparedQuery("UPDATE tickets SET respond_by = $2, respond_warn_at = $3, resolve_by = $4, resolve_warn_at = $5, "
            + "respond_warned_at = $6, respond_breached_at = $7, resolve_warned_at = $8, resolve_breached_at = $9, "
            + "sla_next_at = $10, paused_ms = $11, escalation_level = escalation_level + $12, update_reminded_at = $13, update_due_at = $14, "
            + "paused_for = $15, paused_since = $16, updated_at = now() WHERE id = $1 RETURNING *")
        .execute(Tuple.from(new Object[] {r.getLong("id"), Rows.ts(c.respondBy()), Rows.ts(c.respondWarnAt()), Rows.ts(c.resolveBy()),
            Rows.ts(c.resolveWarnAt()), Rows.ts(f.respondWarned()), Rows.ts(f.respondBreached()), Rows.ts(f.resolveWarned()),
            Rows.ts(f.resolveBreached()), Rows.ts(next), pausedMs(r, f, now), escalations,
            Rows.ts(f.updateRemindedAt()), Rows.ts(c.updateDueAt()), p.reason(), Rows.ts(p.since())}))
        .map(rows -> Rows.ticket(rows.iterator().next()));
  }

  /**
   * Whether the clocks stand still at {@code now} and why: the ticket's own open workflow pause
   * ({@code pending_customer}) or {@code maintenance}; and the next maintenance start or end of
   * an unresolved ticket, when the answer changes.
   */
  record PausedNow(String reason, Instant since, Instant boundary) {}

  private PausedNow pausedNow(Row r, TicketClocks.Facts f, Instant now) {
    if (f.resolvedAt() != null) return new PausedNow(null, null, null);
    String reason = null;
    Instant since = null;
    JsonArray own = r.getJsonArray("pauses");
    if (own != null && !own.isEmpty() && own.getJsonObject(own.size() - 1).getValue("end") == null) {
      reason = own.getJsonObject(own.size() - 1).getString("reason");
      since = Instant.parse(own.getJsonObject(own.size() - 1).getString("start"));
    }
    Instant boundary = null;
    Instant horizon = f.openedAt().plus(MAINTENANCE_HORIZON);
    for (io.vigil.rules.mute.MaintenanceWindow w : windows.get()) {
      if (!w.customer().equals(r.getString("customer")) || w.system() != null && !w.system().equals(r.getString("system"))) continue;
      var active = w.activeAt(now);
      if (reason == null && active.isPresent() && active.get().from().isBefore(horizon)) {
        reason = "maintenance";
        since = active.get().from().isAfter(f.openedAt()) ? active.get().from() : f.openedAt();
      }
      Instant b = w.nextBoundary(now);
      if (b != null && b.isBefore(horizon.plus(Duration.ofDays(1))) && (boundary == null || b.isBefore(boundary))) boundary = b;
    }
    return new PausedNow(reason, since, boundary);
  }

  private long pausedMs(Row r, TicketClocks.Facts f, Instant now) {
    Instant until = f.resolvedAt() != null ? f.resolvedAt() : now;
    return SlaClock.paused(f.openedAt(), until, resolveCalendar(r), withMaintenance(r, f).pauses()).toMillis();
  }

  private BusinessCalendar resolveCalendar(Row r) {
    SlaTerms terms = policies.terms(r.getString("sla_tier"), Severity.parse(r.getString("severity")));
    return policies.calendar(terms.calendar(), zone(r));
  }

  private TicketClocks.Clocks clocks(Row r, TicketClocks.Facts f) {
    return TicketClocks.compute(policies, r.getString("sla_tier"), zone(r), Severity.parse(r.getString("severity")), withMaintenance(r, f));
  }

  private static ZoneId zone(Row r) {
    return ZoneId.of(r.getString("time_zone"));
  }

  /** A ticket row's clock facts. A resolved or closed ticket's clocks are stopped at its resolution (or close). */
  static TicketClocks.Facts facts(Row r) {
    TicketState state = TicketState.parse(r.getString("state"));
    Instant stopped = null;
    if (state == TicketState.RESOLVED || state == TicketState.CLOSED) {
      stopped = Rows.instant(r, "resolved_at") != null ? Rows.instant(r, "resolved_at") : Rows.instant(r, "closed_at");
    }
    return new TicketClocks.Facts(Rows.instant(r, "opened_at"), Rows.instant(r, "responded_at"), stopped, pauses(r.getJsonArray("pauses")),
        Rows.instant(r, "respond_warned_at"), Rows.instant(r, "respond_breached_at"), Rows.instant(r, "resolve_warned_at"),
        Rows.instant(r, "resolve_breached_at"), Rows.instant(r, "last_update_at"), Rows.instant(r, "update_reminded_at"));
  }

  static List<Pause> pauses(JsonArray a) {
    List<Pause> out = new ArrayList<>();
    if (a == null) return out;
    for (int i = 0; i < a.size(); i++) {
      JsonObject p = a.getJsonObject(i);
      String end = p.getString("end");
      out.add(new Pause(Instant.parse(p.getString("start")), end == null ? null : Instant.parse(end)));
    }
    return out;
  }

  static Future<Void> event(SqlConnection conn, long ticketId, Instant at, String kind, JsonObject detail) {
    return TicketDesk.event(conn, ticketId, at, "vigil", kind, detail);
  }
}
