package io.vigil.server.notify;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;
import io.vigil.server.storage.Rows;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads and marks the {@code notify_outbox} (V20): the rows the triggers wrote in the transactions
 * of fault and ticket changes. Only the router reads it; it marks rows routed in the same
 * transaction that stores what it made of them (deliveries, group state), so a crash between the
 * two cannot lose an event or route it twice.
 */
final class Outbox {
  /**
   * One outbox row; {@code ticketId} is the fault's ticket as it is now (opened after the fault row
   * was written), {@code ticket} that ticket's facts for the bodies (null without one).
   */
  record Event(long id, Instant at, String kind, String status, Long faultId, Long ticketId, JsonObject detail, Ticket ticket) {}

  /** The facts of a fault's current ticket a body shows, read with the outbox row (no query of their own). */
  record Ticket(long id, String state, String severity, Instant respondBy, Instant resolveBy) {}

  private Outbox() {}

  static Future<List<Event>> unrouted(SqlConnection conn, int limit) {
    return conn.preparedQuery("SELECT o.*, COALESCE(o.ticket_id, f.ticket_id) AS tid, t.id AS t_id, t.state AS t_state, t.severity AS t_severity, "
            + "t.respond_by AS t_respond_by, t.resolve_by AS t_resolve_by FROM notify_outbox o LEFT JOIN faults f ON f.id = o.fault_id "
            + "LEFT JOIN tickets t ON t.id = f.ticket_id WHERE o.routed_at IS NULL ORDER BY o.id LIMIT $1")
        .execute(Tuple.of(limit))
        .map(rows -> {
          List<Event> out = new ArrayList<>();
          for (Row r : rows) {
            out.add(new Event(r.getLong("id"), Rows.instant(r, "at"), r.getString("kind"), r.getString("status"), r.getLong("fault_id"),
                r.getLong("tid"), (JsonObject) r.getJson("detail"), r.getLong("t_id") == null ? null
                    : new Ticket(r.getLong("t_id"), r.getString("t_state"), r.getString("t_severity"), Rows.instant(r, "t_respond_by"),
                        Rows.instant(r, "t_resolve_by"))));
          }
          return out;
        });
  }

  static Future<Void> routed(SqlConnection conn, List<Long> ids, Instant now) {
    if (ids.isEmpty()) return Future.succeededFuture();
    return conn.preparedQuery("UPDATE notify_outbox SET routed_at = $2 WHERE id = ANY($1)")
        .execute(Tuple.of(ids.toArray(new Long[0]), Rows.ts(now))).mapEmpty();
  }
}
