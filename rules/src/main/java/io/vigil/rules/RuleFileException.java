package io.vigil.rules;

import java.util.List;

/** A rules file was refused. The message lists every problem as {@code file: rule 'name': reason}. */
public final class RuleFileException extends IllegalArgumentException {
  private final List<String> problems;

  public RuleFileException(List<String> problems) {
    super(String.join("\n", problems));
    this.problems = List.copyOf(problems);
  }

  public List<String> problems() {
    return problems;
  }
}
