package io.vigil.rules.expr;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vigil.rules.Labels;
import io.vigil.rules.Sample;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ExprRuntimeTest {
  private static final long T0 = 1_700_000_000_000L;
  private static final Labels A = Labels.of("customer", "acme", "system", "crm");
  private static final Labels B = Labels.of("customer", "acme", "system", "erp");
  private static final Labels C = Labels.of("customer", "globex", "system", "web");

  private final Recorder rec = new Recorder();

  private static ExprRuntime runtime(String... exprs) {
    return new ExprRuntime(List.of(exprs).stream().map(Expr::parse).toList(), RuntimeOptions.defaults());
  }

  private void feed(ExprRuntime rt, String metric, Labels l, double v, long t) {
    rt.accept(new Sample(metric, l, v, t), rec);
  }

  private static String set(int i, Labels l, double v) {
    return i + " set " + l + " " + v;
  }

  private static String removed(int i, Labels l) {
    return i + " removed " + l;
  }

  @Test
  void thresholdReportsOnlyAppearChangeAndDisappear() {
    ExprRuntime rt = runtime("cpu{customer=\"acme\"} > 90");
    feed(rt, "cpu", A, 50, T0);
    assertEquals(List.of(), rec.take());
    feed(rt, "cpu", A, 95, T0 + 1000);
    assertEquals(List.of(set(0, A, 95)), rec.take());
    feed(rt, "cpu", A, 95, T0 + 2000);
    assertEquals(List.of(), rec.take(), "same value: no change");
    feed(rt, "cpu", A, 97, T0 + 3000);
    assertEquals(List.of(set(0, A, 97)), rec.take());
    feed(rt, "cpu", C, 99, T0 + 3000);
    assertEquals(List.of(), rec.take(), "globex is not selected");
    feed(rt, "cpu", A, 10, T0 + 4000);
    assertEquals(List.of(removed(0, A)), rec.take());
  }

  @Test
  void hysteresisPairFiresHighAndClearsLow() {
    // The pair a rule engine uses for hysteresis: fire above 90, clear below 80.
    ExprRuntime rt = runtime("cpu > 90", "cpu < 80");
    feed(rt, "cpu", A, 85, T0);
    assertEquals(List.of(), rec.take());
    feed(rt, "cpu", A, 92, T0 + 1);
    assertEquals(List.of(set(0, A, 92)), rec.take());
    feed(rt, "cpu", A, 79, T0 + 2);
    assertEquals(List.of(removed(0, A), set(1, A, 79)), rec.take());
  }

  @Test
  void boolKeepsEveryElementWithZeroOrOne() {
    ExprRuntime rt = runtime("cpu > bool 90");
    feed(rt, "cpu", A, 50, T0);
    feed(rt, "cpu", A, 95, T0 + 1);
    assertEquals(List.of(set(0, A, 0), set(0, A, 1)), rec.take());
  }

  @Test
  void outOfOrderSampleIsDroppedAndCountedAndSameTimestampReplaces() {
    ExprRuntime rt = runtime("cpu > 90");
    feed(rt, "cpu", A, 95, T0 + 1000);
    feed(rt, "cpu", A, 10, T0);
    assertEquals(Map.of(A, 95.0), rt.current(0));
    assertEquals(1, rt.stats().outOfOrderDropped());
    feed(rt, "cpu", A, 10, T0 + 1000);
    assertEquals(Map.of(), rt.current(0), "last write wins for the same timestamp");
  }

  @Test
  void staleSeriesLeavesInstantSelectionAfterLookback() {
    ExprRuntime rt = runtime("cpu > 90");
    feed(rt, "cpu", A, 95, T0);
    rec.take();
    assertEquals(T0 + Duration.ofMinutes(5).toMillis(), rt.nextDeadline());
    rt.advance(T0 + Duration.ofMinutes(5).toMillis() - 1, rec);
    assertEquals(List.of(), rec.take());
    rt.advance(T0 + Duration.ofMinutes(5).toMillis(), rec);
    assertEquals(List.of(removed(0, A)), rec.take());
    assertEquals(Long.MAX_VALUE, rt.nextDeadline());
    assertEquals(0, rt.stats().seriesHeld(), "a forgotten series costs nothing");
  }

  @Test
  void sampleRefreshingASeriesPostponesStaleness() {
    ExprRuntime rt = runtime("cpu > 90");
    feed(rt, "cpu", A, 95, T0);
    feed(rt, "cpu", A, 96, T0 + 60_000);
    rec.take();
    rt.advance(T0 + 300_000, rec);
    assertEquals(List.of(), rec.take());
    assertEquals(T0 + 360_000, rt.nextDeadline());
  }

  @Test
  void wakeupIsNeverLaterThanTheDeadlineAndWakingEarlyChangesNothing() {
    ExprRuntime rt = runtime("cpu > 90", "avg_over_time(cpu[2m]) > 50", "absent_over_time(cpu[3m])");
    java.util.Random r = new java.util.Random(Long.getLong("vigil.props.seed", 7L));
    Labels[] series = {A, B, C};
    long t = T0;
    for (int round = 0; round < 300; round++) {
      t += r.nextInt(20_000);
      feed(rt, "cpu", series[r.nextInt(3)], r.nextInt(100), t);
      assertTrue(rt.nextWakeup() <= rt.nextDeadline(), "wake-up before the deadline");
      if (r.nextInt(10) == 0) {
        // Wake at every early bound until the real deadline: no change is reported before it.
        long deadline = rt.nextDeadline();
        rec.take();
        while (rt.nextWakeup() < deadline) {
          long w = Math.max(t, rt.nextWakeup());
          rt.advance(w, rec);
          t = w;
          assertEquals(List.of(), rec.take(), "an early wake-up reports nothing");
          assertEquals(deadline, rt.nextDeadline(), "and moves no deadline");
        }
      }
    }
    // Samples that postpone staleness leave the heap's head early: the bound is cheap, not exact.
    ExprRuntime one = runtime("cpu > 90");
    feed(one, "cpu", A, 95, T0);
    feed(one, "cpu", A, 96, T0 + 60_000);
    assertEquals(T0 + 300_000, one.nextWakeup());
    assertEquals(T0 + 360_000, one.nextDeadline());
  }

  @Test
  void absentOverTimeReportsEachSilentSeriesViaAdvance() {
    ExprRuntime rt = runtime("nodata(heartbeat[2m])", "absent_over_time(heartbeat{customer=\"acme\"}[2m])");
    feed(rt, "heartbeat", A, 1, T0);
    feed(rt, "heartbeat", C, 1, T0);
    assertEquals(List.of(), rec.take());
    feed(rt, "heartbeat", C, 1, T0 + 90_000);
    assertEquals(T0 + 120_000, rt.nextDeadline());
    rt.advance(T0 + 120_000, rec);
    assertEquals(List.of(set(0, A, 1), set(1, A, 1)), rec.take(), "only acme/crm went silent");
    rt.advance(T0 + 210_000, rec);
    assertEquals(List.of(set(0, C, 1)), rec.take());
    feed(rt, "heartbeat", A, 1, T0 + 211_000);
    assertEquals(List.of(removed(0, A), removed(1, A)), rec.take());
    rt.advance(T0 + 3_600_000, rec);
    assertEquals(Map.of(A, 1.0, C, 1.0), rt.current(0), "silent series stay reported");
  }

  @Test
  void rangeFunctionWindowSlidesWithEngineTime() {
    ExprRuntime rt = runtime("count_over_time(x[1m])");
    feed(rt, "x", A, 1, T0);
    feed(rt, "x", A, 1, T0 + 30_000);
    assertEquals(Map.of(A, 2.0), rt.current(0));
    assertEquals(T0 + 60_000, rt.nextDeadline());
    rt.advance(T0 + 60_000, rec);
    assertEquals(Map.of(A, 1.0), rt.current(0));
    rt.advance(T0 + 90_000, rec);
    assertEquals(Map.of(), rt.current(0));
    assertEquals(List.of(set(0, A, 1), set(0, A, 2), set(0, A, 1), removed(0, A)), rec.take());
  }

  @Test
  void rateHandlesCounterResets() {
    ExprRuntime rt = runtime("increase(requests[1m])");
    feed(rt, "requests", A, 10, T0);
    feed(rt, "requests", A, 20, T0 + 15_000);
    feed(rt, "requests", A, 5, T0 + 30_000); // reset: 20 -> 0 -> 5
    feed(rt, "requests", A, 15, T0 + 45_000);
    // raw increase 10 + 5 + 10 = 25 over 45 s; extrapolated to the 60 s range the Prometheus way.
    double v = rt.current(0).get(A);
    assertTrue(v > 25 && v <= 25 * 60 / 45.0 + 1e-9, "got " + v);
  }

  @Test
  void aggregationGroupsAppearChangeAndDisappear() {
    ExprRuntime rt = runtime("sum by (customer) (cpu)", "count(cpu > 50) >= 2");
    Labels acme = Labels.of("customer", "acme");
    Labels globex = Labels.of("customer", "globex");
    feed(rt, "cpu", A, 10, T0);
    feed(rt, "cpu", B, 60, T0);
    feed(rt, "cpu", C, 70, T0);
    assertEquals(Map.of(acme, 70.0, globex, 70.0), rt.current(0));
    assertEquals(Map.of(Labels.EMPTY, 2.0), rt.current(1));
    rec.take();
    feed(rt, "cpu", B, 5, T0 + 1000);
    assertEquals(List.of(set(0, acme, 15), removed(1, Labels.EMPTY)), rec.take());
    // Only C stays fresh: A and B go stale, the acme group disappears.
    feed(rt, "cpu", C, 71, T0 + 200_000);
    rec.take();
    rt.advance(T0 + 300_000, rec);
    assertEquals(List.of(set(0, acme, 5)), rec.take(), "A is stale, B (refreshed at +1s) not yet");
    rt.advance(T0 + 301_000, rec);
    assertEquals(List.of(removed(0, acme)), rec.take());
    assertEquals(Map.of(globex, 71.0), rt.current(0));
  }

  @Test
  void aggregationSuffixFormAndWithoutAndFunctionsInside() {
    ExprRuntime rt = runtime("max(rate(req[1m])) without (system)", "avg(cpu) by (customer)");
    feed(rt, "req", A, 0, T0);
    feed(rt, "req", A, 60, T0 + 60_000 - 1);
    assertEquals(1, rt.current(0).size());
    assertEquals(Labels.of("customer", "acme"), rt.current(0).keySet().iterator().next());
    feed(rt, "cpu", A, 10, T0);
    feed(rt, "cpu", B, 20, T0);
    assertEquals(Map.of(Labels.of("customer", "acme"), 15.0), rt.current(1));
  }

  @Test
  void vectorMatchingPairsElementsOneToOne() {
    ExprRuntime rt = runtime("errors / on(customer, system) requests > 0.1", "errors - requests");
    Labels a1 = A.with(Map.of("code", "500"));
    feed(rt, "errors", a1, 5, T0);
    feed(rt, "requests", A, 100, T0);
    assertEquals(Map.of(), rt.current(0));
    feed(rt, "errors", a1, 20, T0 + 1);
    assertEquals(Map.of(A, 0.2), rt.current(0), "result labels are the match key");
    feed(rt, "requests", A, 1000, T0 + 2);
    assertEquals(Map.of(), rt.current(0), "re-evaluated when the partner changes");
    assertEquals(Map.of(), rt.current(1), "default matching needs identical labels");
    feed(rt, "requests", a1, 1, T0 + 3);
    assertEquals(Map.of(a1, 19.0), rt.current(1));
  }

  @Test
  void ambiguousMatchKeyYieldsNothingForThatKeyOnly() {
    ExprRuntime rt = runtime("errors / on(customer) requests");
    feed(rt, "errors", A, 1, T0);
    feed(rt, "requests", A, 10, T0);
    feed(rt, "errors", C, 1, T0);
    feed(rt, "requests", C, 10, T0);
    feed(rt, "errors", B, 1, T0); // second acme element on the left
    assertEquals(Map.of(Labels.of("customer", "globex"), 0.1), rt.current(0));
  }

  @Test
  void andOrUnlessFilterByMatchKey() {
    ExprRuntime rt = runtime("cpu > 90 and on(customer, system) up == 1", "cpu > 90 unless on(customer, system) maintenance",
        "cpu > 90 or mem > 90");
    feed(rt, "cpu", A, 95, T0);
    assertEquals(Map.of(), rt.current(0));
    assertEquals(Map.of(A, 95.0), rt.current(1));
    assertEquals(Map.of(A, 95.0), rt.current(2));
    feed(rt, "up", A, 1, T0);
    assertEquals(Map.of(A, 95.0), rt.current(0));
    feed(rt, "maintenance", A.with(Map.of("by", "ops")), 1, T0);
    assertEquals(Map.of(), rt.current(1));
    feed(rt, "mem", A, 99, T0);
    feed(rt, "mem", B, 99, T0);
    assertEquals(Map.of(A, 95.0, B, 99.0), rt.current(2), "left wins where both sides have the key");
    feed(rt, "cpu", A, 10, T0 + 1);
    assertEquals(Map.of(A, 99.0, B, 99.0), rt.current(2), "the right element shows once the left one leaves");
  }

  @Test
  void sameSeriesOnBothSidesNeverReportsAHalfUpdatedState() {
    ExprRuntime rt = runtime("cpu > 50 and cpu < 90");
    feed(rt, "cpu", A, 70, T0);
    assertEquals(List.of(set(0, A, 70)), rec.take());
    feed(rt, "cpu", A, 95, T0 + 1);
    assertEquals(List.of(removed(0, A)), rec.take());
  }

  @Test
  void zscoreNeedsTwoSamplesAndSpread() {
    ExprRuntime rt = runtime("zscore(latency[10m])");
    feed(rt, "latency", A, 10, T0);
    assertEquals(Map.of(), rt.current(0));
    feed(rt, "latency", A, 10, T0 + 1000);
    assertEquals(Map.of(), rt.current(0), "stddev 0");
    feed(rt, "latency", A, 40, T0 + 2000);
    // mean 20, population stddev sqrt(200): (40 - 20) / 14.142...
    assertEquals(20 / Math.sqrt(200), rt.current(0).get(A), 1e-12);
  }

  @Test
  void seededElementIsRemovedByTheFirstEvaluationThatNoLongerYieldsIt() {
    ExprRuntime rt = runtime("cpu > 90", "sum by (customer) (cpu) > 100");
    rt.seed(0, A, 95, T0);
    rt.seed(1, Labels.of("customer", "acme"), 150, T0);
    assertEquals(Map.of(A, 95.0), rt.current(0));
    feed(rt, "cpu", A, 95, T0 + 1);
    // Expression 0 still yields A with the same value: nothing to report. The acme group now
    // sums to 95, not above 100: its first evaluation drops the seeded element.
    assertEquals(List.of(removed(1, Labels.of("customer", "acme"))), rec.take());
    feed(rt, "cpu", A, 20, T0 + 2);
    assertEquals(List.of(removed(0, A)), rec.take());
  }

  @Test
  void seededElementNothingTouchesGoesStaleAfterLookback() {
    ExprRuntime rt = runtime("cpu > 90");
    rt.seed(0, C, 99, T0);
    assertEquals(T0 + 300_000, rt.nextDeadline());
    rt.advance(T0 + 300_000, rec);
    assertEquals(List.of(removed(0, C)), rec.take());
  }

  @Test
  void reloadKeepsWindowsAndRetiresTheOldRuntime() {
    ExprRuntime rt = runtime("count_over_time(x[5m])");
    feed(rt, "x", A, 1, T0);
    feed(rt, "x", A, 1, T0 + 10_000);
    ExprRuntime next = rt.withExprs(List.of(Expr.parse("sum_over_time(x[5m]) > 1"), Expr.parse("y > 0")));
    assertThrows(IllegalStateException.class, () -> rt.accept(new Sample("x", A, 1, T0), rec));
    next.accept(new Sample("x", A, 1, T0 + 20_000), rec);
    assertEquals(Map.of(A, 3.0), next.current(0), "the window survived the reload");
  }

  @Test
  void windowIsBoundedByMaxSamplesPerSeries() {
    ExprRuntime rt = new ExprRuntime(List.of(Expr.parse("count_over_time(x[1h])")), new RuntimeOptions(4, Duration.ofMinutes(5)));
    for (int i = 0; i < 10; i++) feed(rt, "x", A, i, T0 + i * 1000L);
    assertEquals(Map.of(A, 4.0), rt.current(0));
    assertEquals(6, rt.stats().windowEvictions());
    assertEquals(4, rt.stats().windowSamplesHeld());
  }

  @Test
  void unselectedMetricsAreNotStored() {
    ExprRuntime rt = runtime("cpu > 90");
    feed(rt, "mem", A, 95, T0);
    assertEquals(0, rt.stats().seriesHeld());
    feed(rt, "cpu", A, 5, T0);
    assertEquals(1, rt.stats().seriesHeld());
    assertEquals(0, rt.stats().windowSamplesHeld(), "an instant selector keeps no window");
  }
}
