package io.vigil.rules;

import static org.junit.jupiter.api.Assertions.*;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RuleTestRunnerTest {
  private static final Path EXAMPLES = Path.of("..", "examples", "rules");

  private static String read(Path p) {
    try {
      return Files.readString(p);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Test
  void theShippedExampleRuleTestsPass() {
    List<RuleTestRunner.Result> results = RuleTestRunner.run("rules.test.yaml", read(EXAMPLES.resolve("rules.test.yaml")),
        f -> read(EXAMPLES.resolve(f)));
    assertEquals(4, results.size());
    for (RuleTestRunner.Result r : results) assertTrue(r.passed(), r.name() + ": " + r.failures());
  }

  private static final String RULES = """
      rules:
        - {name: Down, expr: up == 0, for: 2m, severity: P1, annotations: {summary: "{{ $labels.host }} down"}}
      """;

  private static List<RuleTestRunner.Result> run(String tests) {
    return RuleTestRunner.run("t.test.yaml", "rule_files: [r.yaml]\ntests:\n" + tests, f -> Map.of("r.yaml", RULES).get(f));
  }

  @Test
  void aWrongExpectationFailsNamingAlertTimeAndWhatDiffered() {
    List<RuleTestRunner.Result> r = run("""
          - name: wrong
            input_series:
              - {series: 'up{host="a"}', values: '0 0 0 0'}
            alert_rule_test:
              - eval_time: 1m
                alertname: Down
                exp_alerts: [{exp_labels: {host: a}}]
              - eval_time: 3m
                alertname: Down
                exp_alerts: [{exp_labels: {host: b}, exp_severity: P2}]
        """);
    assertFalse(r.get(0).passed());
    assertEquals(List.of(
        "alertname Down at 1m: missing {host=\"a\"}",
        "alertname Down at 3m: missing {host=\"b\"}; unexpected firing P1 {host=\"a\"}"), r.get(0).failures());
  }

  @Test
  void severityStateAndAnnotationMismatchesAreReported() {
    List<RuleTestRunner.Result> r = run("""
          - name: mismatch
            input_series:
              - {series: 'up{host="a"}', values: '0x5'}
            alert_rule_test:
              - eval_time: 3m
                alertname: Down
                exp_alerts: [{exp_labels: {host: a}, exp_severity: P2, exp_state: flapping, exp_annotations: {summary: "a is down"}}]
        """);
    String failure = r.get(0).failures().get(0);
    assertTrue(failure.contains("state firing, expected flapping"), failure);
    assertTrue(failure.contains("severity P1 [base P1], expected P2"), failure);
    assertTrue(failure.contains("annotation summary 'a down', expected 'a is down'"), failure);
  }

  @Test
  void missingStepsAndStaleMarkersSendNoSample() {
    List<RuleTestRunner.Result> r = run("""
          - name: gap
            input_series:
              - {series: 'up{host="a"}', values: '0 _x3 0'}
            alert_rule_test:
              - eval_time: 3m
                alertname: Down
                exp_alerts: [{exp_labels: {host: a}}]
        """);
    assertTrue(r.get(0).passed(), r.get(0).failures().toString());
  }

  @Test
  void anInvalidTestIsReportedAsSuchNotAsAPass() {
    List<RuleTestRunner.Result> r = run("""
          - name: bad
            input_series:
              - {series: 'up{host=a}', values: '0'}
        """);
    assertFalse(r.get(0).passed());
    assertTrue(r.get(0).failures().get(0).startsWith("invalid test: series 'up{host=a}'"), r.get(0).failures().toString());
  }
}
