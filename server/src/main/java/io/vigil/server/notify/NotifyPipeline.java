package io.vigil.server.notify;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;
import io.vigil.rules.Labels;
import io.vigil.rules.notify.AlertEvent;
import io.vigil.rules.notify.AlertStatus;
import io.vigil.rules.notify.AlertmanagerBody;
import io.vigil.rules.notify.Flush;
import io.vigil.rules.notify.GroupState;
import io.vigil.rules.notify.GroupedAlert;
import io.vigil.rules.notify.Grouper;
import io.vigil.rules.notify.NotifyConfig;
import io.vigil.rules.notify.OnCallConfig;
import io.vigil.rules.notify.Receiver;
import io.vigil.rules.notify.WebhookConfig;
import io.vigil.server.storage.Rows;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.LongFunction;
import java.util.function.Supplier;

/**
 * The notification stages composed (STYLE.md "notifications as stages"): outbox event → alert →
 * route → aggregation group ({@link Grouper}, pure, from {@code rules}) → flush → one body per
 * webhook (Alertmanager v4, Vigil's own, or a template) → delivery rows. Ticket events that page
 * and escalation steps are {@link Notice}s: routed by their labels, sent at once, never grouped or
 * repeated. Runs on the router's context only.
 */
final class NotifyPipeline implements Grouping, Escalations.Pager {
  private final Supplier<NotifyConfig> notify;
  private final Supplier<OnCallConfig> oncall;
  private final LongFunction<String> ackPath;
  private Grouper grouper;
  /** The groups' state as last saved, to write only what changed; {@link #savedIds} finds an entry by group key. */
  private Map<GroupId, JsonObject> saved = new HashMap<>();
  private Map<String, GroupId> savedIds = new HashMap<>();
  /** Saved groups the last {@link #restore} did not take back as they were: to compare (delete) in the next pass. */
  private Set<String> recheck = new java.util.LinkedHashSet<>();
  private NotifyConfig groupedWith;

  NotifyPipeline(Supplier<NotifyConfig> notify, Supplier<OnCallConfig> oncall, LongFunction<String> ackPath) {
    this.notify = notify;
    this.oncall = oncall;
    this.ackPath = ackPath;
  }

  @Override
  public boolean loaded() {
    // A new configuration (reload, REST) regroups from the stored state under the new routes.
    return grouper != null && groupedWith == notify.get();
  }

  @Override
  public void restore(List<JsonObject> states) {
    NotifyConfig cfg = notify.get();
    List<GroupState> gs = new ArrayList<>();
    saved = new HashMap<>();
    savedIds = new HashMap<>();
    for (JsonObject j : states) {
      GroupState s = GroupStates.state(j);
      gs.add(s);
      GroupId id = new GroupId(s.groupKey(), s.receiver());
      saved.put(id, j);
      savedIds.put(s.groupKey(), id);
    }
    grouper = Grouper.restore(cfg, gs);
    groupedWith = cfg;
    // Groups restore re-routed (their route is gone) or dropped (empty) are no longer the grouper's.
    recheck = new java.util.LinkedHashSet<>();
    for (String key : savedIds.keySet()) if (grouper.state(key).isEmpty()) recheck.add(key);
  }

  @Override
  public void forget() {
    grouper = null;
  }

  @Override
  public Instant nextWakeup() {
    return grouper == null ? null : grouper.nextWakeup();
  }

