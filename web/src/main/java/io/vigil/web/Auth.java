package io.vigil.web;

import io.vertx.core.Handler;
import io.vertx.ext.web.RoutingContext;

/**
 * Bearer-token authorisation as route handlers. The token comes from {@code Authorization: Bearer …}
 * or, for browsers' websockets which cannot set headers, from {@code ?token=}.
 * 401 when missing or unknown, 403 when the role does not allow the route.
 *
 * <p>Tenancy: a viewer or operator token may be bound to one customer. Such a token passes only
 * routes mounted with {@link #requireScoped}, whose handlers confine it to that customer (lists
 * filtered, another customer's record answered 404); {@link #require} refuses it with 403, so an
 * endpoint nobody made a tenancy decision for is closed to customers by default. Every request of
 * a bound token through a scoped route is written to the audit log before it is served.
 */
public final class Auth {
  public static final String PRINCIPAL = "vigil.principal";
  private final TokenService tokens;
  private final AuditLog audit;

  public Auth(TokenService tokens) {
    this(tokens, null);
  }

  /** With {@code audit} (null: reads of bound tokens are not logged) for {@link #requireScoped}. */
  public Auth(TokenService tokens, AuditLog audit) {
    this.tokens = tokens;
    this.audit = audit;
  }

  /** The customer the calling token is confined to, or null (unbound: every customer). Ingest tokens' customer stamps samples instead. */
  public static String scope(RoutingContext ctx) {
    Principal p = principal(ctx);
    return p == null || p.role() == Role.INGEST ? null : p.customer();
  }

  /** The role check for an endpoint that serves every customer's data: customer-bound tokens get 403. */
  public Handler<RoutingContext> require(Role needed) {
    return check(needed, false);
  }

  /** The role check for an endpoint whose handler confines customer-bound tokens to their customer. */
  public Handler<RoutingContext> requireScoped(Role needed) {
    return check(needed, true);
  }

  private Handler<RoutingContext> check(Role needed, boolean scoped) {
    return ctx -> {
      String secret = secret(ctx);
      if (secret == null) {
        ctx.response().putHeader("WWW-Authenticate", "Bearer realm=\"vigil\"");
        Http.error(ctx, 401, "missing token: send 'Authorization: Bearer <token>' (websockets may use ?token=)");
        return;
      }
      tokens.authenticate(secret).onComplete(ar -> {
        if (ar.failed()) {
          ctx.response().putHeader("Retry-After", "2");
          Http.error(ctx, 503, "token check unavailable: " + ar.cause().getMessage());
        } else if (ar.result() == null) {
          ctx.response().putHeader("WWW-Authenticate", "Bearer realm=\"vigil\", error=\"invalid_token\"");
          Http.error(ctx, 401, "unknown or revoked token");
        } else if (!ar.result().role().allows(needed)) {
          Http.error(ctx, 403, "token '" + ar.result().name() + "' has role " + ar.result().role().wireName()
              + ", this needs " + needed.wireName());
        } else if (ar.result().customer() != null && ar.result().role() != Role.INGEST && !scoped) {
          Http.error(ctx, 403, "token '" + ar.result().name() + "' is bound to customer '" + ar.result().customer()
              + "'; " + ctx.request().method() + " " + ctx.request().path() + " serves every customer's data and needs an unbound token");
        } else {
          ctx.put(PRINCIPAL, ar.result());
          if (scoped && audit != null && scope(ctx) != null) {
            // A customer's read (or change) is on record before anything is served. Paused meanwhile:
            // a websocket upgrade must not see its request end before it is upgraded.
            boolean paused = !ctx.request().isEnded();
            if (paused) ctx.request().pause();
            audit.record(ar.result().actor(), "customer." + ctx.request().method().name().toLowerCase(java.util.Locale.ROOT),
                ctx.request().path(), new io.vertx.core.json.JsonObject().put("customer", ar.result().customer())
                    .put("query", ctx.request().query())).onComplete(logged -> {
                      if (paused) ctx.request().resume();
                      if (logged.succeeded()) ctx.next();
                      else {
                        ctx.response().putHeader("Retry-After", "2");
                        Http.error(ctx, 503, "audit log unavailable: " + logged.cause().getMessage());
                      }
                    });
          } else {
            ctx.next();
          }
        }
      });
    };
  }

