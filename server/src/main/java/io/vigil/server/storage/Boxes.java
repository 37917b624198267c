package io.vigil.server.storage;

/**
 * Boxes for the PostgreSQL client's array parameters ({@code Long[]}, {@code Double[]}), reusing a
 * box already made for an equal value. A direct-mapped cache of the last values seen: samples of a
 * batch or a flush mostly share timestamps (one scrape, one batch stamped on arrival) and often
 * values (0, 1, a constant gauge), so most boxes are found here instead of allocated, and boxing was
 * most of the allocation of a write. One instance per batch or flush; not thread-safe.
 */
final class Boxes {
  private static final int SLOTS = 512;
  private final Long[] longs = new Long[SLOTS];
  private final Double[] doubles = new Double[SLOTS];

  Long of(long x) {
    int i = slot(x);
    Long b = longs[i];
    if (b != null && b == x) return b;
    return longs[i] = x;
  }

  Double of(double x) {
    long bits = Double.doubleToRawLongBits(x);
    int i = slot(bits);
    Double b = doubles[i];
    if (b != null && Double.doubleToRawLongBits(b) == bits) return b;
    return doubles[i] = x;
  }

  Long[] of(long[] a) {
    Long[] b = new Long[a.length];
    for (int i = 0; i < a.length; i++) b[i] = of(a[i]);
    return b;
  }

  Double[] of(double[] a) {
    Double[] b = new Double[a.length];
    for (int i = 0; i < a.length; i++) b[i] = of(a[i]);
    return b;
  }

  private static int slot(long x) {
    long h = x * 0x9E3779B97F4A7C15L;
    return (int) (h >>> 55);
  }
}
