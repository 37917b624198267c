package io.vigil.rules;

import java.time.Duration;
import java.util.Map;
import java.util.Objects;

/**
 * A rule: when {@code expr} holds for a series continuously for {@code forDuration}, a fault
 * of {@code severity} fires for that series. Immutable.
 *
 * @param labels      extra labels added to every fault of this rule
 * @param annotations templates ({@code summary}, {@code description}, …) rendered per fault
 */
public record Rule(String name, ThresholdExpr expr, Duration forDuration, Severity severity,
    Map<String, String> labels, Map<String, Template> annotations) {
  public Rule {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(expr, "expr");
    Objects.requireNonNull(forDuration, "for");
    Objects.requireNonNull(severity, "severity");
    labels = Map.copyOf(labels);
    annotations = Map.copyOf(annotations);
  }

  public String summary(Labels faultLabels, double value) {
    Template t = annotations.get("summary");
    return t == null ? name + " " + Template.formatValue(value) : t.render(faultLabels, value);
  }
}
