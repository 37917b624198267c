package io.vigil.server.storage;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import io.vigil.web.AuditLog;
import java.util.ArrayList;
import java.util.List;

/** {@link AuditLog} on {@code audit_log} (append-only by trigger, V16). */
public final class PgAuditLog implements AuditLog {
  private final Pool pool;

  public PgAuditLog(Pool pool) {
    this.pool = pool;
  }

  @Override
  public Future<Void> record(String actor, String action, String target, JsonObject detail) {
    return append(pool, actor, action, target, detail);
  }

  /** Appends one entry through {@code client}: a connection in a transaction makes the entry part of the change. */
  public static Future<Void> append(io.vertx.sqlclient.SqlClient client, String actor, String action, String target, JsonObject detail) {
    return client.preparedQuery("INSERT INTO audit_log (actor, action, target, detail) VALUES ($1, $2, $3, $4)")
        .execute(Tuple.of(actor, action, target, detail == null ? new JsonObject() : detail)).mapEmpty();
  }

  @Override
  public Future<List<JsonObject>> list(Filter f, int limit) {
    List<Object> params = new ArrayList<>();
    StringBuilder where = new StringBuilder(" WHERE true");
    if (f.actor() != null) where.append(" AND actor = $").append(add(params, f.actor()));
    if (f.action() != null) where.append(" AND starts_with(action, $").append(add(params, f.action())).append(')');
    if (f.target() != null) where.append(" AND starts_with(target, $").append(add(params, f.target())).append(')');
    if (f.since() != null) where.append(" AND at >= $").append(add(params, Rows.ts(f.since())));
    if (f.until() != null) where.append(" AND at < $").append(add(params, Rows.ts(f.until())));
    if (f.before() != null) where.append(" AND id < $").append(add(params, f.before()));
    int lim = add(params, limit);
    return pool.preparedQuery("SELECT * FROM audit_log" + where + " ORDER BY id DESC LIMIT $" + lim).execute(Tuple.from(params)).map(rows -> {
      List<JsonObject> out = new ArrayList<>(rows.size());
      for (Row r : rows) {
        out.add(new JsonObject().put("id", r.getLong("id")).put("at", Rows.instant(r, "at").toString()).put("actor", r.getString("actor"))
            .put("action", r.getString("action")).put("target", r.getString("target")).put("detail", r.getJsonObject("detail")));
      }
      return out;
    });
  }

  private static int add(List<Object> params, Object v) {
    params.add(v);
    return params.size();
  }
}
