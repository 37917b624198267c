package io.vigil.rules.patrol;

import static org.junit.jupiter.api.Assertions.*;

import org.junit.jupiter.api.Test;

class TrendsTest {
  @Test
  void diskGrowingTenPointsADayFromEightyIsFullInTwoDays() {
    double perSecond = 10.0 / 86_400;
    assertEquals(2.0, Trends.daysUntil(100, perSecond, 80).orElseThrow(), 1e-9);
  }

  @Test
  void flatOrFallingNeverFillsAndAlreadyFullIsZero() {
    assertTrue(Trends.daysUntil(100, 0, 50).isEmpty());
    assertTrue(Trends.daysUntil(100, -1e-3, 50).isEmpty());
    assertEquals(0.0, Trends.daysUntil(100, -1e-3, 100).orElseThrow());
  }

  @Test
  void leastSquaresRecoversALineThroughNoise() {
    double[] xs = new double[100];
    double[] ys = new double[100];
    for (int i = 0; i < xs.length; i++) {
      xs[i] = i;
      ys[i] = 3 + 0.5 * i + ((i % 2 == 0) ? 0.1 : -0.1);
    }
    double[] fit = Trends.leastSquares(xs, ys);
    assertEquals(0.5, fit[0], 1e-3);
    assertEquals(3.0, fit[1], 0.1);
    assertTrue(Double.isNaN(Trends.leastSquares(new double[] {1}, new double[] {1})[0]));
  }
}
