package io.vigil.collectors;

/**
 * The unit of line protocol timestamps, from the {@code precision} query parameter. InfluxDB 1.x
 * ({@code /write}) knows {@code n ns u us µ µs ms s m h}; 2.x ({@code /api/v2/write}) knows
 * {@code ns us ms s} (Vigil also takes {@code µs} there). Absent means nanoseconds. An unknown
 * value is refused with 400 (InfluxDB 1.6 silently treats it as nanoseconds, which stores points
 * at the wrong time without telling anyone).
 */
public enum Precision {
  NANOSECONDS(1, 1_000_000), MICROSECONDS(1, 1_000), MILLISECONDS(1, 1), SECONDS(1_000, 1), MINUTES(60_000, 1), HOURS(3_600_000, 1);

  private final long multiply;
  private final long divide;

  Precision(long multiply, long divide) {
    this.multiply = multiply;
    this.divide = divide;
  }

  /** {@code /write}'s precision; null or empty is nanoseconds; IllegalArgumentException otherwise. */
  public static Precision v1(String p) {
    if (p == null || p.isEmpty()) return NANOSECONDS;
    return switch (p) {
      case "n", "ns" -> NANOSECONDS;
      case "u", "us", "µ", "µs" -> MICROSECONDS;
      case "ms" -> MILLISECONDS;
      case "s" -> SECONDS;
      case "m" -> MINUTES;
      case "h" -> HOURS;
      default -> throw new IllegalArgumentException("invalid precision '" + p + "': use one of n, ns, u, us, µs, ms, s, m, h");
    };
  }

  /** {@code /api/v2/write}'s precision; null or empty is nanoseconds. */
  public static Precision v2(String p) {
    if (p == null || p.isEmpty()) return NANOSECONDS;
    return switch (p) {
      case "ns" -> NANOSECONDS;
      case "us", "µs" -> MICROSECONDS;
      case "ms" -> MILLISECONDS;
      case "s" -> SECONDS;
      default -> throw new IllegalArgumentException("invalid precision '" + p + "': use one of ns, us, ms, s");
    };
  }

  /** Epoch milliseconds (floored) of a timestamp in this unit; ArithmeticException on overflow. */
  public long toMillis(long t) {
    return divide == 1 ? Math.multiplyExact(t, multiply) : Math.floorDiv(t, divide);
  }
}
