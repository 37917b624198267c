package io.vigil.server.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.pgclient.PgBuilder;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.PoolOptions;
import io.vertx.sqlclient.Tuple;
import io.vigil.server.Config;
import io.vigil.server.storage.Pipelined;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** {@link Pipelined#transaction} on a real PostgreSQL: all or nothing, like withTransaction, with statements sent together. */
class PipelinedIT {
  private Vertx vertx;
  private Pool pool;
  private Config.Database db;

  @BeforeEach
  void start() {
    db = EphemeralPostgres.get().freshDatabase();
    EphemeralPostgres.get().psql(db.name(), "CREATE TABLE t (id int PRIMARY KEY, v text NOT NULL)");
    vertx = Vertx.vertx();
    // One connection: what the pool hands out next is the connection a failed transaction used.
    pool = PgBuilder.pool().with(new PoolOptions().setMaxSize(1)).connectingTo(PgConnectOptions.fromUri(EphemeralPostgres.get().url(db)))
        .using(vertx).build();
  }

  @AfterEach
  void stop() throws Exception {
    pool.close().await(10, TimeUnit.SECONDS);
    vertx.close().await(10, TimeUnit.SECONDS);
  }

  private String rows() {
    return EphemeralPostgres.get().psql(db.name(), "SELECT coalesce(string_agg(id || '=' || v, ',' ORDER BY id), '') FROM t");
  }

  private Future<Void> insert(io.vertx.sqlclient.SqlConnection c, int id, String v) {
    return c.preparedQuery("INSERT INTO t VALUES ($1, $2)").execute(Tuple.of(id, v)).mapEmpty();
  }

  @Test
  void statementsSentTogetherCommitTogether() throws Exception {
    int n = Pipelined.transaction(pool, c -> Future.all(insert(c, 1, "a"), insert(c, 2, "b"), insert(c, 3, "c")).map(x -> 3))
        .await(10, TimeUnit.SECONDS);
    assertEquals(3, n);
    assertEquals("1=a,2=b,3=c", rows());
  }

  @Test
  void aFailingStatementRollsBackTheOthersAndLeavesTheConnectionUsable() throws Exception {
    Exception e = assertThrows(Exception.class, () -> Pipelined.transaction(pool,
        c -> Future.all(insert(c, 1, "a"), insert(c, 1, "duplicate"), insert(c, 2, "b"))).await(10, TimeUnit.SECONDS));
    assertTrue(e.getMessage().contains("duplicate key"), e.getMessage());
    assertEquals("", rows(), "nothing of the failed transaction is stored");
    // The same (only) connection is not left inside the aborted transaction.
    Pipelined.transaction(pool, c -> insert(c, 5, "e")).await(10, TimeUnit.SECONDS);
    assertEquals("5=e", rows());
  }

  @Test
  void workThatThrowsAfterWritingRollsBack() throws Exception {
    assertThrows(Exception.class, () -> Pipelined.transaction(pool, c -> insert(c, 1, "a").map(x -> {
      throw new IllegalStateException("render failed");
    })).await(10, TimeUnit.SECONDS));
    assertThrows(Exception.class, () -> Pipelined.<Void>transaction(pool, c -> {
      insert(c, 2, "b");
      throw new IllegalStateException("before any wait");
    }).await(10, TimeUnit.SECONDS));
    assertEquals("", rows());
  }
}
