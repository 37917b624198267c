package io.vigil.web;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;

/**
 * {@code /api/v1/rules} (list; create, change, delete API rules; version history) and
 * {@code /api/v1/grading}, {@code /api/v1/flapping} (read; override; drop the override).
 * Reading is for viewers, changing for admins. Handlers never block.
 */
final class RulesApi {
  private static final int SMALL_BODY = 64 * 1024;
  private final RuleAdmin admin;
  private final Auth auth;

  RulesApi(RuleAdmin admin, Auth auth) {
    this.admin = admin;
    this.auth = auth;
  }

  void mount(Router router) {
    BodyHandler small = BodyHandler.create(false).setBodyLimit(SMALL_BODY);
    // A customer-bound token (a customer's wall) gets the shared catalogue only: each rule's name and
    // the metrics it reads, for the wall's sparklines. Expressions, matchers, labels and annotations
    // can name customers, so they are for unbound tokens.
    router.get("/api/v1/rules").handler(auth.requireScoped(Role.VIEWER)).handler(ctx -> {
      boolean bound = Auth.scope(ctx) != null;
      JsonArray a = new JsonArray();
      for (RuleAdmin.RuleInfo r : admin.rules()) {
        JsonObject full = info(r);
        a.add(bound ? new JsonObject().put("name", full.getString("name")).put("metrics", full.getJsonArray("metrics")) : full);
      }
      Http.json(ctx, 200, new JsonObject().put("rules", a));
    });
    router.post("/api/v1/rules").handler(small).handler(auth.require(Role.ADMIN)).handler(ctx -> {
      JsonObject body = WebApi.jsonBody(ctx);
      if (body == null) return;
      admin.create(body, Auth.principal(ctx).actor()).onComplete(ar -> {
        if (ar.failed()) Http.fail(ctx, ar.cause());
        else Http.json(ctx, 201, info(ar.result()));
      });
    });
    router.put("/api/v1/rules/:name").handler(small).handler(auth.require(Role.ADMIN)).handler(ctx -> {
      JsonObject body = WebApi.jsonBody(ctx);
      if (body == null) return;
      admin.update(ctx.pathParam("name"), body, Auth.principal(ctx).actor()).onComplete(ar -> {
        if (ar.failed()) Http.fail(ctx, ar.cause());
        else Http.json(ctx, 200, info(ar.result()));
      });
    });
    router.delete("/api/v1/rules/:name").handler(auth.require(Role.ADMIN)).handler(ctx ->
        admin.delete(ctx.pathParam("name"), Auth.principal(ctx).actor()).onComplete(ar -> {
          if (ar.failed()) Http.fail(ctx, ar.cause());
          else ctx.response().setStatusCode(204).end();
        }));
    router.get("/api/v1/rules/:name/versions").handler(auth.require(Role.VIEWER)).handler(ctx -> versions(ctx, "rule", ctx.pathParam("name")));
    for (String setting : RuleAdmin.SETTINGS) {
      String path = "/api/v1/" + setting;
      router.get(path).handler(auth.require(Role.VIEWER)).handler(ctx -> Http.json(ctx, 200, admin.setting(setting)));
      router.put(path).handler(small).handler(auth.require(Role.ADMIN)).handler(ctx -> {
        JsonObject body = WebApi.jsonBody(ctx);
        if (body == null) return;
        admin.putSetting(setting, body, Auth.principal(ctx).actor()).onComplete(ar -> {
          if (ar.failed()) Http.fail(ctx, ar.cause());
          else Http.json(ctx, 200, ar.result());
        });
      });
      router.delete(path).handler(auth.require(Role.ADMIN)).handler(ctx ->
          admin.deleteSetting(setting, Auth.principal(ctx).actor()).onComplete(ar -> {
            if (ar.failed()) Http.fail(ctx, ar.cause());
            else Http.json(ctx, 200, ar.result());
          }));
      router.get(path + "/versions").handler(auth.require(Role.VIEWER)).handler(ctx -> versions(ctx, setting, setting));
    }
  }

  private void versions(RoutingContext ctx, String kind, String name) {
    admin.versions(kind, name).onComplete(ar -> {
      if (ar.failed()) {
        Http.fail(ctx, ar.cause());
        return;
      }
      JsonArray a = new JsonArray();
      for (RuleAdmin.Version v : ar.result()) {
        a.add(new JsonObject().put("version", v.version()).put("definition", v.definition()).put("actor", v.actor())
            .put("at", v.at().toString()).put("deleted", v.definition() == null));
      }
      Http.json(ctx, 200, new JsonObject().put("name", name).put("versions", a));
    });
  }

  private static JsonObject info(RuleAdmin.RuleInfo r) {
    return Codec.rule(r.rule()).put("source", r.source()).put("version", r.version());
  }
}
