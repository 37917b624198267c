package io.vigil.web;

import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vigil.rules.Durations;
import io.vigil.rules.expr.Expr;
import io.vigil.rules.expr.ExprSyntaxException;
import io.vigil.rules.expr.RangePlan;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;

/**
 * {@code GET|POST /api/v1/query_range?expr=…&start=…&end=…&step=…} in Prometheus' HTTP API shape
 * ({@code query} is accepted for {@code expr}, so Grafana's Prometheus data source can read it):
 * {@code {"status":"success","data":{"resultType":"matrix","result":[…]}}}; a bad request is
 * {@code 400 {"status":"error","errorType":"bad_data","error":"…","field":"…"}}. Times are RFC 3339
 * or Unix seconds; {@code step} a duration ({@code 15s}, {@code 1m}) or seconds. Each point at
 * {@code t} is the mean of the series' samples in {@code [t - step, t)}, aggregated in PostgreSQL.
 * Viewer role; a token bound to a customer sees only series labelled with its customer.
 */
public final class QueryApi {
  /** As Prometheus: at most this many points per series. */
  static final long MAX_POINTS = 11_000;
  private final QueryService query;
  private final Auth auth;

  public QueryApi(QueryService query, Auth auth) {
    this.query = query;
    this.auth = auth;
  }

  public void mount(Router router) {
    router.get("/api/v1/query_range").handler(auth.requireScoped(Role.VIEWER)).handler(this::range);
    router.post("/api/v1/query_range").handler(io.vertx.ext.web.handler.BodyHandler.create(false).setBodyLimit(64 * 1024))
        .handler(auth.requireScoped(Role.VIEWER)).handler(this::range);
  }

  private static final class Bad extends RuntimeException {
    final String field;

    Bad(String field, String message) {
      super(message);
      this.field = field;
    }
  }

  private void range(RoutingContext ctx) {
    RangePlan plan;
    Instant start;
    Instant end;
    Duration step;
    try {
      String text = param(ctx, "expr");
      if (text == null) text = param(ctx, "query");
      if (text == null) throw new Bad("expr", "query parameter 'expr' is required, e.g. expr=avg by (host) (cpu_usage)");
      try {
        plan = RangePlan.of(Expr.parse(text));
      } catch (ExprSyntaxException e) {
        throw new Bad("expr", "expr: " + e.getMessage());
      } catch (IllegalArgumentException e) {
        throw new Bad("expr", e.getMessage());
      }
      start = time(ctx, "start");
      end = time(ctx, "end");
      step = step(ctx);
      if (end.isBefore(start)) throw new Bad("end", "'end' is before 'start'");
      if (Duration.between(start, end).toMillis() / step.toMillis() + 1 > MAX_POINTS) {
        throw new Bad("step", "more than " + MAX_POINTS + " points per series: use a larger 'step' or a shorter range");
      }
    } catch (Bad b) {
      ctx.response().setStatusCode(400).putHeader("Content-Type", "application/json")
          .end(new JsonObject().put("status", "error").put("errorType", "bad_data").put("error", b.getMessage()).put("field", b.field).encode());
      return;
    }
    query.range(plan, start, end, step, Auth.scope(ctx)).onComplete(ar -> {
      if (ar.failed()) {
        Http.fail(ctx, ar.cause());
        return;
      }
      Http.json(ctx, 200, new JsonObject().put("status", "success")
          .put("data", new JsonObject().put("resultType", "matrix").put("result", ar.result())));
    });
  }

  private static String param(RoutingContext ctx, String name) {
    String v = ctx.request().getParam(name);
    if (v == null && ctx.body() != null && ctx.request().getFormAttribute(name) != null) v = ctx.request().getFormAttribute(name);
    return v == null || v.isBlank() ? null : v;
  }

  private static Instant time(RoutingContext ctx, String name) {
    String v = param(ctx, name);
    if (v == null) throw new Bad(name, "query parameter '" + name + "' is required: an RFC 3339 time or Unix seconds");
    try {
      double secs = Double.parseDouble(v);
      if (!Double.isFinite(secs) || secs < 0 || secs > 32_503_680_000d) throw new Bad(name, "'" + name + "': not a time: '" + v + "'");
      return Instant.ofEpochMilli(Math.round(secs * 1000));
    } catch (NumberFormatException notNumber) {
      try {
        return OffsetDateTime.parse(v).toInstant();
      } catch (DateTimeParseException e) {
        throw new Bad(name, "'" + name + "' must be an RFC 3339 time such as 2026-12-07T09:30:00Z or Unix seconds, got '" + v + "'");
      }
    }
  }

  private static Duration step(RoutingContext ctx) {
    String v = param(ctx, "step");
    if (v == null) throw new Bad("step", "query parameter 'step' is required: a duration such as 15s or 1m, or seconds");
    Duration d;
    try {
      double secs = Double.parseDouble(v);
      d = Double.isFinite(secs) ? Duration.ofMillis(Math.round(secs * 1000)) : Duration.ZERO;
    } catch (NumberFormatException notNumber) {
      try {
        d = Durations.parse(v);
      } catch (IllegalArgumentException e) {
        throw new Bad("step", "'step': " + e.getMessage());
      }
    }
    if (d.toMillis() < 1) throw new Bad("step", "'step' must be positive, got '" + v + "'");
    return d;
  }
}
