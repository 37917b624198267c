package io.vigil.server.tickets;

import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.pgclient.PgException;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;
import io.vigil.rules.IllegalTransitionException;
import io.vigil.rules.SearchText;
import io.vigil.rules.Severity;
import io.vigil.rules.TicketState;
import io.vigil.server.storage.PgFaultStore;
import io.vigil.server.storage.Rows;
import io.vigil.web.ApiError;
import io.vigil.web.NotFoundException;
import io.vigil.web.StreamHub;
import io.vigil.web.TicketEventView;
import io.vigil.web.TicketService;
import io.vigil.web.TicketView;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.UUID;

/**
 * Human ticket work. Each change locks the row, asks {@link TicketState#moveTo} whether a state
 * move is legal, updates the row, records a ticket event with actor and time, recomputes the SLA
 * clocks ({@link SlaTimers#recompute}) in the same transaction, commits, and then tells the live
 * stream. Non-blocking, thread-safe.
 *
 * <p>Pauses: entering {@code pending_customer} pauses both clocks when the ticket's SLA terms say
 * so (the default), leaving it ends the pause; a reopen counts the time the ticket stood resolved
 * as a pause, so the resolve clock continues where it stopped.
 */
public final class TicketDesk implements TicketService {
  private final Pool pool;
  private final StreamHub hub;
  private final SlaTimers sla;
  private final Clock clock;
  private final ZoneId defaultZone;
  private final Surveys surveys;
  private final LinkSigner ackLinks;
  /** How long the acknowledge link in a page stays valid. */
  public static final java.time.Duration ACK_LINK_VALID = java.time.Duration.ofHours(24);

  public TicketDesk(Pool pool, StreamHub hub, SlaTimers sla, Surveys surveys, Clock clock, ZoneId defaultZone) {
    this.pool = pool;
    this.hub = hub;
    this.sla = sla;
    this.surveys = surveys;
    this.ackLinks = new LinkSigner(pool, "ack_secret", "acknowledge link");
    this.clock = clock;
    this.defaultZone = defaultZone;
  }

  // ---- queries ----

