package io.vigil.rules.notify;

import io.vigil.rules.Labels;
import java.time.Instant;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * An alert as an aggregation group holds it: its latest state and whether its receiver has been
 * told it fires. Immutable; part of both {@link Flush} and persisted {@link GroupState}.
 *
 * @param eventId  the latest event merged in
 * @param notified the receiver has been sent this alert as firing (before the flush it appears in,
 *                 when read from a {@link Flush}); a resolved alert nobody was told about is
 *                 dropped without a notification
 */
public record GroupedAlert(String fingerprint, Labels labels, Map<String, String> annotations, AlertStatus status, Instant startsAt,
    Instant endsAt, String generatorUrl, String payloadRef, long eventId, boolean notified) {
  public GroupedAlert {
    Objects.requireNonNull(fingerprint);
    Objects.requireNonNull(labels);
    Objects.requireNonNull(status);
    Objects.requireNonNull(startsAt);
    annotations = annotations == null ? Map.of() : java.util.Collections.unmodifiableSortedMap(new TreeMap<>(annotations));
    generatorUrl = generatorUrl == null ? "" : generatorUrl;
  }

  static GroupedAlert of(AlertEvent e, boolean notified) {
    return new GroupedAlert(e.fingerprint(), e.labels(), e.annotations(), e.status(), e.startsAt(), e.endsAt(), e.generatorUrl(),
        e.payloadRef(), e.eventId(), notified);
  }

  GroupedAlert withNotified(boolean n) {
    return new GroupedAlert(fingerprint, labels, annotations, status, startsAt, endsAt, generatorUrl, payloadRef, eventId, n);
  }

  public boolean firing() {
    return status == AlertStatus.FIRING;
  }

  /** The event this alert was last updated by, for re-routing after a configuration change. */
  AlertEvent asEvent() {
    return new AlertEvent(fingerprint, labels, annotations, status, startsAt, endsAt, generatorUrl, eventId, payloadRef);
  }
}
