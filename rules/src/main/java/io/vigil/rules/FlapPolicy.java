package io.vigil.rules;

import java.time.Duration;
import java.util.Map;
import java.util.Set;

/**
 * When a fault counts as flapping: it changed state (fired or resolved) more than
 * {@code transitions} times within {@code window}. A flapping fault stays one active fault (pages
 * held back, shown as flapping on the wall) and settles once its condition has not changed for
 * {@code quiet}. The {@code flapping:} section of the rules file; defaults: 6 changes in 15m, quiet 10m.
 */
public record FlapPolicy(int transitions, Duration window, Duration quiet) {
  private static final Set<String> KEYS = Set.of("transitions", "window", "quiet", "enabled");

  public FlapPolicy {
    if (transitions < 2) throw new IllegalArgumentException("flapping.transitions must be at least 2, got " + transitions);
    if (window.isNegative() || window.isZero()) throw new IllegalArgumentException("flapping.window must be positive");
    if (quiet.isNegative() || quiet.isZero()) throw new IllegalArgumentException("flapping.quiet must be positive");
  }

  public static FlapPolicy defaults() {
    return new FlapPolicy(6, Duration.ofMinutes(15), Duration.ofMinutes(10));
  }

  /** No flap control: {@code enabled: false}. */
  public static FlapPolicy off() {
    return new FlapPolicy(Integer.MAX_VALUE, Duration.ofMillis(1), Duration.ofMillis(1));
  }

  public boolean enabled() {
    return transitions != Integer.MAX_VALUE;
  }

  public static FlapPolicy parse(Object node) {
    if (node == null) return defaults();
    if (!(node instanceof Map<?, ?> m)) throw new IllegalArgumentException("flapping must be a mapping");
    for (Object k : m.keySet()) {
      if (!KEYS.contains(String.valueOf(k))) {
        throw new IllegalArgumentException("flapping: unknown key '" + k + "' (known: enabled, quiet, transitions, window)");
      }
    }
    if (Boolean.FALSE.equals(m.get("enabled"))) return off();
    FlapPolicy d = defaults();
    Object t = m.get("transitions");
    if (t != null && !(t instanceof Integer)) throw new IllegalArgumentException("flapping.transitions must be a whole number, got '" + t + "'");
    return new FlapPolicy(t == null ? d.transitions() : (Integer) t,
        m.get("window") == null ? d.window() : Durations.parse(String.valueOf(m.get("window"))),
        m.get("quiet") == null ? d.quiet() : Durations.parse(String.valueOf(m.get("quiet"))));
  }
}
