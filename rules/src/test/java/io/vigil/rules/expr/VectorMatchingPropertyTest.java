package io.vigil.rules.expr;

import static io.vigil.rules.expr.WindowFunctionPropertyTest.assertVectorsClose;

import io.vigil.rules.Labels;
import io.vigil.rules.Sample;
import io.vigil.rules.expr.NaiveMatching.Matching;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.DoublePredicate;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.TestInfo;

/**
 * {@code and} / {@code or} / {@code unless} and one-to-one vector/vector operations (default,
 * {@code on(…)}, {@code ignoring(…)} matching) against {@link NaiveMatching}, which recomputes the
 * output vector from the latest non-stale value of every series, while series go stale, samples
 * arrive late or twice, keys become ambiguous and the same metric feeds both sides.
 * Seeds and replay: {@link Trials}.
 */
class VectorMatchingPropertyTest {
  private static final long T0 = 1_700_000_000_000L;
  private static final long LOOKBACK = 30_000;
  /**
   * Label sets of the generated series, the awkward ones first (a case uses the first few): 1 has
   * 0's {@code g}, {@code h} plus {@code x}, so on(g, h) and ignoring(x) make them collide; 2 lacks {@code h}.
   */
  private static final List<Labels> LABELS = List.of(Labels.of("g", "0", "h", "0"), Labels.of("g", "0", "h", "0", "x", "1"),
      Labels.of("g", "1"), Labels.of("g", "1", "h", "1"), Labels.of("g", "0", "h", "1"), Labels.of("g", "1", "h", "0"),
      Labels.of("g", "0", "h", "2"), Labels.of("g", "1", "h", "2"));
  private static final List<Matching> MATCHINGS = List.of(new Matching("", false, List.of()),
      new Matching("on(g)", true, List.of("g")), new Matching("on(g, h)", true, List.of("g", "h")),
      new Matching("ignoring(x)", false, List.of("x")), new Matching("ignoring(h)", false, List.of("h")),
      new Matching("on()", true, List.of()));
  private static final List<String> SET_OPS = List.of("and", "or", "unless");
  private static final List<String> BINARY_OPS = List.of("+", "-", "*", "/", ">", "== bool");

  /** An instant selector, optionally filtered by a comparison with a scalar. */
  record Operand(String metric, String cmp, int threshold) {
    static Operand random(Random r, String metric) {
      return new Operand(metric, Step.oneOf(r, List.of("", ">", "<")), Step.oneOf(r, List.of(-20, 0, 20)));
    }

    DoublePredicate keeps() {
      return switch (cmp) {
        case ">" -> v -> v > threshold;
        case "<" -> v -> v < threshold;
        default -> v -> true;
      };
    }

    @Override
    public String toString() {
      return cmp.isEmpty() ? metric : "(" + metric + " " + cmp + " " + threshold + ")";
    }
  }

  /**
   * Series {@code s} of the steps is metric {@code a} (even s) or {@code b} (odd s) with labels
   * {@code LABELS[s / 2]}; its sample value is value / 7. The right operand is sometimes {@code a} too.
   */
  record MatchCase(Operand left, String op, Matching matching, Operand right, List<Step> steps) {
    static MatchCase random(Random r, List<String> ops) {
      int labelSets = Step.between(r, 1, LABELS.size());
      return new MatchCase(Operand.random(r, "a"), Step.oneOf(r, ops), Step.oneOf(r, MATCHINGS),
          Operand.random(r, Step.oneOf(r, List.of("a", "b", "b"))), Step.list(r, new Step.Ranges(2 * labelSets, -10, 25, -500, 500, 100)));
    }

    String text() {
      return left + " " + op + (matching.text().isEmpty() ? "" : " " + matching.text()) + " " + right;
    }

    @Override
    public String toString() {
      return text() + ", " + steps.size() + " steps (series: a/b by parity, labels LABELS[s / 2]) " + steps;
    }
  }

  @TestFactory
  Stream<DynamicTest> setOperatorsMatchARecomputationFromLatestValues(TestInfo info) {
    return Trials.of(info, 300, r -> MatchCase.random(r, SET_OPS),
        c -> check(c, (l, r) -> NaiveMatching.set(c.op(), l, r, c.matching())));
  }

  @TestFactory
  Stream<DynamicTest> vectorOperationsMatchOneToOneLikeARecomputationFromLatestValues(TestInfo info) {
    return Trials.of(info, 300, r -> MatchCase.random(r, BINARY_OPS),
        c -> check(c, (l, r) -> NaiveMatching.binary(c.op(), l, r, c.matching())));
  }

  private interface Reference {
    Map<Labels, Double> apply(Map<Labels, Double> left, Map<Labels, Double> right);
  }

  private static void check(MatchCase c, Reference reference) {
    ExprRuntime rt = new ExprRuntime(List.of(Expr.parse(c.text())), new RuntimeOptions(16, Duration.ofMillis(LOOKBACK)));
    ShadowSink shadow = new ShadowSink(1);
    NaiveMatching ref = new NaiveMatching(LOOKBACK);
    long clock = T0;
    long now = Long.MIN_VALUE;
    for (int i = 0; i < c.steps().size(); i++) {
      Step s = c.steps().get(i);
      clock += Math.max(0, s.step()) * 1000L;
      // Late by up to 10 s, and engine time trails the clock by as much (see docs).
      long t = clock - Math.min(10, Math.max(0, -s.step())) * 1000L;
      String metric = s.series() % 2 == 0 ? "a" : "b";
      Labels labels = LABELS.get(s.series() / 2);
      double v = s.value() / 7.0;
      ref.add(metric, labels, t, v);
      rt.accept(new Sample(metric, labels, v, t), shadow);
      String what = c.text() + " after step " + i + " (" + s + ")";
      if (s.value() % 4 == 0) {
        now = clock - 10_000;
        rt.advance(now, shadow);
        what += " and advance to T0+" + (now - T0) + "ms";
      }
      Map<Labels, Double> left = ref.select(c.left().metric(), now, c.left().keeps());
      Map<Labels, Double> right = ref.select(c.right().metric(), now, c.right().keeps());
      assertVectorsClose(reference.apply(left, right), rt.current(0), what + "; left " + left + ", right " + right);
      shadow.assertReplays(rt, what);
    }
  }
}
