package io.vigil.rules;

import static org.junit.jupiter.api.Assertions.*;

import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class SeriesValuesTest {
  @Test
  void expandsPromtoolNotation() {
    assertEquals(List.of(1.0, 2.0, 3.0), SeriesValues.expand("1 2 3"));
    assertEquals(List.of(0.0, 10.0, 20.0, 30.0), SeriesValues.expand("0+10x3"));
    assertEquals(List.of(100.0, 95.0, 90.0), SeriesValues.expand("100-5x2"));
    assertEquals(List.of(7.0, 7.0, 7.0), SeriesValues.expand("7x2"));
    assertEquals(List.of(-1.0, -3.0), SeriesValues.expand("-1-2x1"));
    assertEquals(List.of(1.5e3, 2.5e3), SeriesValues.expand("1.5e3+1e3x1"));
    assertEquals(Arrays.asList(1.0, null, null, null, 2.0), SeriesValues.expand("1 _ _x2 2"));
    assertTrue(SeriesValues.isStale(SeriesValues.expand("1 stale").get(1)));
    assertFalse(SeriesValues.isStale(Double.NaN));
  }

  @Test
  void badTokenIsNamed() {
    assertEquals("bad value '1+x' in '0 1+x': use numbers, a+bxn, a-bxn, axn, _, _xn or stale",
        assertThrows(IllegalArgumentException.class, () -> SeriesValues.expand("0 1+x")).getMessage());
  }
}
