package io.vigil.web;

import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import io.vigil.rules.Severity;
import io.vigil.rules.TicketState;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Set;
import java.util.function.Function;

/**
 * {@code /api/v1/tickets…}: the ticket workflow. Validates input (400 with {@code error} and
 * {@code field}; 415 without a JSON body), then hands over to the {@link TicketService}. Reads need
 * a viewer token, changes an operator token. Handlers never block.
 */
final class TicketApi {
  private static final int SMALL_BODY = 64 * 1024;
  private static final int MAX_TEXT = 10_000;
  private static final int MAX_NAME = 200;
  static final Set<String> CHANNELS = Set.of("phone", "email", "web", "portal");
  static final Set<String> RESOLUTION_KINDS = Set.of("remote", "onsite", "hardware_replaced", "configuration", "no_fault_found");
  private static final Set<String> DISPATCH = Set.of("remote", "onsite");
  private final TicketService tickets;
  private final Auth auth;

  TicketApi(TicketService tickets, Auth auth) {
    this.tickets = tickets;
    this.auth = auth;
  }

  void mount(Router router) {
    BodyHandler small = BodyHandler.create(false).setBodyLimit(SMALL_BODY);
    router.get("/api/v1/tickets").handler(auth.requireScoped(Role.VIEWER)).handler(ctx -> Http.answer(ctx, () -> {
      TicketService.Filter filter = new TicketService.Filter(
          query(ctx, "state", TicketState::parse), ownCustomer(ctx, query(ctx, "customer", s -> s)), query(ctx, "severity", Severity::parse),
          query(ctx, "assignee", s -> s), query(ctx, "q", s -> s));
      return tickets.list(filter, WebApi.limit(ctx)).map(l -> new JsonObject().put("tickets", Codec.array(l, Codec::ticket)));
    }, 200));
    router.post("/api/v1/tickets").handler(small).handler(auth.requireScoped(Role.OPERATOR)).handler(ctx -> Http.answerWithBody(ctx, body -> {
      known(body, "channel", "customer", "system", "summary", "description", "reporter", "severity");
      String channel = oneOf(body, "channel", CHANNELS, true);
      String description = text(body, "description", MAX_TEXT, true);
      String summary = text(body, "summary", MAX_NAME, false);
      String customer = text(body, "customer", MAX_NAME, true);
      String scope = Auth.scope(ctx);
      if (scope != null && !scope.equals(customer)) {
        throw new ApiError(403, "this token is bound to customer '" + scope + "' and cannot open a ticket for '" + customer + "'", "customer");
      }
      TicketService.Report r = new TicketService.Report(channel, customer, text(body, "system", MAX_NAME, true),
          summary != null ? summary : firstLine(description), description, text(body, "reporter", MAX_NAME, true), severity(body, true));
      return tickets.open(r, actor(ctx)).map(Codec::ticket);
    }, 201));
    router.get("/api/v1/tickets/:id").handler(auth.requireScoped(Role.VIEWER))
        .handler(ctx -> owned(ctx, id -> Http.answer(ctx, () -> tickets.get(id).map(Codec::ticket), 200)));
    router.get("/api/v1/tickets/:id/events").handler(auth.requireScoped(Role.VIEWER)).handler(ctx -> owned(ctx, id -> Http.answer(ctx,
        () -> tickets.events(id).map(l -> new JsonObject().put("events", Codec.array(l, Codec::event))), 200)));
    router.get("/api/v1/tickets/:id/timeline").handler(auth.requireScoped(Role.VIEWER)).handler(ctx -> owned(ctx, id -> Http.answer(ctx,
        () -> tickets.timeline(id).map(l -> new JsonObject().put("ticketId", id).put("timeline", new JsonArray(List.copyOf(l)))), 200)));

    router.get("/api/v1/tickets/:id/similar").handler(auth.requireScoped(Role.VIEWER)).handler(ctx -> owned(ctx, id -> Http.answer(ctx,
        () -> tickets.similar(id, Math.min(WebApi.limit(ctx), 20)).map(l -> new JsonObject().put("ticketId", id)
            .put("resolutions", new JsonArray(List.copyOf(l)))), 200)));
    router.get("/api/v1/sla/policies").handler(auth.requireScoped(Role.VIEWER))
        .handler(ctx -> Http.json(ctx, 200, new JsonObject(tickets.slaPolicies())));
    router.get("/api/v1/knowledge").handler(auth.requireScoped(Role.VIEWER)).handler(ctx -> Http.answer(ctx, () -> {
      String q = query(ctx, "q", s -> s);
      if (q == null) throw new ApiError(400, "query parameter 'q' is required: the words to look for", "q");
      return tickets.knowledge(q, ownCustomer(ctx, query(ctx, "customer", s -> s)), query(ctx, "rule", s -> s), query(ctx, "system", s -> s),
          Math.min(WebApi.limit(ctx), 100)).map(l -> new JsonObject().put("q", q).put("results", new JsonArray(List.copyOf(l))));
    }, 200));

    router.get("/api/v1/tickets/:id/survey").handler(auth.requireScoped(Role.OPERATOR))
        .handler(ctx -> owned(ctx, id -> Http.answer(ctx, () -> tickets.survey(id), 200)));
    // The customer's side: no account, the signed token is the key. HTML for people, JSON for tools.
    BodyHandler form = BodyHandler.create(false).setBodyLimit(16 * 1024);
    router.get("/survey/:token").handler(ctx -> {
      String token = ctx.pathParam("token");
      tickets.surveyByToken(token).onComplete(ar -> page(ctx, ar.failed() ? ar.cause() : null,
          () -> SurveyPage.form(token, ar.result())));
    });
    router.post("/survey/:token").handler(form).handler(ctx -> {
      String token = ctx.pathParam("token");
      String type = String.valueOf(ctx.request().getHeader("Content-Type")).toLowerCase(java.util.Locale.ROOT);
      boolean json = type.startsWith("application/json");
      int score;
      String comment;
      try {
        if (json) {
          JsonObject body = WebApi.jsonBody(ctx);
          if (body == null) return;
          known(body, "score", "comment");
          Object v = body.getValue("score");
          if (!(v instanceof Integer i)) throw new ApiError(400, "'score' is required: a whole number from 1 to 5", "score");
          score = i;
          comment = text(body, "comment", 2000, false);
        } else if (type.startsWith("application/x-www-form-urlencoded")) {
          String raw = ctx.request().getFormAttribute("score");
          try {
            score = Integer.parseInt(String.valueOf(raw).trim());
          } catch (NumberFormatException e) {
            throw new ApiError(400, "'score' is required: a whole number from 1 to 5", "score");
          }
          comment = ctx.request().getFormAttribute("comment");
          if (comment != null && comment.length() > 2000) throw new ApiError(400, "'comment' is longer than 2000 characters", "comment");
          if (comment != null && comment.isBlank()) comment = null;
        } else {
          Http.error(ctx, 415, "Content-Type must be application/json or application/x-www-form-urlencoded");
          return;
        }
        if (score < 1 || score > 5) throw new ApiError(400, "'score' must be from 1 to 5, got " + score, "score");
      } catch (ApiError e) {
        if (json) Http.fail(ctx, e);
        else page(ctx, e, null);
        return;
      }
      tickets.answerSurvey(token, score, comment == null ? null : comment.strip()).onComplete(ar -> {
        if (json) {
          if (ar.failed()) Http.fail(ctx, ar.cause());
          else Http.json(ctx, 200, ar.result());
        } else {
          page(ctx, ar.failed() ? ar.cause() : null, () -> SurveyPage.thanks(ar.result()));
        }
      });
    });

    // The acknowledge link in a page (issue 12): the signed token is the key, no account. GET only
    // shows the ticket (link previews open links by themselves); POST acknowledges. JSON for tools.
    router.get("/ack/:token").handler(ctx -> {
      String token = ctx.pathParam("token");
      tickets.ackByToken(token).onComplete(ar -> {
        if (wantsJson(ctx)) answerJson(ctx, ar);
        else page(ctx, ar.failed() ? ar.cause() : null, () -> AckPage.form(token, ar.result()), AckPage::problem);
      });
    });
    router.post("/ack/:token").handler(form).handler(ctx -> {
      String token = ctx.pathParam("token");
      String type = String.valueOf(ctx.request().getHeader("Content-Type")).toLowerCase(java.util.Locale.ROOT);
      String by = null;
      if (type.startsWith("application/json")) {
        JsonObject body = ctx.body().length() == 0 ? new JsonObject() : WebApi.jsonBody(ctx);
        if (body == null) return;
        Object v = body.getValue("by");
        if (v != null && !(v instanceof String)) {
          Http.fail(ctx, new ApiError(400, "'by' must be a string (who acknowledges)", "by"));
          return;
        }
        by = (String) v;
      } else if (type.startsWith("application/x-www-form-urlencoded")) {
        by = ctx.request().getFormAttribute("by");
      } else if (ctx.body().length() > 0) {
        Http.error(ctx, 415, "Content-Type must be application/json or application/x-www-form-urlencoded");
        return;
      }
      if (by != null && by.length() > 80) {
        Http.fail(ctx, new ApiError(400, "'by' is longer than 80 characters", "by"));
        return;
      }
      tickets.ackWithToken(token, by == null ? null : by.strip()).onComplete(ar -> {
        if (type.startsWith("application/json") || wantsJson(ctx)) answerJson(ctx, ar);
        else page(ctx, ar.failed() ? ar.cause() : null, () -> AckPage.done(ar.result()), AckPage::problem);
      });
    });
    router.post("/api/v1/tickets/:id/ack").handler(auth.requireScoped(Role.OPERATOR))
        .handler(ctx -> owned(ctx, id -> Http.answer(ctx, () -> tickets.acknowledge(id, actor(ctx)).map(Codec::ticket), 200)));
    router.post("/api/v1/tickets/:id/close").handler(auth.requireScoped(Role.OPERATOR))
        .handler(ctx -> owned(ctx, id -> Http.answer(ctx, () -> tickets.close(id, actor(ctx)).map(Codec::ticket), 200)));
    change(router, small, "transition", (id, body, ctx) -> {
      known(body, "to", "comment");
      String raw = text(body, "to", 40, true);
      TicketState to;
      try {
        to = TicketState.parse(raw);
      } catch (IllegalArgumentException e) {
        throw new ApiError(400, "'to': " + e.getMessage(), "to");
      }
      if (to == TicketState.RESOLVED) throw new ApiError(400, "'to': resolve with POST /api/v1/tickets/" + id + "/resolve (it needs cause, fix, prevention and kind)", "to");
      if (to == TicketState.OPEN) throw new ApiError(400, "'to': a ticket never goes back to open; use reopened", "to");
      return tickets.transition(id, to, text(body, "comment", MAX_TEXT, false), actor(ctx));
    });
    change(router, small, "reopen", (id, body, ctx) -> {
      known(body, "comment");
      return tickets.transition(id, TicketState.REOPENED, text(body, "comment", MAX_TEXT, false), actor(ctx));
    });
    change(router, small, "resolve", (id, body, ctx) -> {
      known(body, "cause", "fix", "prevention", "kind");
      String[] v = new String[3];
      String[] names = {"cause", "fix", "prevention"};
      for (int i = 0; i < 3; i++) {
        Object o = body.getValue(names[i]);
        if (!(o instanceof String s) || s.isBlank()) {
          throw new ApiError(400, "'" + names[i] + "' is required: resolution feedback needs cause, fix and prevention (non-empty strings)"
              + " and kind (" + String.join(", ", sorted(RESOLUTION_KINDS)) + ")", names[i]);
        }
        if (s.length() > MAX_TEXT) throw new ApiError(400, "'" + names[i] + "' is longer than " + MAX_TEXT + " characters", names[i]);
        v[i] = s.strip();
      }
      String kind = oneOf(body, "kind", RESOLUTION_KINDS, true);
      return tickets.resolve(id, new TicketView.Resolution(v[0], v[1], v[2], kind), actor(ctx));
    });
    change(router, small, "regrade", (id, body, ctx) -> {
      known(body, "severity", "reason");
      return tickets.regrade(id, severity(body, true), text(body, "reason", MAX_TEXT, true), actor(ctx));
    });
    change(router, small, "assign", (id, body, ctx) -> {
      known(body, "assignee", "group", "dispatch");
      TicketView.Dispatch d = new TicketView.Dispatch(text(body, "assignee", MAX_NAME, false), text(body, "group", MAX_NAME, false),
          oneOf(body, "dispatch", DISPATCH, false));
      if (d.assignee() == null && d.group() == null && d.mode() == null) {
        throw new ApiError(400, "give at least one of 'assignee', 'group', 'dispatch' (remote|onsite)", "assignee");
      }
      return tickets.assign(id, d, actor(ctx));
    });
    change(router, small, "visits", (id, body, ctx) -> {
      known(body, "engineer", "arrivedAt", "departedAt", "note");
      Instant arrived = instant(body, "arrivedAt", true);
      Instant departed = instant(body, "departedAt", false);
      if (departed != null && departed.isBefore(arrived)) throw new ApiError(400, "'departedAt' is before 'arrivedAt'", "departedAt");
      return tickets.recordVisit(id, new TicketService.Visit(text(body, "engineer", MAX_NAME, true), arrived, departed,
          text(body, "note", MAX_TEXT, false)), actor(ctx));
    });
    change(router, small, "comments", (id, body, ctx) -> {
      known(body, "text");
      return tickets.comment(id, text(body, "text", MAX_TEXT, true), actor(ctx));
    });
    change(router, small, "faults", (id, body, ctx) -> {
      known(body, "faultId");
      unboundOnly(ctx, "linking faults");
      return tickets.linkFault(id, number(body, "faultId"), actor(ctx));
    });
    change(router, small, "merge", (id, body, ctx) -> {
      known(body, "into");
      unboundOnly(ctx, "merging tickets");
      long into = number(body, "into");
      if (into == id) throw new ApiError(400, "'into': a ticket cannot be merged into itself", "into");
      return tickets.merge(id, into, actor(ctx));
    });
  }

