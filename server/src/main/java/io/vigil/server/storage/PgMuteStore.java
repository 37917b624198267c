package io.vigil.server.storage;

import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;
import io.vigil.rules.Matcher;
import io.vigil.rules.mute.InhibitRule;
import io.vigil.rules.mute.MaintenanceWindow;
import io.vigil.rules.mute.Silence;
import io.vigil.web.ApiError;
import io.vigil.web.Codec;
import io.vigil.web.NotFoundException;
import java.time.DayOfWeek;
import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.UUID;
import java.util.function.Function;

/**
 * Silences, maintenance windows and inhibit rules in PostgreSQL. Rows are never deleted: ending or
 * removing one stamps {@code deleted_at}/{@code deleted_by}, and every change writes the audit log
 * in the same transaction. Non-blocking, thread-safe.
 */
public final class PgMuteStore {
  private final Pool pool;

  public PgMuteStore(Pool pool) {
    this.pool = pool;
  }

  // ------------------------------------------------------------------ silences

  public Future<List<Silence>> silences(int limit) {
    return pool.preparedQuery("SELECT * FROM silences ORDER BY created_at DESC, id LIMIT $1").execute(Tuple.of(limit))
        .map(rows -> all(rows, PgMuteStore::silence));
  }

  /** Silences that still matter at {@code now}: pending or active. */
  public Future<List<Silence>> unexpiredSilences(Instant now) {
    return pool.preparedQuery("SELECT * FROM silences WHERE ends_at > $1 ORDER BY created_at, id").execute(Tuple.of(Rows.ts(now)))
        .map(rows -> all(rows, PgMuteStore::silence));
  }

  public Future<Silence> silence(String id) {
    return pool.preparedQuery("SELECT * FROM silences WHERE id = $1").execute(Tuple.of(id)).map(rows -> {
      if (rows.size() == 0) throw new NotFoundException("no silence with id '" + id + "'");
      return silence(rows.iterator().next());
    });
  }

  public Future<Silence> insertSilence(Silence s, String actor) {
    Silence stored = s.withId(UUID.randomUUID().toString());
    JsonArray matchers = Codec.matchers(stored.matchers());
    return pool.withTransaction(conn -> conn.preparedQuery(
            "INSERT INTO silences (id, matchers, starts_at, ends_at, created_by, comment) VALUES ($1, $2, $3, $4, $5, $6)")
        .execute(Tuple.of(stored.id(), matchers, Rows.ts(stored.startsAt()), Rows.ts(stored.endsAt()), stored.createdBy(), stored.comment()))
        .compose(r -> audit(conn, actor, "silence.create", stored.id(), new JsonObject().put("matchers", matchers)
            .put("startsAt", stored.startsAt().toString()).put("endsAt", stored.endsAt().toString()).put("comment", stored.comment())))
        .map(v -> stored));
  }

  /** Ends it at {@code now} (a pending one also starts then, so it never mutes); 409 when already expired. */
  public Future<Silence> expireSilence(String id, Instant now, String actor) {
    return pool.withTransaction(conn -> conn.preparedQuery("SELECT * FROM silences WHERE id = $1 FOR UPDATE").execute(Tuple.of(id))
        .compose(rows -> {
          if (rows.size() == 0) throw new NotFoundException("no silence with id '" + id + "'");
          Silence s = silence(rows.iterator().next());
          if (!s.endsAt().isAfter(now)) throw new ApiError(409, "silence '" + id + "' already expired at " + s.endsAt());
          return conn.preparedQuery("UPDATE silences SET starts_at = LEAST(starts_at, $2), ends_at = $2, deleted_at = $2, "
                  + "deleted_by = $3 WHERE id = $1 RETURNING *")
              .execute(Tuple.of(id, Rows.ts(now), actor))
              .compose(updated -> audit(conn, actor, "silence.expire", id, new JsonObject().put("endsAtBefore", s.endsAt().toString()))
                  .map(v -> silence(updated.iterator().next())));
        }));
  }

  private static Silence silence(Row r) {
    return new Silence(r.getString("id"), matchers(r.getJsonArray("matchers")), Rows.instant(r, "starts_at"),
        Rows.instant(r, "ends_at"), r.getString("created_by"), r.getString("comment"));
  }

  // ------------------------------------------------------------------ maintenance windows

  public Future<List<MaintenanceWindow>> windows() {
    return pool.query("SELECT * FROM maintenance_windows WHERE deleted_at IS NULL ORDER BY created_at, id").execute()
        .map(rows -> all(rows, PgMuteStore::window));
  }

  public Future<MaintenanceWindow> window(String id) {
    return pool.preparedQuery("SELECT * FROM maintenance_windows WHERE id = $1 AND deleted_at IS NULL").execute(Tuple.of(id)).map(rows -> {
      if (rows.size() == 0) throw new NotFoundException("no maintenance window with id '" + id + "'");
      return window(rows.iterator().next());
    });
  }

