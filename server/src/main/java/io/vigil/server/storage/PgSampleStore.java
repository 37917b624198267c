package io.vigil.server.storage;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.pgclient.PgConnection;
import io.vertx.sqlclient.Cursor;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;
import io.vigil.collectors.SampleSink;
import io.vigil.collectors.SinkRejectedException;
import io.vigil.collectors.SinkUnavailableException;
import io.vigil.rules.Labels;
import io.vigil.rules.Sample;
import io.vigil.rules.SampleBatch;
import io.vigil.rules.SeriesKey;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Durable sample storage (docs/STORAGE.md), laid out like InfluxDB's WAL + cache + TSM with
 * PostgreSQL underneath:
 * <ol>
 *   <li>{@link #accept}: one transaction per batch, two statements at most (new series upserted,
 *       then the whole batch as ONE {@code sample_log} row of three arrays). The batch is durable
 *       when it commits, and only then acknowledged. Its samples then join the {@link ChunkCache}.</li>
 *   <li>Flush (every {@code flushInterval}, or sooner once {@code flushSamples} are held): one
 *       transaction deletes the flushed log rows and inserts one {@code sample_chunks} row per
 *       series (and UTC day). A sample is always in exactly one of the two tables.</li>
 *   <li>Recovery: every process writes log rows under a fresh writer id and holds a PostgreSQL
 *       advisory lock on it for its lifetime. Log rows whose writer's lock is free (the process
 *       died, or stopped before its last flush) are moved into chunks by one SQL statement, at
 *       start-up and then every minute, by whichever node takes the lock.</li>
 * </ol>
 *
 * <p>Series ids are cached after their transaction commits, never before. At most
 * {@code maxInFlight} batches are written at once, and at most {@code 2 × flushSamples} samples
 * wait for a flush; beyond either {@link #accept} fails at once with {@link
 * SinkUnavailableException} (503 + Retry-After at the door) instead of queueing without bound.
 * Thread-safe; nothing here blocks an event loop.
 */
public final class PgSampleStore implements SampleSink {
  /** Batches of at most this many samples are prepared on the event loop (about 10 µs), not on a worker. */
  static final int INLINE_PREPARE = 32;
  private static final Logger LOG = LoggerFactory.getLogger(PgSampleStore.class);

  /**
   * Flush policy (README: storage settings): flush once {@code flushSamples} are held or the oldest
   * held sample is {@code flushInterval} old. Bigger means fewer, longer chunk rows and more memory
   * (16 bytes a sample, twice over while a flush is written).
   */
  public record Settings(int flushSamples, Duration flushInterval) {
    public Settings {
      if (flushSamples < 1 || flushInterval.isNegative() || flushInterval.isZero()) {
        throw new IllegalArgumentException("storage settings must be positive: " + flushSamples + ", " + flushInterval);
      }
    }
  }

  private static final String UPSERT_SERIES =
      "INSERT INTO series (key, metric, labels) SELECT k, m, l::jsonb FROM unnest($1::text[], $2::text[], $3::text[]) AS u(k, m, l) "
          + "ON CONFLICT (vigil_key_hash(key)) DO UPDATE SET key = EXCLUDED.key RETURNING id, key";
  private static final String INSERT_LOG =
      "INSERT INTO sample_log (writer, n, t_min, t_max, series_ids, ts, vals) VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id";
  private static final String DELETE_FLUSHED = "DELETE FROM sample_log WHERE writer = $1 AND id = ANY($2)";
  private static final String INSERT_CHUNK =
      "INSERT INTO sample_chunks (series_id, t_min, t_max, n, ts, vals) VALUES ($1, timestamptz 'epoch' + $2::bigint * interval '1 millisecond', "
          + "timestamptz 'epoch' + $3::bigint * interval '1 millisecond', $4, $5, $6)";
  /**
   * Moves log rows of one writer (all of them, or those with the given ids) into chunks in one
   * statement; the recovery path, so plain SQL rather than the cache.
   */
  private static final String MOVE_LOG_ROWS =
      "WITH moved AS (DELETE FROM sample_log WHERE writer = $1 AND ($2::int8[] IS NULL OR id = ANY($2)) RETURNING series_ids, ts, vals) "
          + "INSERT INTO sample_chunks (series_id, t_min, t_max, n, ts, vals) "
          + "SELECT s, timestamptz 'epoch' + min(t) * interval '1 millisecond', timestamptz 'epoch' + max(t) * interval '1 millisecond', "
          + "count(*), array_agg(t ORDER BY t), array_agg(v ORDER BY t) "
          + "FROM moved CROSS JOIN LATERAL unnest(series_ids, ts, vals) AS u(s, t, v) GROUP BY s, floor(t / 86400000.0)";
  /** Rows per INSERT_CHUNK batch: bounds the boxed copies a flush makes at once. */
  private static final int CHUNK_BATCH = 2_000;

