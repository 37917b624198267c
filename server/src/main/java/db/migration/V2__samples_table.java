package db.migration;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import org.flywaydb.core.api.migration.BaseJavaMigration;
import org.flywaydb.core.api.migration.Context;

/**
 * Creates the samples table in the layout this database supports, once, and records the choice
 * in {@code storage_meta.samples_layout}:
 * <ul>
 *   <li>{@code timescaledb}: when the extension is installable and preloaded, a hypertable with
 *       one-day chunks and native compression segmented by series (policy set at start-up);</li>
 *   <li>{@code partitioned}: otherwise, native range partitions by day plus a default partition;
 *       {@code PartitionMaintainer} creates days ahead and drops expired ones.</li>
 * </ul>
 * A Java migration because the choice depends on the server it runs against; SQL cannot branch.
 */
public class V2__samples_table extends BaseJavaMigration {
  @Override
  public void migrate(Context context) throws SQLException {
    Connection c = context.getConnection();
    boolean timescale = timescaleUsable(c);
    try (Statement s = c.createStatement()) {
      if (timescale) {
        s.execute("CREATE EXTENSION IF NOT EXISTS timescaledb");
        s.execute("CREATE TABLE samples (time timestamptz NOT NULL, series_id bigint NOT NULL, value double precision NOT NULL)");
        s.execute("SELECT create_hypertable('samples', 'time', chunk_time_interval => INTERVAL '1 day')");
        s.execute("CREATE INDEX samples_series_time ON samples (series_id, time DESC)");
        s.execute("ALTER TABLE samples SET (timescaledb.compress, timescaledb.compress_segmentby = 'series_id', "
            + "timescaledb.compress_orderby = 'time DESC')");
      } else {
        s.execute("CREATE TABLE samples (time timestamptz NOT NULL, series_id bigint NOT NULL, value double precision NOT NULL) "
            + "PARTITION BY RANGE (time)");
        s.execute("CREATE INDEX samples_series_time ON samples (series_id, time DESC)");
        // Catches samples outside the days maintained ahead (back-fill, clock skew) so they are never refused.
        s.execute("CREATE TABLE samples_default PARTITION OF samples DEFAULT");
      }
      s.execute("INSERT INTO storage_meta (key, value) VALUES ('samples_layout', '" + (timescale ? "timescaledb" : "partitioned") + "')");
    }
  }

  static boolean timescaleUsable(Connection c) throws SQLException {
    try (Statement s = c.createStatement();
         ResultSet r = s.executeQuery("SELECT EXISTS (SELECT 1 FROM pg_available_extensions WHERE name = 'timescaledb'), "
             + "current_setting('shared_preload_libraries') LIKE '%timescaledb%'")) {
      r.next();
      return r.getBoolean(1) && r.getBoolean(2);
    }
  }
}