  @Override
  public Result route(List<Outbox.Event> events, Instant now) {
    NotifyConfig cfg = notify.get();
    OnCallConfig oc = oncall.get();
    List<Notice> notices = new ArrayList<>();
    List<java.util.function.Function<SqlConnection, Future<Void>>> escalationOps = new ArrayList<>();
    for (Outbox.Event e : events) {
      if (e.kind().equals("fault")) {
        grouper.offer(alert(e), now);
      } else {
        ticketEvent(e, oc, notices, escalationOps);
      }
    }
    List<Flush> flushes = grouper.due(now);
    // Only the groups this pass touched (and those a restore let go) can differ from what is saved.
    // Comparing every group's state instead cost O(groups) JSON per pass: with thousands of open
    // groups the router spent nearly all its time there (bench/notify.sh).
    Set<String> keys = new java.util.LinkedHashSet<>(recheck);
    keys.addAll(grouper.drainTouched());
    List<SavedGroup> changed = new ArrayList<>();
    List<GroupId> removed = new ArrayList<>();
    for (String key : keys) {
      GroupId was = savedIds.get(key);
      java.util.Optional<GroupState> now_ = grouper.state(key);
      if (now_.isPresent()) {
        GroupId id = new GroupId(key, now_.get().receiver());
        JsonObject state = GroupStates.json(now_.get());
        if (!state.equals(saved.get(id))) changed.add(new SavedGroup(id, state));
        if (was != null && !was.equals(id)) removed.add(was);
      } else if (was != null) {
        removed.add(was);
      }
    }
    return new Result() {
      @Override
      public Future<List<Deliveries.NewDelivery>> prepare(SqlConnection conn) {
        return tickets(conn, flushes, events).map(facts -> {
          List<Deliveries.NewDelivery> out = new ArrayList<>();
          for (Flush f : flushes) out.addAll(render(cfg, f, facts));
          for (Notice n : notices) for (String r : receiversFor(cfg, n.labels())) out.addAll(page(cfg, r, n));
          // Saved only once the pass's transaction is under way; a failed pass forgets the groups anyway.
          for (GroupId id : removed) {
            saved.remove(id);
            if (id.equals(savedIds.get(id.groupKey()))) savedIds.remove(id.groupKey());
          }
          for (SavedGroup g : changed) {
            saved.put(g.id(), g.state());
            savedIds.put(g.id().groupKey(), g.id());
          }
          recheck.clear();
          return out;
        });
      }

      @Override
      public List<SavedGroup> changedGroups() {
        return changed;
      }

      @Override
      public List<GroupId> removedGroups() {
        return removed;
      }

      @Override
      public Future<Void> escalations(SqlConnection conn, Instant at) {
        Future<Void> f = Future.succeededFuture();
        for (var op : escalationOps) f = f.compose(v -> op.apply(conn));
        return f;
      }
    };
  }

  // ---- stage 1: outbox row → alert --------------------------------------------------------------

  private static AlertEvent alert(Outbox.Event e) {
    JsonObject d = e.detail();
    Map<String, String> labels = new LinkedHashMap<>();
    JsonObject l = d.getJsonObject("labels", new JsonObject());
    for (String k : l.fieldNames()) labels.put(k, String.valueOf(l.getValue(k)));
    labels.put("alertname", d.getString("rule"));
    labels.put("severity", d.getString("severity"));
    Map<String, String> annotations = new LinkedHashMap<>();
    JsonObject a = d.getJsonObject("annotations", new JsonObject());
    for (String k : a.fieldNames()) annotations.put(k, String.valueOf(a.getValue(k)));
    if (d.getString("summary") != null) annotations.putIfAbsent("summary", d.getString("summary"));
    Instant starts = instant(d.getString("startsAt"), e.at());
    AlertStatus status = e.status().equals("resolved") ? AlertStatus.RESOLVED : AlertStatus.FIRING;
    Instant ends = status == AlertStatus.RESOLVED ? instant(d.getString("endsAt"), e.at()) : null;
    return new AlertEvent(d.getString("fingerprint"), Labels.of(labels), annotations, status, starts, ends,
        "/?fault=" + d.getString("fingerprint"), e.id(), e.faultId() == null ? null : Long.toString(e.faultId()));
  }

  private static Instant instant(String s, Instant fallback) {
    if (s == null) return fallback;
    try {
      return java.time.OffsetDateTime.parse(s).toInstant();
    } catch (java.time.format.DateTimeParseException ex) {
      return fallback;
    }
  }

  // ---- ticket events: notices and escalation ---------------------------------------------------

