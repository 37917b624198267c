package io.vigil.rules.expr.internal;

import io.vigil.rules.Labels;
import java.util.Map;

/**
 * {@code and}, {@code or}, {@code unless}: the left side's elements (with their own labels and
 * values) filtered by whether the right side has their match key; {@code or} adds the right
 * elements whose key the left side lacks. A key appearing or vanishing on one side re-evaluates
 * the other side's elements under that key only.
 */
final class SetOperation {
  private final BinOp op;
  private final Downstream parent;
  private final Sides left;
  private final Sides right;

  SetOperation(BinOp op, Node.Matching matching, Downstream parent) {
    this.op = op;
    this.parent = parent;
    this.left = new Sides(matching);
    this.right = new Sides(matching);
  }

  Downstream left() {
    return new Downstream() {
      @Override
      public void set(Labels element, double value) {
        Labels key = left.put(element, value);
        boolean partner = !right.at(key).isEmpty();
        switch (op) {
          case AND -> emit(element, value, partner);
          case UNLESS -> emit(element, value, !partner);
          default -> {
            // The left side now has this key: right elements under it are hidden (one with the
            // same labels is simply overwritten, so the sink sees a value change, not remove + add).
            if (left.at(key).size() == 1) {
              for (Labels r : right.at(key).keySet()) if (!r.equals(element)) parent.removed(r);
            }
            parent.set(element, value);
          }
        }
      }

      @Override
      public void removed(Labels element) {
        Labels key = left.remove(element);
        if (key == null) return;
        Map<Labels, Double> shown = op == BinOp.OR && left.at(key).isEmpty() ? right.at(key) : Map.of();
        if (!shown.containsKey(element)) parent.removed(element);
        shown.forEach(parent::set);
      }
    };
  }

  Downstream right() {
    return new Downstream() {
      @Override
      public void set(Labels element, double value) {
        Labels key = right.put(element, value);
        Map<Labels, Double> partners = left.at(key);
        switch (op) {
          case AND -> partners.forEach(parent::set);
          case UNLESS -> partners.keySet().forEach(parent::removed);
          default -> {
            // Right elements under a key the left side has are never shown: nothing to do then.
            if (partners.isEmpty()) parent.set(element, value);
          }
        }
      }

      @Override
      public void removed(Labels element) {
        Labels key = right.remove(element);
        if (key == null) return;
        Map<Labels, Double> partners = left.at(key);
        boolean keyGone = right.at(key).isEmpty();
        switch (op) {
          case AND -> { if (keyGone) partners.keySet().forEach(parent::removed); }
          case UNLESS -> { if (keyGone) partners.forEach(parent::set); }
          default -> { if (partners.isEmpty()) parent.removed(element); }
        }
      }
    };
  }

  private void emit(Labels element, double value, boolean keep) {
    if (keep) parent.set(element, value);
    else parent.removed(element);
  }
}
