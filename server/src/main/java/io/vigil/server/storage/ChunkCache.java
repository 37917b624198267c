package io.vigil.server.storage;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The samples of committed {@code sample_log} rows, grouped by series, waiting for the next flush
 * into {@code sample_chunks} (InfluxDB's cache in front of its TSM files, with PostgreSQL's
 * {@code sample_log} as the WAL). Holds exactly the samples of the log rows it names: a row's
 * samples and its id are added together, and {@link #take()} hands both over together.
 *
 * <p>Thread-safe (appends come from any event loop; one lock, held for the copy into primitive
 * arrays). Memory: 16 bytes per sample plus a small per-series overhead.
 */
final class ChunkCache {
  static final long DAY_MILLIS = 86_400_000L;

  /** One series' samples of a flush, time-ordered, within one UTC day. */
  record Chunk(long seriesId, long[] ts, double[] values) {
    long tMin() {
      return ts[0];
    }

    long tMax() {
      return ts[ts.length - 1];
    }
  }

  /** What one flush writes: the chunks, and the log rows they replace. */
  record Snapshot(long[] logIds, List<Chunk> chunks, long samples) {}

  private static final class Buf {
    long[] ts = new long[8];
    double[] v = new double[8];
    int n;

    void add(long t, double value) {
      if (n == ts.length) {
        ts = Arrays.copyOf(ts, n * 2);
        v = Arrays.copyOf(v, n * 2);
      }
      ts[n] = t;
      v[n] = value;
      n++;
    }
  }

  private Map<Long, Buf> bufs = new HashMap<>();
  private long[] logIds = new long[64];
  private int logCount;
  private long samples;
  private long firstAppendNanos;

  /** Adds the samples of committed log row {@code logId}. */
  synchronized void append(long logId, long[] seriesIds, long[] ts, double[] values) {
    if (logCount == 0) firstAppendNanos = System.nanoTime();
    if (logCount == logIds.length) logIds = Arrays.copyOf(logIds, logCount * 2);
    logIds[logCount++] = logId;
    for (int i = 0; i < seriesIds.length; i++) {
      bufs.computeIfAbsent(seriesIds[i], k -> new Buf()).add(ts[i], values[i]);
    }
    samples += seriesIds.length;
  }

  synchronized long samples() {
    return samples;
  }

  synchronized int logRows() {
    return logCount;
  }

  /** Nanoseconds since the oldest sample held was added; 0 when empty. */
  synchronized long ageNanos(long nowNanos) {
    return logCount == 0 ? 0 : nowNanos - firstAppendNanos;
  }

  /** Hands over everything held (null when empty) and starts empty. */
  Snapshot take() {
    Map<Long, Buf> held;
    long[] ids;
    long n;
    synchronized (this) {
      if (logCount == 0) return null;
      held = bufs;
      ids = Arrays.copyOf(logIds, logCount);
      n = samples;
      bufs = new HashMap<>();
      logCount = 0;
      samples = 0;
    }
    List<Chunk> chunks = new ArrayList<>(held.size() + 16);
    held.forEach((sid, b) -> split(sid, b.ts, b.v, b.n, chunks));
    return new Snapshot(ids, chunks, n);
  }

  /** Orders one series' samples by time (stable: equal times keep arrival order) and cuts them at UTC midnights. */
  static void split(long sid, long[] ts, double[] v, int n, List<Chunk> out) {
    boolean sorted = true;
    for (int i = 1; i < n && sorted; i++) sorted = ts[i - 1] <= ts[i];
    long[] t = Arrays.copyOf(ts, n);
    double[] x = Arrays.copyOf(v, n);
    if (!sorted) {
      Integer[] order = new Integer[n];
      for (int i = 0; i < n; i++) order[i] = i;
      Arrays.sort(order, (a, b) -> Long.compare(ts[a], ts[b]));
      for (int i = 0; i < n; i++) {
        t[i] = ts[order[i]];
        x[i] = v[order[i]];
      }
    }
    int from = 0;
    for (int i = 1; i <= n; i++) {
      if (i == n || Math.floorDiv(t[i], DAY_MILLIS) != Math.floorDiv(t[from], DAY_MILLIS)) {
        out.add(from == 0 && i == n ? new Chunk(sid, t, x) : new Chunk(sid, Arrays.copyOfRange(t, from, i), Arrays.copyOfRange(x, from, i)));
        from = i;
      }
    }
  }
}
