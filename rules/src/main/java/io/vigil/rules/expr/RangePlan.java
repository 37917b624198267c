package io.vigil.rules.expr;

import io.vigil.rules.Matcher;
import io.vigil.rules.expr.internal.Node;
import java.util.List;

/**
 * What {@code GET /api/v1/query_range} can hand to the database: one selector, optionally under
 * one aggregation ({@code sum avg min max count}, {@code by} or {@code without}). Anything else
 * (arithmetic, range functions, comparisons) is a rule's business and refused with the reason.
 *
 * @param aggregation null for the bare selector (each series its own line), else {@code sum avg min max count}
 */
public record RangePlan(String metric, List<Matcher> matchers, String aggregation, boolean without, List<String> grouping) {
  public RangePlan {
    matchers = List.copyOf(matchers);
    grouping = List.copyOf(grouping);
  }

  /** The plan of {@code expr}; IllegalArgumentException naming what is not supported. */
  public static RangePlan of(Expr expr) {
    Node root = expr.root();
    if (root instanceof Node.Selector s) return new RangePlan(s.metric(), s.matchers(), null, false, List.of());
    if (root instanceof Node.Aggregation a && a.arg() instanceof Node.Selector s) {
      return new RangePlan(s.metric(), s.matchers(), a.op().name().toLowerCase(java.util.Locale.ROOT), a.without(), a.grouping());
    }
    throw new IllegalArgumentException("query_range evaluates a selector, e.g. cpu_usage{customer=\"acme\"}, or one aggregation of it, "
        + "e.g. avg by (host) (cpu_usage); '" + expr + "' is neither");
  }
}
