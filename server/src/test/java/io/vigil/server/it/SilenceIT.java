package io.vigil.server.it;

import static io.vigil.server.it.Http.sample;
import static org.junit.jupiter.api.Assertions.*;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vigil.server.Config;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Silences through the real server: a silenced fault exists and is shown as silenced, opens no
 * ticket while silenced, and opens it when the silence ends while it still fires.
 */
class SilenceIT {
  private TestVigil vigil;
  private Http http;

  @BeforeEach
  void start() throws Exception {
    vigil = new TestVigil();
    http = vigil.http;
    inventory(http, "acme", "erp", "crm", "hr");
  }

  @AfterEach
  void stop() throws Exception {
    if (vigil != null) vigil.close();
  }

  static String silenceBody(String customer, String system, Instant endsAt, String comment) {
    return new JsonObject().put("matchers", new JsonArray()
            .add(new JsonObject().put("name", "customer").put("value", customer).put("isRegex", false).put("isEqual", true))
            .add(new JsonObject().put("name", "system").put("value", system)))
        .put("endsAt", endsAt.toString()).put("createdBy", "li.wei").put("comment", comment).encode();
  }

  /**
   * Puts a customer and its systems in the inventory: silences, windows and inhibit rules that name
   * a customer or system must name known ones. A customer that is already there is left as it is.
   */
  static void inventory(Http http, String customer, String... systems) throws Exception {
    Http.Reply c = http.post("/api/v1/customers", new JsonObject().put("id", customer).put("tier", "7x24").put("timeZone", "UTC").encode());
    if (c.status() != 201 && c.status() != 409) throw new AssertionError("creating customer " + customer + ": " + c);
    for (String system : systems) {
      Http.Reply s = http.post("/api/v1/customers/" + customer + "/systems", new JsonObject().put("id", system).encode());
      if (s.status() != 201 && s.status() != 409) throw new AssertionError("creating system " + customer + "/" + system + ": " + s);
    }
  }

  static JsonObject fault(Http http, String fingerprintOrRule) throws Exception {
    for (Object o : http.get("/api/v1/faults").json().getJsonArray("faults")) {
      JsonObject f = (JsonObject) o;
      if (f.getString("fingerprint").equals(fingerprintOrRule) || f.getString("rule").equals(fingerprintOrRule)) return f;
    }
    return null;
  }

  @Test
  void silencedFaultOpensNoTicketUntilSilenceEndsWhileStillFiring() throws Exception {
    try (Http.Stream ws = http.stream()) {
      assertEquals("snapshot", ws.next().getString("type"));
      // Long enough that the fault is recorded and looked at (REST, SQL) before it ends, on a loaded machine too.
      Instant ends = Instant.now().plusSeconds(5);
      Http.Reply created = http.post("/api/v1/silences", silenceBody("acme", "erp", ends, "ERP database upgrade"));
      assertEquals(201, created.status(), created.toString());
      String id = created.json().getString("silenceID");
      assertEquals(id, created.json().getString("id"));
      assertEquals("active", created.json().getJsonObject("status").getString("state"));

      assertEquals(204, http.ingest(sample("up", "acme", "erp", "db1", 0)).status());
      JsonObject delta = ws.until("fault", f -> "firing".equals(f.getString("state"))).getJsonObject("fault");
      JsonObject muting = delta.getJsonObject("muting");
      assertTrue(muting.getBoolean("silenced"), delta.encode());
      assertEquals(List.of(id), muting.getJsonArray("silencedBy").getList());
      assertTrue(muting.getString("reason").contains("ERP database upgrade"), muting.getString("reason"));
      assertNull(delta.getLong("ticketId"), "a silenced fault opens no ticket");
      assertEquals(0, vigil.count("tickets"));
      // REST shows it too: it exists, firing, silenced.
      JsonObject rest = fault(http, "SystemDown");
      assertEquals("firing", rest.getString("state"));
      assertTrue(rest.getJsonObject("muting").getBoolean("silenced"));

      // The silence ends while the fault still fires: now the ticket opens, its SLA counted from then.
      JsonObject unmuted = ws.until("fault", f -> !f.getJsonObject("muting").getBoolean("muted")).getJsonObject("fault");
      JsonObject ticket = ws.until("ticket", t -> true).getJsonObject("ticket");
      assertEquals(ticket.getLong("id"), unmuted.getLong("ticketId"));
      Instant opened = Instant.parse(ticket.getString("openedAt"));
      assertFalse(opened.isBefore(ends), "opened " + opened + " before the silence ended " + ends);
      assertEquals(opened.plus(Duration.ofMinutes(15)), Instant.parse(ticket.getString("respondBy")));
      assertEquals("true", vigil.sql("SELECT detail->>'afterMute' FROM ticket_events WHERE kind = 'opened'"));
      assertEquals("expired", http.get("/api/v1/silences/" + id).json().getJsonObject("status").getString("state"));
      assertEquals(1, vigil.count("tickets"));
    }
  }

