package io.vigil.rules;

import static org.junit.jupiter.api.Assertions.*;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;

class FlapDetectorTest {
  private static final Instant T = Instant.EPOCH;
  private final FlapDetector d = new FlapDetector(new FlapPolicy(4, Duration.ofMinutes(10), Duration.ofMinutes(5)));

  @Test
  void flapsOnlyWhenChangesInTheWindowExceedTheThreshold() {
    for (int i = 0; i < 4; i++) assertFalse(d.record("fp", T.plusSeconds(60L * i)), "change " + (i + 1));
    assertTrue(d.record("fp", T.plusSeconds(240)), "the fifth change within 10m");
  }

  @Test
  void changesOlderThanTheWindowDoNotCount() {
    for (int i = 0; i < 4; i++) d.record("fp", T.plusSeconds(200L * i)); // 0, 200, 400, 600 s
    assertFalse(d.record("fp", T.plusSeconds(610)), "the change at 0 s left the 10m window");
    assertEquals(4, d.count("fp", T.plusSeconds(610)));
  }

  @Test
  void fingerprintsAreCountedApart() {
    for (int i = 0; i < 4; i++) d.record("a", T.plusSeconds(i));
    assertFalse(d.record("b", T.plusSeconds(5)));
  }

  @Test
  void quietFingerprintsAreForgotten() {
    d.record("fp", T);
    d.forgetQuiet(T.plus(Duration.ofMinutes(11)));
    assertEquals(0, d.tracked());
  }

  @Test
  void disabledPolicyNeverFlaps() {
    FlapDetector off = new FlapDetector(FlapPolicy.parse(Map.of("enabled", false)));
    for (int i = 0; i < 100; i++) assertFalse(off.record("fp", T.plusSeconds(i)));
  }

  @Test
  void policyIsParsedWithDefaultsAndClearErrors() {
    assertEquals(FlapPolicy.defaults(), FlapPolicy.parse(null));
    assertEquals(new FlapPolicy(3, Duration.ofMinutes(5), Duration.ofMinutes(10)), FlapPolicy.parse(Map.of("transitions", 3, "window", "5m")));
    assertEquals("flapping: unknown key 'treshold' (known: enabled, quiet, transitions, window)",
        assertThrows(IllegalArgumentException.class, () -> FlapPolicy.parse(Map.of("treshold", 3))).getMessage());
    assertEquals("flapping.transitions must be at least 2, got 1",
        assertThrows(IllegalArgumentException.class, () -> FlapPolicy.parse(Map.of("transitions", 1))).getMessage());
  }
}
