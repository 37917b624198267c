package io.vigil.rules.alerts;

import io.vigil.rules.Labels;
import java.time.Instant;
import java.util.Map;
import java.util.Objects;

/**
 * One alert as Prometheus posts it to an Alertmanager (API v2 {@code postableAlert}). {@code labels}
 * identify it (they include {@code alertname}); {@code startsAt} and {@code endsAt} may be null when
 * the sender left them out. An alert whose {@code endsAt} has passed is resolved.
 */
public record Alert(Labels labels, Map<String, String> annotations, Instant startsAt, Instant endsAt, String generatorUrl) {
  public Alert {
    Objects.requireNonNull(labels, "labels");
    annotations = annotations == null ? Map.of() : Map.copyOf(annotations);
  }

  public String alertname() {
    return labels.get("alertname");
  }
}
