package io.vigil.server.it;

import static io.vigil.server.it.Http.sample;
import static org.junit.jupiter.api.Assertions.*;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.NetServer;
import io.vertx.core.net.NetServerOptions;
import io.vertx.core.net.PfxOptions;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Patrol through the real server: the inventory API, heartbeats, automatic NoData faults (also
 * across a restart), probes against real local servers with an ordinary rule firing on their
 * results, and the patrol report.
 */
class PatrolIT {
  static final String PROBE_RULES = TestVigil.RULES + """
        - name: ProbeFailed
          expr: probe_success == 0
          for: 0s
          severity: P2
          annotations: {summary: "probe {{ $labels.probe }} of {{ $labels.system }} failed"}
      """;
  private TestVigil vigil;
  private Vertx vertx;

  @AfterEach
  void stop() throws Exception {
    if (vigil != null) vigil.close();
    if (vertx != null) vertx.close().await(10, TimeUnit.SECONDS);
  }

  private Http.Reply createCustomer(String id, String tier) throws Exception {
    return vigil.http.post("/api/v1/customers", "{\"id\":\"" + id + "\",\"name\":\"" + id.toUpperCase() + " Corp\",\"tier\":\"" + tier
        + "\",\"contacts\":[{\"name\":\"Li Wei\",\"phone\":\"+86 10 1234 5678\"}]}");
  }

  private Http.Reply createSystem(String customer, String json) throws Exception {
    return vigil.http.post("/api/v1/customers/" + customer + "/systems", json);
  }

  private JsonObject fault(String state, String rule, String system) throws Exception {
    JsonArray faults = vigil.http.get("/api/v1/faults?state=" + state).json().getJsonArray("faults");
    for (int i = 0; i < faults.size(); i++) {
      JsonObject f = faults.getJsonObject(i);
      if (f.getString("rule").equals(rule) && system.equals(f.getJsonObject("labels").getString("system"))) return f;
    }
    return null;
  }

