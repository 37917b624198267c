package io.vigil.rules;

import static org.junit.jupiter.api.Assertions.*;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class DurationsTest {
  @Test
  void parsesCompoundDurations() {
    assertEquals(Duration.ofSeconds(30), Durations.parse("30s"));
    assertEquals(Duration.ofMinutes(90), Durations.parse("1h30m"));
    assertEquals(Duration.ofDays(2), Durations.parse("2d"));
    assertEquals(Duration.ofMillis(250), Durations.parse("250ms"));
    assertEquals(Duration.ZERO, Durations.parse("0s"));
    assertEquals(Duration.ZERO, Durations.parse("0"));
  }

  @Test
  void rejectsUnitlessAndUnknownUnits() {
    assertThrows(IllegalArgumentException.class, () -> Durations.parse("30"));
    assertThrows(IllegalArgumentException.class, () -> Durations.parse("5y"));
    assertThrows(IllegalArgumentException.class, () -> Durations.parse("m5"));
  }

  @Test
  void formatsShortest() {
    assertEquals("1h30m", Durations.format(Duration.ofMinutes(90)));
    assertEquals("0s", Durations.format(Duration.ZERO));
  }
}
