package io.vigil.server.storage;

import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import java.time.Clock;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps the daily partitions of {@code sample_chunks} (native PostgreSQL layout) and the retention
 * policy (both layouts). A chunk belongs to the day of its first sample (chunks never span a UTC day). Run at start-up and then every hour. Non-blocking: plain SQL on the pool.
 *
 * <p>Native layout: partitions for today and the next two days (UTC) exist before samples for them
 * arrive; partitions whose whole day is older than the retention are dropped, which costs no
 * vacuum. TimescaleDB layout: a retention policy on the hypertable.
 */
public final class PartitionMaintainer {
  private static final Logger LOG = LoggerFactory.getLogger(PartitionMaintainer.class);
  private static final DateTimeFormatter DAY = DateTimeFormatter.BASIC_ISO_DATE;
  private final Pool pool;
  private final String layout;
  private final int retentionDays;
  private final Clock clock;

  public PartitionMaintainer(Pool pool, String layout, int retentionDays, Clock clock) {
    this.pool = pool;
    this.layout = layout;
    this.retentionDays = retentionDays;
    this.clock = clock;
  }

  public Future<Void> run() {
    if ("timescaledb".equals(layout)) {
      // Chunks are already arrays of one series' samples: TimescaleDB compression adds nothing but CPU.
      return pool.query("SELECT remove_retention_policy('sample_chunks', if_exists => true)").execute()
          .compose(r -> pool.query("SELECT add_retention_policy('sample_chunks', INTERVAL '" + retentionDays + " days')").execute())
          .mapEmpty();
    }
    LocalDate today = LocalDate.now(clock.withZone(ZoneOffset.UTC));
    Future<Void> chain = Future.succeededFuture();
    for (int d = 0; d <= 2; d++) {
      LocalDate day = today.plusDays(d);
      chain = chain.compose(v -> createDay(day));
    }
    return chain.compose(v -> dropExpired(today.minusDays(retentionDays)));
  }

  private Future<Void> createDay(LocalDate day) {
    String sql = "CREATE TABLE IF NOT EXISTS sample_chunks_" + DAY.format(day) + " PARTITION OF sample_chunks FOR VALUES FROM ('"
        + day + " 00:00:00+00') TO ('" + day.plusDays(1) + " 00:00:00+00')";
    return pool.query(sql).execute().<Void>mapEmpty().recover(t -> {
      // Rows for that day already sit in the default partition (server was down at midnight, or
      // samples came from the future). They stay there and are still queried; nothing is lost.
      LOG.warn("db.partition_skipped day={} cause=\"{}\"", day, t.getMessage());
      return Future.succeededFuture();
    });
  }

  private Future<Void> dropExpired(LocalDate oldestKept) {
    return pool.query("SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid "
            + "JOIN pg_class p ON p.oid = i.inhparent WHERE p.relname = 'sample_chunks' AND c.relname ~ '^sample_chunks_[0-9]{8}$'")
        .execute()
        .compose(rows -> {
          List<String> drop = new ArrayList<>();
          for (Row r : rows) {
            String name = r.getString(0);
            if (LocalDate.parse(name.substring("sample_chunks_".length()), DAY).isBefore(oldestKept)) drop.add(name);
          }
          Future<Void> chain = Future.succeededFuture();
          for (String name : drop) {
            chain = chain.compose(v -> pool.query("DROP TABLE " + name).execute().map(r -> {
              LOG.info("db.partition_dropped partition={} reason=retention", name);
              return null;
            }));
          }
          return chain;
        });
  }
}
