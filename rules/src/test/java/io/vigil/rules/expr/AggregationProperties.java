package io.vigil.rules.expr;

import static io.vigil.rules.expr.WindowFunctionPropertyTest.assertVectorsClose;

import io.vigil.rules.Labels;
import io.vigil.rules.Sample;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * Every aggregation, by and without, against a from-scratch regrouping of the latest non-stale
 * value of every series, while series go stale and come back, samples arrive late or twice.
 */
class AggregationProperties {
  private static final long T0 = 1_700_000_000_000L;
  private static final long LOOKBACK = 30_000;

  record Step(int series, int step, int value) {}

  @Provide
  Arbitrary<List<Step>> steps() {
    return Combinators.combine(Arbitraries.integers().between(0, 7), Arbitraries.integers().between(-10, 25),
        Arbitraries.integers().between(-500, 500)).as(Step::new).list().ofMaxSize(150);
  }

  @Provide
  Arbitrary<String> aggregations() {
    return Arbitraries.of("sum", "avg", "min", "max", "count")
        .flatMap(op -> Arbitraries.of(op + " by (g) (m)", op + "(m) without (h)", op + "(m)", op + " by (g, h) (m)"));
  }

  private static Labels labels(int series) {
    return Labels.of("g", "g" + series % 2, "h", "h" + series % 3, "i", "i" + series);
  }

  private record Latest(long ts, double value) {}

  @Property(tries = 300)
  void aggregationsMatchARegroupingFromScratch(@ForAll("aggregations") String text, @ForAll("steps") List<Step> steps) {
    ExprRuntime rt = new ExprRuntime(List.of(Expr.parse(text)), new RuntimeOptions(16, Duration.ofMillis(LOOKBACK)));
    Map<Integer, Latest> latest = new HashMap<>();
    long clock = T0;
    long now = Long.MIN_VALUE;
    for (Step s : steps) {
      clock += Math.max(0, s.step()) * 1000L;
      long t = clock - Math.min(10, Math.max(0, -s.step())) * 1000L;
      double v = s.value() / 7.0;
      Latest old = latest.get(s.series());
      if (old == null || t >= old.ts()) latest.put(s.series(), new Latest(t, v));
      rt.accept(new Sample("m", labels(s.series()), v, t), ChangeSink.NONE);
      if (s.value() % 4 == 0) {
        now = clock - 10_000;
        rt.advance(now, ChangeSink.NONE);
      }
      assertVectorsClose(reference(text, latest, now), rt.current(0), text + " after " + s);
    }
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
