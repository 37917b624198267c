package io.vigil.server.storage;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

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
    final long sid;
    long[] ts;
    double[] v;
    int n;

    /** {@code capacity}: this series' count in the previous flush (a fleet's rates are steady), or 8. */
    Buf(long sid, int capacity) {
      this.sid = sid;
      ts = new long[capacity];
      v = new double[capacity];
    }

    void add(long t, double value) {
      if (n == ts.length) {
        int grown = n + (n >> 2) + 8;
        ts = Arrays.copyOf(ts, grown);
        v = Arrays.copyOf(v, grown);
      }
      ts[n] = t;
      v[n] = value;
      n++;
    }
  }

  /**
   * The buffers by series id: open addressing on the primitive id (an empty slot is null), so an
   * append boxes nothing and allocates no map node; it is on the path of every stored sample.
   */
  private Buf[] bufs = new Buf[1024];
  private int series;
  /**
   * The table the last {@link #take()} handed over: its counts size this flush's buffers, so a
   * series' buffer is usually made once at the size it needs (no growth copies, no slack to hold),
   * and a full one is handed to its chunk without a copy. Only its {@code sid} and {@code n} are read
   * (both fixed once taken); {@code take} drops its arrays once split.
   */
  private Buf[] previous;
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
      buf(seriesIds[i]).add(ts[i], values[i]);
    }
    samples += seriesIds.length;
  }

  private Buf buf(long sid) {
    int mask = bufs.length - 1;
    for (int i = slot(sid, mask); ; i = (i + 1) & mask) {
      Buf b = bufs[i];
      if (b == null) {
        if (2 * (series + 1) > bufs.length) {
          grow();
          return buf(sid);
        }
        series++;
        return bufs[i] = new Buf(sid, capacity(sid));
      }
      if (b.sid == sid) return b;
    }
  }

  private int capacity(long sid) {
    if (previous != null) {
      int mask = previous.length - 1;
      for (int i = slot(sid, mask); previous[i] != null; i = (i + 1) & mask) {
        if (previous[i].sid == sid) return Math.max(8, previous[i].n);
      }
    }
    return 8;
  }

  private static int slot(long sid, int mask) {
    long h = sid * 0x9E3779B97F4A7C15L;
    return (int) (h ^ (h >>> 32)) & mask;
  }

  private void grow() {
    Buf[] old = bufs;
    bufs = new Buf[old.length * 2];
    int mask = bufs.length - 1;
    for (Buf b : old) {
      if (b == null) continue;
      int i = slot(b.sid, mask);
      while (bufs[i] != null) i = (i + 1) & mask;
      bufs[i] = b;
    }
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
    Buf[] held;
    int count;
    long[] ids;
    long n;
    synchronized (this) {
      if (logCount == 0) return null;
      held = bufs;
      ids = Arrays.copyOf(logIds, logCount);
      n = samples;
      count = series;
      // The next flush's table starts at this one's size: a fleet's series come back every flush.
      bufs = new Buf[held.length];
      previous = held;
      series = 0;
      logCount = 0;
      samples = 0;
    }
    List<Chunk> chunks = new ArrayList<>(count + 16);
    for (Buf b : held) {
      if (b == null) continue;
      split(b.sid, b.ts, b.v, b.n, chunks);
      b.ts = null;
      b.v = null;
    }
    return new Snapshot(ids, chunks, n);
  }

  /**
   * Orders one series' samples by time (stable: equal times keep arrival order) and cuts them at UTC
   * midnights. The chunks may share {@code ts} and {@code v}: the caller gives them up.
   */
  static void split(long sid, long[] ts, double[] v, int n, List<Chunk> out) {
    boolean sorted = true;
    for (int i = 1; i < n && sorted; i++) sorted = ts[i - 1] <= ts[i];
    // Sorted and exactly full: the buffer becomes the chunk (the caller does not use it again).
    boolean whole = sorted && n == ts.length && n == v.length;
    long[] t = whole ? ts : Arrays.copyOf(ts, n);
    double[] x = whole ? v : Arrays.copyOf(v, n);
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
