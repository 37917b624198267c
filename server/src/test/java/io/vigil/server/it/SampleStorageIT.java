package io.vigil.server.it;

import static io.vigil.server.it.Http.sample;
import static org.junit.jupiter.api.Assertions.*;

import io.vigil.server.Config;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.Test;

/**
 * The storage layout (docs/STORAGE.md) through the real server and PostgreSQL: acknowledged
 * batches sit in {@code sample_log}, flushes move them into per-series {@code sample_chunks} rows
 * exactly once, a flush that falls behind turns into 503s rather than memory, a live writer's
 * rows are left alone by other nodes, and samples stored before the upgrade move into chunks.
 */
class SampleStorageIT {
  /** "n samples over 20 hosts, value = running number" (distinct values: duplicates are detectable). */
  private static String batch(int from, int n) {
    StringBuilder b = new StringBuilder();
    for (int i = 0; i < n; i++) {
      if (i > 0) b.append(',');
      b.append(sample("load", "acme", "erp", "h" + ((from + i) % 20), from + i));
    }
    return b.toString();
  }

  private static void assertChunksWellFormed(TestVigil v) {
    assertEquals("0", v.sql("SELECT count(*) FROM sample_chunks WHERE n <> cardinality(ts) OR n <> cardinality(vals) OR n = 0"),
        "n matches both arrays");
    assertEquals("0", v.sql("SELECT count(*) FROM sample_chunks WHERE t_min <> timestamptz 'epoch' + ts[1] * interval '1 ms' "
        + "OR t_max <> timestamptz 'epoch' + ts[n] * interval '1 ms'"), "t_min/t_max are the first and last sample");
    assertEquals("0", v.sql("SELECT count(*) FROM sample_chunks c WHERE ts <> (SELECT array_agg(t ORDER BY t) FROM unnest(c.ts) t)"),
        "time-ordered");
    assertEquals("0", v.sql("SELECT count(*) FROM sample_chunks WHERE (t_min AT TIME ZONE 'UTC')::date <> (t_max AT TIME ZONE 'UTC')::date"),
        "within one UTC day");
  }

  @Test
  void everyAcknowledgedSampleMovesFromTheLogIntoChunksExactlyOnce() throws Exception {
    try (TestVigil v = new TestVigil(Map.of("VIGIL_STORAGE_FLUSH_SAMPLES", "500", "VIGIL_STORAGE_FLUSH_INTERVAL", "1h"))) {
      // As fast as one client can: on a slow machine the flush falls behind and the door answers 503
      // (tested below); a client that honours Retry-After still gets every batch in, once.
      for (int b = 0; b < 30; b++) assertEquals(204, v.http.ingestHonouringRetryAfter(batch(b * 100, 100)).status());
      // 3,000 samples with a 500-sample threshold: at least 5 flushes; fewer than 500 wait in the log.
      // Wait for that end state, not for 2,500 in chunks: the last batch typically makes 500 held, whose
      // flush may still be running when 2,500 are in chunks (its rows still in the log).
      Await.until(Duration.ofSeconds(20), "flushes", () -> Long.parseLong(v.sql("SELECT coalesce(sum(n), 0) FROM sample_log")) < 500);
      assertEquals(3000, v.count("samples"));
      assertEquals("3000", v.sql("SELECT count(DISTINCT value) FROM samples"), "no sample twice, none lost");
      assertEquals("3000", v.sql("SELECT (SELECT coalesce(sum(n), 0) FROM sample_chunks) + (SELECT coalesce(sum(n), 0) FROM sample_log)"));
      assertTrue(Long.parseLong(v.sql("SELECT coalesce(sum(n), 0) FROM sample_log")) < 500, "below the threshold waits");
      assertTrue(Long.parseLong(v.sql("SELECT count(*) FROM sample_chunks WHERE n > 1")) > 0, "a chunk holds many samples of one series");
      assertChunksWellFormed(v);
      // The same values, series by series, as ingested.
      assertEquals("h3|150", v.sql("SELECT r.labels->>'host', count(*) FROM samples s JOIN series r ON r.id = s.series_id "
          + "WHERE r.labels->>'host' = 'h3' GROUP BY 1"));
      v.stop(); // a clean stop flushes what is held: nothing left for the next start to recover
      assertEquals(0, v.count("sample_log"));
      assertEquals("3000", v.sql("SELECT sum(n) FROM sample_chunks"));
      assertEquals("3000", v.sql("SELECT count(DISTINCT value) FROM samples"));
      assertChunksWellFormed(v);
    }
  }

