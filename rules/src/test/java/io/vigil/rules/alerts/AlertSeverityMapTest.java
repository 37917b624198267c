package io.vigil.rules.alerts;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vigil.rules.Severity;
import org.junit.jupiter.api.Test;

class AlertSeverityMapTest {
  private final AlertSeverityMap defaults = AlertSeverityMap.defaults();

  @Test
  void defaultsMapTheUsualPrometheusSeverities() {
    assertEquals(Severity.P1, defaults.grade("critical", "prometheus").severity());
    assertEquals(Severity.P2, defaults.grade("major", "prometheus").severity());
    assertEquals(Severity.P2, defaults.grade("error", "prometheus").severity());
    assertEquals(Severity.P3, defaults.grade("warning", "prometheus").severity());
    assertEquals(Severity.P4, defaults.grade("info", "prometheus").severity());
  }

  @Test
  void matchesCaseInsensitivelyAndExplains() {
    assertEquals(new AlertSeverityMap.Graded(Severity.P1, "base P1 (severity=CRITICAL from prometheus)"), defaults.grade("CRITICAL", "prometheus"));
  }

  @Test
  void unknownOrMissingSeverityTakesTheDefault() {
    AlertSeverityMap m = AlertSeverityMap.parse("critical=P1,*=P2");
    assertEquals(new AlertSeverityMap.Graded(Severity.P2, "base P2 (severity=page not mapped, default for prometheus)"), m.grade("page", "prometheus"));
    assertEquals(Severity.P2, m.grade(null, "prometheus").severity());
    assertEquals(Severity.P3, AlertSeverityMap.parse("critical=P1").grade("x", "prometheus").severity(), "P3 when no * is given");
  }

  @Test
  void refusesABadSpecNamingTheEntry() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> AlertSeverityMap.parse("critical=P1,warning=P9"));
    assertTrue(e.getMessage().contains("warning=P9"), e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> AlertSeverityMap.parse("critical"));
  }

  @Test
  void printsAsItIsWritten() {
    assertEquals(AlertSeverityMap.DEFAULT_SPEC, defaults.toString());
  }
}
