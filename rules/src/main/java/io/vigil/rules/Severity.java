package io.vigil.rules;

/**
 * Fault severity, from the service plans Vigil serves. {@code P1} is the most severe.
 */
public enum Severity {
  /** 一级故障: seriously affects normal operation; business work cannot proceed. */
  P1("一级故障"),
  /** 二级故障: some functions limited; main business flow unaffected. */
  P2("二级故障"),
  /** Minor: degraded or at risk, no user impact yet. */
  P3("三级故障"),
  /** Notice: proactive patrol finding, trend, housekeeping. */
  P4("提示");

  private final String chineseName;

  Severity(String chineseName) {
    this.chineseName = chineseName;
  }

  public String chineseName() {
    return chineseName;
  }

  /** {@code steps} grades more severe (negative: less), clamped to P1…P4. */
  public Severity raise(int steps) {
    int to = Math.max(0, Math.min(values().length - 1, ordinal() - steps));
    return values()[to];
  }

  /** Parses {@code P1}…{@code P4} (case-insensitive); throws naming the accepted values. */
  public static Severity parse(String s) {
    if (s != null) {
      for (Severity v : values()) if (v.name().equalsIgnoreCase(s.trim())) return v;
    }
    throw new IllegalArgumentException("severity must be one of P1, P2, P3, P4, got '" + s + "'");
  }
}