  private void ticketEvent(Outbox.Event e, OnCallConfig oc, List<Notice> notices,
      List<java.util.function.Function<SqlConnection, Future<Void>>> ops) {
    JsonObject d = e.detail();
    long ticket = e.ticketId();
    Labels labels = Labels.of(Map.of("severity", d.getString("severity"), "customer", d.getString("customer"), "system", d.getString("system")));
    String channel = d.getString("channel", "monitoring");
    switch (e.status()) {
      case "opened" -> {
        oc.chainFor(labels).ifPresent(chain -> ops.add(conn -> EscalationStore.begin(conn, ticket, chain.name(), e.at())));
        // A fault's ticket pages through its fault; a hotline ticket has no fault to page for it.
        if (!channel.equals("monitoring")) notices.add(notice(e, "TicketOpened", "new " + channel + " ticket"));
      }
      case "acknowledged" -> ops.add(conn -> EscalationStore.stop(conn, ticket, "acknowledged by " + d.getString("actor"), e.at()));
      case "sla_warning" -> notices.add(notice(e, "TicketSlaWarning", "SLA warning"));
      case "sla_breach" -> notices.add(notice(e, "TicketSlaBreach", "SLA breached"));
      case "regraded" -> notices.add(notice(e, "TicketRegraded", "re-graded"));
      case "resolved" -> {
        ops.add(conn -> EscalationStore.stop(conn, ticket, "resolved", e.at()));
        if (!channel.equals("monitoring")) notices.add(notice(e, "TicketResolved", "resolved"));
      }
      default -> { }
    }
  }

  private Notice notice(Outbox.Event e, String alertname, String what) {
    JsonObject d = e.detail();
    long ticket = e.ticketId();
    JsonObject detail = d.getJsonObject("detail", new JsonObject());
    Map<String, String> labels = new LinkedHashMap<>();
    labels.put("alertname", alertname);
    labels.put("severity", d.getString("severity"));
    labels.put("customer", d.getString("customer"));
    labels.put("system", d.getString("system"));
    labels.put("ticket", Long.toString(ticket));
    if (detail.getString("clock") != null) labels.put("clock", detail.getString("clock"));
    String ack = ackUrl(ticket);
    String summary = d.getString("severity") + " ticket #" + ticket + " " + what
        + (detail.getString("clock") != null ? " (" + detail.getString("clock") + " due " + detail.getString("due", "?") + ")" : "")
        + ": " + d.getString("summary");
    Map<String, String> annotations = new LinkedHashMap<>();
    annotations.put("summary", summary);
    annotations.put("ack_url", ack);
    JsonObject vigil = new JsonObject().put("version", VigilBody.VERSION).put("kind", "ticket").put("event", e.status())
        .put("detail", detail).put("summary", summary)
        .put("ticket", new JsonObject().put("id", ticket).put("state", d.getString("state")).put("severity", d.getString("severity"))
            .put("summary", d.getString("summary")).put("customer", d.getString("customer")).put("system", d.getString("system"))
            .put("channel", d.getString("channel")).put("respondBy", d.getString("respondBy")).put("resolveBy", d.getString("resolveBy"))
            .put("ackUrl", ack));
    return new Notice("ticket", "ticket:" + e.id(), ticket, labels, annotations, e.at(), vigil);
  }

  private static List<String> receiversFor(NotifyConfig cfg, Map<String, String> labels) {
    Set<String> out = new java.util.LinkedHashSet<>();
    for (var m : cfg.match(Labels.of(labels))) out.add(m.receiver());
    return List.copyOf(out);
  }

  // ---- stage 3: bodies ------------------------------------------------------------------------

  private List<Deliveries.NewDelivery> render(NotifyConfig cfg, Flush f, Map<String, VigilBody.TicketFacts> facts) {
    Receiver r = cfg.receiver(f.receiver()).orElse(null);
    if (r == null) return List.of();
    List<Deliveries.NewDelivery> out = new ArrayList<>();
    Long ticket = null;
    for (GroupedAlert a : f.alerts()) {
      VigilBody.TicketFacts t = a.payloadRef() == null ? null : facts.get(a.payloadRef());
      if (t != null) {
        ticket = t.id();
        break;
      }
    }
    for (int i = 0; i < r.webhooks().size(); i++) {
      WebhookConfig w = r.webhooks().get(i);
      if (!f.worthSendingTo(w)) continue;
      List<GroupedAlert> alerts = f.alertsFor(w);
      String body = switch (w.format()) {
        case ALERTMANAGER -> AlertmanagerBody.render(f, w, f.receiver(), cfg.externalUrl());
        case TEMPLATE -> w.template().render(f, w, f.receiver(), cfg.externalUrl(), cfg.zone());
        case VIGIL -> VigilBody.alerts(f, alerts, f.receiver(), cfg.externalUrl(), facts);
      };
      out.add(new Deliveries.NewDelivery(f.idempotencyKey() + "/" + i, f.receiver(), i, w.url(), body, "alert", f.groupKey(), ticket));
    }
    return out;
  }

