package db.migration;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import org.flywaydb.core.api.migration.BaseJavaMigration;
import org.flywaydb.core.api.migration.Context;

/**
 * Replaces the one-row-per-sample {@code samples} table by two tables (docs/STORAGE.md):
 * <ul>
 *   <li>{@code sample_log}: one row per acknowledged batch, arrays of series ids, timestamps and
 *       values, written in the batch's own transaction (the write-ahead log; a row lives until the
 *       next flush of its writer);</li>
 *   <li>{@code sample_chunks}: one row per series and flush, its timestamps and values as arrays,
 *       never spanning a UTC day. Native daily range partitions on {@code t_min}, or a hypertable
 *       when the database runs TimescaleDB (the layout V2 chose, kept in {@code storage_meta}).</li>
 * </ul>
 * Existing samples move into chunks (one per series and day). {@code samples} becomes a view with
 * the old columns over both tables, so ad-hoc SQL keeps working; {@code vigil_samples(ids, from,
 * to)} is the pruned read for code.
 */
public class V10__chunked_samples extends BaseJavaMigration {
  /** Whether this server can compress TOAST with LZ4 (PostgreSQL 14+ built --with-lz4). */
  static boolean lz4Available(Connection c) throws SQLException {
    try (Statement s = c.createStatement();
         ResultSet r = s.executeQuery("SELECT current_setting('server_version_num')::int >= 140000 "
             + "AND EXISTS (SELECT 1 FROM pg_settings WHERE name = 'default_toast_compression' AND 'lz4' = ANY(enumvals))")) {
      r.next();
      return r.getBoolean(1);
    }
  }

  @Override
  public void migrate(Context context) throws SQLException {
    Connection c = context.getConnection();
    String layout;
    try (Statement s = c.createStatement(); ResultSet r = s.executeQuery("SELECT value FROM storage_meta WHERE key = 'samples_layout'")) {
      r.next();
      layout = r.getString(1);
    }
    boolean timescale = "timescaledb".equals(layout);
    try (Statement s = c.createStatement()) {
      s.execute("CREATE TABLE sample_log (id bigserial PRIMARY KEY, writer uuid NOT NULL, n int NOT NULL, "
          + "t_min bigint NOT NULL, t_max bigint NOT NULL, series_ids int8[] NOT NULL, ts int8[] NOT NULL, vals float8[] NOT NULL)");
      // A batch's arrays are written once (fsynced) and read rarely: LZ4 (PostgreSQL 14+, when built
      // with it) shrinks what is written for a few ms of CPU; without it, no compression at all, as
      // pglz costs more CPU than the bytes it saves.
      if (lz4Available(c)) {
        s.execute("ALTER TABLE sample_log ALTER series_ids SET COMPRESSION lz4, ALTER ts SET COMPRESSION lz4, "
            + "ALTER vals SET COMPRESSION lz4");
      } else {
        s.execute("ALTER TABLE sample_log ALTER series_ids SET STORAGE EXTERNAL, ALTER ts SET STORAGE EXTERNAL, "
            + "ALTER vals SET STORAGE EXTERNAL");
      }
      s.execute("CREATE INDEX sample_log_writer ON sample_log (writer, id)");
      String chunks = "CREATE TABLE sample_chunks (series_id bigint NOT NULL, t_min timestamptz NOT NULL, t_max timestamptz NOT NULL, "
          + "n int NOT NULL, ts int8[] NOT NULL, vals float8[] NOT NULL)";
      if (timescale) {
        s.execute(chunks);
        s.execute("SELECT create_hypertable('sample_chunks', 't_min', chunk_time_interval => INTERVAL '1 day')");
      } else {
        s.execute(chunks + " PARTITION BY RANGE (t_min)");
        s.execute("CREATE TABLE sample_chunks_default PARTITION OF sample_chunks DEFAULT");
        // The days already holding samples get their partition before the samples move in.
        List<String> days = new ArrayList<>();
        try (ResultSet r = s.executeQuery("SELECT DISTINCT (time AT TIME ZONE 'UTC')::date::text FROM samples ORDER BY 1")) {
          while (r.next()) days.add(r.getString(1));
        }
        for (String day : days) {
          s.execute("CREATE TABLE sample_chunks_" + day.replace("-", "") + " PARTITION OF sample_chunks FOR VALUES FROM ('"
              + day + " 00:00:00+00') TO ('" + java.time.LocalDate.parse(day).plusDays(1) + " 00:00:00+00')");
        }
      }
      s.execute("CREATE INDEX sample_chunks_series ON sample_chunks (series_id, t_max)");
      s.execute("INSERT INTO sample_chunks (series_id, t_min, t_max, n, ts, vals) "
          + "SELECT series_id, min(time), max(time), count(*), "
          + "array_agg((extract(epoch FROM time) * 1000)::bigint ORDER BY time), array_agg(value ORDER BY time) "
          + "FROM samples GROUP BY series_id, (time AT TIME ZONE 'UTC')::date");
      s.execute("DROP TABLE samples CASCADE");
      s.execute("CREATE VIEW samples AS "
          + "SELECT timestamptz 'epoch' + u.t * interval '1 millisecond' AS time, c.series_id, u.value "
          + "FROM sample_chunks c CROSS JOIN LATERAL unnest(c.ts, c.vals) AS u(t, value) "
          + "UNION ALL "
          + "SELECT timestamptz 'epoch' + u.t * interval '1 millisecond', u.series_id, u.value "
          + "FROM sample_log l CROSS JOIN LATERAL unnest(l.series_ids, l.ts, l.vals) AS u(series_id, t, value)");
      s.execute("CREATE FUNCTION vigil_samples(ids bigint[], t_from timestamptz, t_to timestamptz) "
          + "RETURNS TABLE (\"time\" timestamptz, series_id bigint, value double precision) LANGUAGE sql STABLE AS $$ "
          + "SELECT x.time, x.series_id, x.value FROM ("
          + " SELECT timestamptz 'epoch' + u.t * interval '1 millisecond' AS time, c.series_id, u.value"
          + " FROM sample_chunks c CROSS JOIN LATERAL unnest(c.ts, c.vals) AS u(t, value)"
          + " WHERE c.series_id = ANY(ids) AND c.t_max >= t_from AND c.t_min < t_to"
          + " UNION ALL"
          + " SELECT timestamptz 'epoch' + u.t * interval '1 millisecond', u.series_id, u.value"
          + " FROM sample_log l CROSS JOIN LATERAL unnest(l.series_ids, l.ts, l.vals) AS u(series_id, t, value)"
          + " WHERE l.t_max >= (extract(epoch FROM t_from) * 1000)::bigint AND l.t_min < (extract(epoch FROM t_to) * 1000)::bigint"
          + " AND u.series_id = ANY(ids)"
          + ") x WHERE x.time >= t_from AND x.time < t_to $$");
    }
  }
}
