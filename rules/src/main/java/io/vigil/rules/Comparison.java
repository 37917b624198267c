package io.vigil.rules;

import java.util.function.DoublePredicate;

/** The comparison operators of a threshold expression. NaN compares false, as in PromQL. */
public enum Comparison {
  GT(">"), GE(">="), LT("<"), LE("<="), EQ("=="), NE("!=");

  public final String symbol;

  Comparison(String symbol) {
    this.symbol = symbol;
  }

  public boolean test(double left, double right) {
    return switch (this) {
      case GT -> left > right;
      case GE -> left >= right;
      case LT -> left < right;
      case LE -> left <= right;
      case EQ -> left == right;
      case NE -> left != right && !Double.isNaN(left);
    };
  }

  public DoublePredicate against(double threshold) {
    return v -> test(v, threshold);
  }
}