  private final Vertx vertx;
  private final Pool pool;
  private final PgConnectOptions lockOptions;
  private final Settings settings;
  private final int maxInFlight;
  private final UUID writer = UUID.randomUUID();
  private final Map<SeriesKey, Long> seriesIds = new ConcurrentHashMap<>();
  private final AtomicInteger inFlight = new AtomicInteger();
  private final ChunkCache cache = new ChunkCache();
  private final Counter flushes;
  private final Counter flushedSamples;
  private final Counter adoptedRows;
  private final Timer flushTime;
  // Flush state: touched only on `home` (the context start() ran on).
  private Context home;
  private ChunkCache.Snapshot pending;
  private volatile long pendingSamples;
  private boolean flushing;
  private volatile boolean closed;
  private long flushTimer = -1;
  private long adoptTimer = -1;
  private volatile PgConnection lockConn;

  public PgSampleStore(Vertx vertx, Pool pool, PgConnectOptions lockOptions, int maxInFlight, Settings settings, MeterRegistry registry) {
    this.vertx = vertx;
    this.maxInFlight = maxInFlight;
    this.pool = pool;
    this.lockOptions = lockOptions;
    this.settings = settings;
    Gauge.builder("vigil_storage_inflight_batches", inFlight, AtomicInteger::get).description("sample batches being written").register(registry);
    Gauge.builder("vigil_storage_series_cached", seriesIds, Map::size).description("series ids held in memory").register(registry);
    Gauge.builder("vigil_storage_unflushed_samples", this, s -> s.cache.samples() + s.pendingSamples)
        .description("durable samples in sample_log not yet flushed into sample_chunks by this node").register(registry);
    flushes = Counter.builder("vigil_storage_flushes").description("flushes of sample_log rows into sample_chunks").register(registry);
    flushedSamples = Counter.builder("vigil_storage_flushed_samples").description("samples moved into sample_chunks by flushes").register(registry);
    adoptedRows = Counter.builder("vigil_storage_recovered_log_rows")
        .description("sample_log rows of stopped writers moved into sample_chunks by recovery").register(registry);
    flushTime = Timer.builder("vigil_storage_flush_seconds").description("time to write one flush").register(registry);
  }

  /** This process's writer id (log rows it writes carry it). */
  public UUID writer() {
    return writer;
  }

  /**
   * Takes the writer lock, recovers the log rows of stopped writers, and starts the flush and
   * recovery timers. Must complete before the first {@link #accept}.
   */
  public Future<Void> start() {
    home = vertx.getOrCreateContext();
    return lock().compose(v -> recoverOrphans()).map(n -> {
      flushTimer = vertx.setPeriodic(1000, id -> maybeFlush());
      adoptTimer = vertx.setPeriodic(60_000, id -> recoverOrphans().onFailure(t -> LOG.warn("storage.recovery_failed cause=\"{}\"", t.toString())));
      LOG.info("storage.started writer={} flushSamples={} flushInterval={} recoveredLogRows={}", writer, settings.flushSamples(),
          settings.flushInterval(), n);
      return null;
    });
  }

  /** Stops the timers and flushes what is held (so the next start has nothing to recover); then releases the writer lock. */
  public Future<Void> close() {
    closed = true;
    if (home == null) return Future.succeededFuture();
    vertx.cancelTimer(flushTimer);
    vertx.cancelTimer(adoptTimer);
    io.vertx.core.Promise<Void> done = io.vertx.core.Promise.promise();
    home.runOnContext(x -> finalFlush(done, 0));
    return done.future().recover(t -> {
      LOG.warn("storage.final_flush_failed cause=\"{}\" (the rows stay in sample_log and are recovered at the next start)", t.toString());
      return Future.succeededFuture();
    }).compose(v -> lockConn == null ? Future.succeededFuture() : lockConn.close().recover(t -> Future.succeededFuture()));
  }

