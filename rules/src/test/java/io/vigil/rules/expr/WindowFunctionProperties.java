package io.vigil.rules.expr;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vigil.rules.Labels;
import io.vigil.rules.Sample;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;

/**
 * Every window function against {@link NaiveWindow} over random series: out-of-order and duplicate
 * timestamps, random window lengths, counters with resets, windows sliding with engine time.
 */
class WindowFunctionProperties {
  private static final long T0 = 1_700_000_000_000L;
  private static final List<String> FUNCTIONS = List.of("avg_over_time", "min_over_time", "max_over_time",
      "sum_over_time", "count_over_time", "last_over_time", "quantile_over_time", "stddev_over_time",
      "rate", "increase", "delta", "deriv", "predict_linear", "zscore");
  private static final List<String> CONTENT_ONLY = FUNCTIONS.subList(0, 8);

  /** One step: sample for {@code series} {@code step} seconds after the previous one (negative: late). */
  record Step(int series, int step, int value) {}

  @Provide
  Arbitrary<List<Step>> steps() {
    return Combinators.combine(Arbitraries.integers().between(0, 2), Arbitraries.integers().between(-20, 40),
        Arbitraries.integers().between(-100, 1000)).as(Step::new).list().ofMaxSize(120);
  }

  @Provide
  Arbitrary<String> functions() {
    return Arbitraries.of(FUNCTIONS);
  }

  @Provide
  Arbitrary<String> contentOnly() {
    return Arbitraries.of(CONTENT_ONLY);
  }

  private static String expr(String f, long windowSeconds) {
    String sel = "m[" + windowSeconds + "s]";
    return switch (f) {
      case "quantile_over_time" -> "quantile_over_time(0.3, " + sel + ")";
      case "predict_linear" -> "predict_linear(" + sel + ", 600)";
      default -> f + "(" + sel + ")";
    };
  }

  private static double param(String f) {
    return f.equals("quantile_over_time") ? 0.3 : 600;
  }

  private static Labels labels(int series) {
    return Labels.of("host", "h" + series);
  }

  /** Counters (rate, increase) see a running total with resets; everything else the raw values. */
  private static double value(String f, Step s, Map<Integer, Double> counters) {
    if (!f.equals("rate") && !f.equals("increase")) return s.value();
    double c = counters.getOrDefault(s.series(), 0.0);
    c = s.value() < 0 ? -s.value() % 7 : c + s.value(); // a negative draw is a counter reset
    counters.put(s.series(), c);
    return c;
  }

  @Property(tries = 300)
  void windowFunctionsMatchTheNaiveReferenceAfterEverySample(
      @ForAll("functions") String f, @ForAll @IntRange(min = 1, max = 120) int windowSeconds,
      @ForAll("steps") List<Step> steps) {
    long w = windowSeconds * 1000L;
    ExprRuntime rt = new ExprRuntime(List.of(Expr.parse(expr(f, windowSeconds))), RuntimeOptions.defaults());
    Map<Integer, NaiveWindow> ref = new HashMap<>();
    Map<Integer, Double> counters = new HashMap<>();
    Map<Labels, Double> expected = new HashMap<>();
    long clock = T0;
    long dropped = 0;
    for (Step s : steps) {
      clock += s.step() * 1000L;
      double v = value(f, s, counters);
      NaiveWindow nw = ref.computeIfAbsent(s.series(), k -> new NaiveWindow());
      rt.accept(new Sample("m", labels(s.series()), v, clock), ChangeSink.NONE);
      if (!nw.add(clock, v)) {
        dropped++;
      } else {
        Double e = nw.eval(f, clock, w, param(f));
        if (e == null) expected.remove(labels(s.series()));
        else expected.put(labels(s.series()), e);
      }
      assertVectorsClose(expected, rt.current(0), f + " after " + s);
    }
    assertEquals(dropped, rt.stats().outOfOrderDropped());
  }

  @Property(tries = 200)
  void windowsSlideWithEngineTimeAndAbsenceFollowsSilence(
      @ForAll("contentOnly") String f, @ForAll @IntRange(min = 1, max = 60) int windowSeconds,
      @ForAll("steps") List<Step> steps) {
    long w = windowSeconds * 1000L;
    ExprRuntime rt = new ExprRuntime(List.of(Expr.parse(expr(f, windowSeconds)),
        Expr.parse("absent_over_time(m[" + windowSeconds + "s])")), new RuntimeOptions(1024, Duration.ofSeconds(30)));
    Map<Integer, NaiveWindow> ref = new HashMap<>();
    long clock = T0;
    long now = Long.MIN_VALUE;
    int maxLate = 20;
    for (Step s : steps) {
      clock += Math.max(0, s.step()) * 250L;
      // Late by up to maxLate seconds; engine time trails the clock by as much (see docs).
      long t = clock - Math.min(maxLate, Math.max(0, -s.step())) * 1000L;
      ref.computeIfAbsent(s.series(), k -> new NaiveWindow()).add(t, s.value());
      rt.accept(new Sample("m", labels(s.series()), s.value(), t), ChangeSink.NONE);
      if (s.value() % 3 == 0) {
        now = clock - maxLate * 1000L;
        rt.advance(now, ChangeSink.NONE);
        assertTrue(rt.nextDeadline() > now, "nothing due after advance");
      }
      Map<Labels, Double> expected = new HashMap<>();
      Map<Labels, Double> absent = new HashMap<>();
      for (Map.Entry<Integer, NaiveWindow> e : ref.entrySet()) {
        long at = Math.max(e.getValue().newest(), now);
        Double v = e.getValue().eval(f, at, w, param(f));
        if (v != null) expected.put(labels(e.getKey()), v);
        if (e.getValue().newest() + w <= now) absent.put(labels(e.getKey()), 1.0);
      }
      assertVectorsClose(expected, rt.current(0), f + " after " + s);
      assertEquals(absent, rt.current(1), "absent_over_time after " + s);
    }
  }

  @Property(tries = 100)
  void aFullWindowEvictsTheOldestSamplesFirst(@ForAll @IntRange(min = 2, max = 8) int max,
                                              @ForAll("steps") List<Step> steps) {
    ExprRuntime rt = new ExprRuntime(List.of(Expr.parse("sum_over_time(m[1h])")), new RuntimeOptions(max, Duration.ofHours(2)));
    Map<Integer, NaiveWindow> ref = new HashMap<>();
    long clock = T0;
    for (Step s : steps) {
      clock += Math.max(1, s.step()) * 1000L;
      NaiveWindow nw = ref.computeIfAbsent(s.series(), k -> new NaiveWindow());
      nw.add(clock, s.value());
      while (nw.ts.size() > max) {
        nw.ts.remove(0);
        nw.vs.remove(0);
      }
      rt.accept(new Sample("m", labels(s.series()), s.value(), clock), ChangeSink.NONE);
      assertTrue(NaiveWindow.close(nw.eval("sum_over_time", clock, 3_600_000L, 0), rt.current(0).get(labels(s.series()))));
    }
    long held = ref.values().stream().mapToLong(n -> n.ts.size()).sum();
    assertEquals(held, rt.stats().windowSamplesHeld());
  }

  static void assertVectorsClose(Map<Labels, Double> expected, Map<Labels, Double> actual, String what) {
    assertEquals(expected.keySet(), actual.keySet(), what);
    for (Map.Entry<Labels, Double> e : expected.entrySet()) {
      assertTrue(NaiveWindow.close(e.getValue(), actual.get(e.getKey())),
          what + ": " + e.getKey() + " expected " + e.getValue() + " got " + actual.get(e.getKey()));
    }
  }
}
