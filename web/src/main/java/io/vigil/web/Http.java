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

  /**
   * Answers with what {@code action} completes with ({@code status}; 204 with no body), or the
   * error a failed future carries. A validation error thrown synchronously travels the same way.
   */
  static void answer(RoutingContext ctx, java.util.function.Supplier<io.vertx.core.Future<?>> action, int status) {
    io.vertx.core.Future<?> f;
    try {
      f = action.get();
    } catch (RuntimeException e) {
      f = io.vertx.core.Future.failedFuture(e);
    }
    f.onComplete(ar -> {
      if (ar.failed()) fail(ctx, ar.cause());
      else if (status == 204) ctx.response().setStatusCode(204).end();
      else json(ctx, status, ar.result());
    });
  }

  /** {@link #answer} for a request with a JSON object body (400 already sent when it has none). */
  static void answerWithBody(RoutingContext ctx, java.util.function.Function<JsonObject, io.vertx.core.Future<?>> action, int status) {
    JsonObject body = WebApi.jsonBody(ctx);
    if (body == null) return;
    answer(ctx, () -> action.apply(body), status);
  }
}