  @Test
  void inventoryApiValidatesNamesTheFieldAndAuditsEveryChange() throws Exception {
    vigil = new TestVigil();
    assertEquals(201, createCustomer("acme", "7x24").status());
    Http.Reply dup = createCustomer("acme", "7x24");
    assertEquals(409, dup.status(), dup.toString());
    Http.Reply badTier = vigil.http.post("/api/v1/customers", "{\"id\":\"globex\",\"tier\":\"gold plated\"}");
    assertEquals(400, badTier.status());
    assertEquals("tier", badTier.json().getString("field"));
    Http.Reply badZone = vigil.http.post("/api/v1/customers", "{\"id\":\"globex\",\"tier\":\"5x8\",\"timeZone\":\"Mars/Olympus\"}");
    assertEquals("timeZone", badZone.json().getString("field"));
    Http.Reply badId = vigil.http.post("/api/v1/customers", "{\"id\":\"no spaces\",\"tier\":\"5x8\"}");
    assertEquals("id", badId.json().getString("field"));

    Http.Reply badProbe = createSystem("acme", "{\"id\":\"erp\",\"probes\":[{\"type\":\"tcp\",\"target\":\"db1\"}]}");
    assertEquals(400, badProbe.status());
    assertEquals("probes[0].target", badProbe.json().getString("field"), badProbe.toString());
    Http.Reply badTimeout = createSystem("acme", "{\"id\":\"erp\",\"probes\":[{\"type\":\"http\",\"target\":\"http://x/\",\"interval\":\"10s\",\"timeout\":\"1m\"}]}");
    assertEquals("probes[0].timeout", badTimeout.json().getString("field"));
    Http.Reply badCrit = createSystem("acme", "{\"id\":\"erp\",\"criticality\":\"extreme\"}");
    assertEquals("criticality", badCrit.json().getString("field"));
    assertEquals(404, createSystem("nobody", "{\"id\":\"erp\"}").status());

    Http.Reply sys = createSystem("acme", "{\"id\":\"erp\",\"name\":\"ERP\",\"heartbeatInterval\":\"5m\",\"criticality\":\"high\","
        + "\"probes\":[{\"name\":\"portal\",\"type\":\"http\",\"target\":\"https://erp.acme.example/login\",\"interval\":\"1m\","
        + "\"timeout\":\"10s\",\"expect_status\":200,\"keyword\":\"Welcome\"}]}");
    assertEquals(201, sys.status(), sys.toString());
    assertEquals(409, createSystem("acme", "{\"id\":\"erp\"}").status());
    JsonObject got = vigil.http.get("/api/v1/customers/acme/systems/erp").json();
    assertEquals("5m", got.getString("heartbeatInterval"));
    assertEquals(200, got.getJsonArray("probes").getJsonObject(0).getInteger("expectStatus"));
    assertEquals(1, vigil.http.get("/api/v1/customers/acme/systems").json().getJsonArray("systems").size());
    assertEquals(404, vigil.http.get("/api/v1/customers/acme/systems/crm").status());

    Http.Reply put = vigil.http.put("/api/v1/customers/acme/systems/erp", "{\"name\":\"ERP (SAP)\",\"criticality\":\"low\"}");
    assertEquals(200, put.status(), put.toString());
    assertEquals("low", vigil.http.get("/api/v1/customers/acme/systems/erp").json().getString("criticality"));
    assertEquals(400, vigil.http.put("/api/v1/customers/acme/systems/erp", "{\"id\":\"crm\"}").status(), "ids do not change");

    String viewer = vigil.http.post("/api/v1/tokens", "{\"name\":\"wall\",\"role\":\"viewer\"}").json().getString("token");
    assertEquals(200, vigil.http.as(viewer).get("/api/v1/customers").status());
    assertEquals(403, vigil.http.as(viewer).post("/api/v1/customers", "{\"id\":\"x\",\"tier\":\"5x8\"}").status());

    Http.Reply busy = vigil.http.delete("/api/v1/customers/acme");
    assertEquals(409, busy.status(), busy.toString());
    assertEquals(204, vigil.http.delete("/api/v1/customers/acme/systems/erp").status());
    assertEquals(404, vigil.http.delete("/api/v1/customers/acme/systems/erp").status());
    assertEquals(204, vigil.http.delete("/api/v1/customers/acme").status());
    assertEquals(404, vigil.http.get("/api/v1/customers/acme").status());
    assertEquals("customer.create,system.create,system.update,system.delete,customer.delete",
        vigil.sql("SELECT string_agg(action, ',' ORDER BY id) FROM audit_log WHERE action LIKE 'customer.%' OR action LIKE 'system.%'"));
  }

  @Test
  void heartbeatIsStoredAsASampleOnlyForKnownSystems() throws Exception {
    vigil = new TestVigil();
    createCustomer("acme", "7x24");
    createSystem("acme", "{\"id\":\"erp\"}");
    Http.Reply unknown = vigil.http.post("/api/v1/heartbeat/crm", "");
    assertEquals(404, unknown.status());
    assertTrue(unknown.json().getString("error").contains("crm"));
    assertEquals(204, vigil.http.post("/api/v1/heartbeat/erp", "").status());
    assertEquals("1", vigil.sql("SELECT count(*) FROM samples x JOIN series s ON s.id = x.series_id "
        + "WHERE s.metric = 'heartbeat' AND s.labels = '{\"customer\":\"acme\",\"system\":\"erp\"}'::jsonb AND x.value = 1"));
    String viewer = vigil.http.post("/api/v1/tokens", "{\"name\":\"wall\",\"role\":\"viewer\"}").json().getString("token");
    assertEquals(403, vigil.http.as(viewer).post("/api/v1/heartbeat/erp", "").status(), "heartbeats need the ingest role");

    createCustomer("globex", "5x8");
    createSystem("globex", "{\"id\":\"erp\"}");
    assertEquals(409, vigil.http.post("/api/v1/heartbeat/erp", "").status(), "two customers have an erp");
    assertEquals(204, vigil.http.post("/api/v1/heartbeat/erp?customer=globex", "").status());

    // A token bound to acme beats acme's erp without naming the customer, and never globex's.
    String acmeAgent = vigil.http.post("/api/v1/tokens", "{\"name\":\"acme-agent\",\"role\":\"ingest\",\"customer\":\"acme\"}")
        .json().getString("token");
    assertEquals(204, vigil.http.as(acmeAgent).post("/api/v1/heartbeat/erp", "").status(), "the bound customer picks acme's erp");
    assertEquals(403, vigil.http.as(acmeAgent).post("/api/v1/heartbeat/erp?customer=globex", "").status(),
        "a customer-bound token may not beat another customer's system");
  }

