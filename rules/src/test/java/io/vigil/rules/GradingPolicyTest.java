package io.vigil.rules;

import static org.junit.jupiter.api.Assertions.*;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.snakeyaml.engine.v2.api.Load;
import org.snakeyaml.engine.v2.api.LoadSettings;

class GradingPolicyTest {
  private static final Labels ACME_ERP = Labels.of("customer", "acme", "system", "erp");
  private static final GradingPolicy POLICY = parse("""
      scope:
        - {systems: 3, raise: 1}
        - {systems: 6, raise: 2}
      duration:
        - {after: 30m, raise: 1}
      tiers: {vip: 1, basic: -1}
      customers: {acme: vip, initech: basic}
      criticality: {high: 1, low: -1}
      """);

  private static GradingPolicy parse(String yaml) {
    return GradingPolicy.parse(new Load(LoadSettings.builder().build()).loadFromString(yaml));
  }

  @Test
  void noPolicyKeepsTheBaseSeverityAndSaysSo() {
    GradingPolicy.Grade g = GradingPolicy.none().grade(Severity.P3, ACME_ERP, 10, Duration.ofDays(1));
    assertEquals(Severity.P3, g.severity());
    assertEquals(List.of("base P3"), g.explanation());
  }

  @Test
  void scopeRaisesByTheLargestStepReachedAndExplainsIt() {
    GradingPolicy p = parse("scope: [{systems: 3, raise: 1}, {systems: 6, raise: 2}]");
    assertEquals(Severity.P3, p.grade(Severity.P3, ACME_ERP, 2, Duration.ZERO).severity());
    GradingPolicy.Grade four = p.grade(Severity.P3, ACME_ERP, 4, Duration.ZERO);
    assertEquals(Severity.P2, four.severity());
    assertEquals(List.of("base P3", "4 systems of acme affected (≥ 3) → P2"), four.explanation());
    assertEquals(Severity.P1, p.grade(Severity.P3, ACME_ERP, 6, Duration.ZERO).severity());
  }

  @Test
  void scopeNeedsACustomerLabel() {
    GradingPolicy p = parse("scope: [{systems: 3, raise: 1}]");
    assertEquals(Severity.P3, p.grade(Severity.P3, Labels.of("system", "erp"), 9, Duration.ZERO).severity());
  }

  @Test
  void durationRaisesOnceTheStepIsReachedAndNamesTheNextStep() {
    GradingPolicy p = parse("duration: [{after: 30m, raise: 1}, {after: 2h, raise: 2}]");
    assertEquals(Severity.P3, p.grade(Severity.P3, ACME_ERP, 1, Duration.ofMinutes(29)).severity());
    assertEquals(List.of("base P3", "firing for 30m or more → P2"), p.grade(Severity.P3, ACME_ERP, 1, Duration.ofMinutes(30)).explanation());
    assertEquals(Severity.P1, p.grade(Severity.P3, ACME_ERP, 1, Duration.ofHours(3)).severity());
    assertEquals(Duration.ofMinutes(30), p.nextDurationStep(Duration.ZERO).orElseThrow());
    assertEquals(Duration.ofHours(2), p.nextDurationStep(Duration.ofMinutes(30)).orElseThrow());
    assertTrue(p.nextDurationStep(Duration.ofHours(2)).isEmpty());
  }

  @Test
  void raisesAddUpInOrderAndClampAtP1AndP4() {
    Labels critical = ACME_ERP.with(Map.of("criticality", "high"));
    GradingPolicy.Grade g = POLICY.grade(Severity.P4, critical, 3, Duration.ofHours(1));
    assertEquals(Severity.P1, g.severity());
    assertEquals(List.of("base P4", "3 systems of acme affected (≥ 3) → P3", "firing for 30m or more → P2",
        "customer acme on contract tier vip → P1", "system criticality high → P1"), g.explanation());
    Labels low = Labels.of("customer", "initech", "system", "oa", "criticality", "low");
    assertEquals(Severity.P4, POLICY.grade(Severity.P4, low, 1, Duration.ZERO).severity(), "cannot go below P4");
    assertEquals(Severity.P4, POLICY.grade(Severity.P2, low, 1, Duration.ZERO).severity(), "basic tier and low criticality: two steps down");
    assertEquals(Severity.P3, POLICY.grade(Severity.P2, Labels.of("customer", "initech"), 1, Duration.ZERO).severity());
  }

  @Test
  void badConfigurationIsRejectedNamingTheKey() {
    assertEquals("grading: unknown key 'scopes' (known: criticality, customers, duration, scope, tiers)",
        assertThrows(IllegalArgumentException.class, () -> parse("scopes: []")).getMessage());
    assertEquals("grading.scope[].systems must be at least 2, got 1",
        assertThrows(IllegalArgumentException.class, () -> parse("scope: [{systems: 1, raise: 1}]")).getMessage());
    assertEquals("grading.duration[].raise must be a whole number, got 'lots'",
        assertThrows(IllegalArgumentException.class, () -> parse("duration: [{after: 1h, raise: lots}]")).getMessage());
    assertTrue(assertThrows(IllegalArgumentException.class, () -> parse("duration: [{after: soon, raise: 1}]"))
        .getMessage().contains("bad duration 'soon'"));
  }

  @Test
  void severityRaiseClamps() {
    assertEquals(Severity.P1, Severity.P2.raise(5));
    assertEquals(Severity.P4, Severity.P2.raise(-5));
    assertEquals(Severity.P3, Severity.P2.raise(-1));
  }
}