  public Future<MaintenanceWindow> insertWindow(MaintenanceWindow w, String actor) {
    MaintenanceWindow stored = w.withId(UUID.randomUUID().toString());
    String[] days = stored.days().stream().sorted().map(DayOfWeek::name).toArray(String[]::new);
    Tuple t = Tuple.of(stored.id(), stored.customer(), stored.system(), days, stored.start(), stored.end(), stored.zone().getId());
    t.addValue(stored.comment()).addValue(stored.createdBy());
    return pool.withTransaction(conn -> conn.preparedQuery("INSERT INTO maintenance_windows "
            + "(id, customer, system, days, start_time, end_time, time_zone, comment, created_by) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)")
        .execute(t)
        .compose(r -> audit(conn, actor, "maintenance_window.create", stored.id(), new JsonObject().put("customer", stored.customer())
            .put("system", stored.system()).put("days", new JsonArray(List.of(days))).put("start", stored.start().toString())
            .put("end", stored.end().toString()).put("timeZone", stored.zone().getId()).put("comment", stored.comment())))
        .map(v -> stored));
  }

  public Future<Void> deleteWindow(String id, Instant now, String actor) {
    return softDelete("maintenance_windows", "maintenance_window.delete", "no maintenance window with id '" + id + "'", id, now, actor);
  }

  private static MaintenanceWindow window(Row r) {
    EnumSet<DayOfWeek> days = EnumSet.noneOf(DayOfWeek.class);
    for (String d : r.getArrayOfStrings("days")) days.add(DayOfWeek.valueOf(d));
    return new MaintenanceWindow(r.getString("id"), r.getString("customer"), r.getString("system"), days,
        r.getLocalTime("start_time"), r.getLocalTime("end_time"), ZoneId.of(r.getString("time_zone")), r.getString("comment"),
        r.getString("created_by"));
  }

  // ------------------------------------------------------------------ inhibit rules

  public Future<List<InhibitRule>> inhibitRules() {
    return pool.query("SELECT * FROM inhibit_rules WHERE deleted_at IS NULL ORDER BY created_at, id").execute()
        .map(rows -> all(rows, r -> new InhibitRule(r.getString("id"), matchers(r.getJsonArray("source_match")),
            matchers(r.getJsonArray("target_match")), List.of(r.getArrayOfStrings("equal_labels")), "api", r.getString("created_by"))));
  }

  public Future<InhibitRule> insertInhibitRule(InhibitRule rule, String actor) {
    InhibitRule stored = rule.withId(UUID.randomUUID().toString());
    JsonArray source = Codec.matchers(stored.sourceMatch());
    JsonArray target = Codec.matchers(stored.targetMatch());
    return pool.withTransaction(conn -> conn.preparedQuery(
            "INSERT INTO inhibit_rules (id, source_match, target_match, equal_labels, created_by) VALUES ($1, $2, $3, $4, $5)")
        .execute(Tuple.of(stored.id(), source, target, stored.equal().toArray(String[]::new), stored.createdBy()))
        .compose(r -> audit(conn, actor, "inhibit_rule.create", stored.id(), new JsonObject().put("sourceMatch", source)
            .put("targetMatch", target).put("equal", new JsonArray(stored.equal()))))
        .map(v -> stored));
  }

  public Future<Void> deleteInhibitRule(String id, Instant now, String actor) {
    return softDelete("inhibit_rules", "inhibit_rule.delete", "no inhibit rule with id '" + id + "'", id, now, actor);
  }

  // ------------------------------------------------------------------ shared

  private Future<Void> softDelete(String table, String action, String notFound, String id, Instant now, String actor) {
    return pool.withTransaction(conn -> conn.preparedQuery("UPDATE " + table + " SET deleted_at = $2, deleted_by = $3 "
            + "WHERE id = $1 AND deleted_at IS NULL").execute(Tuple.of(id, Rows.ts(now), actor))
        .compose(rows -> {
          if (rows.rowCount() == 0) throw new NotFoundException(notFound);
          return audit(conn, actor, action, id, new JsonObject());
        }));
  }

  private static Future<Void> audit(SqlConnection conn, String actor, String action, String target, JsonObject detail) {
    return io.vigil.server.storage.PgAuditLog.append(conn, actor, action, target, detail);
  }

  static List<Matcher> matchers(JsonArray a) {
    List<Matcher> out = new ArrayList<>(a.size());
    for (int i = 0; i < a.size(); i++) {
      JsonObject m = a.getJsonObject(i);
      out.add(Silence.matcher(m.getString("name"), m.getString("value"), m.getBoolean("isRegex", false), m.getBoolean("isEqual", true)));
    }
    return out;
  }

  private static <T> List<T> all(RowSet<Row> rows, Function<Row, T> f) {
    List<T> out = new ArrayList<>(rows.size());
    for (Row r : rows) out.add(f.apply(r));
    return out;
  }
}
