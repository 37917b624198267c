package io.vigil.rules.expr.internal;

/** The aggregation operators. */
public enum AggOp {
  SUM, AVG, MIN, MAX, COUNT;

  public String text() {
    return name().toLowerCase(java.util.Locale.ROOT);
  }
}
