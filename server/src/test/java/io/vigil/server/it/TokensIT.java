package io.vigil.server.it;

import static io.vigil.server.it.Http.sample;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.*;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.net.http.WebSocketHandshakeException;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Token lifecycle and role enforcement through the public API, checked against what the database holds. */
class TokensIT {
  private static final List<String> ROLES = List.of("admin", "operator", "viewer", "ingest");

  private TestVigil vigil;
  private Http http;

  @BeforeEach
  void start() throws Exception {
    vigil = new TestVigil();
    http = vigil.http;
  }

  @AfterEach
  void stop() throws Exception {
    vigil.close();
  }

  @Test
  void adminCreatesEachRoleAndTheSecretIsShownOnceAndNeverListed() throws Exception {
    Map<String, JsonObject> created = new HashMap<>();
    for (String role : ROLES) {
      Http.Reply r = http.post("/api/v1/tokens", new JsonObject().put("name", role + "-token").put("role", role).encode());
      assertEquals(201, r.status(), r.toString());
      JsonObject j = r.json();
      assertEquals(role, j.getString("role"));
      assertEquals(role + "-token", j.getString("name"));
      assertNotNull(j.getString("id"));
      assertEquals("token:admin", j.getString("createdBy"));
      String secret = j.getString("token");
      assertNotNull(secret, "the secret is returned at creation: " + r);
      assertTrue(secret.length() >= 32, "secret too short: " + secret.length());
      created.put(secret, j);
      // The new token works at once with the role it was given.
      Http.Reply who = http.as(secret).get("/api/v1/whoami");
      if (role.equals("ingest")) {
        assertEquals(403, who.status(), who.toString());
      } else {
        assertEquals(200, who.status(), who.toString());
        assertEquals(role, who.json().getString("role"));
      }
    }
    assertEquals(4, created.keySet().stream().distinct().count(), "secrets are unique");

    Http.Reply list = http.get("/api/v1/tokens");
    assertEquals(200, list.status(), list.toString());
    JsonArray tokens = list.json().getJsonArray("tokens");
    assertEquals(5, tokens.size(), "bootstrap admin + 4: " + list);
    for (JsonObject made : created.values()) {
      assertTrue(tokens.stream().map(JsonObject.class::cast).anyMatch(t -> t.getString("id").equals(made.getString("id"))
          && t.getString("role").equals(made.getString("role"))), "listed: " + made.getString("id"));
    }
    for (int i = 0; i < tokens.size(); i++) assertFalse(tokens.getJsonObject(i).containsKey("token"), "no secret field in the list");
    for (String secret : created.keySet()) {
      assertFalse(list.raw().body().contains(secret), "the list must not contain any secret");
      // A second look at the list never shows it either; the creation reply was the only time.
      assertFalse(http.get("/api/v1/tokens").raw().body().contains(secret));
    }
  }

  @Test
  void databaseStoresOnlyAHashOfTheSecret() throws Exception {
    JsonObject made = create("hashed", "viewer");
    String secret = made.getString("token");
    String id = made.getString("id");
    String hash = vigil.sql("SELECT secret_hash FROM tokens WHERE id = '" + id + "'");
    assertFalse(hash.isEmpty());
    assertNotEquals(secret, hash);
    assertFalse(hash.contains(secret));
    String table = vigil.sql("SELECT t::text FROM tokens t");
    assertFalse(table.contains(secret), "the secret appears in the tokens table");
    assertFalse(table.contains(TestVigil.ADMIN), "the bootstrap admin secret appears in the tokens table");
    String audit = vigil.sql("SELECT a::text FROM audit_log a");
    assertFalse(audit.contains(secret), "the secret appears in the audit log");
  }

  @Test
  void operatorAcksTicketsButCannotCreateTokens() throws Exception {
    String operator = create("noc-shift", "operator").getString("token");
    assertEquals(204, http.ingest(sample("up", "acme", "erp", "db1", 0)).status());
    long ticket = awaitTicket();
    Http.Reply ack = http.as(operator).post("/api/v1/tickets/" + ticket + "/ack", "");
    assertEquals(200, ack.status(), ack.toString());
    assertEquals("acknowledged", ack.json().getString("state"));
    assertEquals("token:noc-shift", vigil.sql("SELECT actor FROM ticket_events WHERE ticket_id = " + ticket + " AND kind = 'acknowledged'"));

    long before = vigil.count("tokens");
    Http.Reply denied = http.as(operator).post("/api/v1/tokens", "{\"name\":\"sneaky\",\"role\":\"admin\"}");
    assertEquals(403, denied.status(), denied.toString());
    assertEquals("token 'noc-shift' has role operator, this needs admin", denied.json().getString("error"));
    assertEquals(before, vigil.count("tokens"), "no token was created");
    assertEquals(403, http.as(operator).get("/api/v1/tokens").status());
  }

