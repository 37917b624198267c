package io.vigil.rules;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * An immutable snapshot of one fault. Every change returns a new snapshot; {@link #moveTo}
 * is the single transition method and rejects illegal moves.
 *
 * @param severity        the graded severity (what tickets, pages and the wall use)
 * @param startsAt        when the condition first held (start of pending)
 * @param firingAt        when it first fired; null while pending or if it never fired
 * @param endsAt          when it resolved; null while active
 * @param grading         why it has its severity, step by step, e.g. {@code ["base P3", "4 systems of acme affected (≥ 3) → P2"]}
 * @param annotations     rendered annotations other than the summary ({@code description}, {@code runbook_url}, …)
 * @param keepFiringUntil while the condition has cleared but {@code keep_firing_for} holds the fault firing: until when; else null
 * @param source          who raised it: {@link #SOURCE_RULE} for Vigil's rule engine, else the external source
 *                        (e.g. {@code prometheus}) that owns its lifecycle
 */
public record Fault(String fingerprint, String rule, Severity severity, FaultState state, Labels labels,
    double value, String summary, Instant startsAt, Instant firingAt, Instant endsAt,
    List<String> grading, Map<String, String> annotations, Instant keepFiringUntil, String source) {
  /** Faults raised by Vigil's own rules. */
  public static final String SOURCE_RULE = "rule";

  /** A fault raised by a rule. */
  public Fault(String fingerprint, String rule, Severity severity, FaultState state, Labels labels,
      double value, String summary, Instant startsAt, Instant firingAt, Instant endsAt,
      List<String> grading, Map<String, String> annotations, Instant keepFiringUntil) {
    this(fingerprint, rule, severity, state, labels, value, summary, startsAt, firingAt, endsAt, grading, annotations,
        keepFiringUntil, SOURCE_RULE);
  }

  public Fault {
    Objects.requireNonNull(fingerprint);
    Objects.requireNonNull(rule);
    Objects.requireNonNull(severity);
    Objects.requireNonNull(state);
    Objects.requireNonNull(labels);
    Objects.requireNonNull(startsAt);
    source = source == null ? SOURCE_RULE : source;
    grading = grading == null ? List.of("base " + severity) : List.copyOf(grading);
    annotations = annotations == null ? Map.of() : Map.copyOf(annotations);
  }

  public static Fault pending(String fingerprint, String rule, Severity severity, Labels labels, double value,
      String summary, Instant at) {
    return new Fault(fingerprint, rule, severity, FaultState.PENDING, labels, value, summary, at, null, null, null, null, null);
  }

  /**
   * The one transition method. Entering FIRING records {@code firingAt} the first time only (a
   * flapping fault that settles firing keeps its original firing time); RESOLVED records {@code endsAt}.
   */
  public Fault moveTo(FaultState to, Instant at) {
    if (!state.canMoveTo(to)) throw new IllegalTransitionException("fault " + fingerprint, state.wireName(), to.wireName());
    return switch (to) {
      case FIRING, FLAPPING -> new Fault(fingerprint, rule, severity, to, labels, value, summary, startsAt,
          firingAt == null ? at : firingAt, null, grading, annotations, null, source);
      case RESOLVED -> new Fault(fingerprint, rule, severity, to, labels, value, summary, startsAt, firingAt, at, grading,
          annotations, null, source);
      case PENDING -> throw new AssertionError("unreachable: nothing moves to pending");
    };
  }

  public Fault withValue(double newValue, String newSummary, Map<String, String> newAnnotations) {
    return new Fault(fingerprint, rule, severity, state, labels, newValue, newSummary, startsAt, firingAt, endsAt, grading,
        newAnnotations, keepFiringUntil, source);
  }

  public Fault withValue(double newValue, String newSummary) {
    return withValue(newValue, newSummary, annotations);
  }

  public Fault withGrade(Severity graded, List<String> why) {
    return new Fault(fingerprint, rule, graded, state, labels, value, summary, startsAt, firingAt, endsAt, why, annotations,
        keepFiringUntil, source);
  }

  public Fault withKeepFiringUntil(Instant until) {
    return new Fault(fingerprint, rule, severity, state, labels, value, summary, startsAt, firingAt, endsAt, grading,
        annotations, until, source);
  }

  /** The same fault raised by another source ({@code prometheus}, {@code patrol}, …). */
  public Fault withSource(String newSource) {
    return new Fault(fingerprint, rule, severity, state, labels, value, summary, startsAt, firingAt, endsAt, grading, annotations,
        keepFiringUntil, newSource);
  }

  public boolean active() {
    return state != FaultState.RESOLVED;
  }

  /** Firing or flapping: the condition has been confirmed (counts for scope, keeps its ticket). */
  public boolean confirmed() {
    return state == FaultState.FIRING || state == FaultState.FLAPPING;
  }
}
