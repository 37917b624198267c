package io.vigil.rules;

import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Prometheus-style durations: {@code 30s}, {@code 5m}, {@code 1h30m}, {@code 2d}, {@code 0s}, {@code 250ms}. */
public final class Durations {
  private static final Pattern PART = Pattern.compile("(\\d+)(ms|s|m|h|d|w)");

  private Durations() {}

  public static Duration parse(String text) {
    if (text == null || text.isBlank()) throw new IllegalArgumentException("empty duration");
    String s = text.trim();
    if (s.equals("0")) return Duration.ZERO;
    Matcher m = PART.matcher(s);
    Duration total = Duration.ZERO;
    int at = 0;
    while (at < s.length()) {
      if (!m.find(at) || m.start() != at) {
        throw new IllegalArgumentException("bad duration '" + text + "': use e.g. 30s, 5m, 1h30m, 2d");
      }
      long n = Long.parseLong(m.group(1));
      total = total.plus(switch (m.group(2)) {
        case "ms" -> Duration.ofMillis(n);
        case "s" -> Duration.ofSeconds(n);
        case "m" -> Duration.ofMinutes(n);
        case "h" -> Duration.ofHours(n);
        case "d" -> Duration.ofDays(n);
        default -> Duration.ofDays(7 * n);
      });
      at = m.end();
    }
    return total;
  }

  /** The shortest Prometheus-style text for {@code d}, e.g. {@code 1h30m}. */
  public static String format(Duration d) {
    if (d.isZero()) return "0s";
    StringBuilder b = new StringBuilder();
    long ms = d.toMillis();
    long[] units = {86_400_000L, 3_600_000L, 60_000L, 1000L, 1L};
    String[] names = {"d", "h", "m", "s", "ms"};
    for (int i = 0; i < units.length; i++) {
      if (ms >= units[i]) {
        b.append(ms / units[i]).append(names[i]);
        ms %= units[i];
      }
    }
    return b.toString();
  }
}
