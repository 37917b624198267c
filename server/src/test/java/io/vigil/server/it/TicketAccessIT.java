package io.vigil.server.it;

import static io.vigil.server.it.Http.sample;
import static org.junit.jupiter.api.Assertions.*;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Tenancy and audit through the real API: a token bound to customer acme sees and changes only
 * acme's tickets, faults and knowledge, on every list and detail endpoint and on the stream; every
 * endpoint that serves all customers refuses it; its reads and everyone's changes are in the
 * append-only audit log.
 */
class TicketAccessIT {
  private static TestVigil vigil;
  private static Http admin;
  private static Http acmeViewer;
  private static Http acmeOperator;
  private static Http unboundViewer;
  private static long acmeTicket;
  private static long globexTicket;

  @BeforeAll
  static void setUp() throws Exception {
    vigil = new TestVigil(Map.of());
    admin = vigil.http;
    for (String[] c : new String[][] {{"acme", "erp"}, {"globex", "billing"}}) {
      assertEquals(201, admin.post("/api/v1/customers", "{\"id\":\"" + c[0] + "\",\"tier\":\"7x24\",\"timeZone\":\"UTC\"}").status());
      assertEquals(201, admin.post("/api/v1/customers/" + c[0] + "/systems", "{\"id\":\"" + c[1] + "\",\"criticality\":\"high\"}").status());
    }
    acmeViewer = admin.as(admin.newToken("acme-wall", "viewer", "acme"));
    acmeOperator = admin.as(admin.newToken("acme-ops", "operator", "acme"));
    unboundViewer = admin.as(admin.newToken("noc", "viewer", null));

    assertEquals(204, admin.ingest(sample("up", "acme", "erp", "db1", 0) + "," + sample("up", "globex", "billing", "db2", 0)).status());
    Await.until(Duration.ofSeconds(15), "two tickets", () -> "2".equals(vigil.sql("SELECT count(*) FROM tickets")));
    acmeTicket = Long.parseLong(vigil.sql("SELECT id FROM tickets WHERE customer = 'acme'"));
    globexTicket = Long.parseLong(vigil.sql("SELECT id FROM tickets WHERE customer = 'globex'"));
    // Each customer has an earlier resolution in the knowledge base with the same words.
    for (long id : List.of(acmeTicket, globexTicket)) {
      assertEquals(200, admin.post("/api/v1/tickets/" + id + "/resolve", "{\"cause\":\"listener crashed\",\"fix\":\"restarted it\","
          + "\"prevention\":\"watchdog\",\"kind\":\"remote\"}").status());
      assertEquals(200, admin.post("/api/v1/tickets/" + id + "/close", "{}").status());
    }
  }

  @AfterAll
  static void tearDown() throws Exception {
    if (vigil != null) vigil.close();
  }

  private static Set<String> customers(JsonArray items, String field) {
    Set<String> out = new HashSet<>();
    for (int i = 0; i < items.size(); i++) {
      JsonObject o = items.getJsonObject(i);
      out.add("labels".equals(field) ? o.getJsonObject("labels").getString("customer") : o.getString(field));
    }
    return out;
  }

  @Test
  void aCustomerBindingMustNameAnInventoryCustomerAndCannotMakeAnAdmin() throws Exception {
    Http.Reply unknown = admin.post("/api/v1/tokens", "{\"name\":\"x\",\"role\":\"viewer\",\"customer\":\"acne\"}");
    assertEquals(400, unknown.status(), unknown.toString());
    assertEquals("customer", unknown.json().getString("field"));
    assertTrue(unknown.json().getString("error").contains("acne"), unknown.toString());
    assertEquals(400, admin.post("/api/v1/tokens", "{\"name\":\"x\",\"role\":\"admin\",\"customer\":\"acme\"}").status());
    assertEquals("acme", acmeViewer.get("/api/v1/whoami").json().getString("customer"));
  }

