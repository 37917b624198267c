package io.vigil.rules.patrol;

import io.vigil.rules.Severity;
import java.util.Locale;

/**
 * How much a system matters to its customer. It sets the severity of the system's automatic
 * {@code NoData} fault: silence means Vigil is blind on the system, not that its business has
 * stopped (a probe or an {@code up == 0} rule proves that, and grades P1 on its own), so even a
 * high-criticality system's NoData starts at P2.
 */
public enum Criticality {
  HIGH(Severity.P2), NORMAL(Severity.P3), LOW(Severity.P4);

  private final Severity noData;

  Criticality(Severity noData) {
    this.noData = noData;
  }

  public Severity noDataSeverity() {
    return noData;
  }

  public String wireName() {
    return name().toLowerCase(Locale.ROOT);
  }

  public static Criticality parse(String s) {
    for (Criticality c : values()) if (c.wireName().equalsIgnoreCase(s)) return c;
    throw new IllegalArgumentException("must be one of high, normal, low, got '" + s + "'");
  }
}
