package io.vigil.server.storage;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import io.vigil.web.ApiError;
import io.vigil.web.RuleAdmin;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * The {@code managed_config} table: versioned definitions of API-managed rules and settings. A
 * change appends version n+1 (a NULL definition deletes) and its audit_log row in one transaction;
 * nothing is ever updated in place. Non-blocking, thread-safe.
 */
public final class PgConfigStore {
  /** The newest version of one definition. */
  public record Current(String kind, String name, int version, JsonObject definition) {}

  private final Pool pool;

  public PgConfigStore(Pool pool) {
    this.pool = pool;
  }

  /** The live (not deleted) newest version of every definition. */
  public Future<List<Current>> current() {
    return pool.query("SELECT DISTINCT ON (kind, name) kind, name, version, definition FROM managed_config "
            + "ORDER BY kind, name, version DESC").execute()
        .map(rows -> {
          List<Current> out = new ArrayList<>();
          for (Row r : rows) {
            if (r.getValue("definition") == null) continue;
            out.add(new Current(r.getString("kind"), r.getString("name"), r.getInteger("version"), r.getJsonObject("definition")));
          }
          return out;
        });
  }

  /** {@code expectedVersion} for a definition that must not be live (new, or deleted last). */
  public static final int ABSENT = -1;

  /**
   * Appends the next version. {@code expectedVersion} is the version the caller based the change on
   * ({@link #ABSENT}: there must be no live definition); another writer in between makes this fail
   * with 409, never a lost update.
   */
  public Future<Integer> append(String kind, String name, int expectedVersion, JsonObject definition, String actor, Instant at) {
    return pool.withTransaction(conn -> conn.preparedQuery(
            "INSERT INTO managed_config (kind, name, version, definition, actor, at) "
                + "SELECT $1, $2, COALESCE(MAX(version), 0) + 1, $3, $4, $5 FROM managed_config WHERE kind = $1 AND name = $2 "
                + "HAVING COALESCE(MAX(version), 0) = $6 OR ($6 = -1 AND NOT EXISTS (SELECT 1 FROM managed_config m "
                + "WHERE m.kind = $1 AND m.name = $2 AND m.definition IS NOT NULL AND m.version = COALESCE(MAX(managed_config.version), 0))) "
                + "RETURNING version")
        .execute(Tuple.of(kind, name, definition, actor, Rows.ts(at), expectedVersion))
        .compose(rows -> {
          if (rows.size() == 0) {
            return Future.<Integer>failedFuture(new ApiError(409, kind + " '" + name + "' was changed meanwhile; read it again and retry"));
          }
          int version = rows.iterator().next().getInteger(0);
          return conn.preparedQuery("INSERT INTO audit_log (at, actor, action, target, detail) VALUES ($1, $2, $3, $4, $5)")
              .execute(Tuple.of(Rows.ts(at), actor, kind + (definition == null ? ".delete" : ".put"), kind + ":" + name,
                  new JsonObject().put("version", version)))
              .map(v -> version);
        }))
        .recover(t -> t instanceof io.vertx.pgclient.PgException pg && "23505".equals(pg.getSqlState())
            ? Future.failedFuture(new ApiError(409, kind + " '" + name + "' was changed meanwhile; read it again and retry"))
            : Future.failedFuture(t));
  }

  /** Every version of one definition, newest first. */
  public Future<List<RuleAdmin.Version>> versions(String kind, String name) {
    return pool.preparedQuery("SELECT version, definition, actor, at FROM managed_config WHERE kind = $1 AND name = $2 ORDER BY version DESC")
        .execute(Tuple.of(kind, name))
        .map(rows -> {
          List<RuleAdmin.Version> out = new ArrayList<>();
          for (Row r : rows) {
            out.add(new RuleAdmin.Version(r.getInteger("version"), r.getValue("definition") == null ? null : r.getJsonObject("definition"),
                r.getString("actor"), Rows.instant(r, "at")));
          }
          return out;
        });
  }
}
