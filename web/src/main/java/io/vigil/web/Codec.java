package io.vigil.web;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vigil.rules.Fault;
import io.vigil.rules.Rule;
import io.vigil.rules.Durations;
import io.vigil.rules.Matcher;
import io.vigil.rules.mute.InhibitRule;
import io.vigil.rules.mute.MaintenanceWindow;
import io.vigil.rules.mute.Muting;
import io.vigil.rules.mute.Silence;
import java.time.Instant;

/** The JSON shapes of the API and the stream. One place, so REST and websocket never disagree. */
public final class Codec {
  private Codec() {}

  public static JsonObject fault(FaultView v) {
    Fault f = v.fault();
    JsonObject labels = new JsonObject();
    f.labels().asMap().forEach(labels::put);
    return new JsonObject()
        .put("id", v.id())
        .put("fingerprint", f.fingerprint())
        .put("rule", f.rule())
        .put("source", f.source())
        .put("severity", f.severity().name())
        .put("state", f.state().wireName())
        .put("labels", labels)
        .put("value", Double.isFinite(f.value()) ? f.value() : null)
        .put("summary", f.summary())
        .put("startsAt", time(f.startsAt()))
        .put("firingAt", time(f.firingAt()))
        .put("endsAt", time(f.endsAt()))
        .put("keepFiringUntil", time(f.keepFiringUntil()))
        .put("grading", new JsonArray(new java.util.ArrayList<>(f.grading())))
        .put("annotations", new JsonObject(new java.util.LinkedHashMap<>(f.annotations())))
        .put("ticketId", v.ticketId())
        .put("muting", muting(v.muting()));
  }

  /** How the wall and a future notifier see a fault's muting; {@code silenced} covers maintenance windows too. */
  public static JsonObject muting(Muting m) {
    return new JsonObject().put("muted", m.muted()).put("silenced", m.silenced())
        .put("silencedBy", new JsonArray(m.silencedBy())).put("maintenance", new JsonArray(m.maintenance()))
        .put("inhibitedBy", m.inhibitedBy()).put("until", time(m.until())).put("reason", m.reason());
  }

  public static JsonArray matchers(java.util.List<Matcher> ms) {
    JsonArray a = new JsonArray();
    for (Matcher m : ms) {
      a.add(new JsonObject().put("name", m.name()).put("value", m.value()).put("isRegex", Silence.isRegex(m))
          .put("isEqual", Silence.isEqual(m)));
    }
    return a;
  }

  /** Alertmanager's silence shape, with {@code status.state} as of {@code now}. */
  public static JsonObject silence(Silence s, Instant now) {
    return new JsonObject().put("id", s.id()).put("matchers", matchers(s.matchers()))
        .put("startsAt", time(s.startsAt())).put("endsAt", time(s.endsAt())).put("createdBy", s.createdBy())
        .put("comment", s.comment()).put("status", new JsonObject().put("state", s.state(now).wireName()));
  }

  public static JsonObject window(MaintenanceWindow w, Instant now) {
    JsonArray days = new JsonArray();
    w.days().stream().sorted().forEach(d -> days.add(d.name().substring(0, 3).toLowerCase(java.util.Locale.ROOT)));
    return new JsonObject().put("id", w.id()).put("customer", w.customer()).put("system", w.system()).put("days", days)
        .put("start", w.start().toString()).put("end", w.end().toString()).put("timeZone", w.zone().getId())
        .put("comment", w.comment()).put("createdBy", w.createdBy()).put("active", w.activeAt(now).isPresent())
        .put("nextChange", time(w.nextBoundary(now)));
  }

  public static JsonObject inhibitRule(InhibitRule r) {
    return new JsonObject().put("id", r.id()).put("sourceMatch", matchers(r.sourceMatch()))
        .put("targetMatch", matchers(r.targetMatch())).put("equal", new JsonArray(r.equal()))
        .put("origin", r.origin()).put("createdBy", r.createdBy());
  }

