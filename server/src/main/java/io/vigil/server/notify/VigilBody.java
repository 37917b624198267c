package io.vigil.server.notify;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vigil.rules.notify.Flush;
import io.vigil.rules.notify.GroupedAlert;
import java.time.Instant;
import java.util.Map;

/**
 * Vigil's own webhook body ({@code format: vigil}): the Alertmanager fields a bridge already
 * understands, plus what an engineer's phone needs to act: per alert the fault (rule, severity,
 * summary, value), its ticket (state, SLA respond-by and resolve-by) and the signed acknowledge link.
 * Versioned by {@link #VERSION}; fields are only ever added.
 */
final class VigilBody {
  static final String VERSION = "vigil/1";

  /** What the body needs of a ticket; null fields are left out. */
  record TicketFacts(long id, String state, String severity, Instant respondBy, Instant resolveBy, String ackUrl) {
    JsonObject json() {
      return new JsonObject().put("id", id).put("state", state).put("severity", severity)
          .put("respondBy", respondBy == null ? null : respondBy.toString()).put("resolveBy", resolveBy == null ? null : resolveBy.toString())
          .put("ackUrl", ackUrl);
    }
  }

  private VigilBody() {}

  /** @param tickets ticket of each alert by its payload ref (the fault id); alerts without one have none yet */
  static String alerts(Flush flush, java.util.List<GroupedAlert> alerts, String receiver, String externalUrl, Map<String, TicketFacts> tickets) {
    JsonArray list = new JsonArray();
    for (GroupedAlert a : alerts) {
      JsonObject labels = new JsonObject(new java.util.LinkedHashMap<>(a.labels().asMap()));
      TicketFacts t = a.payloadRef() == null ? null : tickets.get(a.payloadRef());
      list.add(new JsonObject().put("status", a.status().wireName()).put("fingerprint", a.fingerprint())
          .put("rule", a.labels().get("alertname")).put("severity", a.labels().get("severity")).put("summary", a.annotations().get("summary"))
          .put("labels", labels).put("annotations", new JsonObject(new java.util.LinkedHashMap<>(a.annotations())))
          .put("startsAt", a.startsAt().toString()).put("endsAt", a.endsAt() == null ? null : a.endsAt().toString())
          .put("faultId", a.payloadRef() == null ? null : Long.parseLong(a.payloadRef())).put("generatorURL", a.generatorUrl())
          .put("ticket", t == null ? null : t.json()));
    }
    boolean firing = alerts.stream().anyMatch(GroupedAlert::firing);
    return new JsonObject().put("version", VERSION).put("kind", "alert").put("receiver", receiver).put("groupKey", flush.groupKey())
        .put("status", firing ? "firing" : "resolved").put("groupLabels", new JsonObject(new java.util.LinkedHashMap<>(flush.groupLabels().asMap())))
        .put("externalURL", externalUrl).put("sequence", flush.sequence()).put("alerts", list).encode();
  }

  static String notice(Notice n, String receiver, String externalUrl) {
    return n.vigil().copy().put("receiver", receiver).put("externalURL", externalUrl).encode();
  }
}
