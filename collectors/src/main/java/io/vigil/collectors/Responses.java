package io.vigil.collectors;

import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import io.vigil.rules.SampleBatch;
import java.util.concurrent.TimeUnit;

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
    unavailable(ctx, cause, (status, message) -> error(ctx, status, message));
  }

  /** As {@link #unavailable(RoutingContext, Throwable)}, the body written by {@code answer}. */
  static void unavailable(RoutingContext ctx, Throwable cause, ErrorAnswer answer) {
    int retry = cause instanceof SinkUnavailableException s ? s.retryAfterSeconds() : 5;
    if (!ctx.response().ended()) ctx.response().putHeader("Retry-After", Integer.toString(retry));
    answer.send(503, "storage unavailable, nothing of this batch was stored; retry after " + retry + " s: " + cause.getMessage());
  }

  /** Writes an error answer in a transport's own shape. */
  @FunctionalInterface
  interface ErrorAnswer {
    void send(int status, String message);
  }

  /**
   * Hands {@code batch} to {@code sink} and answers the ingest request once the sink is done,
   * counting the outcome in {@code meters}: durable: samples and time counted, then {@code stored}
   * answers; refused by storage ({@link SinkRejectedException}): 400, nothing stored; otherwise:
   * 503 + Retry-After. {@code error} writes the 400 and 503 bodies.
   */
  static void whenStored(RoutingContext ctx, SampleSink sink, SampleBatch batch, JsonIngestHandler.IngestMeters meters,
      Runnable stored, ErrorAnswer error) {
    long start = System.nanoTime();
    sink.accept(batch).onComplete(ar -> {
      if (ar.succeeded()) {
        meters.samples.increment(batch.size());
        meters.durable.record(System.nanoTime() - start, TimeUnit.NANOSECONDS);
        stored.run();
      } else if (ar.cause() instanceof SinkRejectedException rejected) {
        meters.decodeErrors.increment();
        error.send(400, "storage refused this batch, nothing of it was stored: " + rejected.getMessage());
      } else {
        meters.storageErrors.increment();
        unavailable(ctx, ar.cause(), error);
      }
    });
  }

  /** {@link #whenStored} with the usual answers: 204 when durable, errors as {@code {"error": …}}. */
  static void whenStored(RoutingContext ctx, SampleSink sink, SampleBatch batch, JsonIngestHandler.IngestMeters meters) {
    whenStored(ctx, sink, batch, meters, () -> ctx.response().setStatusCode(204).end(), (status, message) -> error(ctx, status, message));
  }
}
