package io.vigil.server.storage;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Row;
import io.vigil.rules.Fault;
import io.vigil.rules.FaultState;
import io.vigil.rules.Labels;
import io.vigil.rules.Severity;
import io.vigil.rules.TicketState;
import io.vigil.rules.mute.Muting;
import io.vigil.web.FaultView;
import io.vigil.web.TicketEventView;
import io.vigil.web.TicketView;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** Row ↔ record mapping for faults and tickets, in one place. */
public final class Rows {
  private Rows() {}

  public static OffsetDateTime ts(Instant i) {
    return i == null ? null : i.atOffset(ZoneOffset.UTC);
  }

  public static Instant instant(Row r, String col) {
    OffsetDateTime t = r.getOffsetDateTime(col);
    return t == null ? null : t.toInstant();
  }

  public static JsonObject labels(Labels l) {
    return new JsonObject(new java.util.LinkedHashMap<>(l.asMap()));
  }

  public static FaultView fault(Row r) {
    JsonObject lj = r.getJsonObject("labels");
    Map<String, String> m = new TreeMap<>();
    lj.forEach(e -> m.put(e.getKey(), String.valueOf(e.getValue())));
    Double value = r.getDouble("value");
    List<String> grading = new ArrayList<>();
    r.getJsonArray("grading").forEach(g -> grading.add(String.valueOf(g)));
    Map<String, String> annotations = new TreeMap<>();
    r.getJsonObject("annotations").forEach(e -> annotations.put(e.getKey(), String.valueOf(e.getValue())));
    Fault f = new Fault(r.getString("fingerprint"), r.getString("rule"), Severity.parse(r.getString("severity")),
        FaultState.parse(r.getString("state")), Labels.of(m), value == null ? Double.NaN : value, r.getString("summary"),
        instant(r, "starts_at"), instant(r, "firing_at"), instant(r, "ends_at"), grading.isEmpty() ? null : grading,
        annotations, instant(r, "keep_firing_until"), r.getString("source"));
    return new FaultView(r.getLong("id"), f, r.getLong("ticket_id"), muting(r.getJsonObject("muted_by")));
  }

  /** A muting as stored in {@code faults.muted_by}; null when not muted. */
  public static JsonObject muting(Muting m) {
    if (m == null || !m.muted()) return null;
    return new JsonObject().put("silencedBy", new JsonArray(m.silencedBy())).put("maintenance", new JsonArray(m.maintenance()))
        .put("inhibitedBy", m.inhibitedBy()).put("until", m.until() == null ? null : m.until().toString()).put("reason", m.reason());
  }

  public static Muting muting(JsonObject j) {
    if (j == null) return Muting.NONE;
    String until = j.getString("until");
    return new Muting(strings(j.getJsonArray("silencedBy")), strings(j.getJsonArray("maintenance")), j.getString("inhibitedBy"),
        until == null ? null : Instant.parse(until), j.getString("reason"));
  }

  public static java.util.List<String> strings(JsonArray a) {
    java.util.List<String> out = new java.util.ArrayList<>();
    if (a != null) for (Object o : a) out.add(String.valueOf(o));
    return out;
  }

  public static TicketView ticket(Row r) {
    TicketView.Resolution res = r.getString("cause") == null ? null
        : new TicketView.Resolution(r.getString("cause"), r.getString("fix"), r.getString("prevention"), r.getString("resolution_kind"));
    TicketView.Report report = new TicketView.Report(r.getString("channel"), r.getString("description"), r.getString("reporter"));
    TicketView.Dispatch dispatch = new TicketView.Dispatch(r.getString("assignee"), r.getString("assigned_group"), r.getString("dispatch"));
    TicketView.Sla sla = new TicketView.Sla(r.getString("sla_tier"), instant(r, "respond_warn_at"), instant(r, "resolve_warn_at"),
        instant(r, "respond_warned_at"), instant(r, "respond_breached_at"), instant(r, "resolve_warned_at"),
        instant(r, "resolve_breached_at"), r.getLong("paused_ms"), r.getString("paused_for"), instant(r, "paused_since"), r.getInteger("escalation_level"),
        instant(r, "last_update_at"), instant(r, "update_due_at"));
    return new TicketView(r.getLong("id"), r.getString("fingerprint"), r.getLong("fault_id"), r.getString("customer"),
        r.getString("system"), Severity.parse(r.getString("severity")), TicketState.parse(r.getString("state")),
        r.getString("summary"), instant(r, "opened_at"), instant(r, "respond_by"), instant(r, "resolve_by"),
        instant(r, "acknowledged_at"), instant(r, "resolved_at"), instant(r, "closed_at"), instant(r, "fault_resolved_at"), res,
        report, dispatch, sla, instant(r, "responded_at"), instant(r, "reopened_at"), r.getLong("merged_into"),
        new TicketView.FollowUp(r.getInteger("recurrences"), r.getLong("recurrence_of"), r.getLong("review_of")));
  }

  public static TicketEventView event(Row r) {
    return new TicketEventView(r.getLong("id"), r.getLong("ticket_id"), instant(r, "at"), r.getString("actor"),
        r.getString("kind"), r.getJsonObject("detail"));
  }
}
