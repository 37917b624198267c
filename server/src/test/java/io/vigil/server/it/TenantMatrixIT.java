package io.vigil.server.it;

import static io.vigil.server.it.Http.sample;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The tenant matrix (issue 14): every route the server serves, enumerated from its router, has a
 * tenancy decision here, and each decision is tried for real with tokens bound to customer acme
 * against customer globex's data. A new endpoint without a decision fails
 * {@link #everyRouteHasATenancyDecision}: adding one means deciding, here, what a bound token gets.
 *
 * <p>Decisions: {@code refused} (a bound token gets 403: the endpoint serves every customer or
 * configures the whole system), {@code hidden} (globex's object answers 403/404 and the answer names
 * nothing of globex), {@code filtered} (a list answers 200 with acme's items only, while the admin's
 * answer does show globex: the filter is real), {@code ingest} (a bound ingest token writing
 * globex's data gets 403 and nothing is stored), {@code open} (no tenant data: health, metrics,
 * static files, signed links; the reason is written down).
 */
class TenantMatrixIT {
  private static TestVigil vigil;
  private static Http admin;
  private static Http acmeOperator;
  private static Http acmeIngest;
  private static final Map<String, String> IDS = new LinkedHashMap<>();

  /** One request of a decision; {@code {ticket}}-style placeholders are globex's ids (see setUp). */
  record Probe(String kind, String method, String path, String contentType, String body, String why) {
    Probe withIds() {
      String p = path;
      String b = body;
      for (Map.Entry<String, String> e : IDS.entrySet()) {
        p = p.replace("{" + e.getKey() + "}", e.getValue());
        if (b != null) b = b.replace("{" + e.getKey() + "}", e.getValue());
      }
      return new Probe(kind, method, p, contentType, b, why);
    }
  }

  /** What only globex's records contain: its host, its silence's and its window's comments. */
  private static final List<String> SECRETS = List.of("db2", "globex change", "globex window");
  private static final Map<String, Probe> DECISIONS = new LinkedHashMap<>();

  private static void decide(String route, Probe p) {
    if (DECISIONS.put(route, p) != null) throw new IllegalStateException("two decisions for " + route);
  }

  private static Probe refused(String method, String path, String body) {
    return new Probe("refused", method, path, "application/json", body, null);
  }

  private static Probe hidden(String method, String path, String body) {
    return new Probe("hidden", method, path, "application/json", body, null);
  }

  private static Probe filtered(String path) {
    return new Probe("filtered", "GET", path, null, null, null);
  }

  private static Probe ingest(String path, String contentType, String body) {
    return new Probe("ingest", "POST", path, contentType, body, null);
  }

  /** Answered to a bound token; {@code withheld} must not be in the answer. */
  private static Probe shared(String path, String why, String withheld) {
    return new Probe("shared", "GET", path, null, withheld, why);
  }

  private static Probe open(String why) {
    return new Probe("open", null, null, null, null, why);
  }

  static {
    String T = "/api/v1/tickets/{ticket}";
    String C = "/api/v1/customers/globex";
    // ---- no tenant data: open, with the reason ----
    decide("* /", open("static files of the wall and console pages: what they show comes from the API below"));
    decide("* /api/", open("404 for API paths that do not exist"));
    decide("GET /healthz", open("liveness: no data"));
    decide("GET /readyz", open("readiness: no data"));
    decide("GET /metrics", open("the operators' Prometheus scrape, no token by design (docs/METRICS.md): counts, no tenant records"));
    decide("GET /ping", open("InfluxDB ping for writing clients: no data"));
    decide("HEAD /ping", open("InfluxDB ping for writing clients: no data"));
    decide("GET /query", open("InfluxQL for writing clients: CREATE DATABASE/RETENTION POLICY answered and ignored, nothing read"));
    decide("POST /query", open("InfluxQL for writing clients: CREATE DATABASE/RETENTION POLICY answered and ignored, nothing read"));
    decide("GET /ack/:token", open("signed, expiring link to one ticket: the signature is the authority (LinkSigner)"));
    decide("POST /ack/:token", open("signed, expiring link to one ticket: the signature is the authority (LinkSigner)"));
    decide("GET /survey/:token", open("signed link to one ticket's satisfaction survey"));
    decide("POST /survey/:token", open("signed link to one ticket's satisfaction survey"));
    decide("GET /api/v1/stream", open("a websocket: TicketAccessIT.theStreamCarriesOnlyTheBoundCustomersFaultsAndTickets"));
    // ---- collectors: an acme-bound ingest token writing globex's data ----
    decide("POST /api/v1/ingest", ingest("/api/v1/ingest", "application/json",
        "{\"samples\":[{\"metric\":\"intruder\",\"labels\":{\"customer\":\"globex\",\"system\":\"billing\",\"host\":\"x\"},\"value\":1}]}"));
    decide("POST /write", ingest("/write?db=x", "text/plain", "intruder,customer=globex,system=billing,host=x value=1"));
    decide("POST /api/v2/write", ingest("/api/v2/write?org=o&bucket=b", "text/plain", "intruder,customer=globex,system=billing,host=x value=1"));
    decide("POST /api/v1/write", ingest("/api/v1/write", RemoteWriteBodies.CONTENT_TYPE, "remote_write"));
    decide("POST /api/v2/alerts", ingest("/api/v2/alerts", "application/json",
        "[{\"labels\":{\"alertname\":\"Intruder\",\"customer\":\"globex\",\"system\":\"billing\"}}]"));
    decide("POST /api/v1/heartbeat/:system", new Probe("ingest-hidden", "POST", "/api/v1/heartbeat/billing", "application/json", "{}", null));
    // ---- lists: acme's items only ----
    decide("GET /api/v1/customers", refused("GET", "/api/v1/customers", null));
    decide("GET /api/v1/faults", filtered("/api/v1/faults"));
    decide("GET /api/v1/tickets", filtered("/api/v1/tickets"));
    decide("GET /api/v1/knowledge", filtered("/api/v1/knowledge?q=listener"));
    decide("GET /api/v1/silences", refused("GET", "/api/v1/silences", null));
    decide("GET /api/v1/maintenance-windows", refused("GET", "/api/v1/maintenance-windows", null));
    decide("GET /api/v1/query_range", filtered("/api/v1/query_range?query=up&start={start}&end={end}&step=15"));
    decide("POST /api/v1/query_range", new Probe("filtered", "POST", "/api/v1/query_range", "application/x-www-form-urlencoded",
        "query=up&start={start}&end={end}&step=15", null));
    // ---- globex's own objects: 403/404 that names nothing of globex ----
    decide("GET /api/v1/customers/:id", hidden("GET", C, null));
    decide("PUT /api/v1/customers/:id", hidden("PUT", C, "{\"id\":\"globex\",\"tier\":\"basic\",\"timeZone\":\"UTC\"}"));
    decide("DELETE /api/v1/customers/:id", hidden("DELETE", C, null));
    decide("GET /api/v1/customers/:id/patrol-report", hidden("GET", C + "/patrol-report", null));
    decide("GET /api/v1/customers/:id/systems", hidden("GET", C + "/systems", null));
    decide("POST /api/v1/customers/:id/systems", hidden("POST", C + "/systems", "{\"id\":\"intruder\"}"));
    decide("GET /api/v1/customers/:id/systems/:system", hidden("GET", C + "/systems/billing", null));
    decide("PUT /api/v1/customers/:id/systems/:system", hidden("PUT", C + "/systems/billing", "{\"id\":\"billing\",\"criticality\":\"low\"}"));
    decide("DELETE /api/v1/customers/:id/systems/:system", hidden("DELETE", C + "/systems/billing", null));
    decide("GET /api/v1/reports/service", hidden("GET", "/api/v1/reports/service?customer=globex&month=2026-11", null));
    decide("GET /reports/service/:customer/:month", hidden("GET", "/reports/service/globex/2026-11", null));
    decide("GET /api/v1/silences/:id", hidden("GET", "/api/v1/silences/{silence}", null));
    decide("DELETE /api/v1/silences/:id", hidden("DELETE", "/api/v1/silences/{silence}", null));
    decide("GET /api/v1/maintenance-windows/:id", hidden("GET", "/api/v1/maintenance-windows/{window}", null));
    decide("DELETE /api/v1/maintenance-windows/:id", hidden("DELETE", "/api/v1/maintenance-windows/{window}", null));
    decide("POST /api/v1/maintenance-windows", hidden("POST", "/api/v1/maintenance-windows",
        "{\"customer\":\"globex\",\"days\":[\"sat\"],\"start\":\"01:00\",\"end\":\"02:00\",\"timeZone\":\"UTC\",\"comment\":\"c\"}"));
    decide("POST /api/v1/silences", hidden("POST", "/api/v1/silences", SilenceIT.silenceBody("globex", "billing",
        java.time.Instant.now().plus(Duration.ofHours(2)), "intruder")));
    decide("POST /api/v1/tickets", hidden("POST", "/api/v1/tickets",
        "{\"customer\":\"globex\",\"system\":\"billing\",\"severity\":\"P3\",\"summary\":\"intruder\",\"description\":\"d\",\"channel\":\"phone\"}"));
    decide("GET /api/v1/tickets/:id", hidden("GET", T, null));
    for (String sub : List.of("events", "similar", "survey", "timeline")) decide("GET /api/v1/tickets/:id/" + sub, hidden("GET", T + "/" + sub, null));
    for (String[] c : new String[][] {{"ack", "{}"}, {"assign", "{\"assignee\":\"mallory\"}"}, {"close", "{}"}, {"comments", "{\"text\":\"x\"}"},
        {"faults", "{\"faultId\":{fault}}"}, {"merge", "{\"into\":{ticket}}"}, {"regrade", "{\"severity\":\"P4\",\"reason\":\"x\"}"},
        {"reopen", "{\"reason\":\"x\"}"}, {"resolve", "{\"cause\":\"c\",\"fix\":\"f\",\"prevention\":\"p\",\"kind\":\"remote\"}"},
        {"transition", "{\"to\":\"in_progress\"}"}, {"visits", "{\"engineer\":\"x\",\"arrivedAt\":\"2026-12-01T10:00:00Z\"}"}}) {
      decide("POST /api/v1/tickets/:id/" + c[0], hidden("POST", T + "/" + c[0], c[1]));
    }
    // ---- the vendor's configuration and every customer's records: refused to a bound token ----
    decide("POST /api/v1/customers", refused("POST", "/api/v1/customers", "{\"id\":\"intruder\",\"tier\":\"7x24\",\"timeZone\":\"UTC\"}"));
    decide("GET /api/v1/audit", refused("GET", "/api/v1/audit", null));
    decide("GET /api/v1/escalations", refused("GET", "/api/v1/escalations", null));
    decide("GET /api/v1/notifications", refused("GET", "/api/v1/notifications", null));
    decide("POST /api/v1/notifications/:id/retry", refused("POST", "/api/v1/notifications/1/retry", "{}"));
    decide("GET /api/v1/oncall/now", refused("GET", "/api/v1/oncall/now?schedule=x", null));
    decide("GET /api/v1/oncall/schedules", refused("GET", "/api/v1/oncall/schedules", null));
    decide("GET /api/v1/oncall/schedules/:name/ical", refused("GET", "/api/v1/oncall/schedules/x/ical", null));
    for (String r : List.of("receivers", "routes")) {
      decide("GET /api/v1/" + r, refused("GET", "/api/v1/" + r, null));
    }
    decide("GET /api/v1/receivers/:name", refused("GET", "/api/v1/receivers/x", null));
    decide("POST /api/v1/receivers", refused("POST", "/api/v1/receivers", "{\"name\":\"x\"}"));
    decide("PUT /api/v1/receivers/:name", refused("PUT", "/api/v1/receivers/x", "{\"name\":\"x\"}"));
    decide("DELETE /api/v1/receivers/:name", refused("DELETE", "/api/v1/receivers/x", null));
    decide("PUT /api/v1/routes", refused("PUT", "/api/v1/routes", "{\"receiver\":\"x\"}"));
    decide("DELETE /api/v1/routes", refused("DELETE", "/api/v1/routes", null));
    decide("POST /api/v1/rules", refused("POST", "/api/v1/rules", "{\"name\":\"X\",\"expr\":\"up == 0\",\"severity\":\"P1\"}"));
    decide("PUT /api/v1/rules/:name", refused("PUT", "/api/v1/rules/X", "{\"name\":\"X\",\"expr\":\"up == 0\",\"severity\":\"P1\"}"));
    decide("DELETE /api/v1/rules/:name", refused("DELETE", "/api/v1/rules/X", null));
    decide("GET /api/v1/rules/:name/versions", refused("GET", "/api/v1/rules/X/versions", null));
    for (String setting : List.of("grading", "flapping")) {
      decide("GET /api/v1/" + setting, refused("GET", "/api/v1/" + setting, null));
      decide("GET /api/v1/" + setting + "/versions", refused("GET", "/api/v1/" + setting + "/versions", null));
      decide("PUT /api/v1/" + setting, refused("PUT", "/api/v1/" + setting, "{}"));
      decide("DELETE /api/v1/" + setting, refused("DELETE", "/api/v1/" + setting, null));
    }
    decide("GET /api/v1/inhibit-rules", refused("GET", "/api/v1/inhibit-rules", null));
    decide("POST /api/v1/inhibit-rules", refused("POST", "/api/v1/inhibit-rules", "{}"));
    decide("DELETE /api/v1/inhibit-rules/:id", refused("DELETE", "/api/v1/inhibit-rules/1", null));
    decide("GET /api/v1/tokens", refused("GET", "/api/v1/tokens", null));
    decide("POST /api/v1/tokens", refused("POST", "/api/v1/tokens", "{\"name\":\"x\",\"role\":\"viewer\",\"customer\":\"globex\"}"));
    decide("DELETE /api/v1/tokens/:id", refused("DELETE", "/api/v1/tokens/{token}", null));
    decide("POST /-/reload", refused("POST", "/-/reload", "{}"));
    // ---- shared by every customer, naming none: answered ----
    decide("GET /api/v1/rules", shared("/api/v1/rules", "rule names and the metrics they read (the wall's sparklines); expressions withheld", "\"expr\""));
    decide("GET /api/v1/sla/policies", shared("/api/v1/sla/policies", "the SLA terms by tier, the same contract text for every customer", "globex"));
    decide("GET /api/v1/whoami", shared("/api/v1/whoami", "the token's own identity", "globex"));
  }

  @BeforeAll
  static void setUp() throws Exception {
    vigil = new TestVigil(Map.of());
    admin = vigil.http;
    for (String[] c : new String[][] {{"acme", "erp"}, {"globex", "billing"}}) {
      assertEquals(201, admin.post("/api/v1/customers", "{\"id\":\"" + c[0] + "\",\"tier\":\"7x24\",\"timeZone\":\"UTC\"}").status());
      assertEquals(201, admin.post("/api/v1/customers/" + c[0] + "/systems", "{\"id\":\"" + c[1] + "\",\"criticality\":\"high\"}").status());
    }
    acmeOperator = admin.as(admin.newToken("acme-ops", "operator", "acme"));
    acmeIngest = admin.as(admin.newToken("acme-agent", "ingest", "acme"));
    assertEquals(204, admin.ingest(sample("up", "acme", "erp", "db1", 0) + "," + sample("up", "globex", "billing", "db2", 0)).status());
    Await.until(Duration.ofSeconds(15), "two tickets", () -> "2".equals(vigil.sql("SELECT count(*) FROM tickets")));
    IDS.put("ticket", vigil.sql("SELECT id FROM tickets WHERE customer = 'globex'"));
    IDS.put("fault", vigil.sql("SELECT id FROM faults WHERE labels->>'customer' = 'globex'"));
    for (String id : List.of(IDS.get("ticket"), vigil.sql("SELECT id FROM tickets WHERE customer = 'acme'"))) {
      assertEquals(200, admin.post("/api/v1/tickets/" + id + "/resolve", "{\"cause\":\"listener crashed\",\"fix\":\"restarted it\","
          + "\"prevention\":\"watchdog\",\"kind\":\"remote\"}").status());
    }
    Http.Reply silence = admin.post("/api/v1/silences", SilenceIT.silenceBody("globex", "billing", java.time.Instant.now().plus(Duration.ofHours(2)), "globex change"));
    assertEquals(200, silence.status() / 100 * 100, silence.toString());
    IDS.put("silence", silence.json().getString("silenceID", silence.json().getString("id")));
    Http.Reply window = admin.post("/api/v1/maintenance-windows",
        "{\"customer\":\"globex\",\"days\":[\"sun\"],\"start\":\"01:00\",\"end\":\"02:00\",\"timeZone\":\"UTC\",\"comment\":\"globex window\"}");
    assertEquals(201, window.status(), window.toString());
    IDS.put("window", String.valueOf(window.json().getValue("id")));
    Http.Reply globexToken = admin.post("/api/v1/tokens", "{\"name\":\"globex-wall\",\"role\":\"viewer\",\"customer\":\"globex\"}");
    IDS.put("token", String.valueOf(globexToken.json().getValue("id")));
    long now = java.time.Instant.now().getEpochSecond();
    IDS.put("start", Long.toString(now - 600));
    IDS.put("end", Long.toString(now + 60));
  }

  @AfterAll
  static void tearDown() throws Exception {
    if (vigil != null) vigil.close();
  }

  @Test
  void everyRouteHasATenancyDecision() {
    List<String> undecided = new ArrayList<>();
    for (String route : new TreeSet<>(vigil.vigil().server().routes())) if (!DECISIONS.containsKey(route)) undecided.add(route);
    assertEquals(List.of(), undecided, "routes without a tenancy decision in TenantMatrixIT (decide each one there)");
    List<String> stale = new ArrayList<>(DECISIONS.keySet());
    stale.removeAll(vigil.vigil().server().routes());
    assertEquals(List.of(), stale, "decisions for routes the server no longer has");
  }

  static Stream<Arguments> decisions() {
    return DECISIONS.entrySet().stream().filter(e -> !e.getValue().kind().equals("open")).map(e -> Arguments.of(e.getKey(), e.getValue()));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("decisions")
  void aTokenBoundToAcmeGetsNothingOfGlobex(String route, Probe decision) throws Exception {
    Probe p = decision.withIds();
    Http as = p.kind().equals("ingest") ? acmeIngest : acmeOperator;
    switch (p.kind()) {
      case "refused" -> {
        Http.Reply r = send(as, p);
        assertEquals(403, r.status(), route + " -> " + r);
      }
      case "hidden" -> {
        Http.Reply r = send(as, p);
        assertTrue(r.status() == 403 || r.status() == 404, route + " -> " + r);
        // The refusal may repeat what was asked (the id in the path) but shows nothing of globex's records.
        for (String secret : SECRETS) assertFalse(r.raw().body().contains(secret), "the refusal shows globex's " + secret + ": " + r);
      }
      case "filtered" -> {
        Http.Reply mine = send(as, p);
        assertEquals(200, mine.status(), route + " -> " + mine);
        assertFalse(mine.raw().body().contains("globex"), route + " shows acme's token globex's data: " + mine);
        Http.Reply all = send(admin, p);
        assertTrue(all.raw().body().contains("globex"), route + ": the admin's answer shows globex, so the filter is real: " + all);
      }
      case "shared" -> {
        Http.Reply r = send(as, p);
        assertEquals(200, r.status(), route + " -> " + r);
        assertFalse(r.raw().body().contains(p.body()), route + " answers " + p.body() + ": " + r);
      }
      case "ingest-hidden" -> {
        Http.Reply r = send(acmeIngest, p);
        assertTrue(r.status() == 403 || r.status() == 404, route + " -> " + r);
      }
      case "ingest" -> {
        long before = Long.parseLong(vigil.sql("SELECT count(*) FROM series WHERE labels->>'customer' = 'globex'"));
        Http.Reply r = send(as, p);
        assertEquals(403, r.status(), route + " -> " + r);
        assertEquals(before, Long.parseLong(vigil.sql("SELECT count(*) FROM series WHERE labels->>'customer' = 'globex'")),
            "nothing of the refused request is stored");
      }
      default -> fail("unknown decision " + p.kind());
    }
  }

  private static Http.Reply send(Http as, Probe p) throws Exception {
    return switch (p.method()) {
      case "GET" -> as.get(p.path());
      case "DELETE" -> as.delete(p.path());
      case "PUT" -> as.put(p.path(), p.body() == null ? "{}" : p.body());
      case "POST" -> p.contentType().equals(RemoteWriteBodies.CONTENT_TYPE)
          ? as.postWithHeaders(p.path(), Map.of("Content-Type", RemoteWriteBodies.CONTENT_TYPE, "Content-Encoding", "snappy",
              "X-Prometheus-Remote-Write-Version", "0.1.0"), new RemoteWriteBodies().series("intruder",
                  Map.of("customer", "globex", "system", "billing", "host", "x"), System.currentTimeMillis(), 1).snappy())
          : p.contentType() == null || p.contentType().equals("application/json") ? as.post(p.path(), p.body() == null ? "{}" : p.body())
          : as.post(p.path(), p.contentType(), p.body().getBytes(StandardCharsets.UTF_8));
      default -> throw new IllegalArgumentException(p.method());
    };
  }
}
