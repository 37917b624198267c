package io.vigil.server.notify;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vigil.rules.Labels;
import io.vigil.rules.notify.AlertStatus;
import io.vigil.rules.notify.GroupState;
import io.vigil.rules.notify.GroupedAlert;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** An aggregation group's state as the JSON kept in {@code notify_groups.state} (round-trip tested). */
final class GroupStates {
  private GroupStates() {}

  static JsonObject json(GroupState s) {
    JsonArray alerts = new JsonArray();
    for (GroupedAlert a : s.alerts()) {
      alerts.add(new JsonObject().put("fingerprint", a.fingerprint()).put("labels", map(a.labels().asMap()))
          .put("annotations", map(a.annotations())).put("status", a.status().wireName()).put("startsAt", str(a.startsAt()))
          .put("endsAt", str(a.endsAt())).put("generatorUrl", a.generatorUrl()).put("payloadRef", a.payloadRef())
          .put("eventId", a.eventId()).put("notified", a.notified()));
    }
    return new JsonObject().put("groupKey", s.groupKey()).put("routeId", s.routeId()).put("receiver", s.receiver())
        .put("groupLabels", map(s.groupLabels().asMap())).put("createdAt", str(s.createdAt())).put("nextFlushAt", str(s.nextFlushAt()))
        .put("lastFlushAt", str(s.lastFlushAt())).put("lastSentHash", s.lastSentHash()).put("sequence", s.sequence())
        .put("alerts", alerts).put("pendingEventIds", new JsonArray(new ArrayList<>(s.pendingEventIds())));
  }

  static GroupState state(JsonObject j) {
    List<GroupedAlert> alerts = new ArrayList<>();
    for (Object o : j.getJsonArray("alerts", new JsonArray())) {
      JsonObject a = (JsonObject) o;
      alerts.add(new GroupedAlert(a.getString("fingerprint"), labels(a.getJsonObject("labels")), strings(a.getJsonObject("annotations")),
          AlertStatus.parse(a.getString("status")), instant(a.getString("startsAt")), instant(a.getString("endsAt")), a.getString("generatorUrl"),
          a.getString("payloadRef"), a.getLong("eventId", 0L), a.getBoolean("notified", false)));
    }
    List<Long> pending = new ArrayList<>();
    for (Object o : j.getJsonArray("pendingEventIds", new JsonArray())) pending.add(((Number) o).longValue());
    return new GroupState(j.getString("groupKey"), j.getString("routeId"), j.getString("receiver"), labels(j.getJsonObject("groupLabels")),
        instant(j.getString("createdAt")), instant(j.getString("nextFlushAt")), instant(j.getString("lastFlushAt")), j.getString("lastSentHash"),
        j.getLong("sequence", 0L), alerts, pending);
  }

  private static JsonObject map(Map<String, String> m) {
    return new JsonObject(new LinkedHashMap<>(m));
  }

  private static Labels labels(JsonObject j) {
    return Labels.of(strings(j));
  }

  private static Map<String, String> strings(JsonObject j) {
    Map<String, String> out = new LinkedHashMap<>();
    if (j != null) for (String k : j.fieldNames()) out.put(k, j.getString(k));
    return out;
  }

  private static String str(Instant i) {
    return i == null ? null : i.toString();
  }

  private static Instant instant(String s) {
    return s == null ? null : Instant.parse(s);
  }
}
