package io.vigil.rules;

import io.vigil.rules.expr.Expr;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * A rule: every element of {@code expr}'s output vector that stays present for {@code forDuration}
 * becomes a firing fault of base {@code severity} (graded further by the {@link GradingPolicy}).
 * Immutable.
 *
 * @param resolveExpr    optional hysteresis: once firing, the fault clears only when this expression
 *                       yields the same labels (e.g. fire at {@code > 90}, clear at {@code < 80}); null = clears when
 *                       {@code expr} stops yielding them
 * @param keepFiringFor  how long a firing fault stays firing after its condition cleared (zero: none)
 * @param labels         extra labels added to every fault of this rule
 * @param annotations    templates ({@code summary}, {@code description}, {@code runbook_url}, …) rendered per fault
 */
public record Rule(String name, Expr expr, Expr resolveExpr, Duration forDuration, Duration keepFiringFor, Severity severity,
    Map<String, String> labels, Map<String, Template> annotations) {
  public Rule {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(expr, "expr");
    Objects.requireNonNull(forDuration, "for");
    Objects.requireNonNull(keepFiringFor, "keep_firing_for");
    Objects.requireNonNull(severity, "severity");
    labels = Map.copyOf(labels);
    annotations = Map.copyOf(annotations);
  }

  public String summary(Labels faultLabels, double value) {
    Template t = annotations.get("summary");
    return t == null ? name + " " + Template.formatValue(value) : t.render(faultLabels, value);
  }

  /** Every annotation but the summary, rendered for one fault. */
  public Map<String, String> renderAnnotations(Labels faultLabels, double value) {
    if (annotations.size() <= 1 && (annotations.isEmpty() || annotations.containsKey("summary"))) return Map.of();
    Map<String, String> out = new LinkedHashMap<>();
    annotations.forEach((k, t) -> {
      if (!k.equals("summary")) out.put(k, t.render(faultLabels, value));
    });
    return out;
  }
}
