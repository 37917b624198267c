package io.vigil.rules.expr.internal;

import io.vigil.rules.Comparison;

/** Binary operators with PromQL's precedence (higher binds tighter); all are left-associative. */
public enum BinOp {
  ADD("+", 3), SUB("-", 3), MUL("*", 4), DIV("/", 4),
  GT(">", 2), GE(">=", 2), LT("<", 2), LE("<=", 2), EQ("==", 2), NE("!=", 2),
  AND("and", 1), UNLESS("unless", 1), OR("or", 0);

  public final String symbol;
  public final int precedence;

  BinOp(String symbol, int precedence) {
    this.symbol = symbol;
    this.precedence = precedence;
  }

  public boolean isComparison() {
    return precedence == 2;
  }

  public boolean isSet() {
    return this == AND || this == OR || this == UNLESS;
  }

  public Comparison comparison() {
    return switch (this) {
      case GT -> Comparison.GT;
      case GE -> Comparison.GE;
      case LT -> Comparison.LT;
      case LE -> Comparison.LE;
      case EQ -> Comparison.EQ;
      case NE -> Comparison.NE;
      default -> throw new IllegalStateException(this + " is not a comparison");
    };
  }

  /** Arithmetic on two values; IEEE semantics (x/0 is ±Inf, 0/0 NaN), as in PromQL. */
  public double arithmetic(double l, double r) {
    return switch (this) {
      case ADD -> l + r;
      case SUB -> l - r;
      case MUL -> l * r;
      case DIV -> l / r;
      default -> throw new IllegalStateException(this + " is not arithmetic");
    };
  }
}
