package io.vigil.web;

import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import io.vertx.ext.web.handler.StaticHandler;
import io.vigil.rules.FaultState;
import io.vigil.rules.Rule;
import java.util.List;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * The HTTP API, the websocket stream and the wall page, mounted on a router the server owns.
 * Talks to the rest of Vigil only through the interfaces it is given. Handlers never block.
 */
public final class WebApi {
  /** Everything the web layer needs from the rest of Vigil. */
  public record Deps(TokenService tokens, FaultQueries faults, TicketService tickets, StreamHub hub,
      Supplier<List<Rule>> rules, Supplier<Future<Void>> readiness, Handler<RoutingContext> metrics, MuteService mutes,
      RuleAdmin ruleAdmin, AuditLog audit) {
    /** Without the audit log (customer reads are not logged; no GET /api/v1/audit). */
    public Deps(TokenService tokens, FaultQueries faults, TicketService tickets, StreamHub hub,
        Supplier<List<Rule>> rules, Supplier<Future<Void>> readiness, Handler<RoutingContext> metrics, MuteService mutes,
        RuleAdmin ruleAdmin) {
      this(tokens, faults, tickets, hub, rules, readiness, metrics, mutes, ruleAdmin, null);
    }

    /** Without silences / maintenance / inhibition routes. */
    public Deps(TokenService tokens, FaultQueries faults, TicketService tickets, StreamHub hub,
        Supplier<List<Rule>> rules, Supplier<Future<Void>> readiness, Handler<RoutingContext> metrics) {
      this(tokens, faults, tickets, hub, rules, readiness, metrics, null, null, null);
    }

    /** Without rule management (GET /api/v1/rules lists {@code rules}). */
    public Deps(TokenService tokens, FaultQueries faults, TicketService tickets, StreamHub hub,
        Supplier<List<Rule>> rules, Supplier<Future<Void>> readiness, Handler<RoutingContext> metrics, MuteService mutes) {
      this(tokens, faults, tickets, hub, rules, readiness, metrics, mutes, null, null);
    }
  }

  private static final int SMALL_BODY = 64 * 1024;
  private final Deps deps;
  private final Auth auth;

  public WebApi(Deps deps) {
    this.deps = deps;
    this.auth = new Auth(deps.tokens(), deps.audit());
  }

  public Auth auth() {
    return auth;
  }

