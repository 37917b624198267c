package io.vigil.rules.expr;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.vigil.rules.Labels;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A sink that rebuilds every output vector from the reported changes alone, as a rule engine
 * downstream does, and fails on a change that is not one ({@link ExprRuntime}: "only real ones"):
 * a set to the value already held, or a removal of an absent element. {@link #assertReplays}
 * then checks that what was reported adds up to {@link ExprRuntime#current}.
 */
final class ShadowSink implements ChangeSink {
  private final List<Map<Labels, Double>> vectors = new ArrayList<>();

  ShadowSink(int exprs) {
    for (int i = 0; i < exprs; i++) vectors.add(new HashMap<>());
  }

  @Override
  public void set(int exprIndex, Labels output, double value) {
    Double old = vectors.get(exprIndex).put(output, value);
    // Double.equals compares bits: NaN equals NaN, 0.0 differs from -0.0 (as the engine does).
    if (old != null && old.equals(value)) {
      throw new AssertionError("expression " + exprIndex + ": reported set " + output + " " + value + " but it already had that value");
    }
  }

  @Override
  public void removed(int exprIndex, Labels output) {
    if (vectors.get(exprIndex).remove(output) == null) {
      throw new AssertionError("expression " + exprIndex + ": reported removed " + output + " but it was not present");
    }
  }

  void assertReplays(ExprRuntime rt, String what) {
    for (int i = 0; i < vectors.size(); i++) {
      assertEquals(rt.current(i), vectors.get(i), what + ": changes reported for expression " + i + " do not add up to its current vector");
    }
  }
}
