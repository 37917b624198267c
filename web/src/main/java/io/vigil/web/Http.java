package io.vigil.web;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import io.vigil.rules.IllegalTransitionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** JSON answers and the mapping of failures to status codes, shared by every route. */
public final class Http {
  private static final Logger LOG = LoggerFactory.getLogger(Http.class);

  private Http() {}

  public static void json(RoutingContext ctx, int status, Object body) {
    if (ctx.response().ended()) return;
    String text = body instanceof JsonObject o ? o.encode() : body instanceof JsonArray a ? a.encode() : String.valueOf(body);
    ctx.response().setStatusCode(status).putHeader("Content-Type", "application/json; charset=utf-8").end(text);
  }

  public static void error(RoutingContext ctx, int status, String message) {
    json(ctx, status, new JsonObject().put("error", message));
  }

  /** Maps a failed future to the answer the client should see. */
  public static void fail(RoutingContext ctx, Throwable t) {
    if (t instanceof ApiError e) {
      JsonObject body = new JsonObject().put("error", e.getMessage());
      if (e.field() != null) body.put("field", e.field());
      json(ctx, e.status(), body);
    } else if (t instanceof NotFoundException e) {
      error(ctx, 404, e.getMessage());
    } else if (t instanceof IllegalTransitionException e) {
      json(ctx, 409, new JsonObject().put("error", e.getMessage()).put("state", e.current()));
    } else if (t instanceof IllegalArgumentException e) {
      error(ctx, 400, e.getMessage());
    } else {
      // Not the client's fault: most likely the database. Log with the chain; tell the client to retry.
      LOG.warn("request.failed method={} path={} cause=\"{}\"", ctx.request().method(), ctx.request().path(), t.toString(), t);
      ctx.response().putHeader("Retry-After", "5");
      error(ctx, 503, "temporarily unavailable: " + t.getMessage());
    }
  }
}
