package io.vigil.rules;

import java.time.Duration;
import java.time.Instant;
import java.util.EnumMap;
import java.util.Map;

/**
 * Response and resolution targets per severity, and the due-time arithmetic.
 *
 * <p>Today every contract runs on the 7×24 calendar: a target of N business days counts as
 * N×24 h of wall-clock time. Business-hours calendars (5×8) are a later, separate calendar
 * implementation; the targets below already say which calendar they belong to.
 */
public final class SlaPolicy {
  /** One row of the SLA table. */
  public record Target(Duration respondWithin, Duration resolveWithin) {}

  /** Response and resolution due instants of one ticket. */
  public record Dues(Instant respondBy, Instant resolveBy) {}

  private final Map<Severity, Target> targets;

  public SlaPolicy(Map<Severity, Target> targets) {
    this.targets = new EnumMap<>(targets);
    for (Severity s : Severity.values()) {
      if (!this.targets.containsKey(s)) throw new IllegalArgumentException("SLA policy lacks a target for " + s);
    }
  }

  /** DESIGN.md's default table: P1 15 min / 4 h, P2 1 h / 24 h, P3 4 h / 3 days, P4 2 days / 10 days. */
  public static SlaPolicy defaults() {
    Map<Severity, Target> t = new EnumMap<>(Severity.class);
    t.put(Severity.P1, new Target(Duration.ofMinutes(15), Duration.ofHours(4)));
    t.put(Severity.P2, new Target(Duration.ofHours(1), Duration.ofHours(24)));
    t.put(Severity.P3, new Target(Duration.ofHours(4), Duration.ofDays(3)));
    t.put(Severity.P4, new Target(Duration.ofDays(2), Duration.ofDays(10)));
    return new SlaPolicy(t);
  }

  public Target target(Severity s) {
    return targets.get(s);
  }

  public Dues dues(Severity severity, Instant openedAt) {
    Target t = targets.get(severity);
    return new Dues(openedAt.plus(t.respondWithin()), openedAt.plus(t.resolveWithin()));
  }
}
