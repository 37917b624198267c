package io.vigil.server.it;

import static io.vigil.server.it.Http.sample;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vigil.server.Config;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** {@code POST /api/v2/alerts} (Alertmanager API v2 shape) through the real server, with a plain HTTP client. */
class AlertIntakeIT {
  /** Millisecond precision, as Prometheus sends (PostgreSQL keeps microseconds). */
  static Instant now() {
    return Instant.now().truncatedTo(java.time.temporal.ChronoUnit.MILLIS);
  }

  static String alert(String name, String severity, String host, Instant startsAt, Instant endsAt) {
    return new JsonArray().add(new JsonObject()
        .put("labels", new JsonObject().put("alertname", name).put("severity", severity).put("customer", "acme").put("system", "erp").put("host", host))
        .put("annotations", new JsonObject().put("summary", name + " on " + host).put("runbook_url", "https://wiki/" + name))
        .put("startsAt", startsAt.toString()).put("endsAt", endsAt.toString())
        .put("generatorURL", "http://prometheus:9090/graph?g0.expr=x")).encode();
  }

  static JsonObject prometheusFault(Http http, String rule, String state) throws Exception {
    return http.get("/api/v1/faults?state=" + state).json().getJsonArray("faults").stream().map(JsonObject.class::cast)
        .filter(f -> rule.equals(f.getString("rule")) && "prometheus".equals(f.getString("source"))).findFirst().orElse(null);
  }

  @Test
  void criticalAlertBecomesP1FaultWithTicketAndResolvesWhenAResolvedAlertArrives() throws Exception {
    try (TestVigil vigil = new TestVigil()) {
      Instant start = now().minusSeconds(30);
      try (Http.Stream ws = vigil.http.stream()) {
        ws.next(); // snapshot
        Http.Reply r = vigil.http.post("/api/v2/alerts", alert("DiskFull", "critical", "db1", start, now().plusSeconds(240)));
        assertEquals(200, r.status(), r.toString());
        JsonObject streamed = ws.until("fault", f -> "DiskFull".equals(f.getString("rule"))).getJsonObject("fault");
        assertEquals("prometheus", streamed.getString("source"));
      }
      JsonObject f = Await.until(Duration.ofSeconds(10), "a ticket for DiskFull", () -> {
        JsonObject x = prometheusFault(vigil.http, "DiskFull", "firing");
        return x != null && x.getLong("ticketId") != null ? x : null;
      });
      assertEquals("P1", f.getString("severity"));
      assertEquals(new JsonArray().add("base P1 (severity=critical from prometheus)"), f.getJsonArray("grading"));
      assertEquals("DiskFull on db1", f.getString("summary"));
      assertEquals("https://wiki/DiskFull", f.getJsonObject("annotations").getString("runbook_url"));
      assertEquals("critical", f.getJsonObject("labels").getString("severity"));
      assertEquals(start.toString(), f.getString("startsAt"));
      assertTrue(f.getString("fingerprint").startsWith("prom:"));
      JsonObject ticket = vigil.http.get("/api/v1/tickets/" + f.getLong("ticketId")).json();
      assertEquals("P1", ticket.getString("severity"));
      assertEquals("acme", ticket.getString("customer"));

      // Prometheus re-sends: same alert, later endsAt. Nothing new.
      assertEquals(200, vigil.http.post("/api/v2/alerts", alert("DiskFull", "critical", "db1", start, now().plusSeconds(300))).status());
      assertEquals("1", vigil.sql("SELECT count(*) FROM faults WHERE source = 'prometheus'"));

      // Resolved: endsAt in the past.
      Instant ended = now().minusSeconds(1);
      assertEquals(200, vigil.http.post("/api/v2/alerts", alert("DiskFull", "critical", "db1", start, ended)).status());
      JsonObject resolved = prometheusFault(vigil.http, "DiskFull", "resolved");
      assertNotNull(resolved, "resolved once the answer is 200");
      assertEquals(ended.toString(), resolved.getString("endsAt"));
      assertNotNull(vigil.http.get("/api/v1/tickets/" + f.getLong("ticketId")).json().getString("faultResolvedAt"));
    }
  }

