package io.vigil.rules.expr;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * One generated sample of a property: for {@code series}, {@code step} seconds after the previous
 * sample (negative: late), with {@code value}; each property maps these to times and values its
 * own way. Printed compactly, e.g. {@code 1+5:120} or {@code 0-3:-7}.
 */
record Step(int series, int step, int value) {
  /** Bounds of a generated list, all inclusive. */
  record Ranges(int series, int minStep, int maxStep, int minValue, int maxValue, int maxSize) {}

  @Override
  public String toString() {
    return series + (step >= 0 ? "+" : "") + step + ":" + value;
  }

  /**
   * A random list within {@code b}. Some lists are skewed on purpose, because uniform draws rarely
   * hit the interesting cases: very short, a single series, steps within ±2 s (duplicate
   * timestamps and late samples everywhere), values within ±3 (ties, zero spread, zeros).
   */
  static List<Step> list(Random r, Ranges b) {
    int size = r.nextInt(6) == 0 ? r.nextInt(6) : r.nextInt(b.maxSize() + 1);
    int series = r.nextInt(6) == 0 ? 1 : b.series();
    boolean denseTime = r.nextInt(4) == 0;
    boolean fewValues = r.nextInt(4) == 0;
    int minStep = denseTime ? Math.max(b.minStep(), -2) : b.minStep();
    int maxStep = denseTime ? Math.min(b.maxStep(), 2) : b.maxStep();
    int minValue = fewValues ? Math.max(b.minValue(), -3) : b.minValue();
    int maxValue = fewValues ? Math.min(b.maxValue(), 3) : b.maxValue();
    List<Step> out = new ArrayList<>(size);
    for (int i = 0; i < size; i++) {
      out.add(new Step(r.nextInt(series), between(r, minStep, maxStep), between(r, minValue, maxValue)));
    }
    return out;
  }

  static int between(Random r, int min, int max) {
    return min + r.nextInt(max - min + 1);
  }

  static <T> T oneOf(Random r, List<T> choices) {
    return choices.get(r.nextInt(choices.size()));
  }
}