  private void finalFlush(io.vertx.core.Promise<Void> done, int attempt) {
    if (flushing) {
      vertx.setTimer(20, id -> finalFlush(done, attempt));
      return;
    }
    if (pending == null && cache.samples() == 0) {
      LOG.info("storage.stopped writer={} (everything flushed: nothing left in sample_log to recover)", writer);
      done.tryComplete();
      return;
    }
    if (attempt > 3) {
      done.tryFail("gave up after " + attempt + " attempts");
      return;
    }
    flush().onComplete(ar -> finalFlush(done, attempt + 1));
  }

  /**
   * Whether this series is stored (its id is cached after a committed batch, or was preloaded at
   * start). The cardinality guard's idea of "new series". Thread-safe, one map lookup.
   */
  public boolean knows(SeriesKey k) {
    return k.storedId(this) != 0 || seriesIds.containsKey(k);
  }

  @Override
  public Future<Void> accept(SampleBatch batch) {
    long waiting = cache.samples() + pendingSamples;
    if (waiting >= 2L * settings.flushSamples()) {
      kickFlush();
      return Future.failedFuture(new SinkUnavailableException(
          "storage is behind (" + waiting + " samples waiting to be flushed into sample_chunks)", 1, null));
    }
    if (inFlight.incrementAndGet() > maxInFlight) {
      inFlight.decrementAndGet();
      return Future.failedFuture(new SinkUnavailableException(
          "storage is behind (" + maxInFlight + " batches already being written)", 1, null));
    }
    Map<SeriesKey, Long> fresh = new HashMap<>();
    // Looking up ids and building the row's arrays is a few hundred ns a sample: a worker's job for
    // a real batch; a small one (a probe, a single fault's sample) costs less than the two thread
    // hops, and is prepared here, on the event loop, well under its budget.
    Future<LogRow> prepared = batch.size() <= INLINE_PREPARE ? Future.succeededFuture(prepare(batch))
        : vertx.executeBlocking(() -> prepare(batch), false);
    return prepared
        // All series known (the steady state): one INSERT, atomic on its own, one round trip.
        // New series: upserted in the same transaction as the row that needs their ids.
        .compose(row -> (row.missing == null ? insertLog(pool, row) : Pipelined.transaction(pool, conn -> write(conn, row, fresh))).map(logId -> {
          seriesIds.putAll(fresh); // committed: now safe to remember
          fresh.forEach((k, id) -> k.storedId(this, id));
          cache.append(logId, row.sids, row.ts, row.vals);
          if (cache.samples() >= settings.flushSamples()) kickFlush();
          return (Void) null;
        }))
        .andThen(ar -> inFlight.decrementAndGet())
        .recover(t -> Future.failedFuture(classify(t)));
  }

  /**
   * SQLSTATE class 22 (data exception) and 54 (program limit exceeded) mean the data itself cannot
   * be stored: the client's problem, not retryable. Anything else (connection, timeout, admin
   * shutdown, serialization) is transient.
   */
  static RuntimeException classify(Throwable t) {
    if (t instanceof io.vertx.pgclient.PgException pg && pg.getSqlState() != null
        && (pg.getSqlState().startsWith("22") || pg.getSqlState().startsWith("54"))) {
      return new SinkRejectedException(pg.getErrorMessage() + " (SQLSTATE " + pg.getSqlState() + ")", t);
    }
    return new SinkUnavailableException("database write failed: " + t.getMessage(), 2, t);
  }

  /** One batch as its sample_log row; series not stored yet have id 0 until {@link #write} upserts them. */
  private static final class LogRow {
    final int n;
    final long[] sids;
    final long[] ts;
    final double[] vals;
    final Long[] boxedSids;
    final Long[] boxedTs;
    final Double[] boxedVals;
    long tMin = Long.MAX_VALUE;
    long tMax = Long.MIN_VALUE;
    /** Keys of the series without an id, by their text; and the positions waiting for each. */
    Map<String, SeriesKey> missing;
    List<int[]> missingAt;

