package io.vigil.rules.notify;

import io.vigil.rules.Labels;
import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * What the server persists of one aggregation group so a restarted {@link Grouper} resumes where
 * it stopped ({@link Grouper#snapshot}, {@link Grouper#restore}). Immutable.
 *
 * @param createdAt        when the group was created (group_wait counts from here)
 * @param nextFlushAt      when the group is next looked at; null: nothing scheduled
 * @param lastFlushAt      when the group was last sent; null: never
 * @param lastSentHash     {@link Flush#contentHash} of what the receiver was last left knowing; null: never sent
 * @param sequence         the last flush's sequence number (0: never flushed)
 * @param alerts           the group's alerts
 * @param pendingEventIds  events merged since the last flush (the next flush covers them)
 */
public record GroupState(String groupKey, String routeId, String receiver, Labels groupLabels, Instant createdAt, Instant nextFlushAt,
    Instant lastFlushAt, String lastSentHash, long sequence, List<GroupedAlert> alerts, List<Long> pendingEventIds) {
  public GroupState {
    Objects.requireNonNull(groupKey);
    Objects.requireNonNull(routeId);
    Objects.requireNonNull(receiver);
    Objects.requireNonNull(groupLabels);
    Objects.requireNonNull(createdAt);
    alerts = List.copyOf(alerts);
    pendingEventIds = List.copyOf(pendingEventIds);
  }
}
