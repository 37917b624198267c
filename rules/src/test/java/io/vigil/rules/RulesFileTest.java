package io.vigil.rules;

import static org.junit.jupiter.api.Assertions.*;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class RulesFileTest {
  @Test
  void loadsVigilShapeWithAllFields() {
    List<Rule> rules = RulesFile.parse("r.yaml", """
        rules:
          - name: HighCpu
            expr: cpu_usage{customer="acme"} > 90
            for: 1m30s
            severity: P2
            labels: {team: noc}
            annotations:
              summary: "CPU {{ $value }}% on {{ $labels.host }}"
        """);
    assertEquals(1, rules.size());
    Rule r = rules.get(0);
    assertEquals("HighCpu", r.name());
    assertEquals(Duration.ofSeconds(90), r.forDuration());
    assertEquals(Severity.P2, r.severity());
    assertEquals("noc", r.labels().get("team"));
    assertEquals("CPU 97.5% on db1", r.summary(Labels.of("host", "db1"), 97.5));
  }

  @Test
  void loadsPrometheusGroupsShapeWithAlertKey() {
    List<Rule> rules = RulesFile.parse("p.yaml", """
        groups:
          - name: g
            rules:
              - alert: Down
                expr: up == 0
                severity: P1
        """);
    assertEquals("Down", rules.get(0).name());
    assertEquals(Duration.ZERO, rules.get(0).forDuration());
  }

  @Test
  void reportsEveryBadRuleWithFileNameAndReason() {
    var e = assertThrows(RuleFileException.class, () -> RulesFile.parse("bad.yaml", """
        rules:
          - name: NoSeverity
            expr: up == 0
          - name: BadExpr
            expr: up = = 0
            severity: P1
          - name: BadFor
            expr: up == 0
            for: soon
            severity: P1
          - name: BadTemplate
            expr: up == 0
            severity: P9
        """));
    assertEquals(4, e.problems().size(), e.getMessage());
    assertTrue(e.problems().get(0).startsWith("bad.yaml: rule 'NoSeverity': missing 'severity'"), e.problems().get(0));
    assertTrue(e.problems().get(1).contains("rule 'BadExpr': expr 'up = = 0': line 1, column"), e.problems().get(1));
    assertTrue(e.problems().get(2).contains("rule 'BadFor': 'for': bad duration 'soon'"), e.problems().get(2));
    assertTrue(e.problems().get(3).contains("severity must be one of P1, P2, P3, P4"), e.problems().get(3));
  }

  @Test
  void rejectsUnknownPlaceholderInAnnotation() {
    var e = assertThrows(RuleFileException.class, () -> RulesFile.parse("t.yaml", """
        rules:
          - name: T
            expr: up == 0
            severity: P1
            annotations: {summary: "{{ $lables.host }}"}
        """));
    assertTrue(e.getMessage().contains("rule 'T': annotation 'summary': unknown placeholder '{{ $lables.host }}'"), e.getMessage());
  }

  @Test
  void rejectsDuplicateNamesUnknownKeysAndBrokenYaml() {
    assertTrue(assertThrows(RuleFileException.class, () -> RulesFile.parse("d.yaml", """
        rules:
          - {name: A, expr: up == 0, severity: P1}
          - {name: A, expr: up == 1, severity: P1}
        """)).getMessage().contains("duplicate rule name"));
    assertTrue(assertThrows(RuleFileException.class, () -> RulesFile.parse("k.yaml", """
        rules:
          - {name: A, expr: up == 0, severity: P1, sevirity: P2}
        """)).getMessage().contains("unknown key 'sevirity'"));
    assertTrue(assertThrows(RuleFileException.class, () -> RulesFile.parse("y.yaml", "rules: [ {"))
        .getMessage().startsWith("y.yaml: not valid YAML"));
    assertTrue(assertThrows(RuleFileException.class, () -> RulesFile.parse("x.yaml", "alerts: []"))
        .getMessage().contains("unknown top-level key 'alerts'"));
    assertTrue(assertThrows(RuleFileException.class, () -> RulesFile.parse("r.yaml", "groups: [{rules: [{record: x, expr: up}]}]"))
        .getMessage().contains("recording rules ('record:') are not supported"));
  }

  @Test
  void loadsResolveExprKeepFiringForGradingAndFlapping() {
    RuleSet set = RulesFile.load("r.yaml", """
        rules:
          - name: HighCpu
            expr: avg_over_time(cpu_usage[5m]) > 90
            resolve_expr: avg_over_time(cpu_usage[5m]) < 80
            keep_firing_for: 2m
            severity: P3
        grading:
          scope: [{systems: 3, raise: 1}]
        flapping: {transitions: 4}
        """);
    Rule r = set.rules().get(0);
    assertEquals(Duration.ofMinutes(2), r.keepFiringFor());
    assertNotNull(r.resolveExpr());
    assertTrue(set.grading().usesScope());
    assertEquals(4, set.flapping().transitions());
  }

  @Test
  void prometheusSeverityLabelIsMappedWhenSeverityIsAbsent() {
    List<Rule> rules = RulesFile.parse("p.yaml", """
        groups:
          - name: node
            rules:
              - {alert: Down, expr: up == 0, labels: {severity: critical}}
              - {alert: Busy, expr: load1 > 4, labels: {severity: warning}}
        """);
    assertEquals(Severity.P1, rules.get(0).severity());
    assertEquals(Severity.P3, rules.get(1).severity());
    assertEquals("critical", rules.get(0).labels().get("severity"), "the label itself stays");
  }

  @Test
  void badGradingOrFlappingSectionIsReportedWithTheFileName() {
    var e = assertThrows(RuleFileException.class, () -> RulesFile.load("g.yaml", """
        rules: []
        grading: {scope: [{systems: 1, raise: 1}]}
        flapping: {transitions: 1}
        """));
    assertEquals(List.of("g.yaml: grading.scope[].systems must be at least 2, got 1", "g.yaml: flapping.transitions must be at least 2, got 1"),
        e.problems());
  }
}
