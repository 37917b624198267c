package io.vigil.server.tickets;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;
import io.vigil.rules.TicketState;
import io.vigil.server.storage.Rows;
import io.vigil.web.NotFoundException;
import io.vigil.web.StreamHub;
import io.vigil.web.TicketEventView;
import io.vigil.web.TicketService;
import io.vigil.web.TicketView;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * Human ticket work: acknowledge, resolve with feedback, close. Each transition locks the row,
 * asks {@link TicketState#moveTo} whether the move is legal, updates, records a ticket event with
 * actor and time, commits, and then tells the live stream. Non-blocking, thread-safe.
 */
public final class TicketDesk implements TicketService {
  private final Pool pool;
  private final StreamHub hub;
  private final Clock clock;

  public TicketDesk(Pool pool, StreamHub hub, Clock clock) {
    this.pool = pool;
    this.hub = hub;
    this.clock = clock;
  }

  @Override
  public Future<List<TicketView>> list(TicketState state, int limit) {
    Future<RowSet<Row>> rows = state == null
        ? pool.preparedQuery("SELECT * FROM tickets ORDER BY id DESC LIMIT $1").execute(Tuple.of(limit))
        : pool.preparedQuery("SELECT * FROM tickets WHERE state = $1 ORDER BY id DESC LIMIT $2").execute(Tuple.of(state.wireName(), limit));
    return rows.map(TicketDesk::tickets);
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

  @Override
  public Future<TicketView> acknowledge(long id, String actor) {
    return transition(id, TicketState.ACKNOWLEDGED, actor, new JsonObject(),
        now -> "acknowledged_at = COALESCE(acknowledged_at, $2)", now -> Tuple.of(id, Rows.ts(now)));
  }

  @Override
  public Future<TicketView> resolve(long id, TicketView.Resolution r, String actor) {
    return transition(id, TicketState.RESOLVED, actor,
        new JsonObject().put("cause", r.cause()).put("fix", r.fix()).put("prevention", r.prevention()),
        now -> "resolved_at = $2, cause = $3, fix = $4, prevention = $5",
        now -> Tuple.of(id, Rows.ts(now), r.cause(), r.fix(), r.prevention()));
  }

  @Override
  public Future<TicketView> close(long id, String actor) {
    return transition(id, TicketState.CLOSED, actor, new JsonObject(),
        now -> "closed_at = $2", now -> Tuple.of(id, Rows.ts(now)));
  }

  private Future<TicketView> transition(long id, TicketState to, String actor, JsonObject detail,
      Function<Instant, String> setClause, Function<Instant, Tuple> params) {
    Instant now = clock.instant();
    return pool.withTransaction(conn -> lock(conn, id).compose(current -> {
      TicketState from = current.state();
      from.moveTo(to, Long.toString(id)); // throws IllegalTransitionException: rolls back, answers 409
      String sql = "UPDATE tickets SET state = '" + to.wireName() + "', updated_at = now(), " + setClause.apply(now)
          + " WHERE id = $1 RETURNING *";
      return conn.preparedQuery(sql).execute(params.apply(now)).compose(rows -> {
        TicketView updated = Rows.ticket(rows.iterator().next());
        JsonObject d = detail.copy().put("from", from.wireName()).put("to", to.wireName());
        return conn.preparedQuery("INSERT INTO ticket_events (ticket_id, at, actor, kind, detail) VALUES ($1, $2, $3, $4, $5)")
            .execute(Tuple.of(id, Rows.ts(now), actor, to.wireName(), d)).map(v -> updated);
      });
    })).onSuccess(hub::publishTicket);
  }

  private static Future<TicketView> lock(SqlConnection conn, long id) {
    return conn.preparedQuery("SELECT * FROM tickets WHERE id = $1 FOR UPDATE").execute(Tuple.of(id)).map(rows -> {
      if (rows.size() == 0) throw new NotFoundException("no ticket with id " + id);
      return Rows.ticket(rows.iterator().next());
    });
  }

  private static List<TicketView> tickets(RowSet<Row> rows) {
    List<TicketView> out = new ArrayList<>(rows.size());
    for (Row r : rows) out.add(Rows.ticket(r));
    return out;
  }
}
