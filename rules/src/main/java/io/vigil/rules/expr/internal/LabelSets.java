package io.vigil.rules.expr.internal;

import io.vigil.rules.Labels;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** Label projections used by vector matching and aggregation grouping. */
final class LabelSets {
  private LabelSets() {}

  /** {@code on}/{@code by}: only the named labels that are present; otherwise all but the named ones. */
  static Labels project(Labels l, boolean keep, List<String> names) {
    if (!keep && names.isEmpty()) return l;
    TreeMap<String, String> m = new TreeMap<>();
    if (keep) {
      for (String n : names) {
        String v = l.get(n);
        if (v != null) m.put(n, v);
      }
    } else {
      for (Map.Entry<String, String> e : l.asMap().entrySet()) {
        if (!names.contains(e.getKey())) m.put(e.getKey(), e.getValue());
      }
    }
    return m.isEmpty() ? Labels.EMPTY : Labels.of(m);
  }
}
