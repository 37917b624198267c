package io.vigil.rules.alerts;

import io.vigil.rules.Severity;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * Grades an external alert from its {@code severity} label: a value → P1…P4 table plus a default for
 * a missing or unknown value. Written as {@code critical=P1,major=P2,error=P2,warning=P3,info=P4,*=P3}
 * ({@code *} is the default); values match case-insensitively. Immutable, thread-safe.
 */
public final class AlertSeverityMap {
  public static final String DEFAULT_SPEC = "critical=P1,major=P2,error=P2,warning=P3,info=P4,*=P3";
  private final Map<String, Severity> byValue;
  private final Severity fallback;

  /** The severity and why: e.g. {@code base P1 (severity=critical from prometheus)}. */
  public record Graded(Severity severity, String explanation) {}

  private AlertSeverityMap(Map<String, Severity> byValue, Severity fallback) {
    this.byValue = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(byValue));
    this.fallback = fallback;
  }

  public static AlertSeverityMap defaults() {
    return parse(DEFAULT_SPEC);
  }

  /** Parses the spec; throws {@link IllegalArgumentException} naming the bad entry. */
  public static AlertSeverityMap parse(String spec) {
    Map<String, Severity> m = new LinkedHashMap<>();
    Severity fallback = Severity.P3;
    for (String entry : spec.split(",")) {
      if (entry.isBlank()) continue;
      int eq = entry.indexOf('=');
      if (eq <= 0) throw new IllegalArgumentException("expected value=P1…P4 (or *=P3 for the default), got '" + entry.trim() + "'");
      String value = entry.substring(0, eq).trim().toLowerCase(Locale.ROOT);
      Severity s;
      try {
        s = Severity.parse(entry.substring(eq + 1));
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("in '" + entry.trim() + "': " + e.getMessage());
      }
      if (value.equals("*")) fallback = s;
      else m.put(value, s);
    }
    return new AlertSeverityMap(m, fallback);
  }

  public Graded grade(String severityLabel, String source) {
    if (severityLabel == null || severityLabel.isBlank()) {
      return new Graded(fallback, "base " + fallback + " (no severity label, default for " + source + ")");
    }
    Severity s = byValue.get(severityLabel.trim().toLowerCase(Locale.ROOT));
    if (s == null) return new Graded(fallback, "base " + fallback + " (severity=" + severityLabel + " not mapped, default for " + source + ")");
    return new Graded(s, "base " + s + " (severity=" + severityLabel + " from " + source + ")");
  }

  @Override
  public String toString() {
    StringBuilder b = new StringBuilder();
    byValue.forEach((k, v) -> b.append(k).append('=').append(v).append(','));
    return b.append("*=").append(fallback).toString();
  }
}