  @Test
  void alertNotRefreshedResolvesWhenItsEndsAtPasses() throws Exception {
    try (TestVigil vigil = new TestVigil()) {
      // Long enough for the post and the look at the firing fault on a loaded machine (with 2 s they
      // could come after the timer had resolved it).
      Instant endsAt = now().plusSeconds(5);
      assertEquals(200, vigil.http.post("/api/v2/alerts", alert("QueueStuck", "warning", "mq1", now(), endsAt)).status());
      JsonObject firing = prometheusFault(vigil.http, "QueueStuck", "firing");
      assertEquals("P3", firing.getString("severity"));
      JsonObject resolved = Await.until(Duration.ofSeconds(15), "QueueStuck resolved", () -> prometheusFault(vigil.http, "QueueStuck", "resolved"));
      assertEquals(endsAt.toString(), resolved.getString("endsAt"));
      assertTrue(Instant.now().isAfter(endsAt));
    }
  }

  @Test
  void severityMappingIsConfigurable() throws Exception {
    try (TestVigil vigil = new TestVigil(Map.of("VIGIL_ALERT_SEVERITY", "page=P1,*=P4"))) {
      assertEquals(200, vigil.http.post("/api/v2/alerts", alert("Paged", "page", "h1", now(), now().plusSeconds(60))).status());
      assertEquals(200, vigil.http.post("/api/v2/alerts", alert("Other", "critical", "h1", now(), now().plusSeconds(60))).status());
      assertEquals("P1", prometheusFault(vigil.http, "Paged", "firing").getString("severity"));
      JsonObject other = prometheusFault(vigil.http, "Other", "firing");
      assertEquals("P4", other.getString("severity"));
      assertEquals(new JsonArray().add("base P4 (severity=critical not mapped, default for prometheus)"), other.getJsonArray("grading"));
    }
  }

  @Test
  void badAlertsAre400NamingIndexAndFieldAndRecordNothing() throws Exception {
    try (TestVigil vigil = new TestVigil()) {
      String body = "[{\"labels\":{\"alertname\":\"Fine\"}},{\"labels\":{\"job\":\"x\"}}]";
      Http.Reply r = vigil.http.post("/api/v2/alerts", body);
      assertEquals(400, r.status(), r.toString());
      assertEquals(1, r.json().getInteger("index"));
      assertEquals("labels", r.json().getString("field"));
      assertEquals(400, vigil.http.post("/api/v2/alerts", "{\"not\":\"an array\"}").status());
      assertEquals(415, vigil.http.post("/api/v2/alerts", "text/plain", "[]".getBytes()).status());
      assertEquals(401, vigil.http.as(null).post("/api/v2/alerts", "[]").status());
      assertEquals("0", vigil.sql("SELECT count(*) FROM faults"));
    }
  }

