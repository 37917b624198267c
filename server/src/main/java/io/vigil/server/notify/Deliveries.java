package io.vigil.server.notify;

import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;
import io.vigil.server.storage.Rows;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The {@code notify_deliveries} table: one row per HTTP request owed to one webhook. A row is
 * claimed with a lease (so two nodes never send it at once, and a node killed mid-send leaves it to
 * be sent again once the lease runs out: the at-least-once window), then marked delivered, retried
 * later, or dead. Rows are inserted by the router with {@code ON CONFLICT (idempotency_key) DO
 * NOTHING}: routing the same events twice adds nothing. Non-blocking, thread-safe.
 */
public final class Deliveries {
  /** A delivery as the sender needs it. */
  public record Delivery(long id, String idempotencyKey, String receiver, int webhook, String url, String body, String kind,
      Long ticketId, Instant createdAt, int attempts) {}

  /** A delivery to insert. */
  public record NewDelivery(String idempotencyKey, String receiver, int webhook, String url, String body, String kind,
      String groupKey, Long ticketId) {}

  private final Pool pool;

  public Deliveries(Pool pool) {
    this.pool = pool;
  }

  /** What {@link #insert} added: how many rows were new, and those of them leased to this node. */
  public record Inserted(int count, List<Delivery> leased) {}

  /**
   * Inserts in the caller's transaction. The first {@code h.slots(r)} deliveries of each receiver r
   * are inserted already leased to this node until {@code h.leaseUntil(r)} (and counted as an
   * attempt): the caller sends them after its commit ({@link Sender#handOff}); the rest wait for a
   * sender's claim. A row whose idempotency key exists is skipped either way.
   */
  public static Future<Inserted> insert(SqlConnection conn, List<NewDelivery> ds, Instant now, Sender.Handoff h) {
    if (ds.isEmpty()) return Future.succeededFuture(new Inserted(0, List.of()));
    List<Tuple> plain = new ArrayList<>(ds.size());
    List<Tuple> leased = new ArrayList<>();
    Map<String, Integer> left = new HashMap<>(h.slots());
    for (NewDelivery d : ds) {
      Object[] v = {d.idempotencyKey(), d.receiver(), d.webhook(), d.url(), d.body(), d.kind(), d.groupKey(), d.ticketId(), Rows.ts(now)};
      if (left.getOrDefault(d.receiver(), 0) > 0) {
        left.merge(d.receiver(), -1, Integer::sum);
        Object[] w = java.util.Arrays.copyOf(v, v.length + 1);
        w[v.length] = Rows.ts(h.leaseUntil().get(d.receiver()));
        leased.add(Tuple.from(w));
      } else {
        plain.add(Tuple.from(v));
      }
    }
    String cols = "INSERT INTO notify_deliveries (idempotency_key, receiver, webhook, url, body, kind, group_key, ticket_id, created_at, next_attempt_at";
    Future<Inserted> first = leased.isEmpty() ? Future.succeededFuture(new Inserted(0, List.of()))
        : conn.preparedQuery(cols + ", lease_until, attempts) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $9, $10, 1) "
            + "ON CONFLICT (idempotency_key) DO NOTHING RETURNING *").executeBatch(leased).map(rows -> {
              List<Delivery> out = new ArrayList<>();
              for (var r = rows; r != null; r = r.next()) out.addAll(deliveries(r));
              return new Inserted(out.size(), out);
            });
    if (plain.isEmpty()) return first;
    // Beside the first, not after it (pipelined): the two sets of keys are disjoint.
    Future<Integer> second = conn.preparedQuery(cols + ") VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $9) ON CONFLICT (idempotency_key) DO NOTHING")
        .executeBatch(plain).map(rows -> {
          int n = 0;
          for (var r = rows; r != null; r = r.next()) n += r.rowCount();
          return n;
        });
    return Future.all(first, second).map(x -> new Inserted(first.result().count() + second.result(), first.result().leased()));
  }

  /** Inserts in the caller's transaction, none leased; returns how many were new. */
  public static Future<Integer> insert(SqlConnection conn, List<NewDelivery> ds, Instant now) {
    return insert(conn, ds, now, Sender.Handoff.NONE).map(Inserted::count);
  }