    LogRow(int n) {
      this.n = n;
      sids = new long[n];
      ts = new long[n];
      vals = new double[n];
      boxedSids = new Long[n];
      boxedTs = new Long[n];
      boxedVals = new Double[n];
    }
  }

  /** Any thread: ids from the committed cache, timestamps and values, boxed for the client. */
  private LogRow prepare(SampleBatch batch) {
    List<Sample> samples = batch.samples();
    LogRow row = new LogRow(samples.size());
    Map<SeriesKey, List<Integer>> waiting = null;
    // The client takes boxed arrays: a series' id is boxed once (kept on its key), timestamps and
    // values reuse equal boxes (Boxes).
    Boxes boxes = new Boxes();
    for (int i = 0; i < row.n; i++) {
      Sample s = samples.get(i);
      SeriesKey k = s.series();
      Long id = k.storedIdBoxed(this);
      if (id == null) {
        id = seriesIds.get(k);
        if (id != null) k.storedId(this, id);
      }
      if (id == null) {
        if (waiting == null) waiting = new LinkedHashMap<>();
        waiting.computeIfAbsent(k, x -> new ArrayList<>()).add(i);
      } else {
        row.sids[i] = id;
        row.boxedSids[i] = id;
      }
      long t = s.timestampMillis();
      row.ts[i] = t;
      row.boxedTs[i] = boxes.of(t);
      double v = s.value();
      row.vals[i] = v;
      row.boxedVals[i] = boxes.of(v);
      if (t < row.tMin) row.tMin = t;
      if (t > row.tMax) row.tMax = t;
    }
    if (waiting != null) {
      row.missing = new LinkedHashMap<>();
      row.missingAt = new ArrayList<>();
      for (Map.Entry<SeriesKey, List<Integer>> e : waiting.entrySet()) {
        row.missing.put(e.getKey().toString(), e.getKey());
        row.missingAt.add(e.getValue().stream().mapToInt(Integer::intValue).toArray());
      }
    }
    return row;
  }

  private Future<Long> write(SqlConnection conn, LogRow row, Map<SeriesKey, Long> fresh) {
    Future<Void> ids = Future.succeededFuture();
    if (row.missing != null) {
      Map<String, SeriesKey> missing = row.missing;
      List<String> keys = new ArrayList<>(missing.size());
      List<String> metrics = new ArrayList<>(missing.size());
      List<String> labels = new ArrayList<>(missing.size());
      missing.forEach((key, sk) -> {
        keys.add(key);
        metrics.add(sk.metric());
        labels.add(new JsonObject(new LinkedHashMap<>(sk.labels().asMap())).encode());
      });
      ids = conn.preparedQuery(UPSERT_SERIES)
          .execute(Tuple.of(keys.toArray(String[]::new), metrics.toArray(String[]::new), labels.toArray(String[]::new)))
          .map(rows -> {
            for (Row r : rows) fresh.put(missing.get(r.getString(1)), r.getLong(0));
            int j = 0;
            for (SeriesKey k : missing.values()) {
              Long id = fresh.get(k);
              for (int i : row.missingAt.get(j)) {
                row.sids[i] = id;
                row.boxedSids[i] = id;
              }
              j++;
            }
            return null;
          });
    }
    return ids.compose(v -> insertLog(conn, row));
  }

  private Future<Long> insertLog(io.vertx.sqlclient.SqlClient client, LogRow row) {
    return client.preparedQuery(INSERT_LOG)
        .execute(Tuple.of(writer, row.n, row.tMin, row.tMax, row.boxedSids, row.boxedTs, row.boxedVals))
        .map(rows -> rows.iterator().next().getLong(0));
  }

  // ---- flushing -------------------------------------------------------------------------------

  private void kickFlush() {
    Context h = home;
    if (h != null) h.runOnContext(x -> maybeFlush());
  }