  @Override
  public Future<List<TicketView>> list(Filter f, int limit) {
    StringBuilder where = new StringBuilder();
    List<Object> params = new ArrayList<>();
    if (f.state() != null) and(where, params, "state = $", f.state().wireName());
    if (f.customer() != null) and(where, params, "customer = $", f.customer());
    if (f.severity() != null) and(where, params, "severity = $", f.severity().name());
    if (f.assignee() != null) and(where, params, "assignee = $", f.assignee());
    if (f.text() != null) {
      params.add("%" + f.text().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%");
      where.append(where.length() == 0 ? " WHERE " : " AND ").append("(summary ILIKE $").append(params.size())
          .append(" OR description ILIKE $").append(params.size()).append(")");
    }
    params.add(limit);
    return pool.preparedQuery("SELECT * FROM tickets" + where + " ORDER BY id DESC LIMIT $" + params.size())
        .execute(Tuple.from(params)).map(TicketDesk::tickets);
  }

  private static void and(StringBuilder where, List<Object> params, String clause, Object value) {
    params.add(value);
    where.append(where.length() == 0 ? " WHERE " : " AND ").append(clause).append(params.size());
  }

  /** Tickets not closed yet, oldest first: the live stream's starting picture. */
  public Future<List<TicketView>> notClosed() {
    return pool.query("SELECT * FROM tickets WHERE state <> 'closed' ORDER BY id").execute().map(TicketDesk::tickets);
  }

  @Override
  public Future<TicketView> get(long id) {
    return pool.preparedQuery("SELECT * FROM tickets WHERE id = $1").execute(Tuple.of(id)).map(rows -> {
      if (rows.size() == 0) throw new NotFoundException("no ticket with id " + id);
      return Rows.ticket(rows.iterator().next());
    });
  }

  @Override
  public Future<List<TicketEventView>> events(long id) {
    return get(id).compose(t -> pool.preparedQuery("SELECT * FROM ticket_events WHERE ticket_id = $1 ORDER BY id")
        .execute(Tuple.of(id))).map(rows -> {
          List<TicketEventView> out = new ArrayList<>(rows.size());
          for (Row r : rows) out.add(Rows.event(r));
          return out;
        });
  }

  private static String deliveryDetail() {
    return "jsonb_build_object('receiver', d.receiver, 'kind', d.kind, 'groupKey', d.group_key, 'attempts', d.attempts, "
        + "'lastStatus', d.last_status, 'lastError', d.last_error, 'idempotencyKey', d.idempotency_key)";
  }

  @Override
  public Future<List<JsonObject>> timeline(long id) {
    return get(id).compose(t -> pool.preparedQuery(
            "SELECT 'ticket' AS source, e.id AS seq, e.at, e.kind, e.actor, e.detail FROM ticket_events e WHERE e.ticket_id = $1 "
                + "UNION ALL SELECT 'fault', f.id, f.starts_at, 'fault_pending', 'vigil', " + faultDetail() + " FROM faults f "
                + "JOIN ticket_faults tf ON tf.fault_id = f.id WHERE tf.ticket_id = $1 "
                + "UNION ALL SELECT 'fault', f.id, f.firing_at, 'fault_firing', 'vigil', " + faultDetail() + " FROM faults f "
                + "JOIN ticket_faults tf ON tf.fault_id = f.id WHERE tf.ticket_id = $1 AND f.firing_at IS NOT NULL "
                + "UNION ALL SELECT 'fault', f.id, f.ends_at, 'fault_resolved', 'vigil', " + faultDetail() + " FROM faults f "
                + "JOIN ticket_faults tf ON tf.fault_id = f.id WHERE tf.ticket_id = $1 AND f.state = 'resolved' AND f.ends_at IS NOT NULL "
                + "UNION ALL SELECT 'visit', v.id, v.arrived_at, 'visit_arrived', v.recorded_by, "
                + "jsonb_build_object('engineer', v.engineer, 'note', v.note) FROM ticket_visits v WHERE v.ticket_id = $1 "
                + "UNION ALL SELECT 'visit', v.id, v.departed_at, 'visit_departed', v.recorded_by, "
                + "jsonb_build_object('engineer', v.engineer) FROM ticket_visits v WHERE v.ticket_id = $1 AND v.departed_at IS NOT NULL "
                // Notifications (issue 12): queued, then delivered or given up, per receiver.
                + "UNION ALL SELECT 'notification', d.id, d.created_at, 'notification_queued', 'vigil', " + deliveryDetail()
                + " FROM notify_deliveries d WHERE d.ticket_id = $1 "
                + "UNION ALL SELECT 'notification', d.id, COALESCE(d.delivered_at, d.dead_at), "
                + "CASE WHEN d.delivered_at IS NOT NULL THEN 'notification_delivered' ELSE 'notification_dead' END, 'vigil', " + deliveryDetail()
                + " FROM notify_deliveries d WHERE d.ticket_id = $1 AND (d.delivered_at IS NOT NULL OR d.dead_at IS NOT NULL)")
        .execute(Tuple.of(id)))
        .map(rows -> {
          List<JsonObject> out = new ArrayList<>(rows.size());
          for (Row r : rows) {
            out.add(new JsonObject().put("at", Rows.instant(r, "at").toString()).put("source", r.getString("source"))
                .put("kind", r.getString("kind")).put("actor", r.getString("actor")).put("detail", r.getJsonObject("detail"))
                .put("seq", r.getLong("seq")));
          }
          // By time; at one instant a fault's change comes before what the ticket did about it.
          out.sort(Comparator.comparing((JsonObject j) -> Instant.parse(j.getString("at")))
              .thenComparing(j -> order(j.getString("source"))).thenComparing(j -> j.getLong("seq")));
          for (JsonObject j : out) j.remove("seq");
          return out;
        });
  }

  private static String faultDetail() {
    return "jsonb_build_object('faultId', f.id, 'rule', f.rule, 'severity', f.severity, 'summary', f.summary, 'fingerprint', f.fingerprint)";
  }

  private static int order(String source) {
    return switch (source) {
      case "fault" -> 0;
      case "ticket" -> 1;
      case "visit" -> 2;
      default -> 3;
    };
  }

  @Override
  public java.util.Map<String, Object> slaPolicies() {
    return sla.policies().describe();
  }

  // ---- knowledge base ----

  private static final String KNOWLEDGE_COLUMNS = "t.id, t.customer, t.system, t.severity, t.summary, t.cause, t.fix, t.prevention, "
      + "t.resolution_kind, t.resolved_at, f.rule";

  @Override
  public Future<List<JsonObject>> knowledge(String q, String customer, String rule, String system, int limit) {
    String tokens = SearchText.tokens(q);
    if (tokens.isEmpty()) throw new ApiError(400, "query parameter 'q' has no words to search for", "q");
    List<Object> params = new ArrayList<>(List.of(tokens));
    StringBuilder where = new StringBuilder(" WHERE t.search @@ plainto_tsquery('simple', $1)");
    if (customer != null) and(where, params, "t.customer = $", customer);
    if (rule != null) and(where, params, "f.rule = $", rule);
    if (system != null) and(where, params, "t.system = $", system);
    params.add(limit);
    return pool.preparedQuery("SELECT " + KNOWLEDGE_COLUMNS + ", ts_rank(t.search, plainto_tsquery('simple', $1)) AS rank "
            + "FROM tickets t LEFT JOIN faults f ON f.id = t.fault_id" + where + " ORDER BY rank DESC, t.resolved_at DESC LIMIT $" + params.size())
        .execute(Tuple.from(params)).map(TicketDesk::knowledgeEntries);
  }

  @Override
  public Future<List<JsonObject>> similar(long id, int limit) {
    // Earlier resolutions of the same customer's same rule, or of the same system; those of the
    // same rule first, then by how much of this ticket's summary their text shares (any token).
    // Earlier: opened before this one (a resolution found later is knowledge, not "what was done last time").
    return get(id).compose(t -> pool.preparedQuery("WITH me AS (SELECT t.id, t.customer, t.system, t.opened_at, f.rule FROM tickets t "
            + "LEFT JOIN faults f ON f.id = t.fault_id WHERE t.id = $1) "
            + "SELECT " + KNOWLEDGE_COLUMNS + ", ts_rank(t.search, websearch_to_tsquery('simple', $2)) AS rank "
            + "FROM tickets t LEFT JOIN faults f ON f.id = t.fault_id, me "
            + "WHERE t.id <> me.id AND t.opened_at < me.opened_at AND t.search IS NOT NULL AND t.customer = me.customer "
            + "AND (f.rule = me.rule OR t.system = me.system) "
            + "ORDER BY (f.rule IS NOT DISTINCT FROM me.rule) DESC, rank DESC, t.resolved_at DESC LIMIT $3")
        .execute(Tuple.of(id, String.join(" or ", SearchText.tokens(t.summary()).split(" ")), limit)))
        .map(TicketDesk::knowledgeEntries);
  }

  private static List<JsonObject> knowledgeEntries(RowSet<Row> rows) {
    List<JsonObject> out = new ArrayList<>(rows.size());
    for (Row r : rows) {
      out.add(new JsonObject().put("ticketId", r.getLong("id")).put("customer", r.getString("customer")).put("system", r.getString("system"))
          .put("rule", r.getString("rule")).put("severity", r.getString("severity")).put("summary", r.getString("summary"))
          .put("cause", r.getString("cause")).put("fix", r.getString("fix")).put("prevention", r.getString("prevention"))
          .put("kind", r.getString("resolution_kind")).put("resolvedAt", str(Rows.instant(r, "resolved_at")))
          .put("rank", r.getDouble("rank")));
    }
    return out;
  }

  // ---- satisfaction ----

  @Override
  public Future<JsonObject> survey(long id) {
    return get(id).compose(t -> surveys.link(id));
  }

  @Override
  public Future<JsonObject> surveyByToken(String token) {
    // verify() throws for a forged or expired token: inside the future, so the caller gets a 404/410.
    return Future.succeededFuture(token).compose(t -> surveys.show(t, clock.instant()));
  }

  @Override
  public Future<JsonObject> answerSurvey(String token, int score, String comment) {
    return Future.succeededFuture(token).compose(t -> surveys.answer(t, score, comment, clock.instant(), this::openReview)).compose(answer -> {
      Long review = answer.getLong("reviewTicketId");
      return review == null ? Future.succeededFuture(answer) : get(review).map(t -> {
        hub.publishTicket(t);
        return answer;
      });
    });
  }

  /** A low satisfaction answer: a review ticket for the service manager, on the ticket's customer and system. */
  private Future<Long> openReview(SqlConnection conn, long ticketId, int score, String comment, Instant now) {
    return conn.preparedQuery("INSERT INTO tickets (fingerprint, customer, system, severity, state, summary, opened_at, channel, description, "
            + "reporter, sla_tier, time_zone, review_of) SELECT 'review:' || id, customer, system, 'P3', 'open', $2, $3, 'portal', $4, "
            + "'satisfaction survey', sla_tier, time_zone, id FROM tickets WHERE id = $1 RETURNING id")
        .execute(Tuple.of(ticketId, "Satisfaction review of ticket #" + ticketId + ": rated " + score + "/5", Rows.ts(now),
            comment == null || comment.isBlank() ? "(no comment)" : comment))
        .compose(rows -> {
          long review = rows.iterator().next().getLong("id");
          return sla.recompute(conn, review, now, false)
              .compose(t -> event(conn, review, now, "customer", "opened", new JsonObject().put("channel", "portal")
                  .put("reviewOf", ticketId).put("score", score).put("respondBy", str(t.respondBy()))))
              .compose(v -> event(conn, ticketId, now, "vigil", "review_opened", new JsonObject().put("ticketId", review).put("score", score)))
              .map(v -> review);
        });
  }

  // ---- changes ----

  @Override
  public Future<TicketView> open(Report r, String actor) {
    Instant now = clock.instant();
    return pool.withTransaction(conn -> conn.preparedQuery(
            "SELECT c.id, c.tier, c.time_zone, s.id AS system FROM customers c LEFT JOIN systems s ON s.customer = c.id AND s.id = $2 "
                + "WHERE c.id = $1").execute(Tuple.of(r.customer(), r.system()))
        .compose(rows -> {
          if (rows.size() == 0) {
            throw new ApiError(400, "customer '" + r.customer() + "' is not in the inventory (add it with POST /api/v1/customers)", "customer");
          }
          Row c = rows.iterator().next();
          if (c.getString("system") == null) {
            throw new ApiError(400, "customer '" + r.customer() + "' has no system '" + r.system()
                + "' in the inventory (add it with POST /api/v1/customers/" + r.customer() + "/systems)", "system");
          }
          return conn.preparedQuery("INSERT INTO tickets (fingerprint, customer, system, severity, state, summary, opened_at, channel, "
                  + "description, reporter, sla_tier, time_zone) VALUES ($1, $2, $3, $4, 'open', $5, $6, $7, $8, $9, $10, $11) RETURNING id")
              .execute(Tuple.from(new Object[] {"manual:" + UUID.randomUUID(), r.customer(), r.system(), r.severity().name(), r.summary(),
                  Rows.ts(now), r.channel(), r.description(), r.reporter(), c.getString("tier"), c.getString("time_zone")}));
        })
        .compose(rows -> sla.recompute(conn, rows.iterator().next().getLong("id"), now, false))
        .compose(t -> event(conn, t.id(), now, actor, "opened", new JsonObject().put("channel", r.channel()).put("reporter", r.reporter())
            .put("severity", r.severity().name()).put("tier", t.sla().tier()).put("respondBy", str(t.respondBy()))
            .put("resolveBy", str(t.resolveBy()))).map(v -> t)))
        .onSuccess(hub::publishTicket);
  }

  /** Loads the acknowledge links' secret. */
  public Future<Void> start() {
    return ackLinks.start();
  }

  /** The path of a signed link that acknowledges ticket {@code id} without an account, valid {@link #ACK_LINK_VALID}. */
  public String ackPath(long id) {
    return "/ack/" + ackLinks.token(id, clock.instant().plus(ACK_LINK_VALID));
  }

  @Override
  public Future<JsonObject> ackByToken(String token) {
    return Future.succeededFuture(token).map(t -> ackLinks.verify(t, clock.instant())).compose(this::ackView);
  }

  @Override
  public Future<JsonObject> ackWithToken(String token, String by) {
    return Future.succeededFuture(token).map(t -> ackLinks.verify(t, clock.instant())).compose(id -> get(id).compose(t -> {
      // A ticket someone already owns is left as it is: a second tap on the link is not an error.
      if (t.state() != TicketState.OPEN && t.state() != TicketState.REOPENED) return ackView(id).map(v -> v.put("already", true));
      String actor = by == null || by.isBlank() ? "ack-link" : by.strip();
      return acknowledge(id, actor).compose(done -> ackView(id)).map(v -> v.put("already", false));
    }));
  }

  private Future<JsonObject> ackView(long id) {
    return pool.preparedQuery("SELECT t.id, t.summary, t.customer, t.system, t.severity, t.state, t.acknowledged_at, "
            + "(SELECT actor FROM ticket_events e WHERE e.ticket_id = t.id AND e.kind = 'acknowledged' ORDER BY e.id LIMIT 1) AS acked_by "
            + "FROM tickets t WHERE t.id = $1")
        .execute(Tuple.of(id)).map(rows -> {
          if (rows.size() == 0) throw new NotFoundException("no ticket " + id);
          Row r = rows.iterator().next();
          Instant acked = Rows.instant(r, "acknowledged_at");
          return new JsonObject().put("ticketId", id).put("summary", r.getString("summary")).put("customer", r.getString("customer"))
              .put("system", r.getString("system")).put("severity", r.getString("severity")).put("state", r.getString("state"))
              .put("acknowledgedAt", acked == null ? null : acked.toString()).put("acknowledgedBy", r.getString("acked_by"));
        });
  }

  @Override
  public Future<TicketView> acknowledge(long id, String actor) {
    return transition(id, TicketState.ACKNOWLEDGED, null, actor);
  }

  @Override
  public Future<TicketView> close(long id, String actor) {
    return transition(id, TicketState.CLOSED, null, actor);
  }

  @Override
  public Future<TicketView> transition(long id, TicketState to, String comment, String actor) {
    return change(id, (conn, locked, now) -> {
      TicketView cur = locked.t();
      TicketState from = cur.state();
      from.moveTo(to, Long.toString(id)); // throws IllegalTransitionException: rolls back, answers 409
      JsonArray pauses = movePauses(cur, locked.pauses(), from, to, now);
      String set = "state = $2, pauses = $3";
      if (to != TicketState.REOPENED && to != TicketState.CLOSED) set += ", responded_at = COALESCE(responded_at, $4)";
      if (to == TicketState.ACKNOWLEDGED) set += ", acknowledged_at = COALESCE(acknowledged_at, $4)";
      if (to == TicketState.CLOSED) set += ", closed_at = $4";
      if (to == TicketState.REOPENED) set += ", reopened_at = $4, resolved_at = NULL, closed_at = NULL";
      JsonObject detail = new JsonObject().put("from", from.wireName()).put("to", to.wireName());
      if (comment != null) detail.put("comment", comment);
      return conn.preparedQuery("UPDATE tickets SET " + set + ", updated_at = now() WHERE id = $1")
          .execute(Tuple.of(id, to.wireName(), pauses, Rows.ts(now)))
          .recover(t -> Future.failedFuture(duplicateActive(t, cur)))
          .compose(v -> event(conn, id, now, actor, to.wireName(), detail))
          // Closing asks the customer how it went (one survey per ticket; a reopen and re-close keeps the first).
          .compose(v -> to == TicketState.CLOSED ? surveys.create(conn, id, now) : Future.succeededFuture())
          .map(v -> false);
    });
  }

  @Override
  public Future<TicketView> resolve(long id, TicketView.Resolution r, String actor) {
    return change(id, (conn, locked, now) -> {
      TicketState from = locked.t().state();
      from.moveTo(TicketState.RESOLVED, Long.toString(id));
      JsonArray pauses = movePauses(locked.t(), locked.pauses(), from, TicketState.RESOLVED, now);
      String text = SearchText.tokens(String.join(" ", locked.t().summary(), r.cause(), r.fix(), r.prevention()));
      return conn.preparedQuery("UPDATE tickets SET state = 'resolved', pauses = $2, resolved_at = $3, responded_at = COALESCE(responded_at, $3), "
              + "cause = $4, fix = $5, prevention = $6, resolution_kind = $7, search = to_tsvector('simple', $8), updated_at = now() WHERE id = $1")
          .execute(Tuple.from(new Object[] {id, pauses, Rows.ts(now), r.cause(), r.fix(), r.prevention(), r.kind(), text}))
          .compose(v -> event(conn, id, now, actor, "resolved", new JsonObject().put("from", from.wireName()).put("to", "resolved")
              .put("cause", r.cause()).put("fix", r.fix()).put("prevention", r.prevention()).put("kind", r.kind())))
          .map(v -> false);
    });
  }

  @Override
  public Future<TicketView> regrade(long id, Severity severity, String reason, String actor) {
    return change(id, (conn, locked, now) -> {
      TicketView cur = locked.t();
      if (!cur.state().active()) {
        throw new IllegalTransitionException("ticket " + id, cur.state().wireName(), "regraded (only work in hand is regraded)");
      }
      if (cur.severity() == severity) throw new ApiError(400, "ticket " + id + " is already " + severity.name(), "severity");
      return conn.preparedQuery("UPDATE tickets SET severity = $2, updated_at = now() WHERE id = $1").execute(Tuple.of(id, severity.name()))
          .map(v -> true);
    }, (conn, before, after, now) -> event(conn, id, now, actor, "regraded", new JsonObject().put("from", before.severity().name())
        .put("to", after.severity().name()).put("reason", reason).put("by", "person")
        .put("respondBy", str(after.respondBy())).put("resolveBy", str(after.resolveBy()))));
  }

  @Override
  public Future<TicketView> assign(long id, TicketView.Dispatch d, String actor) {
    return change(id, (conn, cur, now) -> conn.preparedQuery("UPDATE tickets SET assignee = COALESCE($2, assignee), "
            + "assigned_group = COALESCE($3, assigned_group), dispatch = COALESCE($4, dispatch), updated_at = now() WHERE id = $1")
        .execute(Tuple.of(id, d.assignee(), d.group(), d.mode()))
        .compose(v -> event(conn, id, now, actor, "assigned", new JsonObject().put("assignee", d.assignee()).put("group", d.group())
            .put("dispatch", d.mode())))
        .map(v -> false));
  }

  @Override
  public Future<TicketView> recordVisit(long id, Visit v, String actor) {
    return change(id, (conn, cur, now) -> conn.preparedQuery("INSERT INTO ticket_visits (ticket_id, engineer, arrived_at, departed_at, note, "
            + "recorded_by) VALUES ($1, $2, $3, $4, $5, $6) RETURNING id")
        .execute(Tuple.of(id, v.engineer(), Rows.ts(v.arrivedAt()), Rows.ts(v.departedAt()), v.note(), actor))
        .compose(rows -> conn.preparedQuery("UPDATE tickets SET dispatch = COALESCE(dispatch, 'onsite'), updated_at = now() WHERE id = $1")
            .execute(Tuple.of(id)).map(x -> rows.iterator().next().getLong("id")))
        .compose(visitId -> event(conn, id, now, actor, "visit_recorded", new JsonObject().put("visitId", visitId)
            .put("engineer", v.engineer()).put("arrivedAt", v.arrivedAt().toString()).put("departedAt", str(v.departedAt()))))
        .map(x -> false));
  }

  @Override
  public Future<TicketView> comment(long id, String text, String actor) {
    return change(id, (conn, cur, now) -> event(conn, id, now, actor, "comment", new JsonObject().put("text", text)).map(v -> false));
  }

  @Override
  public Future<TicketView> linkFault(long id, long faultId, String actor) {
    return change(id, (conn, cur, now) -> conn.preparedQuery("SELECT id, ticket_id FROM faults WHERE id = $1").execute(Tuple.of(faultId))
        .compose(rows -> {
          if (rows.size() == 0) throw new ApiError(400, "no fault with id " + faultId, "faultId");
          return conn.preparedQuery("INSERT INTO ticket_faults (ticket_id, fault_id, linked_at, linked_by) VALUES ($1, $2, $3, $4) "
              + "ON CONFLICT DO NOTHING").execute(Tuple.of(id, faultId, Rows.ts(now), actor));
        })
        .compose(inserted -> {
          // Linked already: nothing changes, and the timeline does not say it twice.
          if (inserted.rowCount() == 0) return Future.succeededFuture(false);
          return conn.preparedQuery("UPDATE faults SET ticket_id = $2 WHERE id = $1 AND ticket_id IS NULL").execute(Tuple.of(faultId, id))
              .compose(v -> event(conn, id, now, actor, "fault_linked", new JsonObject().put("faultId", faultId)))
              .map(v -> false);
        }));
  }

  @Override
  public Future<TicketView> merge(long id, long into, String actor) {
    Instant now = clock.instant();
    // Both rows locked in id order, so two merges of the same pair cannot deadlock.
    return pool.withTransaction(conn -> conn.preparedQuery("SELECT * FROM tickets WHERE id = ANY($1) ORDER BY id FOR UPDATE")
        .execute(Tuple.of(new Long[] {id, into})).compose(rows -> {
          TicketView dup = null;
          TicketView target = null;
          for (Row r : rows) {
            TicketView t = Rows.ticket(r);
            if (t.id() == id) dup = t;
            else target = t;
          }
          if (dup == null) throw new NotFoundException("no ticket with id " + id);
          if (target == null) throw new ApiError(400, "'into': no ticket with id " + into, "into");
          if (dup.state() == TicketState.CLOSED) throw new IllegalTransitionException("ticket " + id, "closed", "merged");
          if (!target.state().active()) {
            throw new ApiError(409, "ticket " + into + " is " + target.state().wireName() + ": merge into a ticket still in work", "into");
          }
          if (!dup.customer().equals(target.customer())) {
            throw new ApiError(400, "tickets " + id + " (" + dup.customer() + ") and " + into + " (" + target.customer()
                + ") belong to different customers", "into");
          }
          JsonArray pauses = closePause(pausesOf(rows, id), now);
          return conn.preparedQuery("INSERT INTO ticket_faults (ticket_id, fault_id, linked_at, linked_by) "
                  + "SELECT $2, fault_id, $3, $4 FROM ticket_faults WHERE ticket_id = $1 ON CONFLICT DO NOTHING")
              .execute(Tuple.of(id, into, Rows.ts(now), actor))
              .compose(v -> conn.preparedQuery("UPDATE faults SET ticket_id = $2 WHERE ticket_id = $1").execute(Tuple.of(id, into)))
              .compose(v -> conn.preparedQuery("UPDATE tickets SET state = 'closed', closed_at = $3, merged_into = $2, pauses = $4, "
                  + "updated_at = now() WHERE id = $1").execute(Tuple.of(id, into, Rows.ts(now), pauses)))
              .compose(v -> event(conn, id, now, actor, "merged_into", new JsonObject().put("into", into)))
              .compose(v -> event(conn, into, now, actor, "merged_from", new JsonObject().put("from", id)))
              .compose(v -> sla.recompute(conn, id, now, false))
              .compose(closed -> sla.recompute(conn, into, now, false).map(kept -> List.of(closed, kept)));
        }))
        .map(both -> {
          both.forEach(hub::publishTicket);
          return both.get(0);
        });
  }

  // ---- the one way every change runs ----

  private interface Edit {
    /** Applies the change to the locked row; completes with whether the SLA must treat it as a regrade. */
    Future<Boolean> apply(SqlConnection conn, Locked current, Instant now);
  }

  private interface After {
    Future<Void> apply(SqlConnection conn, TicketView before, TicketView after, Instant now);
  }

  private Future<TicketView> change(long id, Edit edit) {
    return change(id, edit, null);
  }

  private Future<TicketView> change(long id, Edit edit, After after) {
    Instant now = clock.instant();
    return pool.withTransaction(conn -> lock(conn, id).compose(current -> edit.apply(conn, current, now)
            .compose(regrade -> sla.recompute(conn, id, now, regrade))
            .compose(updated -> after == null ? Future.succeededFuture(updated) : after.apply(conn, current.t(), updated, now).map(v -> updated))))
        .onSuccess(hub::publishTicket);
  }

  /** The ticket's pauses after a move from {@code from} to {@code to}. */
  private JsonArray movePauses(TicketView cur, JsonArray stored, TicketState from, TicketState to, Instant now) {
    JsonArray pauses = stored == null ? new JsonArray() : stored.copy();
    if (from == TicketState.PENDING_CUSTOMER) pauses = closePause(pauses, now);
    if (to == TicketState.PENDING_CUSTOMER && sla.policies().terms(cur.sla().tier(), cur.severity()).pauseOnPendingCustomer()) {
      pauses.add(new JsonObject().put("start", now.toString()).putNull("end").put("reason", "pending_customer"));
    }
    if (to == TicketState.REOPENED) {
      Instant stoppedAt = cur.resolvedAt() != null ? cur.resolvedAt() : cur.closedAt();
      if (stoppedAt != null && stoppedAt.isBefore(now)) {
        pauses.add(new JsonObject().put("start", stoppedAt.toString()).put("end", now.toString()).put("reason", "resolved"));
      }
    }
    return pauses;
  }

  private static JsonArray closePause(JsonArray pauses, Instant now) {
    JsonArray out = pauses.copy();
    for (int i = 0; i < out.size(); i++) {
      JsonObject p = out.getJsonObject(i);
      if (p.getValue("end") == null) p.put("end", now.toString());
    }
    return out;
  }

  private static JsonArray pausesOf(RowSet<Row> rows, long id) {
    for (Row r : rows) if (r.getLong("id") == id) return r.getJsonArray("pauses");
    return new JsonArray();
  }

  private static Throwable duplicateActive(Throwable t, TicketView cur) {
    if (t instanceof PgException pg && "23505".equals(pg.getSqlState())) {
      return new ApiError(409, "another ticket for the same fault (fingerprint " + cur.fingerprint()
          + ") is in work: reopening this one would make two; work on that one, or merge", "to");
    }
    return t;
  }

  /** The locked row: the ticket and its stored pauses. */
  private record Locked(TicketView t, JsonArray pauses) {}

  private static Future<Locked> lock(SqlConnection conn, long id) {
    return conn.preparedQuery("SELECT * FROM tickets WHERE id = $1 FOR UPDATE").execute(Tuple.of(id)).map(rows -> {
      if (rows.size() == 0) throw new NotFoundException("no ticket with id " + id);
      Row r = rows.iterator().next();
      return new Locked(Rows.ticket(r), r.getJsonArray("pauses"));
    });
  }

  public static Future<Void> event(SqlConnection conn, long ticketId, Instant at, String actor, String kind, JsonObject detail) {
    return conn.preparedQuery("INSERT INTO ticket_events (ticket_id, at, actor, kind, detail) VALUES ($1, $2, $3, $4, $5)")
        .execute(Tuple.of(ticketId, Rows.ts(at), actor, kind, detail)).mapEmpty();
  }

  private static String str(Instant i) {
    return i == null ? null : i.toString();
  }

  private static List<TicketView> tickets(RowSet<Row> rows) {
    List<TicketView> out = new ArrayList<>(rows.size());
    for (Row r : rows) out.add(Rows.ticket(r));
    return out;
  }
}
