package io.vigil.rules.expr.internal;

import io.vigil.rules.Comparison;
import io.vigil.rules.Labels;

/**
 * {@code vector OP scalar} (or {@code scalar OP vector}): per element and stateless. A comparison
 * without {@code bool} filters and keeps the vector's value, whichever side it is on (PromQL).
 */
final class ScalarBinary implements Downstream {
  private final BinOp op;
  private final Comparison comparison;
  private final double scalar;
  private final boolean scalarLeft;
  private final boolean bool;
  private final Downstream parent;

  ScalarBinary(BinOp op, double scalar, boolean scalarLeft, boolean bool, Downstream parent) {
    this.op = op;
    this.comparison = op.isComparison() ? op.comparison() : null;
    this.scalar = scalar;
    this.scalarLeft = scalarLeft;
    this.bool = bool;
    this.parent = parent;
  }

  @Override
  public void set(Labels element, double v) {
    if (comparison == null) {
      parent.set(element, scalarLeft ? op.arithmetic(scalar, v) : op.arithmetic(v, scalar));
      return;
    }
    boolean holds = scalarLeft ? comparison.test(scalar, v) : comparison.test(v, scalar);
    if (bool) parent.set(element, holds ? 1 : 0);
    else if (holds) parent.set(element, v);
    else parent.removed(element);
  }

  @Override
  public void removed(Labels element) {
    parent.removed(element);
  }
}