  public static JsonObject ticket(TicketView t) {
    JsonObject j = new JsonObject()
        .put("id", t.id())
        .put("fingerprint", t.fingerprint())
        .put("faultId", t.faultId())
        .put("customer", t.customer())
        .put("system", t.system())
        .put("severity", t.severity().name())
        .put("state", t.state().wireName())
        .put("summary", t.summary())
        .put("openedAt", time(t.openedAt()))
        .put("respondBy", time(t.respondBy()))
        .put("resolveBy", time(t.resolveBy()))
        .put("acknowledgedAt", time(t.acknowledgedAt()))
        .put("resolvedAt", time(t.resolvedAt()))
        .put("closedAt", time(t.closedAt()))
        .put("faultResolvedAt", time(t.faultResolvedAt()));
    j.put("respondedAt", time(t.respondedAt())).put("reopenedAt", time(t.reopenedAt())).put("mergedInto", t.mergedInto());
    if (t.followUp() != null) {
      j.put("recurrences", t.followUp().recurrences()).put("recurrenceOf", t.followUp().recurrenceOf()).put("reviewOf", t.followUp().reviewOf());
    }
    if (t.resolution() != null) {
      j.put("resolution", new JsonObject().put("cause", t.resolution().cause()).put("fix", t.resolution().fix())
          .put("prevention", t.resolution().prevention()).put("kind", t.resolution().kind()));
    }
    if (t.report() != null) {
      j.put("channel", t.report().channel()).put("description", t.report().description()).put("reporter", t.report().reporter());
    }
    if (t.dispatch() != null) {
      j.put("assignee", t.dispatch().assignee()).put("group", t.dispatch().group()).put("dispatch", t.dispatch().mode());
    }
    TicketView.Sla s = t.sla();
    if (s != null) {
      j.put("sla", new JsonObject().put("tier", s.tier())
          .put("respondWarnAt", time(s.respondWarnAt())).put("resolveWarnAt", time(s.resolveWarnAt()))
          .put("respondWarnedAt", time(s.respondWarnedAt())).put("respondBreachedAt", time(s.respondBreachedAt()))
          .put("resolveWarnedAt", time(s.resolveWarnedAt())).put("resolveBreachedAt", time(s.resolveBreachedAt()))
          .put("pausedMs", s.pausedMs()).put("pausedFor", s.pausedFor()).put("pausedSince", time(s.pausedSince())).put("escalationLevel", s.escalationLevel())
          .put("lastUpdateAt", time(s.lastUpdateAt())).put("updateDueAt", time(s.updateDueAt())));
    }
    return j;
  }

  public static JsonObject event(TicketEventView e) {
    return new JsonObject().put("id", e.id()).put("ticketId", e.ticketId()).put("at", time(e.at()))
        .put("actor", e.actor()).put("kind", e.kind()).put("detail", e.detail());
  }

  public static JsonObject rule(Rule r) {
    JsonObject labels = new JsonObject();
    r.labels().forEach(labels::put);
    JsonObject annotations = new JsonObject();
    r.annotations().forEach((k, v) -> annotations.put(k, v.source()));
    return new JsonObject().put("name", r.name()).put("expr", r.expr().toString())
        .put("metrics", new JsonArray(new java.util.ArrayList<>(r.expr().metricNames())))
        .put("resolveExpr", r.resolveExpr() == null ? null : r.resolveExpr().toString())
        .put("for", Durations.format(r.forDuration())).put("keepFiringFor", Durations.format(r.keepFiringFor()))
        .put("severity", r.severity().name())
        .put("labels", labels).put("annotations", annotations);
  }

  public static JsonObject token(TokenService.TokenInfo t) {
    return new JsonObject().put("id", t.id()).put("name", t.name()).put("role", t.role().wireName()).put("customer", t.customer())
        .put("createdAt", time(t.createdAt())).put("createdBy", t.createdBy()).put("revokedAt", time(t.revokedAt()));
  }

  public static <T> JsonArray array(Iterable<T> items, java.util.function.Function<T, JsonObject> f) {
    JsonArray a = new JsonArray();
    for (T t : items) a.add(f.apply(t));
    return a;
  }

  private static String time(Instant i) {
    return i == null ? null : i.toString();
  }
}
