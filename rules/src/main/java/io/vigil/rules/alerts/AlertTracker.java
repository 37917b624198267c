package io.vigil.rules.alerts;

import io.vigil.rules.Fault;
import io.vigil.rules.FaultEvent;
import io.vigil.rules.FaultState;
import io.vigil.rules.Fingerprints;
import io.vigil.rules.Labels;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;

/**
 * Turns alerts pushed by an external source (Prometheus, Alertmanager API v2) into faults and owns
 * their lifecycle, as Alertmanager does: an alert is firing until its {@code endsAt}; the sender
 * refreshes a firing alert before then (Prometheus re-sends every {@code resend_delay} with
 * {@code endsAt = now + 4 × max(evaluation_interval, resend_delay)}); an alert that arrives with
 * {@code endsAt} already past is resolved; an alert not refreshed by its {@code endsAt} resolves then.
 * A missing {@code endsAt} means {@code now + resolveTimeout} (Alertmanager's {@code resolve_timeout}),
 * a missing {@code startsAt} means now.
 *
 * <p>A fault's fingerprint is {@code prom:} + {@link Fingerprints#of} of the alertname and the other
 * labels, so it is stable across restarts and never equals a rule fault's (those are 16 bare hex
 * digits). Its rule is the alertname, its labels the alert's without {@code alertname}, its value
 * NaN, its severity from {@link AlertSeverityMap}, its summary the {@code summary} annotation (else
 * {@code description}, else the alertname); the other annotations and {@code generatorURL} are kept.
 *
 * <p>Pure: time comes in as arguments; events are returned, never sent. Not thread-safe: one owner.
 */
public final class AlertTracker {
  private final String source;
  private final AlertSeverityMap severities;
  private final Duration resolveTimeout;
  /** Active faults by fingerprint, with the instant each resolves unless refreshed. */
  private final Map<String, Tracked> active = new LinkedHashMap<>();

  private record Tracked(Fault fault, Instant deadline) {}

  public AlertTracker(String source, AlertSeverityMap severities, Duration resolveTimeout) {
    this.source = Objects.requireNonNull(source);
    this.severities = Objects.requireNonNull(severities);
    this.resolveTimeout = Objects.requireNonNull(resolveTimeout);
  }

  public String source() {
    return source;
  }

  /** {@code prom:} + 16 hex digits of the alertname and the remaining labels (sorted). */
  public static String fingerprint(Labels alertLabels) {
    Map<String, String> rest = new TreeMap<>(alertLabels.asMap());
    String name = rest.remove("alertname");
    return "prom:" + Fingerprints.of(name == null ? "" : name, Labels.of(rest));
  }

  /** One post of alerts, in order; returns the fault events it causes. */
  public List<FaultEvent> receive(List<Alert> alerts, Instant now) {
    List<FaultEvent> events = new ArrayList<>();
    for (Alert a : alerts) {
      String fp = fingerprint(a.labels());
      Instant startsAt = a.startsAt() != null ? a.startsAt() : now;
      Instant endsAt = a.endsAt() != null ? a.endsAt() : now.plus(resolveTimeout);
      Tracked known = active.get(fp);
      if (!endsAt.isAfter(now)) {
        if (known != null) {
          active.remove(fp);
          events.add(resolve(known.fault(), endsAt));
        }
        continue;
      }
      Fault fresh = fault(fp, a, startsAt);
      if (known == null) {
        events.add(new FaultEvent(null, fresh));
        active.put(fp, new Tracked(fresh, endsAt));
        continue;
      }
      Fault was = known.fault();
      Fault now2 = was.withGrade(fresh.severity(), fresh.grading()).withValue(Double.NaN, fresh.summary(), fresh.annotations());
      if (!now2.severity().equals(was.severity()) || !Objects.equals(now2.summary(), was.summary())
          || !now2.annotations().equals(was.annotations()) || !now2.grading().equals(was.grading())) {
        events.add(new FaultEvent(was.state(), now2));
      }
      active.put(fp, new Tracked(now2, endsAt));
    }
    return events;
  }

  /** Resolves every alert whose {@code endsAt} has passed without a refresh. */
  public List<FaultEvent> expire(Instant now) {
    List<FaultEvent> events = new ArrayList<>();
    var it = active.values().iterator();
    while (it.hasNext()) {
      Tracked t = it.next();
      if (!t.deadline().isAfter(now)) {
        it.remove();
        events.add(resolve(t.fault(), t.deadline()));
      }
    }
    return events;
  }

  /** The earliest instant at which {@link #expire} has something to do. */
  public Optional<Instant> nextDue() {
    Instant min = null;
    for (Tracked t : active.values()) if (min == null || t.deadline().isBefore(min)) min = t.deadline();
    return Optional.ofNullable(min);
  }

  /**
   * Takes back this source's active faults after a restart, without events. Their senders' last
   * {@code endsAt} is not stored, so each gets {@code now + resolveTimeout}: a sender still firing
   * refreshes it long before that (Prometheus: within {@code resend_delay}), one that went away lets it resolve.
   */
  public void restore(Collection<Fault> faults, Instant now) {
    for (Fault f : faults) {
      if (f.active() && source.equals(f.source())) active.put(f.fingerprint(), new Tracked(f, now.plus(resolveTimeout)));
    }
  }

  public int activeCount() {
    return active.size();
  }

  private static FaultEvent resolve(Fault f, Instant at) {
    Instant end = f.firingAt() != null && at.isBefore(f.firingAt()) ? f.firingAt() : at;
    return new FaultEvent(f.state(), f.moveTo(FaultState.RESOLVED, end));
  }

  private Fault fault(String fp, Alert a, Instant startsAt) {
    String name = a.alertname() == null ? "" : a.alertname();
    Map<String, String> labels = new TreeMap<>(a.labels().asMap());
    labels.remove("alertname");
    AlertSeverityMap.Graded graded = severities.grade(labels.get("severity"), source);
    Map<String, String> annotations = new HashMap<>(a.annotations());
    String summary = annotations.remove("summary");
    if (summary == null || summary.isBlank()) summary = a.annotations().getOrDefault("description", name);
    if (a.generatorUrl() != null && !a.generatorUrl().isBlank()) annotations.put("generatorURL", a.generatorUrl());
    return new Fault(fp, name, graded.severity(), FaultState.FIRING, Labels.of(labels), Double.NaN, summary, startsAt, startsAt,
        null, List.of(graded.explanation()), annotations, null, source);
  }
}
