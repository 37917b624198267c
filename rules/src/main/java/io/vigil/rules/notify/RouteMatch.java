package io.vigil.rules.notify;

import io.vigil.rules.Labels;
import java.time.Duration;
import java.time.LocalTime;
import java.util.List;
import java.util.Objects;

/**
 * A route an alert ended on, with every option resolved: inherited from the route's ancestors,
 * else from the alert's severity, else Alertmanager's defaults (see {@link Route}). Immutable.
 *
 * @param routeId  stable path of the route in the tree, e.g. {@code {}/{severity="P1"}/0}
 * @param groupBy  label names the aggregation groups are split by (with {@code severity} added when
 *                 the severity chose any timing); ignored when {@code groupByAll}
 * @param digestAt non-null: a daily digest, flushed at this local time in the configuration's zone;
 *                 {@code groupWait} and {@code groupInterval} then do not apply
 * @param severity the severity whose defaults filled some timing, or null
 */
public record RouteMatch(String routeId, String receiver, List<String> groupBy, boolean groupByAll, Duration groupWait,
    Duration groupInterval, Duration repeatInterval, LocalTime digestAt, List<String> activeTimeIntervals,
    List<String> muteTimeIntervals, String severity) {
  public RouteMatch {
    Objects.requireNonNull(routeId);
    Objects.requireNonNull(receiver);
    groupBy = List.copyOf(groupBy);
    activeTimeIntervals = List.copyOf(activeTimeIntervals);
    muteTimeIntervals = List.copyOf(muteTimeIntervals);
  }

  public boolean digest() {
    return digestAt != null;
  }

  /** The labels that name this alert's aggregation group on this route. */
  public Labels groupLabels(Labels alert) {
    return groupByAll ? alert : alert.keep(groupBy);
  }

  /** Alertmanager's group key: route id, a colon, the group labels. */
  public String groupKey(Labels alert) {
    return routeId + ":" + groupLabels(alert);
  }
}