  /** An HTML answer for the survey pages: the page, or the problem with its status. */
  private static boolean wantsJson(RoutingContext ctx) {
    return String.valueOf(ctx.request().getHeader("Accept")).contains("application/json");
  }

  private static void answerJson(RoutingContext ctx, io.vertx.core.AsyncResult<JsonObject> ar) {
    if (ar.failed()) Http.fail(ctx, ar.cause());
    else Http.json(ctx, 200, ar.result());
  }

  private static void page(RoutingContext ctx, Throwable failure, java.util.function.Supplier<String> html) {
    page(ctx, failure, html, SurveyPage::problem);
  }

  private static void page(RoutingContext ctx, Throwable failure, java.util.function.Supplier<String> html,
      java.util.function.BiFunction<Integer, String, String> problem) {
    if (ctx.response().ended()) return;
    int status = 200;
    String body;
    if (failure == null) {
      body = html.get();
    } else if (failure instanceof ApiError e && e.status() < 500) {
      status = e.status();
      body = problem.apply(status, e.getMessage());
    } else if (failure instanceof NotFoundException e) {
      status = 404;
      body = problem.apply(404, e.getMessage());
    } else {
      Http.fail(ctx, failure);
      return;
    }
    ctx.response().setStatusCode(status).putHeader("Content-Type", "text/html; charset=utf-8")
        .putHeader("Cache-Control", "no-store").end(body);
  }

