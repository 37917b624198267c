package io.vigil.rules;

import java.util.List;

/** Everything a rules file configures for the engine: the rules, how faults are graded, flap control. */
public record RuleSet(List<Rule> rules, GradingPolicy grading, FlapPolicy flapping) {
  public RuleSet {
    rules = List.copyOf(rules);
  }

  public static RuleSet of(List<Rule> rules) {
    return new RuleSet(rules, GradingPolicy.none(), FlapPolicy.defaults());
  }
}
