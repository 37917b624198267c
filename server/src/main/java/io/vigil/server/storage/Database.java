package io.vigil.server.storage;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.pgclient.PgBuilder;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.PoolOptions;
import io.vigil.server.Config;
import org.flywaydb.core.Flyway;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The PostgreSQL connection pool and schema migrations. The constructor does not connect;
 * {@link #migrate()} runs Flyway on a worker thread (it is JDBC, blocking) and then reads which
 * samples layout is in use.
 */
public final class Database {
  private static final Logger LOG = LoggerFactory.getLogger(Database.class);
  private final Vertx vertx;
  private final Config.Database cfg;
  private final Pool pool;
  private final PgConnectOptions connect;
  private volatile String samplesLayout;

  public Database(Vertx vertx, Config.Database cfg, int poolSize) {
    this.vertx = vertx;
    this.cfg = cfg;
    PgConnectOptions connect = new PgConnectOptions().setHost(cfg.host()).setPort(cfg.port())
        .setDatabase(cfg.name()).setUser(cfg.user()).setPassword(cfg.password())
        .setPipeliningLimit(64).setCachePreparedStatements(true);
    this.connect = connect;
    // A bounded wait queue: when every connection is busy and the queue is full, callers fail fast
    // and ingest answers 503 instead of piling up requests in memory.
    PoolOptions pool = new PoolOptions().setMaxSize(poolSize).setMaxWaitQueueSize(poolSize * 16)
        .setConnectionTimeout(5).setName("vigil-pg");
    this.pool = PgBuilder.pool().with(pool).connectingTo(connect).using(vertx).build();
  }

  public Pool pool() {
    return pool;
  }

  /** How to open a connection outside the pool (one that must stay open, e.g. to hold a session lock). */
  public PgConnectOptions connectOptions() {
    return connect;
  }

  /** {@code timescaledb} or {@code partitioned}; null before {@link #migrate()} completed. */
  public String samplesLayout() {
    return samplesLayout;
  }

  public Future<Void> migrate() {
    // Flyway speaks JDBC and blocks: run it on a worker, never on the event loop.
    return vertx.<Integer>executeBlocking(() -> Flyway.configure()
            .dataSource(cfg.jdbcUrl(), cfg.user(), cfg.password())
            .locations("classpath:db/migration")
            .load().migrate().migrationsExecuted, false)
        .compose(n -> {
          LOG.info("db.migrated database={} migrationsApplied={}", cfg, n);
          return pool.query("SELECT value FROM storage_meta WHERE key = 'samples_layout'").execute();
        })
        .map(rows -> {
          samplesLayout = rows.iterator().next().getString(0);
          LOG.info("db.samples_layout layout={}{}", samplesLayout,
              samplesLayout.equals("timescaledb") ? " (sample_chunks is a hypertable)" : " (sample_chunks in native daily range partitions; TimescaleDB not available)");
          return null;
        });
  }

  public Future<Void> close() {
    return pool.close();
  }
}
