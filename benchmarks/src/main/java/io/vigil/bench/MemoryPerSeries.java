package io.vigil.bench;

import io.vigil.rules.Labels;
import io.vigil.rules.Sample;
import io.vigil.rules.expr.ChangeSink;
import io.vigil.rules.expr.Expr;
import io.vigil.rules.expr.ExprRuntime;
import io.vigil.rules.expr.RuntimeOptions;
import java.util.List;

/**
 * Heap per active series: used heap after GC with the fleet's labels alone, then with a runtime
 * holding every series with a 5-minute window at 10 s resolution (31 samples fed). Labels are
 * excluded (ingest holds them anyway). Run: java -cp benchmarks/target/benchmarks.jar io.vigil.bench.MemoryPerSeries
 */
public final class MemoryPerSeries {
  public static void main(String[] args) {
    Fleet fleet = new Fleet();
    long base = usedAfterGc();
    List<Expr> rules = Fleet.rules(m -> new String[] {"avg_over_time(%s[5m]) > 80", "%s > 90"});
    ExprRuntime rt = new ExprRuntime(rules, RuntimeOptions.defaults());
    long ts = 1_700_000_000_000L;
    for (int round = 0; round < 31; round++, ts += 10_000) {
      for (int i = 0; i < Fleet.SERIES; i++) {
        rt.accept(new Sample(fleet.metric[i], fleet.labels[i], (i + round) % 100, ts), ChangeSink.NONE);
      }
      rt.advance(ts, ChangeSink.NONE);
    }
    long used = usedAfterGc() - base;
    long samples = rt.stats().windowSamplesHeld();
    double perSeries = (double) used / Fleet.SERIES;
    double windowPart = 16.0 * samples / Fleet.SERIES; // 8 bytes timestamp + 8 bytes value
    System.out.printf("series=%d windowSamples=%d (%.1f per series) firing(rule 1)=%d%n", Fleet.SERIES, samples,
        (double) samples / Fleet.SERIES, rt.current(1).size());
    System.out.printf("heap per series: %.0f bytes total, %.0f bytes window payload, %.0f bytes overhead%n",
        perSeries, windowPart, perSeries - windowPart);
    System.out.printf("estimatedBytes from stats(): %d (%.0f per series)%n", rt.stats().estimatedBytes(),
        (double) rt.stats().estimatedBytes() / Fleet.SERIES);
    if (fleet.labels.length == 0 || rt.stats().seriesHeld() == 0) System.out.println("unused"); // keep both reachable
  }

  private static long usedAfterGc() {
    Runtime r = Runtime.getRuntime();
    for (int i = 0; i < 5; i++) {
      System.gc();
      try {
        Thread.sleep(100);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    return r.totalMemory() - r.freeMemory();
  }
}
