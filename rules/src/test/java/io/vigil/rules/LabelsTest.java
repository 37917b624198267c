package io.vigil.rules;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class LabelsTest {
  @Test
  void equalityIsByContentWhateverTheInsertionOrder() {
    Labels a = Labels.of("b", "2", "a", "1");
    Labels b = Labels.of(Map.of("a", "1", "b", "2"));
    assertEquals(a, b);
    assertEquals(a.hashCode(), b.hashCode());
    assertNotEquals(a, Labels.of("a", "1", "b", "3"));
    assertEquals("{a=\"1\", b=\"2\"}", a.toString());
    assertSame(a, a.keep(List.of("a", "b")));
  }

  @Test
  void hashCodesSpreadOverSeriesThatDifferInSeveralLabels() {
    // TreeMap's sum of key ^ value per pair gave 145 distinct hashes for these 2,000 label sets
    java.util.Set<Integer> hashes = new java.util.HashSet<>();
    for (int c = 0; c < 20; c++) {
      for (int s = 0; s < 10; s++) {
        for (int h = 0; h < 10; h++) hashes.add(Labels.of("customer", "c" + c, "system", "s" + s, "host", "h" + h).hashCode());
      }
    }
    assertTrue(hashes.size() >= 1990, hashes.size() + " distinct hashes for 2,000 label sets");
  }

  @Test
  void aBadLabelNameIsRefusedByName() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Labels.of("9lives", "x"));
    assertEquals("bad label name '9lives': must match [a-zA-Z_][a-zA-Z0-9_]*", e.getMessage());
  }
}