  @Test
  void listsShowABoundTokenOnlyItsCustomerAndRefuseAskingForAnother() throws Exception {
    assertEquals(Set.of("acme"), customers(acmeViewer.get("/api/v1/tickets").json().getJsonArray("tickets"), "customer"));
    assertEquals(Set.of("acme"), customers(acmeViewer.get("/api/v1/tickets?state=closed").json().getJsonArray("tickets"), "customer"));
    assertEquals(Set.of("acme"), customers(acmeViewer.get("/api/v1/faults").json().getJsonArray("faults"), "labels"));
    assertEquals(Set.of("acme"), customers(acmeViewer.get("/api/v1/knowledge?q=listener").json().getJsonArray("results"), "customer"));
    for (String path : List.of("/api/v1/tickets?customer=globex", "/api/v1/faults?customer=globex", "/api/v1/knowledge?q=listener&customer=globex")) {
      Http.Reply r = acmeViewer.get(path);
      assertEquals(403, r.status(), path + " " + r);
    }
    // An unbound token sees everyone, and may filter.
    assertEquals(Set.of("acme", "globex"), customers(unboundViewer.get("/api/v1/tickets").json().getJsonArray("tickets"), "customer"));
    assertEquals(Set.of("globex"), customers(unboundViewer.get("/api/v1/faults?customer=globex").json().getJsonArray("faults"), "labels"));
  }

  @Test
  void everyTicketDetailAndChangeEndpointAnswersAnotherCustomersTicketAs404() throws Exception {
    List<String> reads = List.of("", "/events", "/timeline", "/similar");
    for (String r : reads) {
      assertEquals(200, acmeViewer.get("/api/v1/tickets/" + acmeTicket + r).status(), "own ticket " + r);
      Http.Reply other = acmeViewer.get("/api/v1/tickets/" + globexTicket + r);
      assertEquals(404, other.status(), "globex ticket " + r + " -> " + other);
      assertFalse(other.raw().body().contains("globex"), "the refusal reveals nothing: " + other);
    }
    assertEquals(404, acmeOperator.get("/api/v1/tickets/" + globexTicket + "/survey").status());
    assertEquals(200, acmeOperator.get("/api/v1/tickets/" + acmeTicket + "/survey").status());
    Map<String, String> changes = Map.of("ack", "{}", "close", "{}", "reopen", "{}", "transition", "{\"to\":\"in_progress\"}",
        "comments", "{\"text\":\"x\"}", "assign", "{\"assignee\":\"x\"}", "regrade", "{\"severity\":\"P4\",\"reason\":\"x\"}",
        "visits", "{\"engineer\":\"x\",\"arrivedAt\":\"2026-12-06T09:00:00Z\"}",
        "resolve", "{\"cause\":\"c\",\"fix\":\"f\",\"prevention\":\"p\",\"kind\":\"remote\"}");
    String before = vigil.sql("SELECT count(*) FROM ticket_events WHERE ticket_id = " + globexTicket);
    for (var c : changes.entrySet()) {
      Http.Reply r = acmeOperator.post("/api/v1/tickets/" + globexTicket + "/" + c.getKey(), c.getValue());
      assertEquals(404, r.status(), c.getKey() + " -> " + r);
    }
    assertEquals(before, vigil.sql("SELECT count(*) FROM ticket_events WHERE ticket_id = " + globexTicket), "nothing changed on globex's ticket");
    assertEquals(403, acmeOperator.post("/api/v1/tickets/" + acmeTicket + "/merge", "{\"into\":" + globexTicket + "}").status());
    assertEquals(403, acmeOperator.post("/api/v1/tickets/" + acmeTicket + "/faults", "{\"faultId\":1}").status());
    Http.Reply foreign = acmeOperator.post("/api/v1/tickets", "{\"channel\":\"portal\",\"customer\":\"globex\",\"system\":\"billing\","
        + "\"severity\":\"P3\",\"reporter\":\"x\",\"description\":\"y\"}");
    assertEquals(403, foreign.status(), foreign.toString());
    // Its own customer's ticket it may work.
    Http.Reply own = acmeOperator.post("/api/v1/tickets", "{\"channel\":\"portal\",\"customer\":\"acme\",\"system\":\"erp\","
        + "\"severity\":\"P3\",\"reporter\":\"acme IT\",\"description\":\"printer queue stuck\"}");
    assertEquals(201, own.status(), own.toString());
    assertEquals(200, acmeOperator.post("/api/v1/tickets/" + own.json().getLong("id") + "/ack", "{}").status());
  }