  private interface Change {
    Future<TicketView> apply(long id, JsonObject body, RoutingContext ctx);
  }

  /** {@code POST /api/v1/tickets/:id/<path>} with a JSON body, operator role, answering the ticket. */
  private void change(Router router, BodyHandler small, String path, Change change) {
    router.post("/api/v1/tickets/:id/" + path).handler(small).handler(auth.requireScoped(Role.OPERATOR)).handler(ctx -> owned(ctx,
        id -> Http.answerWithBody(ctx, body -> change.apply(id, body, ctx).map(Codec::ticket), 200)));
  }

  private static String actor(RoutingContext ctx) {
    return Auth.principal(ctx).actor();
  }

  /**
   * {@link #withId}, and for a customer-bound token only a ticket of its customer: another
   * customer's ticket is answered 404, exactly as one that does not exist.
   */
  private void owned(RoutingContext ctx, java.util.function.LongConsumer action) {
    withId(ctx, id -> {
      String scope = Auth.scope(ctx);
      if (scope == null) {
        action.accept(id);
        return;
      }
      tickets.get(id).onComplete(ar -> {
        if (ar.succeeded() && scope.equals(ar.result().customer())) action.accept(id);
        else if (ar.failed() && !(ar.cause() instanceof NotFoundException)) Http.fail(ctx, ar.cause());
        else Http.error(ctx, 404, "ticket " + id + " not found");
      });
    });
  }

