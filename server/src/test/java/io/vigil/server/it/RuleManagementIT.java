package io.vigil.server.it;

import static org.junit.jupiter.api.Assertions.*;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Rules, grading and flap control managed through the REST API: validated by the rules file's own
 * parser, stored versioned in PostgreSQL with who and when, applied to the running engine at once,
 * kept across a restart, and never allowed to shadow the rules file.
 */
class RuleManagementIT {
  private TestVigil vigil;
  private Http http;

  @BeforeEach
  void setUp() throws Exception {
    vigil = new TestVigil();
    http = vigil.http;
  }

  @AfterEach
  void tearDown() throws Exception {
    vigil.close();
  }

  private JsonObject rule(String name) throws Exception {
    for (Object o : http.get("/api/v1/rules").json().getJsonArray("rules")) {
      JsonObject r = (JsonObject) o;
      if (r.getString("name").equals(name)) return r;
    }
    return null;
  }

  private Http.Reply put(String path, JsonObject body) throws Exception {
    java.net.http.HttpRequest req = java.net.http.HttpRequest.newBuilder(java.net.URI.create(http.base + path))
        .header("Authorization", "Bearer " + http.token).header("Content-Type", "application/json")
        .PUT(java.net.http.HttpRequest.BodyPublishers.ofString(body.encode())).build();
    java.net.http.HttpResponse<String> r = java.net.http.HttpClient.newHttpClient().send(req, java.net.http.HttpResponse.BodyHandlers.ofString());
    return new Http.Reply(r.statusCode(), r);
  }

  private JsonObject awaitFault(String rule, String state) throws Exception {
    return Await.until(Duration.ofSeconds(10), rule + " " + state, () -> {
      for (Object o : http.get("/api/v1/faults").json().getJsonArray("faults")) {
        JsonObject f = (JsonObject) o;
        if (f.getString("rule").equals(rule) && f.getString("state").equals(state)) return f;
      }
      return null;
    });
  }

  @Test
  void apiRuleIsStoredVersionedWithWhoAndWhenAndFiresLikeAFileRule() throws Exception {
    JsonObject def = new JsonObject().put("name", "MemHigh").put("expr", "mem_usage > 95").put("severity", "P2")
        .put("annotations", new JsonObject().put("summary", "memory {{ $value }}% on {{ $labels.host }}"));
    Http.Reply created = http.post("/api/v1/rules", def.encode());
    assertEquals(201, created.status(), created.toString());
    assertEquals("api", created.json().getString("source"));
    assertEquals(1, created.json().getInteger("version"));
    assertEquals("file", rule("SystemDown").getString("source"), "file rules are listed with their source");
    assertEquals("api", rule("MemHigh").getString("source"));

    assertEquals(204, http.ingest(Http.sample("mem_usage", "acme", "erp", "db1", 97)).status());
    assertEquals("memory 97% on db1", awaitFault("MemHigh", "firing").getString("summary"));

    Http.Reply changed = put("/api/v1/rules/MemHigh", def.copy().put("expr", "mem_usage > 99").put("for", "1m"));
    assertEquals(200, changed.status(), changed.toString());
    assertEquals(2, changed.json().getInteger("version"));
    assertEquals("mem_usage > 99", rule("MemHigh").getString("expr"));

    assertEquals(204, http.delete("/api/v1/rules/MemHigh").status());
    assertNull(rule("MemHigh"));
    awaitFault("MemHigh", "resolved"); // its rule is gone: the fault resolves

    JsonArray versions = http.get("/api/v1/rules/MemHigh/versions").json().getJsonArray("versions");
    assertEquals(3, versions.size());
    assertEquals(true, versions.getJsonObject(0).getBoolean("deleted"));
    assertEquals("mem_usage > 99", versions.getJsonObject(1).getJsonObject("definition").getString("expr"));
    for (Object v : versions) assertEquals("token:admin", ((JsonObject) v).getString("actor"));
    assertEquals("3", vigil.sql("SELECT count(*) FROM audit_log WHERE target = 'rule:MemHigh'"));

    // Deleted, it may be created again; the numbering continues.
    Http.Reply again = http.post("/api/v1/rules", def.encode());
    assertEquals(201, again.status(), again.toString());
    assertEquals(4, again.json().getInteger("version"));
  }

