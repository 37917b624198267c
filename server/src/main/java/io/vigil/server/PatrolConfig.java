package io.vigil.server;

import java.time.DateTimeException;
import java.time.LocalTime;
import java.time.ZoneId;
import java.time.format.DateTimeParseException;
import java.util.Map;

/**
 * Patrol settings (README, "Patrol"): when the daily report is made, the zone of customers created
 * without one, and how many probes may run at once.
 */
public record PatrolConfig(LocalTime reportAt, ZoneId defaultZone, int probeMaxInFlight) {
  public static PatrolConfig fromEnv(Map<String, String> env) {
    String at = env.getOrDefault("VIGIL_PATROL_REPORT_AT", "07:00").trim();
    LocalTime reportAt;
    try {
      reportAt = LocalTime.parse(at);
    } catch (DateTimeParseException e) {
      throw new IllegalArgumentException("VIGIL_PATROL_REPORT_AT must be a local time HH:mm, got '" + at + "'");
    }
    String z = env.getOrDefault("VIGIL_PATROL_TIME_ZONE", "UTC").trim();
    ZoneId zone;
    try {
      zone = ZoneId.of(z);
    } catch (DateTimeException e) {
      throw new IllegalArgumentException("VIGIL_PATROL_TIME_ZONE must be an IANA zone such as Asia/Shanghai, got '" + z + "'");
    }
    String raw = env.get("VIGIL_PROBE_MAX_INFLIGHT");
    int max = 32;
    if (raw != null && !raw.isBlank()) {
      try {
        max = Integer.parseInt(raw.trim());
        if (max < 1 || max > 10_000) throw new NumberFormatException();
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException("VIGIL_PROBE_MAX_INFLIGHT must be a whole number from 1 to 10000, got '" + raw + "'");
      }
    }
    return new PatrolConfig(reportAt, zone, max);
  }
}
