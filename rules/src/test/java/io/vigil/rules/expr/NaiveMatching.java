package io.vigil.rules.expr;

import io.vigil.rules.Labels;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.DoublePredicate;

/**
 * The reference for set operators and vector/vector operations: the latest sample of every series
 * (documented policy: older than newest dropped, same timestamp replaces), and each output vector
 * recomputed from scratch from the non-stale latest values, with the textbook one-to-one matching
 * rules of docs/EXPRESSIONS.md. Deliberately naive: no incremental state.
 */
final class NaiveMatching {
  /** Vector matching: all labels by default, else only the {@code on} labels or all but the {@code ignoring} ones. */
  record Matching(String text, boolean on, List<String> names) {
    Labels key(Labels l) {
      if (text.isEmpty()) return l;
      Map<String, String> m = new TreeMap<>(l.asMap());
      if (on) m.keySet().retainAll(names);
      else m.keySet().removeAll(names);
      return Labels.of(m);
    }
  }

  private record Latest(String metric, Labels labels, long ts, double value) {}

  private final Map<String, Latest> latest = new HashMap<>();
  private final long lookback;

  NaiveMatching(long lookback) {
    this.lookback = lookback;
  }

  void add(String metric, Labels labels, long t, double v) {
    String id = metric + labels;
    Latest old = latest.get(id);
    if (old == null || t >= old.ts()) latest.put(id, new Latest(metric, labels, t, v));
  }

  /** The instant vector {@code metric} at engine time {@code now}, filtered by {@code keep}. */
  Map<Labels, Double> select(String metric, long now, DoublePredicate keep) {
    Map<Labels, Double> out = new HashMap<>();
    for (Latest l : latest.values()) {
      if (l.metric().equals(metric) && l.ts() + lookback > now && keep.test(l.value())) out.put(l.labels(), l.value());
    }
    return out;
  }

  /** {@code left and|or|unless right}: elements keep their own labels and values. */
  static Map<Labels, Double> set(String op, Map<Labels, Double> left, Map<Labels, Double> right, Matching m) {
    Map<Labels, Double> out = new HashMap<>();
    left.forEach((l, v) -> {
      boolean partner = right.keySet().stream().anyMatch(r -> m.key(r).equals(m.key(l)));
      if (op.equals("or") || (op.equals("and") == partner)) out.put(l, v);
    });
    if (op.equals("or")) {
      right.forEach((r, v) -> {
        if (left.keySet().stream().noneMatch(l -> m.key(l).equals(m.key(r)))) out.put(r, v);
      });
    }
    return out;
  }

  /** One-to-one {@code left op right}: one element per match key with exactly one element on each side. */
  static Map<Labels, Double> binary(String op, Map<Labels, Double> left, Map<Labels, Double> right, Matching m) {
    Map<Labels, Double> out = new HashMap<>();
    left.forEach((l, lv) -> {
      Labels key = m.key(l);
      if (left.keySet().stream().filter(x -> m.key(x).equals(key)).count() != 1) return;
      List<Double> partners = right.entrySet().stream().filter(e -> m.key(e.getKey()).equals(key)).map(Map.Entry::getValue).toList();
      if (partners.size() != 1) return;
      double rv = partners.get(0);
      switch (op) {
        case "+" -> out.put(key, lv + rv);
        case "-" -> out.put(key, lv - rv);
        case "*" -> out.put(key, lv * rv);
        case "/" -> out.put(key, lv / rv);
        case ">" -> { if (lv > rv) out.put(key, lv); }
        case "== bool" -> out.put(key, lv == rv ? 1.0 : 0.0);
        default -> throw new IllegalArgumentException(op);
      }
    });
    return out;
  }
}
