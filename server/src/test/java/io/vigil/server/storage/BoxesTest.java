package io.vigil.server.storage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import java.util.Random;
import org.junit.jupiter.api.Test;

class BoxesTest {
  @Test
  void everyBoxHoldsExactlyItsValueAndEqualValuesShareOneBox() {
    Boxes boxes = new Boxes();
    Random r = new Random(7);
    long[] ts = new long[10_000];
    double[] vs = new double[10_000];
    for (int i = 0; i < ts.length; i++) {
      ts[i] = 1_700_000_000_000L + r.nextInt(50);
      vs[i] = switch (r.nextInt(5)) {
        case 0 -> 0.0;
        case 1 -> -0.0;
        case 2 -> Double.NaN;
        case 3 -> r.nextDouble();
        default -> 1.0;
      };
    }
    Long[] bt = boxes.of(ts);
    Double[] bv = boxes.of(vs);
    for (int i = 0; i < ts.length; i++) {
      assertEquals(ts[i], bt[i].longValue());
      assertEquals(Double.doubleToRawLongBits(vs[i]), Double.doubleToRawLongBits(bv[i]), "value " + i + " keeps its bits (-0.0 is not 0.0)");
    }
    assertSame(boxes.of(1_700_000_000_007L), boxes.of(1_700_000_000_007L));
    assertSame(boxes.of(-0.0), boxes.of(-0.0));
    assertEquals(Double.doubleToRawLongBits(-0.0), Double.doubleToRawLongBits(boxes.of(-0.0)));
  }
}