  @Test
  void silenceCreatedAfterFiringMutesButKeepsExistingTicket() throws Exception {
    assertEquals(204, http.ingest(sample("up", "acme", "erp", "db1", 0)).status());
    long ticketId = Await.until(Duration.ofSeconds(10), "a ticket", () -> {
      JsonObject f = fault(http, "SystemDown");
      return f == null ? null : f.getLong("ticketId");
    });
    String id = http.post("/api/v1/silences", silenceBody("acme", "erp", Instant.now().plus(Duration.ofHours(2)), "known outage"))
        .json().getString("silenceID");
    JsonObject muted = Await.until(Duration.ofSeconds(10), "the fault to be silenced", () -> {
      JsonObject f = fault(http, "SystemDown");
      return f.getJsonObject("muting").getBoolean("silenced") ? f : null;
    });
    // Decision: a ticket that is already open stays open; the silence mutes paging, not work in progress.
    assertEquals(ticketId, muted.getLong("ticketId"));
    assertEquals("open", http.get("/api/v1/tickets/" + ticketId).json().getString("state"));

    Http.Reply expired = http.delete("/api/v1/silences/" + id);
    assertEquals(200, expired.status(), expired.toString());
    assertEquals("expired", expired.json().getJsonObject("status").getString("state"));
    Await.until(Duration.ofSeconds(10), "the fault to be unmuted",
        () -> !fault(http, "SystemDown").getJsonObject("muting").getBoolean("muted"));
    assertEquals(1, vigil.count("tickets"), "no second ticket when unmuted");
    assertEquals("1", vigil.sql("SELECT count(*) FROM ticket_events WHERE kind = 'opened'"));
    assertEquals(409, http.delete("/api/v1/silences/" + id).status(), "expiring twice");
    assertEquals("silence.create,silence.expire",
        vigil.sql("SELECT string_agg(action, ',' ORDER BY id) FROM audit_log WHERE target = '" + id + "'"));
  }

  @Test
  void faultThatResolvesWhileSilencedNeverGetsATicket() throws Exception {
    String id = http.post("/api/v1/silences", silenceBody("acme", "erp", Instant.now().plus(Duration.ofHours(1)), "flapping"))
        .json().getString("silenceID");
    assertEquals(204, http.ingest(sample("up", "acme", "erp", "db1", 0)).status());
    assertEquals(204, http.ingest(sample("up", "acme", "erp", "db1", 1)).status());
    Await.until(Duration.ofSeconds(10), "the fault to resolve", () -> "resolved".equals(vigil.sql("SELECT state FROM faults")));
    assertEquals(200, http.delete("/api/v1/silences/" + id).status());
    // A marker fault elsewhere proves the pipeline has processed the unmute.
    assertEquals(204, http.ingest(sample("up", "globex", "hr", "x1", 0)).status());
    Await.until(Duration.ofSeconds(10), "the marker ticket", () -> vigil.count("tickets") == 1);
    assertEquals("globex", vigil.sql("SELECT customer FROM tickets"));
  }

