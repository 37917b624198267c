package io.vigil.rules.expr.internal;

import io.vigil.rules.Labels;
import java.util.List;

/** Label projections used by vector matching and aggregation grouping. */
final class LabelSets {
  private LabelSets() {}

  /** {@code on}/{@code by}: only the named labels that are present; otherwise all but the named ones. */
  static Labels project(Labels l, boolean keep, List<String> names) {
    if (!keep && names.isEmpty()) return l;
    return keep ? l.keep(names) : l.drop(names);
  }
}