  /** On {@code home}: starts a flush when one is due and none is running. */
  private void maybeFlush() {
    if (flushing || closed) return;
    long held = cache.samples();
    boolean due = pending != null || held >= settings.flushSamples()
        || (held > 0 && cache.ageNanos(System.nanoTime()) >= settings.flushInterval().toNanos());
    if (due) flush().onFailure(t -> LOG.warn("storage.flush_failed cause=\"{}\" (retried; nothing is lost: the samples stay in sample_log)", t.toString()));
  }

  /** On {@code home}, not while {@code flushing}: writes the pending snapshot, taking one from the cache first if there is none. */
  private Future<Void> flush() {
    flushing = true;
    long start = System.nanoTime();
    Future<ChunkCache.Snapshot> snap = pending != null ? Future.succeededFuture(pending)
        // Sorting and cutting a few million samples: worker thread, not the event loop.
        : vertx.executeBlocking(cache::take, false);
    return snap.compose(s -> {
      if (s == null) return Future.succeededFuture();
      pending = s;
      pendingSamples = s.samples();
      return writeSnapshot(s).transform(ar -> {
        if (ar.succeeded()) {
          done(s, start);
          return Future.succeededFuture();
        }
        if (ar.cause() instanceof LostLogRows lost) {
          // Another node recovered some of these rows (our lock was lost for a while): they are in
          // chunks already. Move whichever of ours remain, from the log itself, and forget the snapshot.
          LOG.warn("storage.flush_conflict expected={} found={} (moving the remaining rows from sample_log)", s.logIds().length, lost.found);
          return pool.preparedQuery(MOVE_LOG_ROWS).execute(Tuple.of(writer, (Object) box(s.logIds()))).map(r -> {
            done(s, start);
            return (Void) null;
          });
        }
        return Future.failedFuture(ar.cause()); // kept pending: retried on the next tick
      });
    }).andThen(ar -> {
      flushing = false;
      if (ar.succeeded() && !closed && cache.samples() >= settings.flushSamples()) home.runOnContext(x -> maybeFlush());
    });
  }

  private void done(ChunkCache.Snapshot s, long startNanos) {
    pending = null;
    pendingSamples = 0;
    flushes.increment();
    flushedSamples.increment(s.samples());
    flushTime.record(System.nanoTime() - startNanos, TimeUnit.NANOSECONDS);
  }

  private static final class LostLogRows extends RuntimeException {
    final int found;

    LostLogRows(int found) {
      super("flushed log rows were recovered by another writer", null, false, false);
      this.found = found;
    }
  }

  private Future<Void> writeSnapshot(ChunkCache.Snapshot s) {
    return pool.withTransaction(conn -> conn.preparedQuery(DELETE_FLUSHED).execute(Tuple.of(writer, (Object) box(s.logIds())))
        .compose(r -> r.rowCount() != s.logIds().length ? Future.failedFuture(new LostLogRows(r.rowCount())) : insertChunks(conn, s.chunks(), 0)));
  }

  private Future<Void> insertChunks(SqlConnection conn, List<ChunkCache.Chunk> chunks, int from) {
    if (from >= chunks.size()) return Future.succeededFuture();
    int to = Math.min(chunks.size(), from + CHUNK_BATCH);
    // Boxing a few hundred thousand values for the client: on a worker, not the event loop.
    return vertx.executeBlocking(() -> tuples(chunks, from, to), false)
        .compose(rows -> conn.preparedQuery(INSERT_CHUNK).executeBatch(rows))
        .compose(r -> insertChunks(conn, chunks, to));
  }

  private static List<Tuple> tuples(List<ChunkCache.Chunk> chunks, int from, int to) {
    List<Tuple> rows = new ArrayList<>(to - from);
    Boxes boxes = new Boxes();
    for (int i = from; i < to; i++) {
      ChunkCache.Chunk c = chunks.get(i);
      rows.add(Tuple.of(c.seriesId(), c.tMin(), c.tMax(), c.ts().length, boxes.of(c.ts()), boxes.of(c.values())));
    }
    return rows;
  }

  private static Long[] box(long[] a) {
    Long[] b = new Long[a.length];
    for (int i = 0; i < a.length; i++) b[i] = a[i];
    return b;
  }

  // ---- writer lock and recovery -------------------------------------------------------------

  static long lockKey(UUID writer) {
    return writer.getMostSignificantBits() ^ writer.getLeastSignificantBits();
  }

