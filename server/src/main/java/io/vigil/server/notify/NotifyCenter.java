package io.vigil.server.notify;

import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import io.vigil.rules.RuleFileException;
import io.vigil.rules.notify.EscalationChain;
import io.vigil.rules.notify.ICal;
import io.vigil.rules.notify.NotifyConfig;
import io.vigil.rules.notify.OnCallConfig;
import io.vigil.rules.notify.OnCallShift;
import io.vigil.rules.notify.Person;
import io.vigil.rules.notify.Receiver;
import io.vigil.rules.notify.Route;
import io.vigil.rules.notify.Schedule;
import io.vigil.rules.notify.WebhookConfig;
import io.vigil.server.storage.PgAuditLog;
import io.vigil.server.storage.Rows;
import io.vigil.web.ApiError;
import io.vigil.web.NotFoundException;
import io.vigil.web.NotifyService;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The notification and on-call configuration in force, and the REST side of it. The rules file
 * ({@code VIGIL_RULES}) gives receivers, a routing tree, time intervals, people, schedules and
 * escalation chains; REST adds receivers and may replace the routing tree ({@code notify_config},
 * audited). The effective configuration is the file's receivers plus the API's, routed by the API's
 * tree if there is one, else the file's; every change is validated as a whole before it is stored,
 * so what is stored always builds. Readers get an immutable snapshot ({@link #notify()},
 * {@link #oncall()}); changes are serialised through the database and applied on this node at once
 * and on others by {@link #refresh()} (periodic). Non-blocking.
 */
public final class NotifyCenter implements NotifyService, Sender.Directory {
  private final Pool pool;
  private final Clock clock;
  private final String publicUrl;
  private volatile NotifyConfig file = NotifyConfig.empty();
  private volatile OnCallConfig oncall = OnCallConfig.empty();
  private volatile Map<String, Receiver> apiReceivers = Map.of();
  private volatile Route apiRoute;
  private volatile NotifyConfig effective = NotifyConfig.empty();

  /** @param publicUrl VIGIL_PUBLIC_URL (null: unknown), the base of links when {@code notify.external_url} is not set */
  public NotifyCenter(Pool pool, Clock clock, String publicUrl) {
    this.pool = pool;
    this.clock = clock;
    this.publicUrl = publicUrl;
  }

  /** The rules file's sections (at start and on reload); the API's objects stay. Throws RuleFileException when they no longer build together. */
  public synchronized void file(NotifyConfig notify, OnCallConfig oncall) {
    NotifyConfig next = build(notify, apiReceivers, apiRoute);
    checkPeople(next, oncall);
    this.file = notify;
    this.oncall = oncall;
    this.effective = next;
  }

  public NotifyConfig config() {
    return effective;
  }

  public OnCallConfig oncall() {
    return oncall;
  }

  /** Loads the API's receivers and tree (start-up, and periodically for changes made on other nodes). */
  public Future<Void> refresh() {
    return pool.query("SELECT kind, name, body FROM notify_config ORDER BY kind, name").execute().map(rows -> {
      Map<String, Receiver> receivers = new LinkedHashMap<>();
      Route route = null;
      for (Row r : rows) {
        JsonObject body = (JsonObject) r.getJson("body");
        if (r.getString("kind").equals("receiver")) receivers.put(r.getString("name"), Receiver.parse(body.getMap(), "receiver"));
        else route = Route.parse(body.getMap(), "route");
      }
      synchronized (this) {
        // Unchanged (the usual case): keep the same configuration object. A new one, even if equal,
        // makes the router reload every aggregation group from notify_groups (NotifyPipeline.loaded).
        // Records compare by value; a regex matcher or a body template never compares equal, so those
        // are rebuilt as before.
        if (receivers.equals(apiReceivers) && java.util.Objects.equals(route, apiRoute)) return null;
        try {
          effective = build(file, receivers, route);
          apiReceivers = receivers;
          apiRoute = route;
        } catch (RuleFileException e) {
          // A rules-file reload on another node may have made them clash: keep what works here.
          org.slf4j.LoggerFactory.getLogger(NotifyCenter.class).warn("notify.api_config_skipped cause=\"{}\"", e.getMessage().replace('\n', ' '));
        }
      }
      return null;
    });
  }

  private NotifyConfig build(NotifyConfig base, Map<String, Receiver> receivers, Route route) {
    List<Receiver> all = new ArrayList<>(base.receivers());
    for (Receiver r : receivers.values()) {
      if (base.receiver(r.name()).isPresent()) {
        throw new RuleFileException(List.of("receiver '" + r.name() + "' is defined in the rules file; change it there"));
      }
      all.add(r);
    }
    Route tree = route != null ? route : base.route().orElse(null);
    String external = !base.externalUrl().isEmpty() ? base.externalUrl() : publicUrl == null ? "" : publicUrl;
    return NotifyConfig.of(tree, all, base.timeIntervals(), base.zone(), base.retry(), external);
  }

  private static void checkPeople(NotifyConfig cfg, OnCallConfig oc) {
    List<String> problems = new ArrayList<>();
    for (String r : oc.receiverNames()) if (cfg.receiver(r).isEmpty()) problems.add("on-call: no receiver named '" + r + "' (people and escalation steps name it)");
    if (!problems.isEmpty()) throw new RuleFileException(problems);
  }

  // ---- Sender.Directory -----------------------------------------------------------------------

  @Override
  public Sender.Target target(String receiver, int webhook) {
    Optional<Receiver> r = effective.receiver(receiver);
    if (r.isEmpty() || webhook >= r.get().webhooks().size()) return null;
    WebhookConfig w = r.get().webhooks().get(webhook);
    return new Sender.Target(w.url(), w.headers(), w.timeout(), w.hmacSecret(), w.maxConcurrency());
  }

  @Override
  public int maxConcurrency(String receiver) {
    return effective.receiver(receiver).map(r -> r.webhooks().stream().mapToInt(WebhookConfig::maxConcurrency).min().orElse(1)).orElse(1);
  }

  @Override
  public Duration retryBase() {
    return effective.retry().base();
  }

  @Override
  public Duration retryCap() {
    return effective.retry().cap();
  }

  @Override
  public Duration deadLetterAfter() {
    return effective.retry().deadLetterAfter();
  }

  // ---- REST: receivers and routes ---------------------------------------------------------------

  @Override
  public Future<JsonObject> receivers() {
    JsonArray a = new JsonArray();
    for (Receiver r : effective.receivers()) a.add(receiverJson(r));
    return Future.succeededFuture(new JsonObject().put("receivers", a));
  }

  private JsonObject receiverJson(Receiver r) {
    return new JsonObject(new LinkedHashMap<>(r.toMap())).put("origin", file.receiver(r.name()).isPresent() ? "file" : "api");
  }

  @Override
  public Future<JsonObject> receiver(String name) {
    return Future.succeededFuture(effective.receiver(name).map(this::receiverJson)
        .orElseThrow(() -> new NotFoundException("no receiver '" + name + "'")));
  }

  @Override
  public Future<JsonObject> createReceiver(JsonObject body, String actor) {
    return Future.succeededFuture().compose(v -> {
      Receiver r = parse(() -> Receiver.parse(body.getMap(), "receiver"));
      if (effective.receiver(r.name()).isPresent()) {
        throw new ApiError(409, "receiver '" + r.name() + "' exists" + (file.receiver(r.name()).isPresent() ? " in the rules file" : "")
            + "; use PUT /api/v1/receivers/" + r.name(), "name");
      }
      Map<String, Receiver> next = new LinkedHashMap<>(apiReceivers);
      next.put(r.name(), r);
      return store("receiver", r.name(), body, actor, "notify.receiver.create", next, apiRoute).map(x -> receiverJson(r));
    });
  }

  @Override
  public Future<JsonObject> replaceReceiver(String name, JsonObject body, String actor) {
    return Future.succeededFuture().compose(v -> {
      if (file.receiver(name).isPresent()) throw new ApiError(409, "receiver '" + name + "' is defined in the rules file; change it there");
      if (!apiReceivers.containsKey(name)) throw new NotFoundException("no API receiver '" + name + "'; create it with POST /api/v1/receivers");
      Receiver r = parse(() -> Receiver.parse(body.getMap(), "receiver"));
      if (!r.name().equals(name)) throw new ApiError(400, "'name' is '" + r.name() + "' but the path names '" + name + "'", "name");
      Map<String, Receiver> next = new LinkedHashMap<>(apiReceivers);
      next.put(name, r);
      return store("receiver", name, body, actor, "notify.receiver.replace", next, apiRoute).map(x -> receiverJson(r));
    });
  }

  @Override
  public Future<Void> deleteReceiver(String name, String actor) {
    return Future.succeededFuture().compose(v -> {
      if (file.receiver(name).isPresent()) throw new ApiError(409, "receiver '" + name + "' is defined in the rules file; remove it there");
      if (!apiReceivers.containsKey(name)) throw new NotFoundException("no API receiver '" + name + "'");
      if (oncall.receiverNames().contains(name)) throw new ApiError(409, "receiver '" + name + "' still pages people or escalation steps in the rules file");
      Map<String, Receiver> next = new LinkedHashMap<>(apiReceivers);
      next.remove(name);
      try {
        build(file, next, apiRoute);
      } catch (RuleFileException e) {
        throw new ApiError(409, "receiver '" + name + "' is still routed to: " + e.problems().get(0));
      }
      return store("receiver", name, null, actor, "notify.receiver.delete", next, apiRoute).mapEmpty();
    });
  }

  @Override
  public Future<JsonObject> routes() {
    Optional<Route> r = effective.route();
    String origin = apiRoute != null ? "api" : file.route().isPresent() ? "file" : "none";
    return Future.succeededFuture(new JsonObject().put("route", r.map(x -> new JsonObject(new LinkedHashMap<>(x.toMap()))).orElse(null))
        .put("origin", origin));
  }

  @Override
  public Future<JsonObject> replaceRoutes(JsonObject body, String actor) {
    return Future.succeededFuture().compose(v -> {
      Route r = parse(() -> Route.parse(body.getMap(), "route"));
      return store("route", "root", body, actor, "notify.route.replace", apiReceivers, r).compose(x -> routes());
    });
  }

  @Override
  public Future<Void> deleteRoutes(String actor) {
    return Future.succeededFuture().compose(v -> {
      if (apiRoute == null) throw new NotFoundException("no routing tree set through the API; the rules file's is in force");
      return store("route", "root", null, actor, "notify.route.delete", apiReceivers, null).mapEmpty();
    });
  }

  private static <T> T parse(java.util.function.Supplier<T> p) {
    try {
      return p.get();
    } catch (RuleFileException e) {
      String first = e.problems().isEmpty() ? e.getMessage() : e.problems().get(0);
      int colon = first.indexOf(": ");
      throw new ApiError(400, String.join("; ", e.problems()), colon > 0 ? first.substring(0, colon) : null);
    } catch (IllegalArgumentException e) {
      throw new ApiError(400, e.getMessage());
    }
  }

  /** Validates the whole configuration with the change, stores it with its audit entry, then applies it here. */
  private Future<Void> store(String kind, String name, JsonObject body, String actor, String action, Map<String, Receiver> receivers, Route route) {
    NotifyConfig next;
    try {
      next = build(file, receivers, route);
      checkPeople(next, oncall);
    } catch (RuleFileException e) {
      throw new ApiError(400, String.join("; ", e.problems()));
    }
    Instant now = clock.instant();
    return pool.withTransaction(conn -> (body == null
            ? conn.preparedQuery("DELETE FROM notify_config WHERE kind = $1 AND name = $2").execute(Tuple.of(kind, name))
            : conn.preparedQuery("INSERT INTO notify_config (kind, name, body, updated_by, updated_at) VALUES ($1, $2, $3, $4, $5) "
                + "ON CONFLICT (kind, name) DO UPDATE SET body = EXCLUDED.body, updated_by = EXCLUDED.updated_by, updated_at = EXCLUDED.updated_at")
                .execute(Tuple.of(kind, name, redactedForAudit(body, false), actor, Rows.ts(now))))
        .compose(x -> PgAuditLog.append(conn, actor, action, kind + ":" + name, body == null ? new JsonObject() : redactedForAudit(body, true))))
        .map(v -> {
          synchronized (this) {
            apiReceivers = Map.copyOf(receivers);
            apiRoute = route;
            effective = next;
          }
          return null;
        });
  }

  /** The stored body keeps secrets (they are needed to sign); the audit entry never does. */
  private static JsonObject redactedForAudit(JsonObject body, boolean redact) {
    if (!redact) return body;
    JsonObject copy = body.copy();
    JsonArray hooks = copy.getJsonArray("webhook_configs");
    if (hooks != null) {
      for (Object o : hooks) {
        if (o instanceof JsonObject w && w.containsKey("hmac_secret")) w.put("hmac_secret", WebhookConfig.REDACTED);
        if (o instanceof JsonObject w && w.getValue("headers") instanceof JsonObject h) {
          for (String k : h.fieldNames()) if (k.equalsIgnoreCase("authorization")) h.put(k, WebhookConfig.REDACTED);
        }
      }
    }
    return copy;
  }

  // ---- REST: deliveries ---------------------------------------------------------------------------

  @Override
  public Future<JsonObject> deliveries(String state, String receiver, int limit) {
    String where = switch (state == null ? "" : state) {
      case "pending" -> " WHERE delivered_at IS NULL AND dead_at IS NULL";
      case "delivered" -> " WHERE delivered_at IS NOT NULL";
      case "dead" -> " WHERE dead_at IS NOT NULL";
      default -> " WHERE true";
    };
    return pool.preparedQuery("SELECT * FROM notify_deliveries" + where + " AND ($1::text IS NULL OR receiver = $1) ORDER BY id DESC LIMIT $2")
        .execute(Tuple.of(receiver, limit)).map(rows -> {
          JsonArray a = new JsonArray();
          for (Row r : rows) a.add(delivery(r));
          return new JsonObject().put("notifications", a);
        });
  }

  private static JsonObject delivery(Row r) {
    String state = r.getValue("delivered_at") != null ? "delivered" : r.getValue("dead_at") != null ? "dead" : "pending";
    return new JsonObject().put("id", r.getLong("id")).put("state", state).put("receiver", r.getString("receiver"))
        .put("webhook", r.getInteger("webhook")).put("url", r.getString("url")).put("kind", r.getString("kind"))
        .put("groupKey", r.getString("group_key")).put("ticketId", r.getLong("ticket_id")).put("idempotencyKey", r.getString("idempotency_key"))
        .put("createdAt", str(Rows.instant(r, "created_at"))).put("nextAttemptAt", str(Rows.instant(r, "next_attempt_at")))
        .put("attempts", r.getInteger("attempts")).put("lastStatus", r.getInteger("last_status")).put("lastError", r.getString("last_error"))
        .put("deliveredAt", str(Rows.instant(r, "delivered_at"))).put("deadAt", str(Rows.instant(r, "dead_at")));
  }

  @Override
  public Future<JsonObject> retryDelivery(long id, String actor) {
    Instant now = clock.instant();
    return pool.withTransaction(conn -> conn.preparedQuery("UPDATE notify_deliveries SET dead_at = NULL, next_attempt_at = $2, "
            + "created_at = $2, lease_until = NULL WHERE id = $1 AND dead_at IS NOT NULL RETURNING *")
        .execute(Tuple.of(id, Rows.ts(now)))
        .compose(rows -> {
          if (rows.size() == 0) {
            return conn.preparedQuery("SELECT 1 FROM notify_deliveries WHERE id = $1").execute(Tuple.of(id)).compose(found -> Future.failedFuture(
                found.size() == 0 ? new NotFoundException("no notification " + id) : new ApiError(409, "notification " + id + " is not dead")));
          }
          JsonObject d = delivery(rows.iterator().next());
          return PgAuditLog.append(conn, actor, "notify.delivery.retry", "notification:" + id, new JsonObject().put("receiver", d.getString("receiver")))
              .map(v -> d);
        }));
  }

  // ---- REST: on-call ------------------------------------------------------------------------------

  @Override
  public Future<JsonObject> schedules() {
    JsonArray a = new JsonArray();
    Instant now = clock.instant();
    for (Schedule s : oncall.schedules().values()) {
      a.add(new JsonObject(new LinkedHashMap<>(s.toMap())).put("onCallNow", s.at(now).map(this::shift).orElse(null)));
    }
    return Future.succeededFuture(new JsonObject().put("schedules", a));
  }

  @Override
  public Future<JsonObject> onCallNow(String schedule, Instant at) {
    Schedule s = oncall.schedule(schedule).orElseThrow(() -> new NotFoundException("no schedule '" + schedule + "'"
        + (oncall.schedules().isEmpty() ? " (none configured: add schedules: to the rules file)" : " (known: " + String.join(", ", oncall.schedules().keySet()) + ")")));
    Instant when = at == null ? clock.instant() : at;
    return Future.succeededFuture(new JsonObject().put("schedule", schedule).put("at", when.toString())
        .put("onCall", s.at(when).map(this::shift).orElse(null)));
  }

  private JsonObject shift(OnCallShift sh) {
    Person p = oncall.person(sh.person()).orElse(null);
    return new JsonObject().put("person", new JsonObject().put("id", sh.person()).put("name", p == null ? null : p.name())
            .put("phone", p == null ? null : p.phone()).put("receiver", p == null ? null : p.receiver()))
        .put("start", sh.start().toString()).put("end", sh.end().toString())
        .put("source", sh.source().kind().name().toLowerCase(java.util.Locale.ROOT)).put("index", sh.source().index());
  }

  @Override
  public Future<String> ical(String schedule, Instant from, Instant to) {
    Schedule s = oncall.schedule(schedule).orElseThrow(() -> new NotFoundException("no schedule '" + schedule + "'"));
    return Future.succeededFuture(ICal.export(s, s.shiftsOverlapping(from, to), oncall.people(), clock.instant()));
  }

  @Override
  public Future<JsonObject> escalations() {
    JsonArray a = new JsonArray();
    for (EscalationChain c : oncall.escalations()) a.add(new JsonObject(new LinkedHashMap<>(c.toMap())));
    return Future.succeededFuture(new JsonObject().put("escalations", a));
  }

  private static String str(Instant i) {
    return i == null ? null : i.toString();
  }
}