  @Test
  void silencesAreListedByStateAsInAlertmanager() throws Exception {
    Instant now = Instant.now();
    String active = http.post("/api/v1/silences", silenceBody("acme", "erp", now.plus(Duration.ofHours(1)), "a")).json().getString("id");
    String pending = http.post("/api/v1/silences", new JsonObject(silenceBody("acme", "crm", now.plus(Duration.ofHours(3)), "p"))
        .put("startsAt", now.plus(Duration.ofHours(2)).toString()).encode()).json().getString("id");
    String gone = http.post("/api/v1/silences", silenceBody("acme", "hr", now.plus(Duration.ofHours(1)), "e")).json().getString("id");
    assertEquals(200, http.delete("/api/v1/silences/" + gone).status());
    assertEquals(List.of(active), ids(http.get("/api/v1/silences?state=active").json().getJsonArray("silences")));
    assertEquals(List.of(pending), ids(http.get("/api/v1/silences?state=pending").json().getJsonArray("silences")));
    assertEquals(List.of(gone), ids(http.get("/api/v1/silences?state=expired").json().getJsonArray("silences")));
    assertEquals(3, http.get("/api/v1/silences").json().getJsonArray("silences").size());
    JsonObject one = http.get("/api/v1/silences/" + active).json();
    assertEquals("li.wei", one.getString("createdBy"));
    assertEquals(new JsonObject().put("name", "customer").put("value", "acme").put("isRegex", false).put("isEqual", true),
        one.getJsonArray("matchers").getJsonObject(0));
  }

  static List<String> ids(JsonArray a) {
    List<String> out = new ArrayList<>();
    for (Object o : a) out.add(((JsonObject) o).getString("id"));
    return out;
  }

