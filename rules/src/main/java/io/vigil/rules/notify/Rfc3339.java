package io.vigil.rules.notify;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.Locale;

/** Timestamps as Go's {@code time.Time} marshals them to JSON (RFC 3339, trailing fraction zeros cut). */
final class Rfc3339 {
  /** What Alertmanager writes for an unset time (Go's zero {@code time.Time}). */
  static final String ZERO = "0001-01-01T00:00:00Z";

  private Rfc3339() {}

  static String format(Instant t) {
    if (t == null) return ZERO;
    ZonedDateTime z = t.atZone(ZoneOffset.UTC);
    StringBuilder b = new StringBuilder(String.format(Locale.ROOT, "%04d-%02d-%02dT%02d:%02d:%02d", z.getYear(), z.getMonthValue(),
        z.getDayOfMonth(), z.getHour(), z.getMinute(), z.getSecond()));
    int nanos = t.getNano();
    if (nanos != 0) {
      String f = String.format(Locale.ROOT, "%09d", nanos).replaceAll("0+$", "");
      b.append('.').append(f);
    }
    return b.append('Z').toString();
  }
}