  @Test
  void silentSystemRaisesNoDataFaultThatSurvivesARestartAndResolvesWhenDataArrives() throws Exception {
    // With a rule of the same name, as the demo rules have: at start-up it must not adopt, re-grade
    // or resolve patrol's fault (it did, and the system then went unwatched).
    Map<String, String> sameName = Map.of("VIGIL_RULES", TestVigil.rulesFile(TestVigil.RULES + """
          - name: NoData
            expr: nodata(up[1m])
            severity: P1
        """));
    vigil = new TestVigil(sameName);
    createCustomer("acme", "7x24");
    createSystem("acme", "{\"id\":\"erp\",\"name\":\"ERP\",\"heartbeatInterval\":\"2s\",\"criticality\":\"high\"}");
    createSystem("acme", "{\"id\":\"crm\",\"heartbeatInterval\":\"2s\"}");
    // crm keeps talking (ordinary samples count as much as heartbeats) for 4 s and until erp, silent,
    // has its fault and ticket: had crm stopped before, its own NoData would be due 2 s later, maybe
    // before the check below that it has none.
    long talkedEnough = System.nanoTime() + TimeUnit.SECONDS.toNanos(4);
    long giveUp = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    JsonObject firing;
    do {
      assertTrue(System.nanoTime() < giveUp, "no NoData fault with a ticket for erp within 20 s");
      Thread.sleep(300);
      assertEquals(204, vigil.http.ingest(sample("cpu_usage", "acme", "crm", "app1", 10)).status());
      firing = fault("firing", "NoData", "erp");
    } while (System.nanoTime() < talkedEnough || firing == null || firing.getValue("ticketId") == null);
    assertEquals("1", vigil.sql("SELECT count(*) FROM faults WHERE rule = 'NoData'"), "crm, which kept sending, has none");
    JsonObject f = firing;
    assertEquals("P2", f.getString("severity"));
    assertEquals(new JsonObject().put("customer", "acme").put("system", "erp"), f.getJsonObject("labels"));
    assertTrue(f.getString("summary").contains("has sent nothing for"), f.getString("summary"));
    assertEquals("patrol", f.getString("source"), "a patrol fault, not a rule fault (a restart must not resolve it as an orphan)");
    // Today's report so far counts erp's silence against its reporting, and none against crm's
    // (which goes on talking while the test waits, so its own NoData cannot come due).
    JsonObject today = Await.until(Duration.ofSeconds(10), "erp's silence in today's report", () -> {
      assertEquals(204, vigil.http.ingest(sample("cpu_usage", "acme", "crm", "app1", 10)).status());
      JsonObject t = vigil.http.get("/api/v1/customers/acme/patrol-report?date=" + LocalDate.now(ZoneOffset.UTC)).json();
      return system(t, "erp").getJsonObject("reporting").getLong("silentSeconds") >= 1 ? t : null;
    });
    JsonObject erpReporting = system(today, "erp").getJsonObject("reporting");
    assertTrue(erpReporting.getDouble("ratio") < 1.0, erpReporting.encode());
    assertEquals("2s", erpReporting.getString("interval"));
    assertEquals(0, system(today, "crm").getJsonObject("reporting").getLong("silentSeconds"));
    assertEquals(1.0, system(today, "crm").getJsonObject("reporting").getDouble("ratio"));

    // crm also sends `up`, so the restart's warm-up replays the NoData rule's metric and judges the
    // faults it holds by that history (which has nothing for erp).
    assertEquals(204, vigil.http.ingest(sample("up", "acme", "crm", "app1", 1)).status());
    vigil.stop();
    vigil = new TestVigil(vigil.db, sameName);
    try (Http.Stream ws = vigil.http.stream()) {
      ws.next(); // snapshot
      JsonObject restored = fault("firing", "NoData", "erp");
      assertNotNull(restored, "erp's NoData is still firing after the restart");
      assertEquals("P2", restored.getString("severity"), restored.encode());
      assertEquals("patrol", restored.getString("source"));
      // Nothing is known of crm's last data across the restart: it counts from start-up, then it is
      // silent too. erp's restored fault would be raised again at that same deadline (a fixed sleep
      // could end before it on a slow machine).
      assertNotNull(Await.until(Duration.ofSeconds(10), "NoData for crm after the restart", () -> fault("firing", "NoData", "crm")));
      assertEquals("1", vigil.sql("SELECT count(*) FROM faults WHERE rule = 'NoData' AND labels->>'system' = 'erp'"));
      assertEquals(f.getLong("id"), fault("firing", "NoData", "erp").getLong("id"), "still the same fault after the restart");

      assertEquals(204, vigil.http.post("/api/v1/heartbeat/erp", "").status());
      Await.until(Duration.ofSeconds(10), "NoData resolved by the heartbeat",
          () -> "resolved".equals(vigil.sql("SELECT state FROM faults WHERE id = " + f.getLong("id"))));
      // A second raise would update the same row (nothing to count); the ordered stream shows it.
      JsonObject erp = ws.until("fault", x -> "erp".equals(x.getJsonObject("labels").getString("system"))).getJsonObject("fault");
      assertEquals("resolved", erp.getString("state"), "the restored fault was not raised a second time: " + erp.encode());
    }
  }