  @Test
  void aTrickleIsFlushedOnceTheIntervalPasses() throws Exception {
    // 3 s, not 1 s: the row must still be in the log when it is counted right after the 204 (the
    // flush comes at the first 1 s tick once it is that old), on a loaded machine too.
    try (TestVigil v = new TestVigil(Map.of("VIGIL_STORAGE_FLUSH_INTERVAL", "3s"))) {
      assertEquals(204, v.http.ingest(batch(0, 3)).status());
      assertEquals(1, v.count("sample_log"));
      Await.until(Duration.ofSeconds(15), "the log row flushed", () -> v.count("sample_log") == 0);
      assertEquals("3", v.sql("SELECT sum(n) FROM sample_chunks"));
      assertEquals("0,1,2", v.sql("SELECT string_agg(value::text, ',' ORDER BY value) FROM samples"));
    }
  }

  @Test
  void aFlushThatCannotKeepUpTurnsInto503sAndLosesNothing() throws Exception {
    try (TestVigil v = new TestVigil(Map.of("VIGIL_STORAGE_FLUSH_SAMPLES", "100", "VIGIL_STORAGE_FLUSH_INTERVAL", "1h"))) {
      // Another session holds sample_chunks: flushes wait on it, acknowledged samples pile up in the log.
      CompletableFuture<String> holder = CompletableFuture.supplyAsync(() -> v.sql(
          "BEGIN; LOCK TABLE sample_chunks IN ACCESS EXCLUSIVE MODE; SELECT pg_sleep(4); COMMIT;"));
      Await.until(Duration.ofSeconds(10), "the lock is held", () -> !"0".equals(v.sql(
          "SELECT count(*) FROM pg_locks l JOIN pg_class c ON c.oid = l.relation WHERE c.relname = 'sample_chunks' AND l.mode = 'AccessExclusiveLock' AND l.granted")));
      int acked = 0;
      Http.Reply refused = null;
      for (int b = 0; b < 10 && refused == null; b++) {
        Http.Reply r = v.http.ingest(batch(b * 100, 100));
        if (r.status() == 204) acked += 100;
        else refused = r;
      }
      assertNotNull(refused, "held samples are bounded (2 x VIGIL_STORAGE_FLUSH_SAMPLES)");
      assertEquals(503, refused.status(), refused.toString());
      assertNotNull(refused.header("Retry-After"), refused.toString());
      assertTrue(refused.json().getString("error").contains("waiting to be flushed"), refused.toString());
      assertTrue(acked >= 200 && acked <= 300, "acknowledged " + acked);
      holder.get();
      int finalAcked = acked;
      Await.until(Duration.ofSeconds(20), "the backlog flushed", () -> Long.parseLong(v.sql("SELECT coalesce(sum(n), 0) FROM sample_chunks")) == finalAcked);
      assertEquals(204, v.http.ingest(batch(10_000, 10)).status(), "accepting again");
      assertEquals(Integer.toString(acked + 10), v.sql("SELECT count(DISTINCT value) FROM samples"));
    }
  }

  @Test
  void aLiveWritersLogRowsAreLeftToItByAnotherNode() throws Exception {
    Config.Database db = EphemeralPostgres.get().freshDatabase();
    try (TestVigil a = new TestVigil(db, Map.of("VIGIL_STORAGE_FLUSH_INTERVAL", "1h"))) {
      assertEquals(204, a.http.ingest(batch(0, 50)).status());
      String writerA = a.sql("SELECT DISTINCT writer FROM sample_log");
      try (TestVigil b = new TestVigil(db, Map.of("VIGIL_STORAGE_FLUSH_INTERVAL", "1h"))) {
        // b recovered at start-up: a is alive (holds its lock), so its row stays where it is.
        assertEquals("1", b.sql("SELECT count(*) FROM sample_log WHERE writer = '" + writerA + "'"));
        assertEquals(0, b.count("sample_chunks"));
        assertEquals(204, b.http.ingest(batch(50, 50)).status());
        assertEquals("2", b.sql("SELECT count(DISTINCT writer) FROM sample_log"));
        assertEquals(100, b.count("samples"));
      }
      // b stopped cleanly: it flushed its own row, not a's.
      assertEquals("1", a.sql("SELECT count(*) FROM sample_log"));
      assertEquals(writerA, a.sql("SELECT writer FROM sample_log"));
      assertEquals(100, a.count("samples"));
    }
    assertEquals("0", EphemeralPostgres.get().psql(db.name(), "SELECT count(*) FROM sample_log"));
    assertEquals("100", EphemeralPostgres.get().psql(db.name(), "SELECT count(DISTINCT value) FROM samples"));
  }