  /**
   * Claims up to {@code limit} due deliveries of one receiver, oldest due first, leasing them until
   * {@code now + lease}. Rows another node holds (locked or leased) are skipped.
   */
  public Future<List<Delivery>> claim(String receiver, int limit, Instant now, Duration lease) {
    if (limit <= 0) return Future.succeededFuture(List.of());
    return pool.preparedQuery("UPDATE notify_deliveries d SET lease_until = $3, attempts = d.attempts + 1 WHERE d.id IN ("
            + "SELECT id FROM notify_deliveries WHERE receiver = $1 AND delivered_at IS NULL AND dead_at IS NULL AND next_attempt_at <= $2 "
            + "AND (lease_until IS NULL OR lease_until < $2) ORDER BY next_attempt_at, id LIMIT $4 FOR UPDATE SKIP LOCKED) RETURNING d.*")
        .execute(Tuple.of(receiver, Rows.ts(now), Rows.ts(now.plus(lease)), limit))
        .map(Deliveries::deliveries);
  }

  public Future<Void> delivered(long id, int status, Instant now) {
    return pool.preparedQuery("UPDATE notify_deliveries SET delivered_at = $2, last_status = $3, last_error = NULL, lease_until = NULL WHERE id = $1")
        .execute(Tuple.of(id, Rows.ts(now), status)).mapEmpty();
  }

  public Future<Void> retryAt(long id, Integer status, String error, Instant at) {
    return pool.preparedQuery("UPDATE notify_deliveries SET next_attempt_at = $2, last_status = $3, last_error = $4, lease_until = NULL WHERE id = $1")
        .execute(Tuple.of(id, Rows.ts(at), status, error)).mapEmpty();
  }

  public Future<Void> dead(long id, Integer status, String error, Instant now) {
    return pool.preparedQuery("UPDATE notify_deliveries SET dead_at = $2, last_status = $3, last_error = $4, lease_until = NULL WHERE id = $1")
        .execute(Tuple.of(id, Rows.ts(now), status, error)).mapEmpty();
  }

  /** A receiver is back: its waiting deliveries are due now. Returns how many. */
  public Future<Integer> release(String receiver, Instant now) {
    return pool.preparedQuery("UPDATE notify_deliveries SET next_attempt_at = $2 WHERE receiver = $1 AND delivered_at IS NULL "
            + "AND dead_at IS NULL AND next_attempt_at > $2")
        .execute(Tuple.of(receiver, Rows.ts(now))).map(r -> r.rowCount());
  }

  /** Marks dead every pending delivery created before {@code cutoff} that is not leased; returns them. */
  public Future<List<Delivery>> deadOlderThan(Instant cutoff, Instant now, String error) {
    return pool.preparedQuery("UPDATE notify_deliveries SET dead_at = $2, last_error = $3 WHERE delivered_at IS NULL AND dead_at IS NULL "
            + "AND created_at < $1 AND (lease_until IS NULL OR lease_until < $2) RETURNING *")
        .execute(Tuple.of(Rows.ts(cutoff), Rows.ts(now), error)).map(Deliveries::deliveries);
  }

  private static List<Delivery> deliveries(io.vertx.sqlclient.RowSet<Row> rows) {
    List<Delivery> out = new ArrayList<>();
    for (Row r : rows) {
      out.add(new Delivery(r.getLong("id"), r.getString("idempotency_key"), r.getString("receiver"), r.getInteger("webhook"),
          r.getString("url"), r.getString("body"), r.getString("kind"), r.getLong("ticket_id"), Rows.instant(r, "created_at"),
          r.getInteger("attempts")));
    }
    out.sort(java.util.Comparator.comparingLong(Delivery::id));
    return out;
  }

  /** The receivers that have deliveries due at {@code now} (a cheap index scan). */
  public Future<List<String>> dueReceivers(Instant now) {
    return pool.preparedQuery("SELECT DISTINCT receiver FROM notify_deliveries WHERE delivered_at IS NULL AND dead_at IS NULL "
            + "AND next_attempt_at <= $1 AND (lease_until IS NULL OR lease_until < $1)")
        .execute(Tuple.of(Rows.ts(now))).map(rows -> {
          List<String> out = new ArrayList<>();
          for (Row r : rows) out.add(r.getString(0));
          return out;
        });
  }

  /** Counts for /metrics and the dead-letter alert: pending, dead. */
  public record Counts(long pending, long dead) {}

  public Future<Counts> counts() {
    return pool.query("SELECT count(*) FILTER (WHERE delivered_at IS NULL AND dead_at IS NULL), count(*) FILTER (WHERE dead_at IS NOT NULL) "
            + "FROM notify_deliveries").execute()
        .map(rows -> {
          Row r = rows.iterator().next();
          return new Counts(r.getLong(0), r.getLong(1));
        });
  }
}
