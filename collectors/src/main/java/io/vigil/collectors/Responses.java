package io.vigil.collectors;

import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;

/** Error answers every collector gives the same way. */
public final class Responses {
  private Responses() {}

  public static void json(RoutingContext ctx, int status, JsonObject body) {
    if (ctx.response().ended()) return;
    ctx.response().setStatusCode(status).putHeader("Content-Type", "application/json").end(body.encode());
  }

  public static void error(RoutingContext ctx, int status, String message) {
    json(ctx, status, new JsonObject().put("error", message));
  }

  /** 503 with Retry-After; the sink's message (not a stack trace) tells the client why. */
  public static void unavailable(RoutingContext ctx, Throwable cause) {
    int retry = cause instanceof SinkUnavailableException s ? s.retryAfterSeconds() : 5;
    if (!ctx.response().ended()) ctx.response().putHeader("Retry-After", Integer.toString(retry));
    error(ctx, 503, "storage unavailable, nothing of this batch was stored; retry after " + retry + " s: " + cause.getMessage());
  }
}
