package io.vigil.rules;

import static org.junit.jupiter.api.Assertions.*;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SlaPolicyTest {
  private static final Instant OPENED = Instant.parse("2026-11-20T10:00:00Z");

  @Test
  void defaultTableGivesDesignDueTimesForEverySeverity() {
    SlaPolicy p = SlaPolicy.defaults();
    assertEquals(new SlaPolicy.Dues(OPENED.plusSeconds(15 * 60), OPENED.plusSeconds(4 * 3600)), p.dues(Severity.P1, OPENED));
    assertEquals(new SlaPolicy.Dues(OPENED.plusSeconds(3600), OPENED.plusSeconds(24 * 3600)), p.dues(Severity.P2, OPENED));
    assertEquals(new SlaPolicy.Dues(OPENED.plusSeconds(4 * 3600), OPENED.plus(Duration.ofDays(3))), p.dues(Severity.P3, OPENED));
    assertEquals(new SlaPolicy.Dues(OPENED.plus(Duration.ofDays(2)), OPENED.plus(Duration.ofDays(10))), p.dues(Severity.P4, OPENED));
  }

  @Test
  void policyMissingASeverityIsRefused() {
    var e = assertThrows(IllegalArgumentException.class,
        () -> new SlaPolicy(Map.of(Severity.P1, new SlaPolicy.Target(Duration.ofMinutes(1), Duration.ofHours(1)))));
    assertTrue(e.getMessage().contains("P2"));
  }
}