  /** The customer filter of a list: a bound token's own; asking for another customer is 403. */
  private static String ownCustomer(RoutingContext ctx, String requested) {
    String scope = Auth.scope(ctx);
    if (scope == null) return requested;
    if (requested != null && !requested.equals(scope)) {
      throw new ApiError(403, "this token is bound to customer '" + scope + "' and cannot read customer '" + requested + "'", "customer");
    }
    return scope;
  }

  /** Changes that reach across tickets and faults (whose customer the body names) need an unbound token. */
  private static void unboundOnly(RoutingContext ctx, String what) {
    if (Auth.scope(ctx) != null) throw new ApiError(403, what + " needs a token that is not bound to a customer", null);
  }

  static void withId(RoutingContext ctx, java.util.function.LongConsumer action) {
    String raw = ctx.pathParam("id");
    long id;
    try {
      id = Long.parseLong(raw);
    } catch (NumberFormatException e) {
      Http.error(ctx, 400, "ticket id must be a number, got '" + raw + "'");
      return;
    }
    action.accept(id);
  }

  private static <T> T query(RoutingContext ctx, String name, Function<String, T> parse) {
    String raw = ctx.request().getParam(name);
    if (raw == null || raw.isEmpty()) return null;
    try {
      return parse.apply(raw);
    } catch (IllegalArgumentException e) {
      throw new ApiError(400, "query parameter '" + name + "': " + e.getMessage(), name);
    }
  }