  @Test
  void viewerCannotAckTickets() throws Exception {
    String viewer = create("wallboard", "viewer").getString("token");
    assertEquals(204, http.ingest(sample("up", "acme", "erp", "db1", 0)).status());
    long ticket = awaitTicket();
    Http.Reply r = http.as(viewer).post("/api/v1/tickets/" + ticket + "/ack", "");
    assertEquals(403, r.status(), r.toString());
    assertEquals("token 'wallboard' has role viewer, this needs operator", r.json().getString("error"));
    assertEquals("open", vigil.sql("SELECT state FROM tickets WHERE id = " + ticket), "the ticket is untouched");
    // Also for a ticket that does not exist: authorisation is checked first.
    assertEquals(403, http.as(viewer).post("/api/v1/tickets/1/ack", "").status());
    // Reading is allowed.
    assertEquals(200, http.as(viewer).get("/api/v1/tickets/" + ticket).status());
  }

  @Test
  void revokedTokenIsRefusedAtOnceAndRevokingTwiceIs404() throws Exception {
    JsonObject made = create("temp", "viewer");
    String secret = made.getString("token");
    String id = made.getString("id");
    assertEquals(200, http.as(secret).get("/api/v1/whoami").status());

    Http.Reply revoke = http.delete("/api/v1/tokens/" + id);
    assertEquals(204, revoke.status(), revoke.toString());
    Http.Reply after = http.as(secret).get("/api/v1/whoami");
    assertEquals(401, after.status(), "a revoked token must be refused immediately: " + after);
    assertEquals("unknown or revoked token", after.json().getString("error"));
    assertFalse(vigil.sql("SELECT revoked_at FROM tokens WHERE id = '" + id + "'").isEmpty(), "revocation is stored");
    JsonObject listed = http.get("/api/v1/tokens").json().getJsonArray("tokens").stream().map(JsonObject.class::cast)
        .filter(t -> t.getString("id").equals(id)).findFirst().orElseThrow();
    assertNotNull(listed.getString("revokedAt"), listed.encode());

    Http.Reply again = http.delete("/api/v1/tokens/" + id);
    assertEquals(404, again.status(), again.toString());
    assertEquals("no live token with id '" + id + "'", again.json().getString("error"));
    Http.Reply unknown = http.delete("/api/v1/tokens/tok_doesnotexist");
    assertEquals(404, unknown.status(), unknown.toString());
  }

  @Test
  void theBootstrapAdminTokenCannotBeRevokedThroughTheApi() throws Exception {
    // It would come back at the next start, and meanwhile no admin could get in.
    Http.Reply r = http.delete("/api/v1/tokens/bootstrap-admin");
    assertEquals(409, r.status(), r.toString());
    assertTrue(r.json().getString("error").contains("change that setting and restart"), r.toString());
    assertEquals(200, http.get("/api/v1/whoami").status(), "still in");
  }

  @Test
  void revokedTokenStaysRefusedAfterRestart() throws Exception {
    JsonObject made = create("temp", "operator");
    assertEquals(204, http.delete("/api/v1/tokens/" + made.getString("id")).status());
    vigil.stop();
    vigil = new TestVigil(vigil.db, Map.of());
    Http.Reply r = vigil.http.as(made.getString("token")).get("/api/v1/whoami");
    assertEquals(401, r.status(), r.toString());
  }

  @Test
  void badRoleGets400NamingAllowedRolesAndCreatesNothing() throws Exception {
    long before = vigil.count("tokens");
    Http.Reply r = http.post("/api/v1/tokens", "{\"name\":\"x\",\"role\":\"superuser\"}");
    assertEquals(400, r.status(), r.toString());
    String error = r.json().getString("error");
    for (String role : ROLES) assertTrue(error.contains(role), "names allowed role " + role + ": " + error);
    assertTrue(error.contains("'superuser'"), error);
    Http.Reply missingRole = http.post("/api/v1/tokens", "{\"name\":\"x\"}");
    assertEquals(400, missingRole.status(), missingRole.toString());
    assertTrue(missingRole.json().getString("error").contains("admin, operator, viewer, ingest"), missingRole.toString());
    assertEquals(before, vigil.count("tokens"));
  }

  @Test
  void missingOrBlankNameGets400AndCreatesNothing() throws Exception {
    long before = vigil.count("tokens");
    for (String body : List.of("{\"role\":\"viewer\"}", "{\"name\":\"  \",\"role\":\"viewer\"}", "{\"name\":42,\"role\":\"viewer\"}")) {
      Http.Reply r = http.post("/api/v1/tokens", body);
      assertEquals(400, r.status(), body + " → " + r);
      assertTrue(r.json().getString("error").startsWith("'name' is required"), r.toString());
    }
    Http.Reply tooLong = http.post("/api/v1/tokens", new JsonObject().put("name", "n".repeat(101)).put("role", "viewer").encode());
    assertEquals(400, tooLong.status(), tooLong.toString());
    assertEquals(before, vigil.count("tokens"));
  }

