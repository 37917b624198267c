package io.vigil.rules.expr;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vigil.rules.Labels;
import io.vigil.rules.Sample;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.TestInfo;

/**
 * Every window function against {@link NaiveWindow} over random series: out-of-order and duplicate
 * timestamps, random window lengths, counters with resets, windows sliding with engine time,
 * absence, eviction. Seeds and replay: {@link Trials}.
 */
class WindowFunctionPropertyTest {
  private static final long T0 = 1_700_000_000_000L;
  private static final List<String> FUNCTIONS = List.of("avg_over_time", "min_over_time", "max_over_time",
      "sum_over_time", "count_over_time", "last_over_time", "quantile_over_time", "stddev_over_time",
      "rate", "increase", "delta", "deriv", "predict_linear", "zscore");
  private static final List<String> CONTENT_ONLY = FUNCTIONS.subList(0, 8);
  private static final Step.Ranges STEPS = new Step.Ranges(3, -20, 40, -100, 1000, 120);

  /** {@code steps} print as series±seconds:value; for rate and increase a negative value is a counter reset. */
  record WindowCase(String function, int windowSeconds, List<Step> steps) {
    static WindowCase random(Random r, List<String> functions, int maxWindowSeconds) {
      return new WindowCase(Step.oneOf(r, functions), Step.between(r, 1, maxWindowSeconds), Step.list(r, STEPS));
    }

    @Override
    public String toString() {
      return expr(function, windowSeconds) + ", " + steps.size() + " steps " + steps;
    }
  }

  /** A window function and an absence function over the same selector, with engine time advancing. */
  record SlidingCase(String function, String absence, int windowSeconds, List<Step> steps) {
    @Override
    public String toString() {
      return expr(function, windowSeconds) + " and " + absence + "(m[" + windowSeconds + "s]), " + steps.size() + " steps " + steps;
    }
  }

  record EvictionCase(int maxSamples, List<Step> steps) {
    @Override
    public String toString() {
      return "sum_over_time(m[1h]) keeping " + maxSamples + " samples, " + steps.size() + " steps " + steps;
    }
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

  @TestFactory
  Stream<DynamicTest> windowFunctionsMatchTheNaiveReferenceAfterEverySample(TestInfo info) {
    return Trials.of(info, 300, r -> WindowCase.random(r, FUNCTIONS, 120), c -> {
      String f = c.function();
      long w = c.windowSeconds() * 1000L;
      ExprRuntime rt = new ExprRuntime(List.of(Expr.parse(expr(f, c.windowSeconds()))), RuntimeOptions.defaults());
      ShadowSink shadow = new ShadowSink(1);
      Map<Integer, NaiveWindow> ref = new HashMap<>();
      Map<Integer, Double> counters = new HashMap<>();
      Map<Labels, Double> expected = new HashMap<>();
      long clock = T0;
      long dropped = 0;
      for (int i = 0; i < c.steps().size(); i++) {
        Step s = c.steps().get(i);
        clock += s.step() * 1000L;
        double v = value(f, s, counters);
        NaiveWindow nw = ref.computeIfAbsent(s.series(), k -> new NaiveWindow());
        rt.accept(new Sample("m", labels(s.series()), v, clock), shadow);
        if (!nw.add(clock, v)) {
          dropped++;
        } else {
          Double e = nw.eval(f, clock, w, param(f));
          if (e == null) expected.remove(labels(s.series()));
          else expected.put(labels(s.series()), e);
        }
        String what = f + " after step " + i + " (" + s + ")";
        assertVectorsClose(expected, rt.current(0), what);
        shadow.assertReplays(rt, what);
      }
      assertEquals(dropped, rt.stats().outOfOrderDropped(), "out-of-order samples dropped");
    });
  }