  private static void known(JsonObject body, String... fields) {
    Set<String> ok = Set.of(fields);
    for (String k : body.fieldNames()) {
      if (!ok.contains(k)) throw new ApiError(400, "unknown field '" + k + "' (expected " + String.join(", ", fields) + ")", k);
    }
  }

  private static String text(JsonObject body, String field, int max, boolean required) {
    Object v = body.getValue(field);
    if (v == null) {
      if (required) throw new ApiError(400, "'" + field + "' is required", field);
      return null;
    }
    if (!(v instanceof String s) || s.isBlank()) throw new ApiError(400, "'" + field + "' must be a non-empty string", field);
    if (s.length() > max) throw new ApiError(400, "'" + field + "' is longer than " + max + " characters", field);
    return s.strip();
  }

  private static String oneOf(JsonObject body, String field, Set<String> allowed, boolean required) {
    String v = text(body, field, 40, required);
    if (v != null && !allowed.contains(v)) {
      throw new ApiError(400, "'" + field + "' must be one of " + String.join(", ", sorted(allowed)) + ", got '" + v + "'", field);
    }
    return v;
  }

  private static Severity severity(JsonObject body, boolean required) {
    String v = text(body, "severity", 10, required);
    if (v == null) return null;
    try {
      return Severity.parse(v);
    } catch (IllegalArgumentException e) {
      throw new ApiError(400, "'severity': " + e.getMessage(), "severity");
    }
  }

  private static Instant instant(JsonObject body, String field, boolean required) {
    String v = text(body, field, 60, required);
    if (v == null) return null;
    try {
      return OffsetDateTime.parse(v).toInstant();
    } catch (DateTimeParseException e) {
      throw new ApiError(400, "'" + field + "' must be an RFC 3339 time such as 2026-12-06T09:30:00+08:00, got '" + v + "'", field);
    }
  }

  private static long number(JsonObject body, String field) {
    Object v = body.getValue(field);
    if (v instanceof Number n && n.doubleValue() == Math.rint(n.doubleValue()) && n.longValue() > 0) return n.longValue();
    throw new ApiError(400, "'" + field + "' is required: a positive integer id", field);
  }

  private static String firstLine(String text) {
    String line = text.lines().findFirst().orElse(text).strip();
    return line.length() <= 120 ? line : line.substring(0, 119) + "…";
  }

  private static List<String> sorted(Set<String> s) {
    return s.stream().sorted().toList();
  }
}
