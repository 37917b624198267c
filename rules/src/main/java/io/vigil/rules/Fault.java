package io.vigil.rules;

import java.time.Instant;
import java.util.Objects;

/**
 * An immutable snapshot of one fault. Every change returns a new snapshot; {@link #moveTo}
 * is the single transition method and rejects illegal moves.
 *
 * @param startsAt  when the condition first held (start of pending)
 * @param firingAt  when it started firing; null while pending or if it never fired
 * @param endsAt    when it resolved; null while active
 */
public record Fault(String fingerprint, String rule, Severity severity, FaultState state, Labels labels,
    double value, String summary, Instant startsAt, Instant firingAt, Instant endsAt) {
  public Fault {
    Objects.requireNonNull(fingerprint);
    Objects.requireNonNull(rule);
    Objects.requireNonNull(severity);
    Objects.requireNonNull(state);
    Objects.requireNonNull(labels);
    Objects.requireNonNull(startsAt);
  }

  public static Fault pending(String fingerprint, String rule, Severity severity, Labels labels, double value,
      String summary, Instant at) {
    return new Fault(fingerprint, rule, severity, FaultState.PENDING, labels, value, summary, at, null, null);
  }

  public Fault moveTo(FaultState to, Instant at) {
    if (!state.canMoveTo(to)) throw new IllegalTransitionException("fault " + fingerprint, state.wireName(), to.wireName());
    return switch (to) {
      case FIRING -> new Fault(fingerprint, rule, severity, to, labels, value, summary, startsAt, at, null);
      case RESOLVED -> new Fault(fingerprint, rule, severity, to, labels, value, summary, startsAt, firingAt, at);
      case PENDING -> throw new AssertionError("unreachable: nothing moves to pending");
    };
  }

  public Fault withValue(double newValue, String newSummary) {
    return new Fault(fingerprint, rule, severity, state, labels, newValue, newSummary, startsAt, firingAt, endsAt);
  }

  public boolean active() {
    return state != FaultState.RESOLVED;
  }
}
