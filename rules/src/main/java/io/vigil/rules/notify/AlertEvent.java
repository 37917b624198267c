package io.vigil.rules.notify;

import io.vigil.rules.Labels;
import java.time.Instant;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * One change of one alert, as the server's outbox hands it to the {@link Grouper}: the alert's
 * labels and annotations now, its status, and where it came from. Immutable.
 *
 * @param fingerprint  the alert's identity (16 hex digits for faults, see {@code Fingerprints})
 * @param endsAt       null while firing with no known end (written as Alertmanager's zero time)
 * @param generatorUrl link back to what raised it; null for none
 * @param eventId      the outbox row id: increases monotonically, so a replay of an older event is
 *                     recognised and ignored
 * @param payloadRef   opaque reference for the server's own body (fault id, ticket id); null for none
 */
public record AlertEvent(String fingerprint, Labels labels, Map<String, String> annotations, AlertStatus status,
    Instant startsAt, Instant endsAt, String generatorUrl, long eventId, String payloadRef) {
  public AlertEvent {
    Objects.requireNonNull(fingerprint);
    Objects.requireNonNull(labels);
    Objects.requireNonNull(status);
    Objects.requireNonNull(startsAt);
    annotations = annotations == null ? Map.of() : java.util.Collections.unmodifiableSortedMap(new TreeMap<>(annotations));
    generatorUrl = generatorUrl == null ? "" : generatorUrl;
  }

  public static AlertEvent firing(long eventId, String fingerprint, Labels labels, Map<String, String> annotations, Instant startsAt) {
    return new AlertEvent(fingerprint, labels, annotations, AlertStatus.FIRING, startsAt, null, null, eventId, null);
  }

  public static AlertEvent resolved(long eventId, String fingerprint, Labels labels, Map<String, String> annotations, Instant startsAt,
      Instant endsAt) {
    return new AlertEvent(fingerprint, labels, annotations, AlertStatus.RESOLVED, startsAt, endsAt, null, eventId, null);
  }
}