  @Test
  void aFlushWhoseRowsAnotherNodeRecoveredMeanwhileDoublesNothing() throws Exception {
    try (TestVigil v = new TestVigil(Map.of("VIGIL_STORAGE_FLUSH_INTERVAL", "1h"))) {
      assertEquals(204, v.http.ingest(batch(0, 40)).status());
      assertEquals(204, v.http.ingest(batch(40, 40)).status());
      String writer = v.sql("SELECT DISTINCT writer FROM sample_log");
      // As another node does when it takes a writer's lock (say this node's lock connection dropped
      // for a moment): the first row moves into chunks behind this node's back.
      v.sql("WITH moved AS (DELETE FROM sample_log WHERE writer = '" + writer + "' AND id = (SELECT min(id) FROM sample_log) "
          + "RETURNING series_ids, ts, vals) INSERT INTO sample_chunks (series_id, t_min, t_max, n, ts, vals) "
          + "SELECT s, timestamptz 'epoch' + min(t) * interval '1 ms', timestamptz 'epoch' + max(t) * interval '1 ms', count(*), "
          + "array_agg(t ORDER BY t), array_agg(x ORDER BY t) FROM moved, unnest(series_ids, ts, vals) AS u(s, t, x) GROUP BY s");
      assertEquals(1, v.count("sample_log"));
      // This node's flush (its stop) expects two rows, finds one: it keeps what the other node
      // moved, moves its remaining row itself, and nothing is doubled or lost.
      v.stop();
      assertEquals(0, v.count("sample_log"));
      assertEquals(80, v.count("samples"));
      assertEquals("80", v.sql("SELECT count(DISTINCT value) FROM samples"));
    }
  }

  @Test
  void samplesStoredBeforeTheUpgradeMoveIntoChunksAndStayReadable() throws Exception {
    Config.Database db = EphemeralPostgres.get().freshDatabase();
    // The schema as the previous release left it (one row per sample), with samples over two days.
    Flyway.configure().dataSource(db.jdbcUrl(), db.user(), db.password()).locations("classpath:db/migration").target("9").load().migrate();
    EphemeralPostgres pg = EphemeralPostgres.get();
    pg.psql(db.name(), "INSERT INTO series (key, metric, labels) VALUES ('old{host=\"a\"}', 'old', '{\"host\":\"a\"}'), "
        + "('old{host=\"b\"}', 'old', '{\"host\":\"b\"}')");
    pg.psql(db.name(), "INSERT INTO samples (time, series_id, value) SELECT timestamptz '2026-11-20 23:00:00+00' + i * interval '1 minute', "
        + "(SELECT id FROM series WHERE key = 'old{host=\"' || CASE WHEN i % 2 = 0 THEN 'a' ELSE 'b' END || '\"}'), i FROM generate_series(0, 119) i");
    try (TestVigil v = new TestVigil(db, Map.of())) {
      assertEquals("120", v.sql("SELECT count(DISTINCT value) FROM samples"));
      assertEquals("4", v.sql("SELECT count(*) FROM sample_chunks"), "one chunk per series and day");
      assertEquals("2026-11-20 23:59:00+00|59", v.sql("SELECT time AT TIME ZONE 'UTC' || '+00', value FROM samples WHERE value = 59"));
      assertEquals("1", v.sql("SELECT count(*) FROM pg_class WHERE relname = 'sample_chunks_20261121'"), "the day got its partition");
      assertEquals("0", v.sql("SELECT count(*) FROM pg_class WHERE relname IN ('samples_default', 'samples_20261120')"), "the old table is gone");
      assertEquals("v", v.sql("SELECT relkind FROM pg_class WHERE relname = 'samples'"), "samples is a view now");
      assertChunksWellFormed(v);
      // And the pruned read code uses: the 60 samples of the second day.
      assertEquals("60", v.sql("SELECT count(*) FROM vigil_samples(ARRAY(SELECT id FROM series), '2026-11-21', '2026-11-22')"));
    }
  }
}