  public void mount(Router router) {
    router.get("/healthz").handler(ctx -> Http.json(ctx, 200, new JsonObject().put("status", "up")));
    router.get("/readyz").handler(ctx -> deps.readiness().get().onComplete(ar -> {
      if (ar.succeeded()) Http.json(ctx, 200, new JsonObject().put("status", "ready"));
      else {
        ctx.response().putHeader("Retry-After", "2");
        Http.json(ctx, 503, new JsonObject().put("status", "not ready").put("reason", ar.cause().getMessage()));
      }
    }));
    router.get("/metrics").handler(deps.metrics());

    BodyHandler small = BodyHandler.create(false).setBodyLimit(SMALL_BODY);
    router.get("/api/v1/whoami").handler(auth.requireScoped(Role.VIEWER)).handler(ctx -> {
      Principal p = Auth.principal(ctx);
      Http.json(ctx, 200, new JsonObject().put("name", p.name()).put("role", p.role().wireName()).put("customer", p.customer()));
    });
    if (deps.ruleAdmin() != null) new RulesApi(deps.ruleAdmin(), auth).mount(router);
    else router.get("/api/v1/rules").handler(auth.require(Role.VIEWER))
        .handler(ctx -> Http.json(ctx, 200, new JsonObject().put("rules", Codec.array(deps.rules().get(), Codec::rule))));
    router.get("/api/v1/faults").handler(auth.requireScoped(Role.VIEWER)).handler(ctx -> {
      FaultState state = param(ctx, "state", FaultState::parse);
      if (ctx.response().ended()) return;
      String customer = scopedCustomer(ctx, ctx.request().getParam("customer"));
      if (ctx.response().ended()) return;
      reply(ctx, deps.faults().list(state, customer, limit(ctx)), l -> new JsonObject().put("faults", Codec.array(l, Codec::fault)));
    });
    new TicketApi(deps.tickets(), auth).mount(router);

    router.post("/api/v1/tokens").handler(small).handler(auth.require(Role.ADMIN)).handler(ctx -> {
      JsonObject body = jsonBody(ctx);
      if (body == null) return;
      String name = body.getValue("name") instanceof String s ? s.strip() : null;
      if (name == null || name.isEmpty() || name.length() > 100) {
        Http.error(ctx, 400, "'name' is required: a non-empty string of at most 100 characters");
        return;
      }
      Role role;
      try {
        role = Role.parse(String.valueOf(body.getValue("role")));
      } catch (IllegalArgumentException e) {
        Http.error(ctx, 400, e.getMessage());
        return;
      }
      Object c = body.getValue("customer");
      if (c != null && !(c instanceof String cs && !cs.isBlank() && cs.strip().length() <= 100)) {
        Http.error(ctx, 400, "'customer' must be a non-empty string of at most 100 characters (the customer label this token's samples carry)");
        return;
      }
      String customer = c == null ? null : ((String) c).strip();
      if (customer != null && role == Role.ADMIN) {
        Http.error(ctx, 400, "'customer': an admin token cannot be bound to a customer (bind a viewer or operator token)");
        return;
      }
      deps.tokens().issue(name, role, customer, Auth.principal(ctx).actor()).onComplete(ar -> {
        if (ar.failed()) Http.fail(ctx, ar.cause());
        else Http.json(ctx, 201, Codec.token(ar.result().info()).put("token", ar.result().secret()));
      });
    });
    router.get("/api/v1/tokens").handler(auth.require(Role.ADMIN))
        .handler(ctx -> reply(ctx, deps.tokens().list(), l -> new JsonObject().put("tokens", Codec.array(l, Codec::token))));
    router.delete("/api/v1/tokens/:id").handler(auth.require(Role.ADMIN)).handler(ctx ->
        deps.tokens().revoke(ctx.pathParam("id"), Auth.principal(ctx).actor()).onComplete(ar -> {
          if (ar.failed()) Http.fail(ctx, ar.cause());
          else if (!ar.result()) Http.error(ctx, 404, "no live token with id '" + ctx.pathParam("id") + "'");
          else ctx.response().setStatusCode(204).end();
        }));

    if (deps.mutes() != null) new MuteApi(deps.mutes(), auth).mount(router);

    router.get("/api/v1/stream").handler(auth.requireScoped(Role.VIEWER)).handler(ctx -> {
      if (!"websocket".equalsIgnoreCase(ctx.request().getHeader("Upgrade"))) {
        Http.error(ctx, 400, "this is a websocket endpoint: connect with a websocket client");
        return;
      }
      String customer = Auth.scope(ctx);
      String sinceParam = ctx.request().getParam("since");
      Long since = null;
      if (sinceParam != null && !sinceParam.isEmpty()) {
        try {
          since = Long.parseLong(sinceParam);
        } catch (NumberFormatException e) {
          Http.error(ctx, 400, "query parameter 'since': the seq of the last message applied (an integer), got '" + sinceParam + "'");
          return;
        }
      }
      Long resumeFrom = since;
      ctx.request().toWebSocket().onSuccess(ws -> deps.hub().attach(ws, customer, resumeFrom)).onFailure(t -> Http.fail(ctx, t));
    });

    if (deps.audit() != null) {
      router.get("/api/v1/audit").handler(auth.require(Role.ADMIN)).handler(ctx -> {
        java.time.Instant since = param(ctx, "since", WebApi::instant);
        java.time.Instant until = param(ctx, "until", WebApi::instant);
        Long before = param(ctx, "before", Long::parseLong);
        if (ctx.response().ended()) return;
        AuditLog.Filter f = new AuditLog.Filter(blank(ctx.request().getParam("actor")), blank(ctx.request().getParam("action")),
            blank(ctx.request().getParam("target")), since, until, before);
        reply(ctx, deps.audit().list(f, limit(ctx)), l -> new JsonObject().put("entries", new io.vertx.core.json.JsonArray(List.copyOf(l))));
      });
    }

    router.route("/api/*").handler(ctx -> Http.error(ctx, 404, "no such endpoint: " + ctx.request().method() + " " + ctx.request().path()));
    router.route("/*").handler(StaticHandler.create("webroot").setCachingEnabled(true).setMaxAgeSeconds(60).setIndexPage("index.html"));

    // Failures raised by handlers we did not write (body limits, method mismatches) still answer in JSON.
    router.errorHandler(413, ctx -> Http.error(ctx, 413, "request body larger than the configured limit"));
    router.errorHandler(405, ctx -> Http.error(ctx, 405, "method " + ctx.request().method() + " not allowed on " + ctx.request().path()));
    router.errorHandler(404, ctx -> Http.error(ctx, 404, "not found: " + ctx.request().path()));
    router.errorHandler(500, ctx -> Http.fail(ctx, ctx.failure() == null ? new IllegalStateException("internal error") : ctx.failure()));
  }