  @Override
  public List<Deliveries.NewDelivery> page(String receiver, Notice n) {
    return page(notify.get(), receiver, n);
  }

  private List<Deliveries.NewDelivery> page(NotifyConfig cfg, String receiver, Notice n) {
    Receiver r = cfg.receiver(receiver).orElse(null);
    if (r == null) return List.of();
    GroupedAlert one = new GroupedAlert(Integer.toHexString(n.key().hashCode()), Labels.of(n.labels()), n.annotations(), AlertStatus.FIRING,
        n.at(), null, "", n.ticketId() == null ? null : "ticket:" + n.ticketId(), 0, false);
    Flush f = new Flush(n.kind() + "/" + n.key(), n.kind(), receiver, Labels.of(n.labels()), Labels.of(n.labels()), n.annotations(),
        List.of(one), List.of(), 1, Flush.Reason.FIRST, n.at(), n.key());
    List<Deliveries.NewDelivery> out = new ArrayList<>();
    for (int i = 0; i < r.webhooks().size(); i++) {
      WebhookConfig w = r.webhooks().get(i);
      String body = switch (w.format()) {
        case ALERTMANAGER -> AlertmanagerBody.render(f, w, receiver, cfg.externalUrl());
        case TEMPLATE -> w.template().render(f, w, receiver, cfg.externalUrl(), cfg.zone());
        case VIGIL -> VigilBody.notice(n, receiver, cfg.externalUrl());
      };
      out.add(new Deliveries.NewDelivery(n.key() + "/" + receiver + "/" + i, receiver, i, w.url(), body, n.kind(), f.groupKey(), n.ticketId()));
    }
    return out;
  }

  @Override
  public String ackUrl(long ticketId) {
    String base = notify.get().externalUrl();
    return (base == null ? "" : base) + ackPath.apply(ticketId);
  }

  /** The tickets of the flushed alerts' faults, read in the routing transaction (they exist by now). */
  /**
   * The ticket facts of the flushed alerts' faults: those of this pass's own events came with their
   * outbox rows; only faults of earlier events (a group sent again) are read here.
   */
  private Future<Map<String, VigilBody.TicketFacts>> tickets(SqlConnection conn, List<Flush> flushes, List<Outbox.Event> events) {
    Map<String, VigilBody.TicketFacts> known = new HashMap<>();
    for (Outbox.Event e : events) {
      Outbox.Ticket t = e.ticket();
      if (e.faultId() != null && t != null) {
        known.put(Long.toString(e.faultId()), new VigilBody.TicketFacts(t.id(), t.state(), t.severity(), t.respondBy(), t.resolveBy(), ackUrl(t.id())));
      }
    }
    Set<Long> faults = new HashSet<>();
    for (Flush f : flushes) {
      for (GroupedAlert a : f.alerts()) if (a.payloadRef() != null && !known.containsKey(a.payloadRef())) faults.add(Long.parseLong(a.payloadRef()));
    }
    if (faults.isEmpty()) return Future.succeededFuture(known);
    return conn.preparedQuery("SELECT f.id AS fault, t.id, t.state, t.severity, t.respond_by, t.resolve_by FROM faults f JOIN tickets t "
            + "ON t.id = f.ticket_id WHERE f.id = ANY($1)")
        .execute(Tuple.of(faults.toArray(new Long[0])))
        .map(rows -> {
          for (Row r : rows) {
            long id = r.getLong("id");
            known.put(Long.toString(r.getLong("fault")), new VigilBody.TicketFacts(id, r.getString("state"), r.getString("severity"),
                Rows.instant(r, "respond_by"), Rows.instant(r, "resolve_by"), ackUrl(id)));
          }
          return known;
        });
  }
}
