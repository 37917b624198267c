package io.vigil.server.storage;

import static org.junit.jupiter.api.Assertions.*;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class ChunkCacheTest {
  private static final long DAY = ChunkCache.DAY_MILLIS;

  @Test
  void takeHandsOverEveryAppendedSampleGroupedBySeriesWithTheLogIdsAndStartsEmpty() {
    ChunkCache c = new ChunkCache();
    assertNull(c.take(), "nothing held, nothing to flush");
    c.append(7, new long[] {1, 2, 1}, new long[] {100, 100, 200}, new double[] {1.5, 2.5, 3.5});
    c.append(9, new long[] {2}, new long[] {300}, new double[] {4.5});
    assertEquals(4, c.samples());
    assertEquals(2, c.logRows());

    ChunkCache.Snapshot s = c.take();
    assertArrayEquals(new long[] {7, 9}, s.logIds());
    assertEquals(4, s.samples());
    ChunkCache.Chunk one = s.chunks().stream().filter(k -> k.seriesId() == 1).findFirst().orElseThrow();
    ChunkCache.Chunk two = s.chunks().stream().filter(k -> k.seriesId() == 2).findFirst().orElseThrow();
    assertArrayEquals(new long[] {100, 200}, one.ts());
    assertArrayEquals(new double[] {1.5, 3.5}, one.values());
    assertArrayEquals(new long[] {100, 300}, two.ts());
    assertArrayEquals(new double[] {2.5, 4.5}, two.values());
    assertEquals(0, c.samples());
    assertEquals(0, c.logRows());
    assertNull(c.take());
  }

  @Test
  void outOfOrderSamplesAreSortedByTimeAndEqualTimesKeepArrivalOrder() {
    List<ChunkCache.Chunk> out = new ArrayList<>();
    ChunkCache.split(5, new long[] {300, 100, 200, 100}, new double[] {3, 1, 2, 1.1}, 4, out);
    assertEquals(1, out.size());
    assertArrayEquals(new long[] {100, 100, 200, 300}, out.get(0).ts());
    assertArrayEquals(new double[] {1, 1.1, 2, 3}, out.get(0).values());
    assertEquals(100, out.get(0).tMin());
    assertEquals(300, out.get(0).tMax());
  }

  @Test
  void aChunkNeverSpansAUtcMidnight() {
    long midnight = 20_000 * DAY;
    List<ChunkCache.Chunk> out = new ArrayList<>();
    long[] ts = {midnight - 2, midnight - 1, midnight, midnight + 1, midnight + DAY + 5};
    ChunkCache.split(5, ts, new double[] {1, 2, 3, 4, 5}, 5, out);
    assertEquals(3, out.size());
    assertArrayEquals(new long[] {midnight - 2, midnight - 1}, out.get(0).ts());
    assertArrayEquals(new long[] {midnight, midnight + 1}, out.get(1).ts());
    assertArrayEquals(new double[] {3, 4}, out.get(1).values());
    assertArrayEquals(new long[] {midnight + DAY + 5}, out.get(2).ts());
    // Before 1970 too (floor, not truncation, of the day number).
    out.clear();
    ChunkCache.split(6, new long[] {-1, 0}, new double[] {1, 2}, 2, out);
    assertEquals(2, out.size());
  }

  @Test
  void randomAppendsComeOutAsTheSameMultisetPerSeriesSortedWithinADay() {
    Random r = new Random(Long.getLong("vigil.props.seed", 42L));
    // One cache for all rounds: every round is a flush, its buffers sized from the one before; a
    // round's chunks are checked after the next round's appends (a handed-over buffer is not reused).
    ChunkCache c = new ChunkCache();
    ChunkCache.Snapshot last = null;
    List<long[]> lastExpected = null;
    long clock = 3 * DAY;
    for (int round = 0; round < 200; round++) {
      int series = 1 + r.nextInt(20);
      boolean inOrder = r.nextBoolean();
      List<long[]> expected = new ArrayList<>(); // {sid, ts, value bits}
      int rows = 1 + r.nextInt(10);
      for (int row = 0; row < rows; row++) {
        int n = r.nextInt(50);
        long[] sids = new long[n];
        long[] ts = new long[n];
        double[] vs = new double[n];
        for (int i = 0; i < n; i++) {
          sids[i] = r.nextInt(series);
          ts[i] = inOrder ? clock++ : 3 * DAY + (long) (r.nextGaussian() * DAY);
          vs[i] = r.nextDouble();
          expected.add(new long[] {sids[i], ts[i], Double.doubleToLongBits(vs[i])});
        }
        c.append(round * 100L + row, sids, ts, vs);
      }
      if (last != null) check(last, lastExpected);
      ChunkCache.Snapshot s = c.take();
      if (expected.isEmpty()) {
        assertTrue(s == null || s.samples() == 0);
        last = null;
        continue;
      }
      check(s, expected);
      last = s;
      lastExpected = expected;
    }
  }

  private static void check(ChunkCache.Snapshot s, List<long[]> expected) {
    List<long[]> got = new ArrayList<>();
    for (ChunkCache.Chunk k : s.chunks()) {
      long day = Math.floorDiv(k.tMin(), DAY);
      for (int i = 0; i < k.ts().length; i++) {
        if (i > 0) assertTrue(k.ts()[i - 1] <= k.ts()[i], "sorted within a chunk");
        assertEquals(day, Math.floorDiv(k.ts()[i], DAY), "one day per chunk");
        got.add(new long[] {k.seriesId(), k.ts()[i], Double.doubleToLongBits(k.values()[i])});
      }
    }
    java.util.Comparator<long[]> cmp = Arrays::compare;
    expected.sort(cmp);
    got.sort(cmp);
    assertEquals(expected.size(), got.size());
    for (int i = 0; i < got.size(); i++) assertArrayEquals(expected.get(i), got.get(i));
    assertEquals(expected.size(), s.samples());
  }
}
