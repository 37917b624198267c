package io.vigil.rules.expr.internal;

import io.vigil.rules.Comparison;
import io.vigil.rules.Labels;
import java.util.Map;

/**
 * {@code vector OP vector} for arithmetic and comparisons, one-to-one on all labels or on the
 * {@code on}/{@code ignoring} key. A change on either side re-evaluates only its match key. The
 * result's labels are the match key (as in Prometheus' one-to-one matching). A key with more
 * than one element on a side is ambiguous (Prometheus would fail the whole query); here only that
 * key yields nothing, so one misconfigured series cannot silence the rest.
 */
final class VectorBinary {
  private final BinOp op;
  private final Comparison comparison;
  private final boolean bool;
  private final Downstream parent;
  private final Sides left;
  private final Sides right;

  VectorBinary(BinOp op, boolean bool, Node.Matching matching, Downstream parent) {
    this.op = op;
    this.comparison = op.isComparison() ? op.comparison() : null;
    this.bool = bool;
    this.parent = parent;
    this.left = new Sides(matching);
    this.right = new Sides(matching);
  }

  Downstream left() {
    return side(left);
  }

  Downstream right() {
    return side(right);
  }

  private Downstream side(Sides s) {
    return new Downstream() {
      @Override
      public void set(Labels element, double value) {
        evaluate(s.put(element, value));
      }

      @Override
      public void removed(Labels element) {
        Labels key = s.remove(element);
        if (key != null) evaluate(key);
      }
    };
  }

  private void evaluate(Labels key) {
    Map<Labels, Double> l = left.at(key);
    Map<Labels, Double> r = right.at(key);
    if (l.size() != 1 || r.size() != 1) {
      parent.removed(key);
      return;
    }
    double lv = l.values().iterator().next();
    double rv = r.values().iterator().next();
    if (comparison == null) {
      parent.set(key, op.arithmetic(lv, rv));
      return;
    }
    boolean holds = comparison.test(lv, rv);
    if (bool) parent.set(key, holds ? 1 : 0);
    else if (holds) parent.set(key, lv);
    else parent.removed(key);
  }
}