  @Test
  void aCustomerBoundTokenGivesItsAlertsThatCustomerAndIsRefusedAnotherCustomersWhole() throws Exception {
    try (TestVigil vigil = new TestVigil()) {
      Http.Reply t = vigil.http.post("/api/v1/tokens", "{\"name\":\"acme-prometheus\",\"role\":\"ingest\",\"customer\":\"acme\"}");
      assertEquals(201, t.status(), t.toString());
      Http acme = vigil.http.as(t.json().getString("token"));
      String unlabelled = new JsonArray().add(new JsonObject().put("labels", new JsonObject().put("alertname", "QueueStuck")
          .put("severity", "critical").put("system", "mq"))).encode();
      assertEquals(200, acme.post("/api/v2/alerts", unlabelled).status());
      JsonObject f = prometheusFault(vigil.http, "QueueStuck", "firing");
      assertEquals("acme", f.getJsonObject("labels").getString("customer"), f.encode());
      Long ticket = Await.until(Duration.ofSeconds(10), "QueueStuck's ticket", () -> {
        JsonObject x = prometheusFault(vigil.http, "QueueStuck", "firing");
        return x == null ? null : x.getLong("ticketId");
      });
      assertEquals("acme", vigil.http.get("/api/v1/tickets/" + ticket).json().getString("customer"));

      // One alert of the post names globex: the whole post is refused, the acme alert with it.
      String mixed = new JsonArray().add(new JsonObject().put("labels", new JsonObject().put("alertname", "DiskFull").put("customer", "acme")))
          .add(new JsonObject().put("labels", new JsonObject().put("alertname", "DiskFull").put("customer", "globex"))).encode();
      Http.Reply refused = acme.post("/api/v2/alerts", mixed);
      assertEquals(403, refused.status(), refused.toString());
      assertEquals(1, refused.json().getInteger("index"));
      assertEquals("labels.customer", refused.json().getString("field"));
      assertTrue(refused.json().getString("error").contains("alert 1 claims customer 'globex' but this token is bound to customer 'acme'"),
          refused.toString());
      assertEquals("1", vigil.sql("SELECT count(*) FROM faults"), "only QueueStuck");
      assertTrue(vigil.http.get("/metrics").raw().body()
          .contains("vigil_ingest_refused_total{reason=\"customer_mismatch\",transport=\"alerts\"} 1.0"));
    }
  }

  @Test
  void restartRestoresPrometheusFaultsWithoutDuplicatesAndResolvesFaultsOfRulesThatAreGone() throws Exception {
    Config.Database db = EphemeralPostgres.get().freshDatabase();
    Instant start = now().minusSeconds(60);
    long ticketId;
    try (TestVigil first = new TestVigil(db, Map.of())) {
      assertEquals(200, first.http.post("/api/v2/alerts", alert("DiskFull", "critical", "db1", start, now().plusSeconds(240))).status());
      assertEquals(204, first.http.ingest(sample("cpu_usage", "acme", "mes", "app1", 97)).status());
      RestartIT.awaitFiring(first.http, 2);
      ticketId = prometheusFault(first.http, "DiskFull", "firing").getLong("ticketId");
    }

    // HighCpu is no longer among the rules.
    String rules = TestVigil.rulesFile("rules:\n  - {name: SystemDown, expr: up == 0, for: 0s, severity: P1}\n");
    // The resolve timeout runs from the restore at start-up; 3 s could pass before the re-send below
    // on a loaded machine (start-up, the wait for HighCpu), and the re-send would then raise a new fault.
    try (TestVigil second = new TestVigil(db, Map.of("VIGIL_RULES", rules, "VIGIL_ALERT_RESOLVE_TIMEOUT", "30s"))) {
      JsonObject restored = prometheusFault(second.http, "DiskFull", "firing");
      assertNotNull(restored, "the Prometheus fault is still firing after the restart");
      assertEquals(ticketId, restored.getLong("ticketId"));
      Await.until(Duration.ofSeconds(10), "HighCpu resolved at start-up",
          () -> "resolved".equals(second.sql("SELECT state FROM faults WHERE rule = 'HighCpu'")));

      // Prometheus re-sends the firing alert: no second fault, no second ticket.
      assertEquals(200, second.http.post("/api/v2/alerts", alert("DiskFull", "critical", "db1", start, now().plusSeconds(240))).status());
      assertEquals("1", second.sql("SELECT count(*) FROM faults WHERE source = 'prometheus'"));
      assertEquals("1", second.sql("SELECT count(*) FROM tickets WHERE fingerprint LIKE 'prom:%'"));
      assertEquals("firing", second.sql("SELECT state FROM faults WHERE source = 'prometheus'"),
          "refreshed before the resolve timeout ran out, so it did not resolve");
    }
    try (TestVigil third = new TestVigil(db, Map.of("VIGIL_ALERT_RESOLVE_TIMEOUT", "1s"))) {
      // No sender any more: the restored alert resolves after the resolve timeout.
      Await.until(Duration.ofSeconds(10), "DiskFull resolved without a refresh", () -> prometheusFault(third.http, "DiskFull", "resolved"));
    }
  }
}
