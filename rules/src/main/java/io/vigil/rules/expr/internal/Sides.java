package io.vigil.rules.expr.internal;

import io.vigil.rules.Labels;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One side of a vector/vector operation: its elements grouped by match key. The key of an
 * element is computed once and cached, so a repeat sample costs a lookup, not a projection.
 */
final class Sides {
  private final Node.Matching matching;
  private final Map<Labels, Labels> keyOf = new HashMap<>();
  private final Map<Labels, Map<Labels, Double>> byKey = new HashMap<>();

  Sides(Node.Matching matching) {
    this.matching = matching;
  }

  /** Stores the element; returns its match key. */
  Labels put(Labels element, double v) {
    Labels key = keyOf.get(element);
    if (key == null) {
      key = matching.isDefault() ? element : LabelSets.project(element, matching.on(), matching.labels());
      keyOf.put(element, key);
    }
    byKey.computeIfAbsent(key, k -> new LinkedHashMap<>(2)).put(element, v);
    return key;
  }

  /** Forgets the element; returns its match key, or null when it was not there. */
  Labels remove(Labels element) {
    Labels key = keyOf.remove(element);
    if (key == null) return null;
    Map<Labels, Double> m = byKey.get(key);
    m.remove(element);
    if (m.isEmpty()) byKey.remove(key);
    return key;
  }

  /** The elements under {@code key}; empty when none. */
  Map<Labels, Double> at(Labels key) {
    return byKey.getOrDefault(key, Map.of());
  }
}
