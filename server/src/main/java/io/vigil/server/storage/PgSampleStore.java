package io.vigil.server.storage;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;
import io.vigil.collectors.SampleSink;
import io.vigil.collectors.SinkUnavailableException;
import io.vigil.rules.Sample;
import io.vigil.rules.SampleBatch;
import io.vigil.rules.SeriesKey;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Durable sample storage: one transaction per batch, at most two round trips whatever its size
 * (new series upserted with {@code unnest}, then all samples inserted with {@code unnest}).
 *
 * <p>Series ids are cached after their transaction commits, never before, so a rolled-back batch
 * cannot leave an id in the cache that does not exist. At most {@code maxInFlight} batches are
 * written at once; beyond that {@link #accept} fails at once with {@link SinkUnavailableException}
 * (503 + Retry-After at the door) rather than queueing without bound. Thread-safe, non-blocking.
 */
public final class PgSampleStore implements SampleSink {
  private static final String UPSERT_SERIES =
      "INSERT INTO series (key, metric, labels) SELECT k, m, l::jsonb FROM unnest($1::text[], $2::text[], $3::text[]) AS u(k, m, l) "
          + "ON CONFLICT (vigil_key_hash(key)) DO UPDATE SET key = EXCLUDED.key RETURNING id, key";
  private static final String INSERT_SAMPLES =
      "INSERT INTO samples (time, series_id, value) "
          + "SELECT timestamptz 'epoch' + t * interval '1 millisecond', s, v FROM unnest($1::int8[], $2::int8[], $3::float8[]) AS u(t, s, v)";

  private final Pool pool;
  private final int maxInFlight;
  private final Map<SeriesKey, Long> seriesIds = new ConcurrentHashMap<>();
  private final AtomicInteger inFlight = new AtomicInteger();

  public PgSampleStore(Pool pool, int maxInFlight, MeterRegistry registry) {
    this.pool = pool;
    this.maxInFlight = maxInFlight;
    Gauge.builder("vigil_storage_inflight_batches", inFlight, AtomicInteger::get).description("sample batches being written").register(registry);
    Gauge.builder("vigil_storage_series_cached", seriesIds, Map::size).description("series ids held in memory").register(registry);
  }

  /**
   * Whether this series is stored (its id is cached after a committed batch, or was preloaded at
   * start). The cardinality guard's idea of "new series". Thread-safe, one map lookup.
   */
  public boolean knows(SeriesKey k) {
    return seriesIds.containsKey(k);
  }

  @Override
  public Future<Void> accept(SampleBatch batch) {
    if (inFlight.incrementAndGet() > maxInFlight) {
      inFlight.decrementAndGet();
      return Future.failedFuture(new SinkUnavailableException(
          "storage is behind (" + maxInFlight + " batches already being written)", 1, null));
    }
    Map<SeriesKey, Long> fresh = new HashMap<>();
    return pool.withTransaction(conn -> write(conn, batch, fresh))
        .andThen(ar -> inFlight.decrementAndGet())
        .map(v -> {
          seriesIds.putAll(fresh); // committed: now safe to remember
          return (Void) null;
        })
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
      return new io.vigil.collectors.SinkRejectedException(pg.getErrorMessage() + " (SQLSTATE " + pg.getSqlState() + ")", t);
    }
    return new SinkUnavailableException("database write failed: " + t.getMessage(), 2, t);
  }

  private Future<Void> write(SqlConnection conn, SampleBatch batch, Map<SeriesKey, Long> fresh) {
    Map<String, SeriesKey> missing = new LinkedHashMap<>();
    for (Sample s : batch.samples()) {
      SeriesKey k = s.series();
      if (!seriesIds.containsKey(k)) missing.putIfAbsent(k.toString(), k);
    }
    Future<Void> ids = Future.succeededFuture();
    if (!missing.isEmpty()) {
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
            return null;
          });
    }
    return ids.compose(v -> {
      int n = batch.size();
      Long[] ts = new Long[n];
      Long[] sid = new Long[n];
      Double[] val = new Double[n];
      for (int i = 0; i < n; i++) {
        Sample s = batch.samples().get(i);
        SeriesKey k = s.series();
        Long id = seriesIds.get(k);
        if (id == null) id = fresh.get(k);
        ts[i] = s.timestampMillis();
        sid[i] = id;
        val[i] = s.value();
      }
      return conn.preparedQuery(INSERT_SAMPLES).execute(Tuple.of(ts, sid, val)).mapEmpty();
    });
  }

  /**
   * Replays the stored samples of {@code metrics} since {@code since}, oldest first, in pages handed
   * to {@code consumer} (the next page is read only when the consumer's future completes: the reader
   * never runs ahead of the engine). Stops after {@code max} samples (the newest are the ones that
   * matter, so a cap that bites starts the replay later, not earlier). Completes with the count.
   */
  public Future<Long> replay(java.util.Set<String> metrics, java.time.Instant since, int max,
      java.util.function.Function<SampleBatch, Future<Void>> consumer) {
    if (metrics.isEmpty() || max == 0) return Future.succeededFuture(0L);
    String[] names = metrics.toArray(String[]::new);
    return pool.preparedQuery("SELECT id, metric, labels FROM series WHERE metric = ANY($1)").execute(Tuple.of((Object) names))
        .compose(rows -> {
          Map<Long, SeriesKey> byId = new HashMap<>();
          for (Row r : rows) {
            Map<String, String> labels = new java.util.TreeMap<>();
            r.getJsonObject("labels").forEach(e -> labels.put(e.getKey(), String.valueOf(e.getValue())));
            byId.put(r.getLong("id"), new SeriesKey(r.getString("metric"), io.vigil.rules.Labels.of(labels)));
          }
          if (byId.isEmpty()) return Future.succeededFuture(0L);
          Long[] ids = byId.keySet().toArray(Long[]::new);
          // Start late enough that at most `max` samples follow.
          return pool.preparedQuery("SELECT time FROM samples WHERE series_id = ANY($1) AND time > $2 ORDER BY time DESC OFFSET $3 LIMIT 1")
              .execute(Tuple.of(ids, since.atOffset(java.time.ZoneOffset.UTC), max))
              .compose(cut -> {
                java.time.OffsetDateTime from = cut.size() == 1 ? cut.iterator().next().getOffsetDateTime(0) : since.atOffset(java.time.ZoneOffset.UTC);
                return page(ids, byId, from, -1L, 0L, consumer);
              });
        });
  }

  private static final int REPLAY_PAGE = 10_000;

  private Future<Long> page(Long[] ids, Map<Long, SeriesKey> byId, java.time.OffsetDateTime afterTime, long afterId, long done,
      java.util.function.Function<SampleBatch, Future<Void>> consumer) {
    return pool.preparedQuery("SELECT time, series_id, value FROM samples WHERE series_id = ANY($1) AND (time, series_id) > ($2, $3) "
            + "ORDER BY time, series_id LIMIT " + REPLAY_PAGE)
        .execute(Tuple.of(ids, afterTime, afterId))
        .compose(rows -> {
          if (rows.size() == 0) return Future.succeededFuture(done);
          List<Sample> batch = new ArrayList<>(rows.size());
          java.time.OffsetDateTime lastTime = null;
          long lastId = 0;
          for (Row r : rows) {
            lastTime = r.getOffsetDateTime(0);
            lastId = r.getLong(1);
            SeriesKey k = byId.get(lastId);
            batch.add(new Sample(k.metric(), k.labels(), r.getDouble(2), lastTime.toInstant().toEpochMilli()));
          }
          java.time.OffsetDateTime t = lastTime;
          long id = lastId;
          long total = done + rows.size();
          return consumer.apply(new SampleBatch(batch))
              .compose(v -> rows.size() < REPLAY_PAGE ? Future.succeededFuture(total) : page(ids, byId, t, id, total, consumer));
        });
  }
}