  private static <T> void reply(RoutingContext ctx, Future<T> f, Function<T, Object> render) {
    f.onComplete(ar -> {
      if (ar.failed()) Http.fail(ctx, ar.cause());
      else Http.json(ctx, 200, render.apply(ar.result()));
    });
  }

  private static <T> T param(RoutingContext ctx, String name, Function<String, T> parse) {
    String raw = ctx.request().getParam(name);
    if (raw == null || raw.isEmpty()) return null;
    try {
      return parse.apply(raw);
    } catch (IllegalArgumentException e) {
      Http.error(ctx, 400, "query parameter '" + name + "': " + e.getMessage());
      return null;
    }
  }

  private static String blank(String s) {
    return s == null || s.isBlank() ? null : s;
  }

  /** An RFC 3339 time query parameter. */
  static java.time.Instant instant(String raw) {
    try {
      return java.time.OffsetDateTime.parse(raw).toInstant();
    } catch (java.time.format.DateTimeParseException e) {
      throw new IllegalArgumentException("must be an RFC 3339 time such as 2026-12-06T09:30:00+08:00, got '" + raw + "'");
    }
  }

  /**
   * The customer a list is for: a bound token's own (asking for another answers 403 and returns
   * null with the response ended), else the {@code requested} filter (null: every customer).
   */
  static String scopedCustomer(RoutingContext ctx, String requested) {
    String scope = Auth.scope(ctx);
    if (scope == null) return requested == null || requested.isBlank() ? null : requested;
    if (requested != null && !requested.isBlank() && !requested.equals(scope)) {
      Http.error(ctx, 403, "this token is bound to customer '" + scope + "' and cannot read customer '" + requested + "'");
      return null;
    }
    return scope;
  }

  static int limit(RoutingContext ctx) {
    String raw = ctx.request().getParam("limit");
    try {
      return raw == null ? 500 : Math.max(1, Math.min(5000, Integer.parseInt(raw)));
    } catch (NumberFormatException e) {
      return 500;
    }
  }

  /** The body as a JSON object, or null after answering 400/415. */
  static JsonObject jsonBody(RoutingContext ctx) {
    String type = ctx.request().getHeader("Content-Type");
    if (type == null || !type.toLowerCase(java.util.Locale.ROOT).startsWith("application/json")) {
      Http.error(ctx, 415, "Content-Type must be application/json");
      return null;
    }
    try {
      io.vertx.core.buffer.Buffer b = ctx.body().buffer();
      Object v = b == null || b.length() == 0 ? null : io.vertx.core.json.Json.decodeValue(b);
      if (v instanceof JsonObject o) {
        String[] bad = io.vigil.rules.StorableText.firstProblem(o);
        if (bad == null) return o;
        Http.json(ctx, 400, new JsonObject().put("error", "'" + bad[0] + "' " + bad[1]).put("field", bad[0]));
        return null;
      }
      Http.error(ctx, 400, "body must be a JSON object");
    } catch (DecodeException e) {
      Http.error(ctx, 400, e.getCause() instanceof com.fasterxml.jackson.core.JsonProcessingException j && j.getLocation() != null
          ? io.vigil.rules.JsonErrors.malformed(j.getLocation().getLineNr(), j.getLocation().getColumnNr(), j.getOriginalMessage())
          : "malformed JSON");
    }
    return null;
  }
}