  private static JsonObject trend(JsonArray trends, String host) {
    for (Object o : trends) {
      if (((JsonObject) o).getString("host").equals(host)) return (JsonObject) o;
    }
    throw new AssertionError("no trend for " + host + " in " + trends.encode());
  }

  private static JsonObject system(JsonObject report, String id) {
    for (Object o : report.getJsonArray("systems")) {
      if (((JsonObject) o).getString("id").equals(id)) return (JsonObject) o;
    }
    throw new AssertionError("no system " + id + " in " + report.encode());
  }

  /** A PKCS12 key store with a self-signed certificate valid for {@code days} days, made by the JDK's keytool. */
  static Path certificate(int days) throws Exception {
    Path store = Files.createTempDirectory("vigil-tls").resolve("server.p12");
    Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "keytool").toString(), "-genkeypair",
        "-alias", "server", "-keyalg", "RSA", "-keysize", "2048", "-dname", "CN=localhost", "-validity", String.valueOf(days),
        "-storetype", "PKCS12", "-keystore", store.toString(), "-storepass", "secret", "-keypass", "secret")
        .redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes());
    assertEquals(0, p.waitFor(), out);
    return store;
  }

  @Test
  void probesRunAgainstRealServersAndAnOrdinaryRuleFiresWhenOneFails() throws Exception {
    vertx = Vertx.vertx();
    var web = vertx.createHttpServer().requestHandler(req -> {
      if (req.path().equals("/health")) req.response().end("status: OK");
      else req.response().setStatusCode(500).end("boom");
    }).listen(0, "127.0.0.1").await(10, TimeUnit.SECONDS);
    NetServer tls = vertx.createNetServer(new NetServerOptions().setSsl(true)
            .setKeyCertOptions(new PfxOptions().setPath(certificate(12).toString()).setPassword("secret")))
        .connectHandler(s -> {}).listen(0, "127.0.0.1").await(10, TimeUnit.SECONDS);
    int closed;
    try (ServerSocket s = new ServerSocket(0)) {
      closed = s.getLocalPort();
    }
    vigil = new TestVigil(Map.of("VIGIL_RULES", TestVigil.rulesFile(PROBE_RULES)));
    createCustomer("acme", "7x24");
    String base = "http://127.0.0.1:" + web.actualPort();
    Http.Reply sys = createSystem("acme", "{\"id\":\"erp\",\"probes\":["
        + "{\"name\":\"portal\",\"type\":\"http\",\"target\":\"" + base + "/health\",\"interval\":\"1s\",\"timeout\":\"900ms\",\"keyword\":\"OK\"},"
        + "{\"name\":\"api\",\"type\":\"http\",\"target\":\"" + base + "/api\",\"interval\":\"1s\",\"timeout\":\"900ms\"},"
        + "{\"name\":\"db\",\"type\":\"tcp\",\"target\":\"127.0.0.1:" + closed + "\",\"interval\":\"1s\",\"timeout\":\"900ms\"},"
        + "{\"name\":\"cert\",\"type\":\"tls\",\"target\":\"127.0.0.1:" + tls.actualPort() + "\",\"interval\":\"1s\",\"timeout\":\"900ms\"}]}");
    assertEquals(201, sys.status(), sys.toString());

    for (String failing : new String[] {"api", "db"}) {
      JsonObject f = Await.until(Duration.ofSeconds(15), "ProbeFailed for " + failing, () -> {
        JsonArray all = vigil.http.get("/api/v1/faults?state=firing").json().getJsonArray("faults");
        for (int i = 0; i < all.size(); i++) {
          JsonObject x = all.getJsonObject(i);
          if (x.getString("rule").equals("ProbeFailed") && failing.equals(x.getJsonObject("labels").getString("probe"))) return x;
        }
        return null;
      });
      assertEquals("P2", f.getString("severity"));
      assertEquals("probe " + failing + " of erp failed", f.getString("summary"));
    }
    String days = Await.until(Duration.ofSeconds(15), "tls_cert_expiry_days stored", () -> {
      String v = vigil.sql("SELECT max(x.value) FROM samples x JOIN series s ON s.id = x.series_id WHERE s.metric = 'tls_cert_expiry_days' "
          + "AND s.labels->>'probe' = 'cert'");
      return v.isBlank() ? null : v;
    });
    assertEquals(12.0, Double.parseDouble(days), 0.05);
    // Each probe's first run falls anywhere in its first interval, so the failing ones may fire before
    // the healthy ones ran at all: wait until both healthy probes have run twice before judging them.
    Await.until(Duration.ofSeconds(15), "portal and cert ran twice each", () -> "2".equals(vigil.sql(
        "SELECT count(*) FROM (SELECT s.labels->>'probe' FROM samples x JOIN series s ON s.id = x.series_id "
            + "WHERE s.metric = 'probe_success' AND s.labels->>'probe' IN ('portal', 'cert') "
            + "GROUP BY 1 HAVING count(*) >= 2) ran")) ? true : null);
    assertEquals("1", vigil.sql("SELECT min(x.value) FROM samples x JOIN series s ON s.id = x.series_id "
        + "WHERE s.metric = 'probe_success' AND s.labels->>'probe' IN ('portal', 'cert')"), "healthy probes succeed every time");
    assertEquals("200", vigil.sql("SELECT max(x.value)::int FROM samples x JOIN series s ON s.id = x.series_id "
        + "WHERE s.metric = 'probe_http_status_code' AND s.labels->>'probe' = 'portal'"));
    assertEquals("0", vigil.sql("SELECT count(*) FROM faults WHERE rule = 'ProbeFailed' AND labels->>'probe' IN ('portal', 'cert')"));
    tls.close().await(5, TimeUnit.SECONDS);
  }

  @Test
  void patrolReportGivesChecksFindingsFaultsAndTrendsAndStaysTheSameOnceStored() throws Exception {
    vigil = new TestVigil(Map.of("VIGIL_PATROL_REPORT_AT", "00:00"));
    LocalDate yesterday = LocalDate.now(ZoneOffset.UTC).minusDays(1);
    long t0 = yesterday.atStartOfDay(ZoneOffset.UTC).toInstant().toEpochMilli();
    StringBuilder b = new StringBuilder();
    for (int i = 0; i < 10; i++) {
      long ts = t0 + i * 3_600_000L;
      String labels = "{\"customer\":\"acme\",\"system\":\"erp\",\"probe\":\"portal\",\"target\":\"https://erp.acme.example/\"}";
      b.append(",{\"metric\":\"probe_success\",\"labels\":").append(labels).append(",\"value\":").append(i == 3 || i == 7 ? 0 : 1).append(",\"ts\":").append(ts).append("}");
      b.append(",{\"metric\":\"probe_duration_seconds\",\"labels\":").append(labels).append(",\"value\":0.25,\"ts\":").append(ts).append("}");
      // db1 fills 30 points a day from 60 %; db2 stays at 40 %.
      b.append(",{\"metric\":\"disk_usage\",\"labels\":{\"customer\":\"acme\",\"system\":\"erp\",\"host\":\"db1\"},\"value\":")
          .append(60 + 30.0 * i / 24).append(",\"ts\":").append(ts).append("}");
      b.append(",{\"metric\":\"disk_usage\",\"labels\":{\"customer\":\"acme\",\"system\":\"erp\",\"host\":\"db2\"},\"value\":40,\"ts\":")
          .append(ts).append("}");
    }
    // db3 climbs 5 points in 2 hours: too short a stretch to extrapolate (it would read "full in 11 hours").
    for (int i = 0; i < 5; i++) {
      b.append(",{\"metric\":\"disk_usage\",\"labels\":{\"customer\":\"acme\",\"system\":\"erp\",\"host\":\"db3\"},\"value\":")
          .append(50 + i * 1.25).append(",\"ts\":").append(t0 + i * 1_800_000L).append("}");
    }
    for (int i = 0; i < 5; i++) {
      b.append(",{\"metric\":\"heartbeat\",\"labels\":{\"customer\":\"acme\",\"system\":\"erp\"},\"value\":1,\"ts\":").append(t0 + i * 60_000L).append("}");
    }
    b.append(",{\"metric\":\"tls_cert_expiry_days\",\"labels\":{\"customer\":\"acme\",\"system\":\"erp\",\"probe\":\"cert\",\"target\":\"erp.acme.example:443\"},\"value\":12.04,\"ts\":")
        .append(t0 + 3_600_000L).append("}");
    assertEquals(204, vigil.http.ingest(b.substring(1)).status());

    // A customer added after today's report time gets yesterday's report generated (and stored) at once.
    createCustomer("acme", "7x24");
    createSystem("acme", "{\"id\":\"erp\",\"name\":\"ERP\",\"heartbeatInterval\":\"1h\",\"criticality\":\"high\"}");
    Await.until(Duration.ofSeconds(15), "yesterday's report stored", () -> vigil.count("patrol_reports") == 1);

    JsonObject r = vigil.http.get("/api/v1/customers/acme/patrol-report").json();
    assertEquals(yesterday.toString(), r.getString("date"));
    assertTrue(r.getBoolean("stored"));
    assertTrue(r.getBoolean("complete"));
    JsonObject sum = r.getJsonObject("summary");
    assertEquals(10, sum.getLong("checks"));
    assertEquals(2, sum.getLong("failedChecks"));
    assertEquals(0.8, sum.getDouble("successRatio"), 1e-9);
    JsonObject erp = r.getJsonArray("systems").getJsonObject(0);
    assertEquals("erp", erp.getString("id"));
    assertEquals(5, erp.getJsonObject("heartbeats").getLong("received"));
    // erp was registered today: nothing was expected of it yesterday (its samples still count as checks).
    assertNull(erp.getJsonObject("heartbeats").getValue("expected"), erp.encode());
    JsonObject unregistered = erp.getJsonObject("reporting");
    assertEquals(0L, unregistered.getLong("observedSeconds"), unregistered.encode());
    assertEquals(0L, unregistered.getLong("silentSeconds"));
    assertNull(unregistered.getValue("ratio"), "no ratio over nothing observed, rather than a 100 % nobody measured");
    assertEquals(r.getString("to"), unregistered.getString("observedFrom"));
    JsonObject portal = erp.getJsonArray("probes").getJsonObject(0);
    assertEquals(0.25, portal.getDouble("avgDurationSeconds"), 1e-9);
    JsonArray findings = r.getJsonArray("findings");
    JsonObject failed = find(findings, "probe_failed");
    assertEquals(2, failed.getLong("failures"));
    assertEquals(java.time.Instant.ofEpochMilli(t0 + 3 * 3_600_000L).toString(), failed.getString("firstAt"));
    assertEquals(12.0, find(findings, "tls_expiring").getDouble("daysLeft"));
    JsonObject disk = find(findings, "disk_full_predicted");
    assertEquals("db1", disk.getString("host"));
    // 60 + 30 * 9/24 = 71.25 % at the last sample, +30 a day: full in (100 - 71.25) / 30 = 0.96 days.
    assertEquals(1.0, disk.getDouble("daysUntilFull"), 0.05);
    assertEquals(3, findings.size(), findings.encodePrettily());
    assertTrue(disk.getString("text").endsWith("is predicted full in 1.0 days (23.0 hours)"), disk.getString("text"));
    JsonArray trends = r.getJsonArray("trends");
    assertEquals(3, trends.size());
    JsonObject db2 = trend(trends, "db2");
    assertFalse(db2.getBoolean("fullWithin7Days"));
    assertTrue(db2.getBoolean("predicted"));
    assertNull(db2.getValue("daysUntilFull"));
    JsonObject db3 = trend(trends, "db3");
    assertFalse(db3.getBoolean("predicted"), db3.encode());
    assertEquals(2.0, db3.getDouble("spanHours"));
    assertNull(db3.getValue("daysUntilFull"));
    assertFalse(db3.getBoolean("fullWithin7Days"));

    // Stored means stable: a late sample for yesterday does not change the report.
    assertEquals(204, vigil.http.ingest("{\"metric\":\"probe_success\",\"labels\":{\"customer\":\"acme\",\"system\":\"erp\",\"probe\":\"portal\","
        + "\"target\":\"https://erp.acme.example/\"},\"value\":0,\"ts\":" + (t0 + 60_000) + "}").status());
    assertEquals(r, vigil.http.get("/api/v1/customers/acme/patrol-report?date=" + yesterday).json());

    // Today's report, on demand (not stored): a P1 fault that fired and resolved, with its MTTR.
    assertEquals(204, vigil.http.ingest(sample("up", "acme", "erp", "db1", 0)).status());
    Await.until(Duration.ofSeconds(10), "SystemDown firing", () -> vigil.sql("SELECT count(*) FROM faults WHERE rule = 'SystemDown' AND state = 'firing'").equals("1"));
    Thread.sleep(1100);
    assertEquals(204, vigil.http.ingest(sample("up", "acme", "erp", "db1", 1)).status());
    Await.until(Duration.ofSeconds(10), "SystemDown resolved", () -> vigil.sql("SELECT count(*) FROM faults WHERE rule = 'SystemDown' AND state = 'resolved'").equals("1"));
    LocalDate today = LocalDate.now(ZoneOffset.UTC);
    JsonObject t = vigil.http.get("/api/v1/customers/acme/patrol-report?date=" + today).json();
    assertFalse(t.getBoolean("stored"));
    assertFalse(t.getBoolean("complete"));
    JsonObject p1 = t.getJsonObject("faults").getJsonArray("bySeverity").getJsonObject(0);
    assertEquals("P1", p1.getString("severity"));
    assertEquals(1, p1.getLong("count"));
    assertEquals(1, p1.getLong("resolved"));
    assertTrue(p1.getLong("mttrSeconds") >= 1, p1.encode());
    assertEquals("SystemDown", t.getJsonObject("faults").getJsonArray("list").getJsonObject(0).getString("rule"));

    Http.Reply bad = vigil.http.get("/api/v1/customers/acme/patrol-report?date=22-11-2026");
    assertEquals(400, bad.status());
    assertEquals("date", bad.json().getString("field"));
    assertEquals(400, vigil.http.get("/api/v1/customers/acme/patrol-report?date=" + today.plusDays(2)).status());
    assertEquals(404, vigil.http.get("/api/v1/customers/nobody/patrol-report").status());

    Http.Reply html = vigil.http.get("/api/v1/customers/acme/patrol-report?format=html");
    assertEquals(200, html.status());
    assertTrue(html.header("Content-Type").startsWith("text/html"));
    assertTrue(html.raw().body().contains("巡检报告") && html.raw().body().contains("@media print"));
    var viaAccept = java.net.http.HttpClient.newHttpClient().send(java.net.http.HttpRequest.newBuilder(
            java.net.URI.create(vigil.http.base + "/api/v1/customers/acme/patrol-report")).header("Authorization", "Bearer " + TestVigil.ADMIN)
        .header("Accept", "text/html,application/xhtml+xml").build(), java.net.http.HttpResponse.BodyHandlers.ofString());
    assertTrue(viaAccept.headers().firstValue("Content-Type").orElse("").startsWith("text/html"));

    // Had erp been registered three days ago, yesterday was watched whole: 24 heartbeats expected,
    // none of the day silent. (A report is stored once: drop it so the restarted node stores it anew.)
    vigil.stop();
    vigil.sql("UPDATE systems SET created_at = now() - interval '3 days'");
    vigil.sql("DELETE FROM patrol_reports");
    vigil = new TestVigil(vigil.db, Map.of("VIGIL_PATROL_REPORT_AT", "00:00"));
    Await.until(Duration.ofSeconds(15), "yesterday's report stored again", () -> vigil.count("patrol_reports") == 1);
    JsonObject watched = vigil.http.get("/api/v1/customers/acme/patrol-report?date=" + yesterday).json().getJsonArray("systems").getJsonObject(0);
    assertEquals(24, watched.getJsonObject("heartbeats").getLong("expected"), watched.encode());
    assertEquals(new JsonObject().put("interval", "1h").put("observedFrom", r.getString("from")).put("observedTo", r.getString("to"))
        .put("observedSeconds", 86_400L).put("silentSeconds", 0L).put("ratio", 1.0), watched.getJsonObject("reporting"));
  }

  private static JsonObject find(JsonArray findings, String kind) {
    for (int i = 0; i < findings.size(); i++) if (findings.getJsonObject(i).getString("kind").equals(kind)) return findings.getJsonObject(i);
    throw new AssertionError("no finding of kind " + kind + " in " + findings.encodePrettily());
  }

  @Test
  void inventoryContractTierGradesFaultsUnlessTheGradingPolicyNamesTheCustomer() throws Exception {
    vigil = new TestVigil(Map.of("VIGIL_RULES", TestVigil.rulesFile(TestVigil.RULES + """
        grading:
          tiers: {"7x24": 1}
          customers: {globex: "5x8"}
        """)));
    createCustomer("acme", "7x24");
    createCustomer("globex", "7x24"); // the grading policy's own customers: entry wins for globex
    assertEquals(204, vigil.http.ingest(sample("cpu_usage", "acme", "erp", "app1", 97) + "," + sample("cpu_usage", "globex", "billing", "app2", 97)).status());
    JsonObject acme = Await.until(Duration.ofSeconds(10), "HighCpu for acme", () -> fault("firing", "HighCpu", "erp"));
    assertEquals("P1", acme.getString("severity"), acme.encode());
    assertTrue(acme.getJsonArray("grading").encode().contains("7x24"), acme.encode());
    JsonObject globex = Await.until(Duration.ofSeconds(10), "HighCpu for globex", () -> fault("firing", "HighCpu", "billing"));
    assertEquals("P2", globex.getString("severity"), globex.encode());
  }
}