  @TestFactory
  Stream<DynamicTest> windowsSlideWithEngineTimeAndAbsenceFollowsSilence(TestInfo info) {
    return Trials.of(info, 200, r -> new SlidingCase(Step.oneOf(r, CONTENT_ONLY), Step.oneOf(r, List.of("absent_over_time", "nodata")),
        Step.between(r, 1, 60), Step.list(r, STEPS)), c -> {
      String f = c.function();
      long w = c.windowSeconds() * 1000L;
      ExprRuntime rt = new ExprRuntime(List.of(Expr.parse(expr(f, c.windowSeconds())),
          Expr.parse(c.absence() + "(m[" + c.windowSeconds() + "s])")), new RuntimeOptions(1024, Duration.ofSeconds(30)));
      ShadowSink shadow = new ShadowSink(2);
      Map<Integer, NaiveWindow> ref = new HashMap<>();
      long clock = T0;
      long now = Long.MIN_VALUE;
      int maxLate = 20;
      for (int i = 0; i < c.steps().size(); i++) {
        Step s = c.steps().get(i);
        clock += Math.max(0, s.step()) * 250L;
        // Late by up to maxLate seconds; engine time trails the clock by as much (see docs).
        long t = clock - Math.min(maxLate, Math.max(0, -s.step())) * 1000L;
        ref.computeIfAbsent(s.series(), k -> new NaiveWindow()).add(t, s.value());
        rt.accept(new Sample("m", labels(s.series()), s.value(), t), shadow);
        String what = " after step " + i + " (" + s + ")";
        if (s.value() % 3 == 0) {
          now = clock - maxLate * 1000L;
          rt.advance(now, shadow);
          assertTrue(rt.nextDeadline() > now, "nothing due after advance" + what);
          what += " and advance to T0+" + (now - T0) + "ms";
        }
        Map<Labels, Double> expected = new HashMap<>();
        Map<Labels, Double> absent = new HashMap<>();
        for (Map.Entry<Integer, NaiveWindow> e : ref.entrySet()) {
          long at = Math.max(e.getValue().newest(), now);
          Double v = e.getValue().eval(f, at, w, param(f));
          if (v != null) expected.put(labels(e.getKey()), v);
          if (e.getValue().newest() + w <= now) absent.put(labels(e.getKey()), 1.0);
        }
        assertVectorsClose(expected, rt.current(0), f + what);
        assertEquals(absent, rt.current(1), c.absence() + what);
        shadow.assertReplays(rt, what);
      }
    });
  }

  @TestFactory
  Stream<DynamicTest> aFullWindowEvictsTheOldestSamplesFirst(TestInfo info) {
    return Trials.of(info, 100, r -> new EvictionCase(Step.between(r, 2, 8), Step.list(r, STEPS)), c -> {
      int max = c.maxSamples();
      ExprRuntime rt = new ExprRuntime(List.of(Expr.parse("sum_over_time(m[1h])")), new RuntimeOptions(max, Duration.ofHours(2)));
      Map<Integer, NaiveWindow> ref = new HashMap<>();
      long clock = T0;
      for (int i = 0; i < c.steps().size(); i++) {
        Step s = c.steps().get(i);
        clock += Math.max(1, s.step()) * 1000L;
        NaiveWindow nw = ref.computeIfAbsent(s.series(), k -> new NaiveWindow());
        nw.add(clock, s.value());
        while (nw.ts.size() > max) {
          nw.ts.remove(0);
          nw.vs.remove(0);
        }
        rt.accept(new Sample("m", labels(s.series()), s.value(), clock), ChangeSink.NONE);
        Double expected = nw.eval("sum_over_time", clock, 3_600_000L, 0);
        Double actual = rt.current(0).get(labels(s.series()));
        assertTrue(NaiveWindow.close(expected, actual), "after step " + i + " (" + s + "): expected " + expected + " got " + actual);
      }
      long held = ref.values().stream().mapToLong(n -> n.ts.size()).sum();
      assertEquals(held, rt.stats().windowSamplesHeld(), "window samples held");
    });
  }

  static void assertVectorsClose(Map<Labels, Double> expected, Map<Labels, Double> actual, String what) {
    assertEquals(expected.keySet(), actual.keySet(), what);
    for (Map.Entry<Labels, Double> e : expected.entrySet()) {
      assertTrue(NaiveWindow.close(e.getValue(), actual.get(e.getKey())),
          what + ": " + e.getKey() + " expected " + e.getValue() + " got " + actual.get(e.getKey()));
    }
  }
}
