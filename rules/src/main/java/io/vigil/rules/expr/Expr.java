package io.vigil.rules.expr;

import io.vigil.rules.expr.internal.Node;
import io.vigil.rules.expr.internal.Parser;
import java.time.Duration;
import java.util.Collections;
import java.util.Set;
import java.util.TreeSet;

/**
 * A parsed, validated expression of Vigil's PromQL subset (see docs/EXPRESSIONS.md). Its value
 * is always an instant vector: a rule fires for every element. Immutable and thread-safe; equal
 * when the canonical texts are equal.
 */
public final class Expr {
  private final Node root;
  private final String canonical;
  private final Set<String> metricNames;
  private final Duration maxRange;

  private Expr(Node root) {
    this.root = root;
    this.canonical = root.toString();
    Set<String> names = new TreeSet<>();
    this.maxRange = walk(root, names, Duration.ZERO);
    this.metricNames = Collections.unmodifiableSet(names);
  }

  /** Parses {@code text}; throws {@link ExprSyntaxException} with line, column and reason. */
  public static Expr parse(String text) {
    return new Expr(Parser.parse(text));
  }

  /** Every metric some selector of this expression names. */
  public Set<String> metricNames() {
    return metricNames;
  }

  /** The largest {@code [range]} this expression uses; {@link Duration#ZERO} when it has none. */
  public Duration maxRange() {
    return maxRange;
  }

  /** The tree, for the runtime in this package. */
  Node root() {
    return root;
  }

  private static Duration walk(Node n, Set<String> names, Duration max) {
    if (n instanceof Node.Selector s) {
      names.add(s.metric());
      return max;
    }
    if (n instanceof Node.RangeSelector r) {
      walk(r.selector(), names, max);
      return r.range().compareTo(max) > 0 ? r.range() : max;
    }
    if (n instanceof Node.Neg g) return walk(g.operand(), names, max);
    if (n instanceof Node.Binary b) return walk(b.rhs(), names, walk(b.lhs(), names, max));
    if (n instanceof Node.Call c) return walk(c.arg(), names, max);
    if (n instanceof Node.Aggregation a) return walk(a.arg(), names, max);
    return max;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Expr e && e.canonical.equals(canonical);
  }

  @Override
  public int hashCode() {
    return canonical.hashCode();
  }

  /** The canonical text: parses back to an equal {@code Expr}. */
  @Override
  public String toString() {
    return canonical;
  }
}