  @Test
  void aWriteBasedOnAStaleVersionIs409AndChangesNothing() throws Exception {
    JsonObject def = new JsonObject().put("name", "MemHigh").put("expr", "mem_usage > 95").put("severity", "P2");
    assertEquals(201, http.post("/api/v1/rules", def.encode()).status());
    // Two editors read version 1; the first write wins, the second is told it is stale.
    Http.Reply first = put("/api/v1/rules/MemHigh", def.copy().put("expr", "mem_usage > 96").put("version", 1));
    assertEquals(200, first.status(), first.toString());
    assertEquals(2, first.json().getInteger("version"));
    Http.Reply stale = put("/api/v1/rules/MemHigh", def.copy().put("expr", "mem_usage > 97").put("version", 1));
    assertEquals(409, stale.status(), stale.toString());
    assertEquals("version", stale.json().getString("field"));
    assertTrue(stale.json().getString("error").contains("at version 2"), stale.toString());
    assertEquals("mem_usage > 96", rule("MemHigh").getString("expr"), "the stale write changed nothing");
    assertEquals(400, put("/api/v1/rules/MemHigh", def.copy().put("version", "two")).status());
    // Settings too: based on "none yet" (0) while an override exists is stale.
    assertEquals(200, put("/api/v1/flapping", new JsonObject().put("version", 0).put("transitions", 3).put("window", "10m").put("quiet", "1m")).status());
    assertEquals(409, put("/api/v1/flapping", new JsonObject().put("version", 0).put("transitions", 3).put("window", "20m").put("quiet", "1m")).status());
  }

  @Test
  void invalidDefinitionIs400WithTheParsersReasonAndChangesNothing() throws Exception {
    Http.Reply badExpr = http.post("/api/v1/rules", new JsonObject().put("name", "X").put("expr", "rate(errors) > 1").put("severity", "P2").encode());
    assertEquals(400, badExpr.status(), badExpr.toString());
    assertTrue(badExpr.json().getString("error").contains("line 1, column 6: expected a range vector for rate()"), badExpr.toString());
    Http.Reply badKey = http.post("/api/v1/rules", new JsonObject().put("name", "X").put("expr", "up == 0").put("severity", "P2").put("sevrity", "P1").encode());
    assertEquals(400, badKey.status());
    assertTrue(badKey.json().getString("error").contains("unknown key 'sevrity'"), badKey.toString());
    Http.Reply noName = http.post("/api/v1/rules", new JsonObject().put("expr", "up == 0").encode());
    assertEquals(400, noName.status());
    assertEquals("name", noName.json().getString("field"));
    Http.Reply notJson = http.post("/api/v1/rules", "{not json");
    assertEquals(400, notJson.status());
    assertEquals(3, http.get("/api/v1/rules").json().getJsonArray("rules").size(), "nothing was added");
    assertEquals("0", vigil.sql("SELECT count(*) FROM managed_config"));
  }

  @Test
  void rulesFromTheFileCannotBeShadowedChangedOrDeletedThroughTheApi() throws Exception {
    JsonObject def = new JsonObject().put("name", "SystemDown").put("expr", "up == 0").put("severity", "P4");
    Http.Reply post = http.post("/api/v1/rules", def.encode());
    assertEquals(409, post.status(), post.toString());
    assertTrue(post.json().getString("error").contains("defined in the rules file"), post.toString());
    assertEquals(409, put("/api/v1/rules/SystemDown", def).status());
    assertEquals(409, http.delete("/api/v1/rules/SystemDown").status());
    assertEquals(404, http.delete("/api/v1/rules/NoSuchRule").status());
    assertEquals(404, put("/api/v1/rules/NoSuchRule", def.copy().put("name", "NoSuchRule")).status());
    Http.Reply renamed = put("/api/v1/rules/A", def.copy().put("name", "B"));
    assertEquals(400, renamed.status(), renamed.toString());
  }

