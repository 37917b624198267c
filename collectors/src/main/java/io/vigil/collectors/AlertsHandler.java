package io.vigil.collectors;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Handler;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import io.vigil.rules.Labels;
import io.vigil.rules.alerts.Alert;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code POST /api/v2/alerts}, Alertmanager API v2's shape, so a Prometheus can use Vigil as its
 * Alertmanager: a JSON array of {@code {labels, annotations, startsAt, endsAt, generatorURL}}.
 * Answers 200 (empty body) like Alertmanager once the faults are stored; 400 with the alert's
 * {@code index} and {@code field} when one is invalid (then none of the request is taken; Vigil needs
 * an {@code alertname} label, which Alertmanager does not); 413 above {@link #MAX_ALERTS}; 415 not
 * JSON; 503 + Retry-After when storage cannot take them now (Prometheus retries). Never blocks.
 *
 * <p>Tenancy as for samples ({@link Tenancy}): a token bound to a customer gives its alerts without a
 * {@code customer} label that customer, and an alert naming another customer fails the request
 * with 403 (a fault, and a ticket paging someone, for a customer the sender does not serve).
 */
public final class AlertsHandler implements Handler<RoutingContext> {
  private static final Logger LOG = LoggerFactory.getLogger(AlertsHandler.class);
  /** Prometheus sends at most 64 per request; anything near this limit is not a Prometheus. */
  public static final int MAX_ALERTS = 10_000;
  private final AlertSink sink;
  private final IngestLimits limits;
  private final java.util.function.Function<RoutingContext, String> customerOf;
  private final Counter requests;
  private final Counter alerts;
  private final Counter decodeErrors;
  private final Counter storageErrors;

  /**
   * {@code limits}: counts tenancy refusals ({@code vigil_ingest_refused_total{transport="alerts"}});
   * {@code customerOf}: the customer the caller's token is bound to (null: none), read after auth.
   */
  public AlertsHandler(AlertSink sink, IngestLimits limits, java.util.function.Function<RoutingContext, String> customerOf,
      MeterRegistry registry) {
    this.sink = sink;
    this.limits = limits;
    this.customerOf = customerOf;
    requests = Counter.builder("vigil_alerts_requests").description("alert posts decoded").register(registry);
    alerts = Counter.builder("vigil_alerts_received").description("alerts received and stored").register(registry);
    decodeErrors = Counter.builder("vigil_alerts_decode_errors").description("alert posts refused as bad input").register(registry);
    storageErrors = Counter.builder("vigil_alerts_storage_errors").description("alert posts refused because storage was unavailable").register(registry);
  }

  @Override
  public void handle(RoutingContext ctx) {
    String type = ctx.request().getHeader("Content-Type");
    if (type == null || !type.toLowerCase(java.util.Locale.ROOT).startsWith("application/json")) {
      decodeErrors.increment();
      Responses.error(ctx, 415, "Content-Type must be application/json, got " + (type == null ? "none" : "'" + type + "'"));
      return;
    }
    List<Alert> decoded;
    try {
      decoded = bind(decode(ctx.body().buffer()), Tenancy.of(customerOf.apply(ctx)));
    } catch (IngestException e) {
      if (e.status() == 403) limits.refused("alerts", "customer_mismatch");
      else decodeErrors.increment();
      LOG.debug("alerts.rejected status={} reason=\"{}\"", e.status(), e.getMessage());
      Responses.json(ctx, e.status(), e.toJson());
      return;
    }
    requests.increment();
    sink.accept(decoded).onComplete(ar -> {
      if (ar.succeeded()) {
        alerts.increment(decoded.size());
        ctx.response().setStatusCode(200).end();
      } else {
        storageErrors.increment();
        Responses.unavailable(ctx, ar.cause());
      }
    });
  }

  /** The alerts of one post, all valid, or an {@link IngestException} for the first bad one. */
  public static List<Alert> decode(Buffer body) {
    if (body == null || body.length() == 0) throw IngestException.badRequest("empty body: expected a JSON array of alerts");
    JsonArray array;
    try {
      Object parsed = io.vertx.core.json.Json.decodeValue(body);
      if (!(parsed instanceof JsonArray a)) throw IngestException.badRequest("body must be a JSON array of alerts");
      array = a;
    } catch (DecodeException e) {
      throw IngestException.badRequest(JsonSamplesDecoder.malformed(e));
    }
    if (array.size() > MAX_ALERTS) throw new IngestException(413, "more than " + MAX_ALERTS + " alerts in one request", -1, null);
    List<Alert> out = new ArrayList<>(array.size());
    for (int i = 0; i < array.size(); i++) {
      if (!(array.getValue(i) instanceof JsonObject o)) throw IngestException.at(i, null, "alert " + i + " is not a JSON object");
      String[] bad = io.vigil.rules.StorableText.firstProblem(o);
      if (bad != null) throw IngestException.at(i, bad[0], "alert " + i + ": '" + bad[0] + "' " + bad[1]);
      out.add(alert(o, i));
    }
    return out;
  }

  /**
   * The alerts with {@code tenancy}'s customer stamped where they name none, or an
   * {@link IngestException} (403, {@code index}, {@code labels.customer}) for the first naming another.
   */
  public static List<Alert> bind(List<Alert> alerts, Tenancy tenancy) {
    if (tenancy.customer() == null) return alerts;
    List<Alert> out = new ArrayList<>(alerts.size());
    for (int i = 0; i < alerts.size(); i++) {
      Alert a = alerts.get(i);
      String why = tenancy.conflict(a.labels().get(Tenancy.LABEL), "alert " + i);
      if (why != null) throw new IngestException(403, why, i, "labels." + Tenancy.LABEL);
      out.add(new Alert(tenancy.stamp(a.labels()), a.annotations(), a.startsAt(), a.endsAt(), a.generatorUrl()));
    }
    return out;
  }

  private static Alert alert(JsonObject o, int i) {
    Map<String, String> labels = strings(o, "labels", i);
    if (labels.isEmpty()) throw IngestException.at(i, "labels", "alert " + i + " has no labels");
    for (String name : labels.keySet()) {
      if (!Labels.NAME.matcher(name).matches()) {
        throw IngestException.at(i, "labels", "alert " + i + ": bad label name '" + name + "': must match " + Labels.NAME.pattern());
      }
    }
    String alertname = labels.get("alertname");
    if (alertname == null || alertname.isBlank()) {
      throw IngestException.at(i, "labels", "alert " + i + " needs an alertname label (Vigil files the fault under it)");
    }
    Instant startsAt = time(o, "startsAt", i);
    Instant endsAt = time(o, "endsAt", i);
    if (startsAt != null && endsAt != null && endsAt.isBefore(startsAt)) {
      throw IngestException.at(i, "endsAt", "alert " + i + ": endsAt " + endsAt + " is before startsAt " + startsAt);
    }
    Object url = o.getValue("generatorURL");
    if (url != null && !(url instanceof String)) throw IngestException.at(i, "generatorURL", "alert " + i + ": generatorURL must be a string");
    return new Alert(Labels.of(labels), strings(o, "annotations", i), startsAt, endsAt, (String) url);
  }

  private static Map<String, String> strings(JsonObject o, String field, int i) {
    Object v = o.getValue(field);
    Map<String, String> out = new TreeMap<>();
    if (v == null) return out;
    if (!(v instanceof JsonObject j)) throw IngestException.at(i, field, "alert " + i + ": " + field + " must be an object of strings");
    for (Map.Entry<String, Object> e : j) {
      if (!(e.getValue() instanceof String s)) {
        throw IngestException.at(i, field, "alert " + i + ": " + field + "." + e.getKey() + " must be a string");
      }
      out.put(e.getKey(), s);
    }
    return out;
  }

  private static Instant time(JsonObject o, String field, int i) {
    Object v = o.getValue(field);
    if (v == null) return null;
    if (!(v instanceof String s)) throw IngestException.at(i, field, "alert " + i + ": " + field + " must be an RFC 3339 string");
    // Go's zero time, which some senders put for "unset".
    if (s.startsWith("0001-01-01T00:00:00")) return null;
    try {
      return OffsetDateTime.parse(s).toInstant();
    } catch (DateTimeParseException e) {
      throw IngestException.at(i, field, "alert " + i + ": " + field + " is not an RFC 3339 time: '" + s + "'");
    }
  }
}