  /** Opens the lock connection and takes this writer's lock; re-takes it if the connection drops. */
  private Future<Void> lock() {
    return PgConnection.connect(vertx, lockOptions).compose(c -> c.preparedQuery("SELECT pg_advisory_lock($1)").execute(Tuple.of(lockKey(writer)))
        .map(r -> {
          lockConn = c;
          c.closeHandler(v -> {
            lockConn = null;
            if (closed) return;
            LOG.warn("storage.writer_lock_lost writer={} (re-taking it)", writer);
            relock(1);
          });
          return (Void) null;
        }));
  }

  private void relock(int attempt) {
    if (closed) return;
    lock().onFailure(t -> vertx.setTimer(Math.min(30_000, 500L * attempt), id -> relock(attempt + 1)));
  }

  /**
   * Moves the log rows of every writer whose lock is free into chunks (one statement per writer,
   * under that writer's lock, so two nodes never move the same rows). Completes with the rows moved.
   */
  Future<Integer> recoverOrphans() {
    return pool.preparedQuery("SELECT DISTINCT writer FROM sample_log WHERE writer <> $1").execute(Tuple.of(writer)).compose(rows -> {
      Future<Integer> chain = Future.succeededFuture(0);
      for (Row r : rows) {
        UUID w = r.getUUID(0);
        chain = chain.compose(n -> recover(w).map(m -> n + m));
      }
      return chain;
    });
  }

  private Future<Integer> recover(UUID w) {
    PgConnection c = lockConn;
    if (c == null) return Future.succeededFuture(0);
    long key = lockKey(w);
    return c.preparedQuery("SELECT pg_try_advisory_lock($1)").execute(Tuple.of(key)).compose(r -> {
      if (!r.iterator().next().getBoolean(0)) return Future.succeededFuture(0); // alive
      return pool.withTransaction(conn -> conn.preparedQuery("SELECT count(*) FROM sample_log WHERE writer = $1").execute(Tuple.of(w))
              .compose(cnt -> conn.preparedQuery(MOVE_LOG_ROWS).execute(Tuple.of(w).addValue(null)).map(x -> cnt.iterator().next().getLong(0).intValue())))
          .andThen(ar -> c.preparedQuery("SELECT pg_advisory_unlock($1)").execute(Tuple.of(key)))
          .map(n -> {
            adoptedRows.increment(n);
            if (n > 0) LOG.info("storage.recovered writer={} logRows={}", w, n);
            return n;
          });
    });
  }

  // ---- replay ---------------------------------------------------------------------------------

  private static final String REPLAY =
      "SELECT series_id, NULL::int8[] AS series_ids, ts, vals FROM sample_chunks WHERE series_id = ANY($1) AND t_max > $2 "
          + "UNION ALL SELECT NULL, series_ids, ts, vals FROM sample_log WHERE t_max > $3";
  private static final int REPLAY_PAGE = 10_000;

  /**
   * Replays the stored samples of {@code metrics} newer than {@code since}, oldest first (ties by
   * series id), in pages handed to {@code consumer} (the next page goes only when the consumer's
   * future completes). Keeps only the newest {@code max} samples (they are the ones that matter, so
   * a cap that bites starts the replay later, not earlier). Reads chunks and log in one statement,
   * so a flush running meanwhile neither hides nor doubles a sample. Completes with the count.
   */
  public Future<Long> replay(Set<String> metrics, Instant since, int max, Function<SampleBatch, Future<Void>> consumer) {
    if (metrics.isEmpty() || max == 0) return Future.succeededFuture(0L);
    String[] names = metrics.toArray(String[]::new);
    return pool.preparedQuery("SELECT id, metric, labels FROM series WHERE metric = ANY($1)").execute(Tuple.of((Object) names))
        .compose(rows -> {
          Map<Long, SeriesKey> byId = new HashMap<>();
          for (Row r : rows) {
            Map<String, String> labels = new TreeMap<>();
            r.getJsonObject("labels").forEach(e -> labels.put(e.getKey(), String.valueOf(e.getValue())));
            byId.put(r.getLong("id"), new SeriesKey(r.getString("metric"), Labels.of(labels)));
          }
          if (byId.isEmpty()) return Future.succeededFuture(0L);
          Replayed acc = new Replayed(since.toEpochMilli(), max, byId.keySet());
          Tuple args = Tuple.of(byId.keySet().toArray(Long[]::new), since.atOffset(ZoneOffset.UTC), since.toEpochMilli());
          return pool.withTransaction(conn -> conn.prepare(REPLAY).compose(ps -> readAll(ps.cursor(args), acc)))
              .compose(v -> vertx.executeBlocking(acc::ordered, false))
              .compose(order -> feed(acc, order, byId, 0, consumer));
        });
  }

