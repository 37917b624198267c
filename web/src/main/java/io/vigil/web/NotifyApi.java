package io.vigil.web;

import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import java.time.Duration;
import java.time.Instant;

/**
 * REST for notifications and on-call (issue 12): receivers and the routing tree (validated,
 * audited; the rules file's objects are listed too and changed only in the file), deliveries and
 * dead letters, on-call schedules ({@code /api/v1/oncall/now}, iCal) and escalation chains. These
 * serve every customer, so customer-bound tokens are refused (403).
 */
public final class NotifyApi {
  private static final int SMALL_BODY = 64 * 1024;
  /** The iCal export's default span, and the most one request may ask for. */
  static final Duration ICAL_DEFAULT = Duration.ofDays(56);
  static final Duration ICAL_MAX = Duration.ofDays(366);

  private final NotifyService notify;
  private final Auth auth;

  public NotifyApi(NotifyService notify, Auth auth) {
    this.notify = notify;
    this.auth = auth;
  }

  public void mount(Router router) {
    BodyHandler small = BodyHandler.create(false).setBodyLimit(SMALL_BODY);
    router.get("/api/v1/receivers").handler(auth.require(Role.OPERATOR)).handler(ctx -> Http.answer(ctx, notify::receivers, 200));
    router.get("/api/v1/receivers/:name").handler(auth.require(Role.OPERATOR))
        .handler(ctx -> Http.answer(ctx, () -> notify.receiver(ctx.pathParam("name")), 200));
    router.post("/api/v1/receivers").handler(small).handler(auth.require(Role.ADMIN))
        .handler(ctx -> Http.answerWithBody(ctx, body -> notify.createReceiver(body, actor(ctx)), 201));
    router.put("/api/v1/receivers/:name").handler(small).handler(auth.require(Role.ADMIN))
        .handler(ctx -> Http.answerWithBody(ctx, body -> notify.replaceReceiver(ctx.pathParam("name"), body, actor(ctx)), 200));
    router.delete("/api/v1/receivers/:name").handler(auth.require(Role.ADMIN))
        .handler(ctx -> Http.answer(ctx, () -> notify.deleteReceiver(ctx.pathParam("name"), actor(ctx)), 204));

    router.get("/api/v1/routes").handler(auth.require(Role.OPERATOR)).handler(ctx -> Http.answer(ctx, notify::routes, 200));
    router.put("/api/v1/routes").handler(small).handler(auth.require(Role.ADMIN))
        .handler(ctx -> Http.answerWithBody(ctx, body -> notify.replaceRoutes(body, actor(ctx)), 200));
    router.delete("/api/v1/routes").handler(auth.require(Role.ADMIN))
        .handler(ctx -> Http.answer(ctx, () -> notify.deleteRoutes(actor(ctx)), 204));

    router.get("/api/v1/notifications").handler(auth.require(Role.OPERATOR)).handler(ctx -> Http.answer(ctx, () -> {
      String state = ctx.request().getParam("state");
      if (state != null && !state.matches("pending|delivered|dead")) {
        throw new ApiError(400, "query parameter 'state': one of pending, delivered, dead; got '" + state + "'", "state");
      }
      return notify.deliveries(state, ctx.request().getParam("receiver"), Math.min(WebApi.limit(ctx), 1000));
    }, 200));
    router.post("/api/v1/notifications/:id/retry").handler(auth.require(Role.ADMIN)).handler(ctx -> Http.answer(ctx,
        () -> notify.retryDelivery(id(ctx), actor(ctx)), 200));

    router.get("/api/v1/oncall/schedules").handler(auth.require(Role.VIEWER)).handler(ctx -> Http.answer(ctx, notify::schedules, 200));
    router.get("/api/v1/oncall/now").handler(auth.require(Role.VIEWER)).handler(ctx -> Http.answer(ctx, () -> {
      String schedule = ctx.request().getParam("schedule");
      if (schedule == null || schedule.isBlank()) throw new ApiError(400, "query parameter 'schedule' is required", "schedule");
      return notify.onCallNow(schedule, time(ctx, "at", null));
    }, 200));
    router.get("/api/v1/oncall/schedules/:name/ical").handler(auth.require(Role.VIEWER)).handler(this::ical);
    router.get("/api/v1/escalations").handler(auth.require(Role.OPERATOR)).handler(ctx -> Http.answer(ctx, notify::escalations, 200));
  }

  private void ical(RoutingContext ctx) {
    Instant from;
    Instant to;
    try {
      from = time(ctx, "from", Instant.now());
      to = time(ctx, "to", from.plus(ICAL_DEFAULT));
      if (!to.isAfter(from)) throw new ApiError(400, "'to' must be after 'from'", "to");
      if (Duration.between(from, to).compareTo(ICAL_MAX) > 0) throw new ApiError(400, "at most 366 days in one export", "to");
    } catch (ApiError e) {
      Http.fail(ctx, e);
      return;
    }
    notify.ical(ctx.pathParam("name"), from, to).onComplete(ar -> {
      if (ar.failed()) {
        Http.fail(ctx, ar.cause());
        return;
      }
      ctx.response().putHeader("Content-Type", "text/calendar; charset=utf-8")
          .putHeader("Content-Disposition", "inline; filename=\"" + ctx.pathParam("name").replaceAll("[^A-Za-z0-9_.-]", "_") + ".ics\"")
          .end(ar.result());
    });
  }

  private static Instant time(RoutingContext ctx, String name, Instant fallback) {
    String raw = ctx.request().getParam(name);
    if (raw == null || raw.isBlank()) return fallback;
    try {
      return WebApi.instant(raw);
    } catch (IllegalArgumentException e) {
      throw new ApiError(400, "query parameter '" + name + "' " + e.getMessage(), name);
    }
  }

  private static long id(RoutingContext ctx) {
    try {
      return Long.parseLong(ctx.pathParam("id"));
    } catch (NumberFormatException e) {
      throw new ApiError(400, "'" + ctx.pathParam("id") + "' is not a notification id", "id");
    }
  }

  private static String actor(RoutingContext ctx) {
    return Auth.principal(ctx).actor();
  }
}
