package io.vigil.rules.mute;

import static org.junit.jupiter.api.Assertions.*;

import io.vigil.rules.Labels;
import io.vigil.rules.RuleFileException;
import java.util.List;
import org.junit.jupiter.api.Test;

class InhibitRulesTest {
  @Test
  void readsAlertmanagerSpellingAndIgnoresOtherKeys() {
    List<InhibitRule> rules = InhibitRules.parse("r.yaml", """
        rules:
          - name: SystemDown
            expr: up == 0
            severity: P1
        inhibit_rules:
          - source_match: {alertname: SystemDown, severity: P1}
            target_match_re: {severity: "P3|P4"}
            equal: [customer, system]
          - source_match_re: {alertname: "Down.*"}
            target_match: {team: noc}
        """);
    assertEquals(2, rules.size());
    InhibitRule r = rules.get(0);
    assertEquals("file-1", r.id());
    assertEquals("rules file r.yaml", r.createdBy());
    assertEquals("file", r.origin());
    assertEquals(List.of("customer", "system"), r.equal());
    assertTrue(r.matchesSource(Labels.of("alertname", "SystemDown", "severity", "P1")));
    assertFalse(r.matchesSource(Labels.of("alertname", "SystemDown", "severity", "P2")));
    assertTrue(r.matchesTarget(Labels.of("severity", "P4")));
    assertFalse(r.matchesTarget(Labels.of("severity", "P2")));
    assertEquals(List.of(), rules.get(1).equal());
  }

  @Test
  void noInhibitRulesKeyMeansNone() {
    assertEquals(List.of(), InhibitRules.parse("r.yaml", "rules: []\n"));
    assertEquals(List.of(), InhibitRules.parse("r.yaml", ""));
  }

  @Test
  void reportsEveryProblemWithFileAndEntry() {
    RuleFileException e = assertThrows(RuleFileException.class, () -> InhibitRules.parse("r.yaml", """
        inhibit_rules:
          - target_match: {severity: P3}
          - source_match: {a: b}
            target_match_re: {severity: "P3|("}
          - source_match: {a: b}
            target_match: {c: d}
            equal: [bad-name]
          - source_match: {a: b}
            target_match: {c: d}
            equals: [x]
        """));
    String m = e.getMessage();
    assertTrue(m.contains("r.yaml: inhibit rule #1: needs 'source_match' or 'source_match_re'"), m);
    assertTrue(m.contains("r.yaml: inhibit rule #2: 'target_match_re.severity': bad regex"), m);
    assertTrue(m.contains("r.yaml: inhibit rule #3: 'equal': bad label name 'bad-name'"), m);
    assertTrue(m.contains("r.yaml: inhibit rule #4: unknown key 'equals'"), m);
  }

  @Test
  void inhibitRulesMustBeAList() {
    assertThrows(RuleFileException.class, () -> InhibitRules.parse("r.yaml", "inhibit_rules: {a: b}\n"));
  }
}