  /**
   * Authorisation as InfluxDB clients send it, for the line protocol endpoints: {@code Authorization:
   * Token …} (or Bearer), {@code Authorization: Basic} with the Vigil token as password, and for 1.x
   * ({@code v2} false) also the {@code u}/{@code p} query parameters ({@code p} = the token). Error
   * bodies in the API's shape: 1.x {@code {"error": …}}, 2.x {@code {"code": …, "message": …}}
   * (plus {@code "error"}).
   */
  public Handler<RoutingContext> requireInflux(Role needed, boolean v2) {
    return ctx -> {
      String secret = influxSecret(ctx, v2);
      if (secret == null) {
        ctx.response().putHeader("WWW-Authenticate", "Basic realm=\"vigil\"");
        influxError(ctx, v2, 401, v2 ? "unauthorized access: send 'Authorization: Token <vigil token>'"
            : "unable to parse authentication credentials: send 'Authorization: Token <vigil token>', Basic auth or ?u=…&p=<vigil token>");
        return;
      }
      tokens.authenticate(secret).onComplete(ar -> {
        if (ar.failed()) {
          ctx.response().putHeader("Retry-After", "2");
          influxError(ctx, v2, 503, "token check unavailable: " + ar.cause().getMessage());
        } else if (ar.result() == null) {
          influxError(ctx, v2, 401, v2 ? "unauthorized access: unknown or revoked token" : "authorization failed: unknown or revoked token");
        } else if (!ar.result().role().allows(needed)) {
          influxError(ctx, v2, 403, "token '" + ar.result().name() + "' has role " + ar.result().role().wireName()
              + ", this needs " + needed.wireName());
        } else {
          ctx.put(PRINCIPAL, ar.result());
          ctx.next();
        }
      });
    };
  }

  private static void influxError(RoutingContext ctx, boolean v2, int status, String message) {
    io.vertx.core.json.JsonObject j = new io.vertx.core.json.JsonObject();
    if (v2) j.put("code", status == 401 ? "unauthorized" : status == 403 ? "forbidden" : "unavailable").put("message", message);
    Http.json(ctx, status, j.put("error", message));
  }

  private static String influxSecret(RoutingContext ctx, boolean v2) {
    String h = ctx.request().getHeader("Authorization");
    if (h != null) {
      if (h.regionMatches(true, 0, "Basic ", 0, 6)) {
        try {
          String up = new String(java.util.Base64.getDecoder().decode(h.substring(6).trim()), java.nio.charset.StandardCharsets.UTF_8);
          int colon = up.indexOf(':');
          String p = colon < 0 ? "" : up.substring(colon + 1);
          return p.isEmpty() ? null : p;
        } catch (IllegalArgumentException e) {
          return null;
        }
      }
      return secret(ctx);
    }
    if (v2) return null;
    String p = ctx.request().getParam("p");
    return p == null || p.isEmpty() ? null : p;
  }

  public static Principal principal(RoutingContext ctx) {
    return ctx.get(PRINCIPAL);
  }

  private static String secret(RoutingContext ctx) {
    String h = ctx.request().getHeader("Authorization");
    if (h != null) {
      if (h.regionMatches(true, 0, "Bearer ", 0, 7)) return h.substring(7).trim();
      if (h.regionMatches(true, 0, "Token ", 0, 6)) return h.substring(6).trim(); // InfluxDB 2 clients
      return null;
    }
    // Only websocket upgrades may carry the token in the URL (browsers cannot set headers there);
    // elsewhere it would end up in access logs and browser history.
    if (!"websocket".equalsIgnoreCase(ctx.request().getHeader("Upgrade"))) return null;
    String q = ctx.request().getParam("token");
    return q == null || q.isBlank() ? null : q;
  }
}