  @Test
  void endpointsServingEveryCustomerRefuseABoundToken() throws Exception {
    for (String path : List.of("/api/v1/customers", "/api/v1/customers/acme", "/api/v1/silences",
        "/api/v1/maintenance-windows", "/api/v1/audit", "/api/v1/tokens")) {
      Http.Reply r = acmeViewer.get(path);
      assertEquals(403, r.status(), path + " -> " + r);
    }
    // The rule catalogue is shared: a bound token (a customer's wall, for its sparklines) gets each
    // rule's name and metrics, never the expressions (which can name customers).
    Http.Reply rules = acmeViewer.get("/api/v1/rules");
    assertEquals(200, rules.status(), rules.toString());
    assertEquals(java.util.Set.of("name", "metrics"), rules.json().getJsonArray("rules").getJsonObject(0).fieldNames(), rules.toString());
    assertEquals(403, acmeOperator.post("/api/v1/silences", "{}").status());
  }

  @Test
  void theStreamCarriesOnlyTheBoundCustomersFaultsAndTickets() throws Exception {
    try (Http.Stream acme = acmeViewer.stream(); Http.Stream all = unboundViewer.stream()) {
      JsonObject snapshot = acme.next();
      assertEquals("snapshot", snapshot.getString("type"));
      assertEquals(Set.of("acme"), customers(snapshot.getJsonArray("faults"), "labels"), snapshot.encode());
      all.next();
      assertEquals(204, admin.ingest(sample("cpu_usage", "globex", "billing", "db2", 99)).status());
      all.until("fault", f -> "globex".equals(f.getJsonObject("labels").getString("customer")));
      assertEquals(204, admin.ingest(sample("cpu_usage", "acme", "erp", "db1", 99)).status());
      JsonObject first = acme.next();
      assertEquals("acme", first.getJsonObject("fault").getJsonObject("labels").getString("customer"),
          "the globex fault (sent first) never reached the acme client: " + first.encode());
      for (JsonObject m; (m = acme.messages.poll(300, TimeUnit.MILLISECONDS)) != null; ) {
        String customer = m.containsKey("fault") ? m.getJsonObject("fault").getJsonObject("labels").getString("customer")
            : m.getJsonObject("ticket").getString("customer");
        assertEquals("acme", customer, m.encode());
      }
    }
  }

  @Test
  void customerReadsAndEveryonesChangesAreInTheAppendOnlyAuditLog() throws Exception {
    assertEquals(200, acmeViewer.get("/api/v1/tickets/" + acmeTicket + "/timeline").status());
    JsonArray reads = admin.get("/api/v1/audit?actor=token:acme-wall&target=/api/v1/tickets/" + acmeTicket).json().getJsonArray("entries");
    assertFalse(reads.isEmpty(), "the customer's read is on record");
    JsonObject read = reads.getJsonObject(0);
    assertEquals("customer.get", read.getString("action"));
    assertEquals("/api/v1/tickets/" + acmeTicket + "/timeline", read.getString("target"));
    assertEquals("acme", read.getJsonObject("detail").getString("customer"));

    // A change by anyone (here: admin's resolve and close in setUp) is an entry on the ticket.
    JsonArray changes = admin.get("/api/v1/audit?target=ticket:" + globexTicket).json().getJsonArray("entries");
    Set<String> actions = new HashSet<>();
    for (int i = 0; i < changes.size(); i++) actions.add(changes.getJsonObject(i).getString("action"));
    assertTrue(actions.containsAll(Set.of("ticket.opened", "ticket.resolved", "ticket.closed")), actions.toString());
    assertEquals(400, admin.get("/api/v1/audit?since=yesterday").status());

    // Append-only: the database itself refuses to rewrite history.
    AssertionError refused = assertThrows(AssertionError.class, () -> {
      try {
        vigil.sql("DELETE FROM audit_log");
      } catch (IllegalStateException e) {
        throw new AssertionError(e.getMessage());
      }
    });
    assertTrue(refused.getMessage().contains("append-only"), refused.getMessage());
    assertThrows(Exception.class, () -> vigil.sql("UPDATE audit_log SET actor = 'nobody'"));
  }
}
