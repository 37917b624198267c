package io.vigil.rules.notify;

import java.util.Locale;

/** An alert's status in a notification, spelled as Alertmanager's webhook does. */
public enum AlertStatus {
  FIRING, RESOLVED;

  public String wireName() {
    return name().toLowerCase(Locale.ROOT);
  }

  public static AlertStatus parse(String s) {
    for (AlertStatus v : values()) if (v.wireName().equalsIgnoreCase(s == null ? "" : s.trim())) return v;
    throw new IllegalArgumentException("status must be firing or resolved, got '" + s + "'");
  }
}
