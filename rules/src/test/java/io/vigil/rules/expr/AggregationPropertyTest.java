package io.vigil.rules.expr;

import static io.vigil.rules.expr.WindowFunctionPropertyTest.assertVectorsClose;

import io.vigil.rules.Labels;
import io.vigil.rules.Sample;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.TestInfo;

/**
 * Every aggregation, by and without, against a from-scratch regrouping of the latest non-stale
 * value of every series, while series go stale and come back, samples arrive late or twice.
 * Seeds and replay: {@link Trials}.
 */
class AggregationPropertyTest {
  private static final long T0 = 1_700_000_000_000L;
  private static final long LOOKBACK = 30_000;
  private static final List<String> OPS = List.of("sum", "avg", "min", "max", "count");
  private static final List<String> FORMS = List.of("%s by (g) (m)", "%s(m) without (h)", "%s(m)", "%s by (g, h) (m)");
  private static final Step.Ranges STEPS = new Step.Ranges(8, -10, 25, -500, 500, 150);

  /** {@code steps} print as series±seconds:value; the sample value is value / 7. */
  record AggregationCase(String text, List<Step> steps) {
    static AggregationCase random(Random r) {
      return new AggregationCase(String.format(Step.oneOf(r, FORMS), Step.oneOf(r, OPS)), Step.list(r, STEPS));
    }

    @Override
    public String toString() {
      return text + ", " + steps.size() + " steps " + steps;
    }
  }

  private static Labels labels(int series) {
    return Labels.of("g", "g" + series % 2, "h", "h" + series % 3, "i", "i" + series);
  }

  private record Latest(long ts, double value) {}

  @TestFactory
  Stream<DynamicTest> aggregationsMatchARegroupingFromScratch(TestInfo info) {
    return Trials.of(info, 300, AggregationCase::random, c -> {
      ExprRuntime rt = new ExprRuntime(List.of(Expr.parse(c.text())), new RuntimeOptions(16, Duration.ofMillis(LOOKBACK)));
      ShadowSink shadow = new ShadowSink(1);
      Map<Integer, Latest> latest = new HashMap<>();
      long clock = T0;
      long now = Long.MIN_VALUE;
      for (int i = 0; i < c.steps().size(); i++) {
        Step s = c.steps().get(i);
        clock += Math.max(0, s.step()) * 1000L;
        long t = clock - Math.min(10, Math.max(0, -s.step())) * 1000L;
        double v = s.value() / 7.0;
        Latest old = latest.get(s.series());
        if (old == null || t >= old.ts()) latest.put(s.series(), new Latest(t, v));
        rt.accept(new Sample("m", labels(s.series()), v, t), shadow);
        String what = c.text() + " after step " + i + " (" + s + ")";
        if (s.value() % 4 == 0) {
          now = clock - 10_000;
          rt.advance(now, shadow);
          what += " and advance to T0+" + (now - T0) + "ms";
        }
        assertVectorsClose(reference(c.text(), latest, now), rt.current(0), what);
        shadow.assertReplays(rt, what);
      }
    });
  }

  private static Map<Labels, Double> reference(String text, Map<Integer, Latest> latest, long now) {
    Map<Labels, List<Double>> groups = new HashMap<>();
    for (Map.Entry<Integer, Latest> e : latest.entrySet()) {
      if (e.getValue().ts() + LOOKBACK <= now) continue; // stale
      Labels l = labels(e.getKey());
      Labels key;
      if (text.contains("by (g, h)")) key = Labels.of("g", l.get("g"), "h", l.get("h"));
      else if (text.contains("by (g)")) key = Labels.of("g", l.get("g"));
      else if (text.contains("without (h)")) key = Labels.of("g", l.get("g"), "i", l.get("i"));
      else key = Labels.EMPTY;
      groups.computeIfAbsent(key, k -> new ArrayList<>()).add(e.getValue().value());
    }
    Map<Labels, Double> out = new HashMap<>();
    String op = text.substring(0, text.indexOf(text.contains(" by") ? ' ' : '('));
    groups.forEach((k, vs) -> {
      double sum = vs.stream().mapToDouble(Double::doubleValue).sum();
      out.put(k, switch (op) {
        case "sum" -> sum;
        case "avg" -> sum / vs.size();
        case "min" -> vs.stream().mapToDouble(Double::doubleValue).min().getAsDouble();
        case "max" -> vs.stream().mapToDouble(Double::doubleValue).max().getAsDouble();
        default -> (double) vs.size();
      });
    });
    return out;
  }
}