  @Test
  void nonJsonBodyGets415AndMalformedJsonGets400() throws Exception {
    long before = vigil.count("tokens");
    Http.Reply r = http.post("/api/v1/tokens", "text/plain", "name=x&role=viewer".getBytes(UTF_8));
    assertEquals(415, r.status(), r.toString());
    assertEquals("Content-Type must be application/json", r.json().getString("error"));
    Http.Reply malformed = http.post("/api/v1/tokens", "{\"name\":");
    assertEquals(400, malformed.status(), malformed.toString());
    assertTrue(malformed.json().getString("error").startsWith("malformed JSON"), malformed.toString());
    Http.Reply notObject = http.post("/api/v1/tokens", "[1,2]");
    assertEquals(400, notObject.status(), notObject.toString());
    assertEquals("body must be a JSON object", notObject.json().getString("error"));
    assertEquals(before, vigil.count("tokens"));
  }

  @Test
  void streamRefusesMissingOrWrongTokenAndAcceptsViewerQueryToken() throws Exception {
    HttpClient client = HttpClient.newHttpClient();
    String ws = http.base.replaceFirst("^http", "ws") + "/api/v1/stream";
    ExecutionException missing = assertThrows(ExecutionException.class,
        () -> client.newWebSocketBuilder().buildAsync(URI.create(ws), new WebSocket.Listener() {}).get(10, TimeUnit.SECONDS));
    assertHandshakeRefusedWith(401, missing);
    ExecutionException wrong = assertThrows(ExecutionException.class,
        () -> client.newWebSocketBuilder().buildAsync(URI.create(ws + "?token=not-a-token"), new WebSocket.Listener() {})
            .get(10, TimeUnit.SECONDS));
    assertHandshakeRefusedWith(401, wrong);
    String ingest = create("agent", "ingest").getString("token");
    ExecutionException forbidden = assertThrows(ExecutionException.class, () -> http.as(ingest).stream());
    assertHandshakeRefusedWith(403, forbidden);

    String viewer = create("wall", "viewer").getString("token");
    try (Http.Stream s = http.as(viewer).stream()) {
      JsonObject snapshot = s.next();
      assertEquals("snapshot", snapshot.getString("type"));
      assertEquals(204, http.ingest(sample("up", "acme", "erp", "db1", 0)).status());
      JsonObject fault = s.until("fault", f -> "firing".equals(f.getString("state")));
      assertEquals("P1", fault.getJsonObject("fault").getString("severity"));
    }
  }

  @Test
  void auditLogRecordsTokenCreateAndRevokeWithActor() throws Exception {
    String id = create("audited", "ingest").getString("id");
    assertEquals(204, http.delete("/api/v1/tokens/" + id).status());
    assertEquals("token:admin|token.create|" + id + "|audited|ingest",
        vigil.sql("SELECT actor || '|' || action || '|' || target || '|' || (detail->>'name') || '|' || (detail->>'role') "
            + "FROM audit_log WHERE action = 'token.create'"));
    assertEquals("token:admin|token.revoke|" + id,
        vigil.sql("SELECT actor || '|' || action || '|' || target FROM audit_log WHERE action = 'token.revoke'"));
    assertEquals("token.create,token.revoke", vigil.sql("SELECT string_agg(action, ',' ORDER BY id) FROM audit_log"));
    // A refused revoke (unknown id) is not audited as a revoke.
    assertEquals(404, http.delete("/api/v1/tokens/" + id).status());
    assertEquals("1", vigil.sql("SELECT count(*) FROM audit_log WHERE action = 'token.revoke'"));
  }

  private JsonObject create(String name, String role) throws Exception {
    Http.Reply r = http.post("/api/v1/tokens", new JsonObject().put("name", name).put("role", role).encode());
    assertEquals(201, r.status(), r.toString());
    return r.json();
  }

  private long awaitTicket() throws InterruptedException {
    long end = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    while (System.nanoTime() < end) {
      String id = vigil.sql("SELECT id FROM tickets ORDER BY id LIMIT 1");
      if (!id.isEmpty()) return Long.parseLong(id);
      Thread.sleep(50);
    }
    throw new AssertionError("no ticket opened within 10 s");
  }

  private static void assertHandshakeRefusedWith(int status, ExecutionException e) {
    Throwable cause = e.getCause();
    while (cause != null && !(cause instanceof WebSocketHandshakeException)) cause = cause.getCause();
    assertNotNull(cause, "expected a refused websocket handshake, got " + e);
    assertEquals(status, ((WebSocketHandshakeException) cause).getResponse().statusCode());
  }
}
