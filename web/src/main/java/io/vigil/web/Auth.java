package io.vigil.web;

import io.vertx.core.Handler;
import io.vertx.ext.web.RoutingContext;

/**
 * Bearer-token authorisation as route handlers. The token comes from {@code Authorization: Bearer …}
 * or, for browsers' websockets which cannot set headers, from {@code ?token=}.
 * 401 when missing or unknown, 403 when the role does not allow the route.
 */
public final class Auth {
  public static final String PRINCIPAL = "vigil.principal";
  private final TokenService tokens;

  public Auth(TokenService tokens) {
    this.tokens = tokens;
  }

  public Handler<RoutingContext> require(Role needed) {
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
        } else {
          ctx.put(PRINCIPAL, ar.result());
          ctx.next();
        }
      });
    };
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