  @Test
  void badInputIs400NamingTheField() throws Exception {
    String future = Instant.now().plus(Duration.ofHours(1)).toString();
    String m = "[{\"name\":\"customer\",\"value\":\"acme\"}]";
    String[][] cases = {
        {"/api/v1/silences", "{\"endsAt\":\"" + future + "\",\"comment\":\"c\"}", "matchers"},
        {"/api/v1/silences", "{\"matchers\":[],\"endsAt\":\"" + future + "\",\"comment\":\"c\"}", "matchers"},
        {"/api/v1/silences", "{\"matchers\":[{\"name\":\"bad-name\",\"value\":\"x\"}],\"endsAt\":\"" + future + "\",\"comment\":\"c\"}", "matchers[0].name"},
        {"/api/v1/silences", "{\"matchers\":[{\"name\":\"host\",\"value\":\"db(\",\"isRegex\":true}],\"endsAt\":\"" + future + "\",\"comment\":\"c\"}", "matchers[0].value"},
        {"/api/v1/silences", "{\"matchers\":[{\"name\":\"host\",\"value\":\".*\",\"isRegex\":true}],\"endsAt\":\"" + future + "\",\"comment\":\"c\"}", "matchers"},
        {"/api/v1/silences", "{\"matchers\":" + m + ",\"isRegex\":1,\"endsAt\":\"" + future + "\"}", "comment"},
        {"/api/v1/silences", "{\"matchers\":" + m + ",\"endsAt\":\"tomorrow\",\"comment\":\"c\"}", "endsAt"},
        {"/api/v1/silences", "{\"matchers\":" + m + ",\"endsAt\":\"2020-01-01T00:00:00Z\",\"startsAt\":\"2019-01-01T00:00:00Z\",\"comment\":\"c\"}", "endsAt"},
        {"/api/v1/silences", "{\"matchers\":" + m + ",\"startsAt\":\"" + future + "\",\"endsAt\":\"" + future + "\",\"comment\":\"c\"}", "endsAt"},
        {"/api/v1/maintenance-windows", "{\"customer\":\"acme\",\"days\":[\"funday\"],\"start\":\"01:00\",\"end\":\"02:00\",\"timeZone\":\"UTC\",\"comment\":\"c\"}", "days[0]"},
        {"/api/v1/maintenance-windows", "{\"customer\":\"acme\",\"days\":[\"sat\"],\"start\":\"25:00\",\"end\":\"02:00\",\"timeZone\":\"UTC\",\"comment\":\"c\"}", "start"},
        {"/api/v1/maintenance-windows", "{\"customer\":\"acme\",\"days\":[\"sat\"],\"start\":\"01:00\",\"end\":\"02:00\",\"timeZone\":\"Mars/Olympus\",\"comment\":\"c\"}", "timeZone"},
        {"/api/v1/maintenance-windows", "{\"days\":[\"sat\"],\"start\":\"01:00\",\"end\":\"02:00\",\"timeZone\":\"UTC\",\"comment\":\"c\"}", "customer"},
        {"/api/v1/inhibit-rules", "{\"targetMatch\":" + m + "}", "sourceMatch"},
        {"/api/v1/inhibit-rules", "{\"sourceMatch\":" + m + ",\"targetMatch\":" + m + ",\"equal\":[\"a b\"]}", "equal[0]"},
    };
    for (String[] c : cases) {
      Http.Reply r = http.post(c[0], c[1]);
      assertEquals(400, r.status(), c[1] + " -> " + r);
      assertEquals(c[2], r.json().getString("field"), c[1] + " -> " + r);
      assertNotNull(r.json().getString("error"));
    }
    // Bound to a customer or system the inventory does not know: refused, naming the value.
    String[][] unknown = {
        {"/api/v1/silences", "{\"matchers\":[{\"name\":\"customer\",\"value\":\"acne\"}],\"endsAt\":\"" + future + "\",\"comment\":\"c\"}",
            "matchers[0]", "acne"},
        {"/api/v1/silences", "{\"matchers\":[{\"name\":\"customer\",\"value\":\"acme\"},{\"name\":\"system\",\"value\":\"epr\"}],"
            + "\"endsAt\":\"" + future + "\",\"comment\":\"c\"}", "matchers[1]", "epr"},
        {"/api/v1/maintenance-windows", "{\"customer\":\"acne\",\"days\":[\"sat\"],\"start\":\"01:00\",\"end\":\"02:00\",\"timeZone\":\"UTC\",\"comment\":\"c\"}",
            "customer", "acne"},
        {"/api/v1/maintenance-windows", "{\"customer\":\"acme\",\"system\":\"epr\",\"days\":[\"sat\"],\"start\":\"01:00\",\"end\":\"02:00\",\"timeZone\":\"UTC\",\"comment\":\"c\"}",
            "system", "epr"},
        {"/api/v1/inhibit-rules", "{\"sourceMatch\":" + m + ",\"targetMatch\":[{\"name\":\"customer\",\"value\":\"globx\"}]}", "targetMatch[0]", "globx"},
    };
    for (String[] c : unknown) {
      Http.Reply r = http.post(c[0], c[1]);
      assertEquals(400, r.status(), c[1] + " -> " + r);
      assertEquals(c[2], r.json().getString("field"), c[1] + " -> " + r);
      assertTrue(r.json().getString("error").contains("'" + c[3] + "'"), "the message names the unknown value: " + r);
    }
    // A regex is a pattern, not a name: it may match customers that come later.
    assertEquals(201, http.post("/api/v1/silences", "{\"matchers\":[{\"name\":\"customer\",\"value\":\"acme|later\",\"isRegex\":true}],"
        + "\"endsAt\":\"" + future + "\",\"comment\":\"c\"}").status());
    assertEquals(0, vigil.count("maintenance_windows"));
    Http.Reply state = http.get("/api/v1/silences?state=sleeping");
    assertEquals(400, state.status());
    assertEquals("state", state.json().getString("field"));
    assertEquals(400, http.post("/api/v1/silences", "[1]").status());
    assertEquals(415, http.post("/api/v1/silences", "text/plain", "x".getBytes()).status());
    assertEquals(404, http.get("/api/v1/silences/nope").status());
    assertEquals(404, http.delete("/api/v1/silences/nope").status());
    assertEquals(404, http.get("/api/v1/maintenance-windows/nope").status());
    assertEquals(404, http.delete("/api/v1/inhibit-rules/nope").status());
    assertEquals(1, vigil.count("silences"), "only the regex silence was stored");
  }

