package io.vigil.rules.notify;

import static org.junit.jupiter.api.Assertions.*;

import java.time.Duration;
import java.time.Instant;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Retry-After handling lives in the server's Sender (it floors this delay); here the pure backoff. */
class BackoffTest {
  static final Backoff B = new Backoff(RetryPolicy.DEFAULT); // 1s base, 5m cap

  @Test
  void ceilingDoublesFromBase() {
    assertEquals(Duration.ofSeconds(1), B.ceiling(1));
    assertEquals(Duration.ofSeconds(2), B.ceiling(2));
    assertEquals(Duration.ofSeconds(4), B.ceiling(3));
    assertEquals(Duration.ofSeconds(256), B.ceiling(9));
  }

  @Test
  void ceilingIsCappedAndNeverOverflows() {
    assertEquals(Duration.ofMinutes(5), B.ceiling(10), "512s capped at 300s");
    assertEquals(Duration.ofMinutes(5), B.ceiling(62));
    assertEquals(Duration.ofMinutes(5), B.ceiling(63));
    assertEquals(Duration.ofMinutes(5), B.ceiling(Integer.MAX_VALUE));
  }

  @Test
  void attemptsBelowOneCountAsOne() {
    assertEquals(Duration.ofSeconds(1), B.ceiling(0));
    assertEquals(Duration.ofSeconds(1), B.ceiling(-5));
  }

  @Test
  void fullJitterStaysInZeroToCeiling() {
    Random rnd = new Random(42);
    for (int attempt = 1; attempt <= 20; attempt++) {
      Duration ceiling = B.ceiling(attempt);
      for (int i = 0; i < 200; i++) {
        Duration d = B.delay(attempt, rnd::nextDouble);
        assertFalse(d.isNegative(), d.toString());
        assertTrue(d.compareTo(ceiling) < 0, d + " < " + ceiling);
      }
    }
    assertEquals(Duration.ZERO, B.delay(5, () -> 0.0));
    assertEquals(Duration.ofSeconds(8), B.delay(5, () -> 0.5), "half of the 16s ceiling");
  }

  @Test
  void outOfRangeRandomValuesAreClamped() {
    assertEquals(Duration.ZERO, B.delay(3, () -> -1));
    assertEquals(Duration.ZERO, B.delay(3, () -> Double.NaN));
    assertEquals(Duration.ofSeconds(4), B.delay(3, () -> 7));
  }

  @Test
  void customPolicyAndDeadLetter() {
    RetryPolicy p = new RetryPolicy(Duration.ofMillis(250), Duration.ofSeconds(3), Duration.ofHours(1));
    Backoff b = new Backoff(p);
    assertEquals(Duration.ofMillis(250), b.ceiling(1));
    assertEquals(Duration.ofSeconds(2), b.ceiling(4));
    assertEquals(Duration.ofSeconds(3), b.ceiling(5));
    Instant t = Instant.parse("2026-12-07T00:00:00Z");
    assertFalse(p.deadLettered(t, t.plus(Duration.ofMinutes(59))));
    assertTrue(p.deadLettered(t, t.plus(Duration.ofHours(1))));
  }

  @Test
  void invalidPoliciesAreRefused() {
    assertThrows(IllegalArgumentException.class, () -> new RetryPolicy(Duration.ZERO, Duration.ofSeconds(1), Duration.ofHours(1)));
    assertThrows(IllegalArgumentException.class, () -> new RetryPolicy(Duration.ofSeconds(2), Duration.ofSeconds(1), Duration.ofHours(1)));
    assertThrows(IllegalArgumentException.class, () -> new RetryPolicy(Duration.ofSeconds(1), Duration.ofSeconds(1), Duration.ZERO));
  }
}
