package io.vigil.rules;

import java.util.List;

/**
 * {@code metric{matchers} OP number}: holds for a sample of {@code metric} whose labels
 * satisfy every matcher and whose value compares true against {@code threshold}.
 */
public record ThresholdExpr(String metric, List<Matcher> matchers, Comparison op, double threshold) {
  public ThresholdExpr {
    matchers = List.copyOf(matchers);
  }

  /** Whether a sample of this series is one this expression looks at. */
  public boolean selects(String sampleMetric, Labels labels) {
    if (!metric.equals(sampleMetric)) return false;
    for (Matcher m : matchers) if (!m.matches(labels)) return false;
    return true;
  }

  public boolean holds(double value) {
    return op.test(value, threshold);
  }

  @Override
  public String toString() {
    StringBuilder b = new StringBuilder(metric);
    if (!matchers.isEmpty()) {
      b.append('{');
      for (int i = 0; i < matchers.size(); i++) {
        if (i > 0) b.append(", ");
        b.append(matchers.get(i));
      }
      b.append('}');
    }
    String t = threshold == Math.rint(threshold) && Math.abs(threshold) < 1e15
        ? Long.toString((long) threshold) : Double.toString(threshold);
    return b.append(' ').append(op.symbol).append(' ').append(t).toString();
  }
}
