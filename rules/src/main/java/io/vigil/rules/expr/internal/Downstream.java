package io.vigil.rules.expr.internal;

import io.vigil.rules.Labels;

/**
 * Where a node sends its output changes. A node that re-evaluates an element always sends
 * {@code set} or {@code removed} for it, even when nothing changed, so parents stay simple;
 * {@code removed} of an element that is not there is a no-op. Only the {@link Output} at the top
 * decides what actually changed.
 */
public interface Downstream {
  void set(Labels element, double value);

  void removed(Labels element);
}