  @Test
  void viewerCannotCreateOperatorCannotChangeInhibitRules() throws Exception {
    String viewer = http.post("/api/v1/tokens", "{\"name\":\"wall\",\"role\":\"viewer\"}").json().getString("token");
    String operator = http.post("/api/v1/tokens", "{\"name\":\"duty\",\"role\":\"operator\"}").json().getString("token");
    String body = silenceBody("acme", "erp", Instant.now().plus(Duration.ofHours(1)), "x");
    assertEquals(403, http.as(viewer).post("/api/v1/silences", body).status());
    assertEquals(403, http.as(viewer).post("/api/v1/maintenance-windows", "{}").status());
    assertEquals(401, http.as(null).get("/api/v1/silences").status());
    assertEquals(200, http.as(viewer).get("/api/v1/silences").status());
    assertEquals(200, http.as(viewer).get("/api/v1/inhibit-rules").status());
    Http.Reply created = http.as(operator).post("/api/v1/silences", body);
    assertEquals(201, created.status());
    assertEquals(403, http.as(viewer).delete("/api/v1/silences/" + created.json().getString("id")).status());
    String rule = "{\"sourceMatch\":[{\"name\":\"alertname\",\"value\":\"SystemDown\"}],\"targetMatch\":[{\"name\":\"severity\",\"value\":\"P4\"}]}";
    assertEquals(403, http.as(operator).post("/api/v1/inhibit-rules", rule).status());
    assertEquals(201, http.post("/api/v1/inhibit-rules", rule).status());
    assertEquals("token:duty", vigil.sql("SELECT actor FROM audit_log WHERE action = 'silence.create'"));
  }

  @Test
  void restartKeepsSilencesAndMutedState() throws Exception {
    Config.Database db = vigil.db;
    String id = http.post("/api/v1/silences", silenceBody("acme", "erp", Instant.now().plus(Duration.ofHours(1)), "migration"))
        .json().getString("id");
    assertEquals(204, http.ingest(sample("up", "acme", "erp", "db1", 0)).status());
    Await.until(Duration.ofSeconds(10), "a silenced firing fault", () -> {
      JsonObject f = fault(http, "SystemDown");
      return f != null && f.getString("state").equals("firing") && f.getJsonObject("muting").getBoolean("silenced");
    });
    vigil.close();
    vigil = null;

    vigil = new TestVigil(db, Map.of());
    http = vigil.http;
    assertEquals("active", http.get("/api/v1/silences/" + id).json().getJsonObject("status").getString("state"));
    try (Http.Stream ws = http.stream()) {
      JsonObject snap = ws.next();
      JsonObject f = snap.getJsonArray("faults").getJsonObject(0);
      assertEquals(List.of(id), f.getJsonObject("muting").getJsonArray("silencedBy").getList(), "muted state survives the restart");
      assertNull(f.getLong("ticketId"));
      // The reloaded silence still governs: ending it now opens the ticket.
      assertEquals(200, http.delete("/api/v1/silences/" + id).status());
      JsonObject ticket = ws.until("ticket", t -> true).getJsonObject("ticket");
      assertEquals("acme", ticket.getString("customer"));
    }
    assertEquals(1, vigil.count("tickets"));
  }
}