  private Future<Void> readAll(Cursor cursor, Replayed acc) {
    return cursor.read(16).compose(rows -> {
      acc.add(rows);
      return cursor.hasMore() ? readAll(cursor, acc) : cursor.close();
    });
  }

  private Future<Long> feed(Replayed acc, int[] order, Map<Long, SeriesKey> byId, int from, Function<SampleBatch, Future<Void>> consumer) {
    if (from >= order.length) return Future.succeededFuture((long) order.length);
    int to = Math.min(order.length, from + REPLAY_PAGE);
    List<Sample> page = new ArrayList<>(to - from);
    for (int i = from; i < to; i++) {
      int k = order[i];
      SeriesKey key = byId.get(acc.sid[k]);
      page.add(new Sample(key.metric(), key.labels(), acc.val[k], acc.ts[k]));
    }
    return consumer.apply(new SampleBatch(page)).compose(v -> feed(acc, order, byId, to, consumer));
  }

  /** Samples read for a replay: primitive arrays, at most about {@code 2 × max} held at once. */
  static final class Replayed {
    private final int max;
    private final Set<Long> wanted;
    private long floor; // keep only ts > floor
    long[] ts = new long[1024];
    long[] sid = new long[1024];
    double[] val = new double[1024];
    int n;

    Replayed(long sinceMillis, int max, Set<Long> wanted) {
      this.floor = sinceMillis;
      this.max = max;
      this.wanted = wanted;
    }

    void add(RowSet<Row> rows) {
      for (Row r : rows) {
        Long[] t = r.getArrayOfLongs(2);
        Double[] v = r.getArrayOfDoubles(3);
        Long one = r.getLong(0);
        if (one != null) {
          for (int i = 0; i < t.length; i++) add(t[i], one, v[i]);
        } else {
          Long[] s = r.getArrayOfLongs(1);
          for (int i = 0; i < t.length; i++) if (wanted.contains(s[i])) add(t[i], s[i], v[i]);
        }
      }
    }

    void add(long t, long s, double v) {
      if (t <= floor) return;
      if (n == ts.length) {
        if (n >= 2L * max) trim();
        if (n == ts.length) {
          int cap = (int) Math.min(Integer.MAX_VALUE - 8, Math.max(n * 2L, 16));
          ts = Arrays.copyOf(ts, cap);
          sid = Arrays.copyOf(sid, cap);
          val = Arrays.copyOf(val, cap);
        }
        if (t <= floor) return;
      }
      ts[n] = t;
      sid[n] = s;
      val[n] = v;
      n++;
    }

    /** Drops all but (about) the newest {@code max}: raises the floor below the max-th newest time. */
    private void trim() {
      long[] sorted = Arrays.copyOf(ts, n);
      Arrays.sort(sorted);
      long cut = sorted[n - max]; // keep t >= cut
      floor = cut - 1;
      int k = 0;
      for (int i = 0; i < n; i++) {
        if (ts[i] > floor) {
          ts[k] = ts[i];
          sid[k] = sid[i];
          val[k] = val[i];
          k++;
        }
      }
      n = k;
    }

    /** Indexes of the newest {@code max} samples, by time then series id. */
    int[] ordered() {
      Integer[] idx = new Integer[n];
      for (int i = 0; i < n; i++) idx[i] = i;
      Arrays.sort(idx, (a, b) -> ts[a] != ts[b] ? Long.compare(ts[a], ts[b]) : Long.compare(sid[a], sid[b]));
      int keep = Math.min(n, max);
      int[] out = new int[keep];
      for (int i = 0; i < keep; i++) out[i] = idx[n - keep + i];
      return out;
    }
  }
}
