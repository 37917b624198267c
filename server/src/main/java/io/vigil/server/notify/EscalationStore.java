package io.vigil.server.notify;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;
import io.vigil.server.storage.Rows;
import java.time.Instant;

/**
 * {@code ticket_escalations}: one chain per ticket. Started by the router when it routes the
 * ticket's {@code opened} event, in the routing transaction; stopped when the ticket is
 * acknowledged (router, {@code acknowledged} event) or found past {@code open} by the scanner.
 * Each start and stop is a ticket event, so the timeline shows the chain.
 */
final class EscalationStore {
  private EscalationStore() {}

  static Future<Void> begin(SqlConnection conn, long ticketId, String chain, Instant start) {
    return conn.preparedQuery("INSERT INTO ticket_escalations (ticket_id, chain, started_at, next_at) VALUES ($1, $2, $3, $3) "
            + "ON CONFLICT (ticket_id) DO NOTHING RETURNING ticket_id")
        .execute(Tuple.of(ticketId, chain, Rows.ts(start)))
        .compose(rows -> rows.size() == 0 ? Future.succeededFuture()
            : event(conn, ticketId, start, "escalation_started", new JsonObject().put("chain", chain)));
  }

  static Future<Void> stop(SqlConnection conn, long ticketId, String reason, Instant now) {
    return conn.preparedQuery("UPDATE ticket_escalations SET next_at = NULL, stopped_at = $2, stop_reason = $3 "
            + "WHERE ticket_id = $1 AND stopped_at IS NULL AND next_at IS NOT NULL RETURNING chain, fired")
        .execute(Tuple.of(ticketId, Rows.ts(now), reason))
        .compose(rows -> rows.size() == 0 ? Future.succeededFuture()
            : event(conn, ticketId, now, "escalation_stopped", new JsonObject().put("chain", rows.iterator().next().getString("chain"))
                .put("stepsFired", rows.iterator().next().getInteger("fired")).put("reason", reason)));
  }

  static Future<Void> event(SqlConnection conn, long ticketId, Instant at, String kind, JsonObject detail) {
    return io.vigil.server.tickets.TicketDesk.event(conn, ticketId, at, "vigil", kind, detail);
  }
}
