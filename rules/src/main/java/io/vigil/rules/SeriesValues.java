package io.vigil.rules;

import java.util.ArrayList;
import java.util.List;

/**
 * promtool's expanding notation for test input series, so rule tests written for Prometheus carry
 * over: {@code 1 2 3}, {@code 0+10x5} (0 10 20 30 40 50), {@code 100-5x3}, {@code 7x3} (7 7 7 7),
 * {@code _} (no sample at that step), {@code _x4} (four steps without), {@code stale} (no sample; the
 * series counts as gone from then on in Vigil as in Prometheus).
 * A missing value is {@code null} in the returned list.
 */
public final class SeriesValues {
  /** The value that marks a stale step (no sample; Prometheus writes a staleness marker). */
  public static final Double STALE = Double.longBitsToDouble(0x7ff0000000000002L);

  private SeriesValues() {}

  public static List<Double> expand(String text) {
    List<Double> out = new ArrayList<>();
    for (String tok : text.trim().split("\\s+")) {
      if (tok.isEmpty()) continue;
      try {
        token(tok, out);
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException("bad value '" + tok + "' in '" + text + "': use numbers, a+bxn, a-bxn, axn, _, _xn or stale");
      }
    }
    return out;
  }

  private static void token(String tok, List<Double> out) {
    if (tok.equals("_")) {
      out.add(null);
      return;
    }
    if (tok.equals("stale")) {
      out.add(STALE);
      return;
    }
    int x = tok.lastIndexOf('x');
    if (x < 0) {
      out.add(Double.parseDouble(tok));
      return;
    }
    int n = Integer.parseInt(tok.substring(x + 1));
    String head = tok.substring(0, x);
    if (head.equals("_")) {
      for (int i = 0; i < n; i++) out.add(null);
      return;
    }
    // a+b or a-b: the sign after the first character separates start and step.
    int sign = -1;
    for (int i = 1; i < head.length(); i++) {
      char c = head.charAt(i);
      if ((c == '+' || c == '-') && head.charAt(i - 1) != 'e' && head.charAt(i - 1) != 'E') {
        sign = i;
        break;
      }
    }
    double start = Double.parseDouble(sign < 0 ? head : head.substring(0, sign));
    double step = sign < 0 ? 0 : Double.parseDouble(head.substring(sign));
    for (int i = 0; i <= n; i++) out.add(start + i * step);
  }

  public static boolean isStale(Double v) {
    return v != null && Double.doubleToRawLongBits(v) == Double.doubleToRawLongBits(STALE);
  }
}