  @Test
  void onlyAdminsChangeRulesViewersReadThem() throws Exception {
    String viewer = http.post("/api/v1/tokens", new JsonObject().put("name", "v").put("role", "viewer").encode()).json().getString("token");
    assertEquals(200, http.as(viewer).get("/api/v1/rules").status());
    assertEquals(200, http.as(viewer).get("/api/v1/grading").status());
    assertEquals(403, http.as(viewer).post("/api/v1/rules", new JsonObject().put("name", "X").put("expr", "up == 0").put("severity", "P1").encode()).status());
    assertEquals(403, http.as(viewer).delete("/api/v1/grading").status());
  }

  @Test
  void apiRulesAndSettingsSurviveARestart() throws Exception {
    assertEquals(201, http.post("/api/v1/rules", new JsonObject().put("name", "MemHigh").put("expr", "mem_usage > 95").put("severity", "P2").encode()).status());
    assertEquals(200, put("/api/v1/flapping", new JsonObject().put("transitions", 3).put("window", "5m").put("quiet", "1m")).status());
    vigil.stop();
    vigil = new TestVigil(vigil.db, Map.of());
    http = vigil.http;
    assertEquals(1, rule("MemHigh").getInteger("version"));
    JsonObject flapping = http.get("/api/v1/flapping").json();
    assertEquals("api", flapping.getString("source"));
    assertEquals(3, flapping.getJsonObject("definition").getInteger("transitions"));
    assertEquals(204, http.ingest(Http.sample("mem_usage", "acme", "erp", "db1", 97)).status());
    awaitFault("MemHigh", "firing");
  }

  @Test
  void gradingOverrideAppliesAtOnceAndDroppingItRestoresTheFilesPolicy() throws Exception {
    JsonObject before = http.get("/api/v1/grading").json();
    assertEquals("file", before.getString("source"));
    Http.Reply bad = put("/api/v1/grading", new JsonObject().put("scope", new JsonArray().add(new JsonObject().put("systems", 1).put("raise", 1))));
    assertEquals(400, bad.status(), bad.toString());
    assertTrue(bad.json().getString("error").contains("grading.scope[].systems must be at least 2"), bad.toString());

    Http.Reply ok = put("/api/v1/grading", new JsonObject().put("scope", new JsonArray().add(new JsonObject().put("systems", 2).put("raise", 1))));
    assertEquals(200, ok.status(), ok.toString());
    assertEquals("api", ok.json().getString("source"));
    assertEquals(1, ok.json().getInteger("version"));
    assertEquals(204, http.ingest(Http.sample("cpu_usage", "acme", "erp", "h1", 95) + "," + Http.sample("cpu_usage", "acme", "mes", "h2", 95)).status());
    JsonObject graded = Await.until(Duration.ofSeconds(10), "HighCpu raised to P1", () -> {
      for (Object o : http.get("/api/v1/faults?state=firing").json().getJsonArray("faults")) {
        JsonObject f = (JsonObject) o;
        if ("h1".equals(f.getJsonObject("labels").getString("host")) && "P1".equals(f.getString("severity"))) return f;
      }
      return null;
    });
    assertEquals("2 systems of acme affected (≥ 2) → P1", graded.getJsonArray("grading").getString(1));

    Http.Reply dropped = http.delete("/api/v1/grading");
    assertEquals(200, dropped.status(), dropped.toString());
    assertEquals("file", dropped.json().getString("source"));
    JsonArray versions = http.get("/api/v1/grading/versions").json().getJsonArray("versions");
    assertEquals(2, versions.size());
    assertEquals(true, versions.getJsonObject(0).getBoolean("deleted"));
    assertEquals(200, put("/api/v1/grading", new JsonObject()).status(), "an override after a deletion continues the numbering");
    assertEquals(3, http.get("/api/v1/grading").json().getInteger("version"));
  }
}
