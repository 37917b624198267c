package io.vigil.server.patrol;

import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.pgclient.PgException;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;
import io.vigil.rules.Durations;
import io.vigil.rules.patrol.Criticality;
import io.vigil.rules.patrol.CustomerSpec;
import io.vigil.rules.patrol.SystemSpec;
import io.vigil.web.ApiError;
import io.vigil.web.NotFoundException;
import io.vigil.web.PatrolApi;
import java.time.Duration;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;

/**
 * Customers and systems in PostgreSQL. Every change writes the audit log in the same transaction.
 * Duplicates are refused by the primary keys (409), a customer with systems by the foreign key
 * (409). Non-blocking, thread-safe.
 */
public final class PgInventoryStore {
  private final Pool pool;

  public PgInventoryStore(Pool pool) {
    this.pool = pool;
  }

  /** Everything, for the in-memory snapshot. */
  public Future<Snapshot> load() {
    return pool.query("SELECT * FROM customers ORDER BY id").execute().compose(cs -> {
      List<CustomerSpec> customers = new ArrayList<>();
      for (Row r : cs) customers.add(customer(r));
      return pool.query("SELECT * FROM systems ORDER BY customer, id").execute().map(ss -> {
        List<SystemSpec> systems = new ArrayList<>();
        for (Row r : ss) systems.add(system(r));
        return new Snapshot(customers, systems);
      });
    });
  }

  /** The whole inventory at one moment. */
  public record Snapshot(List<CustomerSpec> customers, List<SystemSpec> systems) {}

  public Future<CustomerSpec> insertCustomer(CustomerSpec c, String actor) {
    return pool.withTransaction(conn -> conn.preparedQuery(
            "INSERT INTO customers (id, name, tier, time_zone, contacts) VALUES ($1, $2, $3, $4, $5)")
        .execute(Tuple.of(c.id(), c.name(), c.tier(), c.zone().getId(), contacts(c)))
        .compose(r -> audit(conn, actor, "customer.create", c.id(), PatrolApi.customerJson(c))))
        .recover(t -> Future.failedFuture(duplicate(t, "customer '" + c.id() + "' exists; change it with PUT /api/v1/customers/" + c.id(), "id")))
        .map(v -> c);
  }

  public Future<CustomerSpec> updateCustomer(CustomerSpec c, String actor) {
    return pool.withTransaction(conn -> conn.preparedQuery(
            "UPDATE customers SET name = $2, tier = $3, time_zone = $4, contacts = $5, updated_at = now() WHERE id = $1")
        .execute(Tuple.of(c.id(), c.name(), c.tier(), c.zone().getId(), contacts(c)))
        .compose(r -> {
          if (r.rowCount() == 0) throw new NotFoundException("no customer '" + c.id() + "'");
          return audit(conn, actor, "customer.update", c.id(), PatrolApi.customerJson(c));
        })).map(v -> c);
  }

  public Future<Void> deleteCustomer(String id, String actor) {
    return pool.withTransaction(conn -> conn.preparedQuery("SELECT count(*) FROM systems WHERE customer = $1").execute(Tuple.of(id))
        .compose(n -> {
          long systems = n.iterator().next().getLong(0);
          if (systems > 0) throw new ApiError(409, "customer '" + id + "' still has " + systems + " system(s); delete them first");
          return conn.preparedQuery("DELETE FROM customers WHERE id = $1").execute(Tuple.of(id));
        })
        .compose(r -> {
          if (r.rowCount() == 0) throw new NotFoundException("no customer '" + id + "'");
          return audit(conn, actor, "customer.delete", id, new JsonObject());
        }));
  }

  public Future<SystemSpec> insertSystem(SystemSpec s, String actor) {
    return pool.withTransaction(conn -> conn.preparedQuery("INSERT INTO systems (customer, id, name, heartbeat_interval_ms, criticality, probes) "
            + "VALUES ($1, $2, $3, $4, $5, $6)").execute(tuple(s))
        .compose(r -> audit(conn, actor, "system.create", s.customer() + "/" + s.id(), PatrolApi.systemJson(s))))
        .recover(t -> {
          if (t instanceof PgException pg && "23503".equals(pg.getSqlState())) {
            return Future.failedFuture(new NotFoundException("no customer '" + s.customer() + "'"));
          }
          return Future.failedFuture(duplicate(t, "system '" + s.id() + "' of customer '" + s.customer() + "' exists; change it with PUT", "id"));
        })
        .map(v -> s);
  }

  public Future<SystemSpec> updateSystem(SystemSpec s, String actor) {
    return pool.withTransaction(conn -> conn.preparedQuery("UPDATE systems SET name = $3, heartbeat_interval_ms = $4, criticality = $5, "
            + "probes = $6, updated_at = now() WHERE customer = $1 AND id = $2").execute(tuple(s))
        .compose(r -> {
          if (r.rowCount() == 0) throw new NotFoundException("customer '" + s.customer() + "' has no system '" + s.id() + "'");
          return audit(conn, actor, "system.update", s.customer() + "/" + s.id(), PatrolApi.systemJson(s));
        })).map(v -> s);
  }

  public Future<Void> deleteSystem(String customer, String id, String actor) {
    return pool.withTransaction(conn -> conn.preparedQuery("DELETE FROM systems WHERE customer = $1 AND id = $2").execute(Tuple.of(customer, id))
        .compose(r -> {
          if (r.rowCount() == 0) throw new NotFoundException("customer '" + customer + "' has no system '" + id + "'");
          return audit(conn, actor, "system.delete", customer + "/" + id, new JsonObject());
        }));
  }

  private static Tuple tuple(SystemSpec s) {
    JsonArray probes = new JsonArray();
    s.probes().forEach(p -> probes.add(PatrolApi.probeJson(p)));
    return Tuple.of(s.customer(), s.id(), s.name(), s.heartbeatInterval() == null ? null : s.heartbeatInterval().toMillis(),
        s.criticality().wireName(), probes);
  }

  private static JsonArray contacts(CustomerSpec c) {
    return PatrolApi.customerJson(c).getJsonArray("contacts");
  }

  private static Throwable duplicate(Throwable t, String message, String field) {
    if (t instanceof PgException pg && "23505".equals(pg.getSqlState())) return new ApiError(409, message, field);
    return t;
  }

  private static CustomerSpec customer(Row r) {
    // Stored rows were validated on the way in; the API's parser reads them back the same way.
    JsonObject j = new JsonObject().put("id", r.getString("id")).put("name", r.getString("name")).put("tier", r.getString("tier"))
        .put("timeZone", r.getString("time_zone")).put("contacts", r.getJsonArray("contacts"));
    return PatrolApi.customer(j, null, ZoneId.of(r.getString("time_zone")));
  }

  private static SystemSpec system(Row r) {
    Long ms = r.getLong("heartbeat_interval_ms");
    JsonObject j = new JsonObject().put("id", r.getString("id")).put("name", r.getString("name"))
        .put("criticality", Criticality.parse(r.getString("criticality")).wireName()).put("probes", r.getJsonArray("probes"));
    if (ms != null) j.put("heartbeatInterval", Durations.format(Duration.ofMillis(ms)));
    return PatrolApi.system(j, r.getString("customer"), null);
  }

  private static Future<Void> audit(SqlConnection conn, String actor, String action, String target, JsonObject detail) {
    return io.vigil.server.storage.PgAuditLog.append(conn, actor, action, target, detail);
  }
}
