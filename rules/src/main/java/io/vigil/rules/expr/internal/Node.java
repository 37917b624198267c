package io.vigil.rules.expr.internal;

import io.vigil.rules.Durations;
import io.vigil.rules.Matcher;
import java.time.Duration;
import java.util.List;

/**
 * The parsed expression tree. Immutable. {@link #toString()} is the canonical text: it re-parses
 * to an equal tree, uses the fewest parentheses the precedence allows and prefix aggregation form.
 */
public sealed interface Node {
  enum Type { SCALAR, INSTANT, RANGE }

  Type type();

  record Num(double value) implements Node {
    @Override public Type type() { return Type.SCALAR; }

    @Override public String toString() {
      if (Double.isNaN(value)) return "NaN";
      if (Double.isInfinite(value)) return value > 0 ? "Inf" : "-Inf";
      if (value == Math.rint(value) && Math.abs(value) < 1e15) return Long.toString((long) value);
      return Double.toString(value);
    }
  }

  /** {@code metric{matchers}}: the latest value of every matching, non-stale series. */
  record Selector(String metric, List<Matcher> matchers) implements Node {
    public Selector {
      matchers = List.copyOf(matchers);
    }

    @Override public Type type() { return Type.INSTANT; }

    @Override public String toString() {
      if (matchers.isEmpty()) return metric;
      StringBuilder b = new StringBuilder(metric).append('{');
      for (int i = 0; i < matchers.size(); i++) {
        if (i > 0) b.append(", ");
        b.append(matchers.get(i));
      }
      return b.append('}').toString();
    }
  }

  record RangeSelector(Selector selector, Duration range) implements Node {
    @Override public Type type() { return Type.RANGE; }

    @Override public String toString() {
      return selector + "[" + Durations.format(range) + "]";
    }
  }

  record Neg(Node operand) implements Node {
    @Override public Type type() { return operand.type(); }

    @Override public String toString() {
      String inner = operand.toString();
      return operand instanceof Binary || operand instanceof Neg ? "-(" + inner + ")" : "-" + inner;
    }
  }

  /** How two vectors pair up: by all labels (default), only {@code on} labels, or all but {@code ignoring} ones. */
  record Matching(boolean on, List<String> labels) {
    public static final Matching DEFAULT = new Matching(false, List.of());

    public Matching {
      labels = List.copyOf(labels);
    }

    public boolean isDefault() {
      return !on && labels.isEmpty();
    }

    @Override public String toString() {
      return (on ? "on(" : "ignoring(") + String.join(", ", labels) + ")";
    }
  }

  record Binary(BinOp op, Node lhs, Node rhs, boolean bool, Matching matching) implements Node {
    @Override public Type type() {
      return lhs.type() == Type.SCALAR && rhs.type() == Type.SCALAR ? Type.SCALAR : Type.INSTANT;
    }

    @Override public String toString() {
      StringBuilder b = new StringBuilder(side(lhs, false)).append(' ').append(op.symbol);
      if (bool) b.append(" bool");
      if (!matching.isDefault()) b.append(' ').append(matching);
      return b.append(' ').append(side(rhs, true)).toString();
    }

    private String side(Node n, boolean right) {
      // Left-associative: a right operand of equal precedence needs parentheses, a left one does not.
      boolean paren = n instanceof Binary c
          && (c.op.precedence < op.precedence || (right && c.op.precedence == op.precedence));
      return paren ? "(" + n + ")" : n.toString();
    }
  }

  /** A range function; {@code param} is the scalar argument of quantile_over_time / predict_linear, else null. */
  record Call(Func func, Node param, RangeSelector arg) implements Node {
    @Override public Type type() { return Type.INSTANT; }

    @Override public String toString() {
      if (func.scalarFirst()) return func.text() + "(" + param + ", " + arg + ")";
      if (func.scalarLast()) return func.text() + "(" + arg + ", " + param + ")";
      return func.text() + "(" + arg + ")";
    }
  }

  record Aggregation(AggOp op, boolean without, List<String> grouping, Node arg) implements Node {
    public Aggregation {
      grouping = List.copyOf(grouping);
    }

    @Override public Type type() { return Type.INSTANT; }

    @Override public String toString() {
      String g = without ? " without (" + String.join(", ", grouping) + ") "
          : grouping.isEmpty() ? "" : " by (" + String.join(", ", grouping) + ") ";
      return op.text() + g + "(" + arg + ")";
    }
  }
}
