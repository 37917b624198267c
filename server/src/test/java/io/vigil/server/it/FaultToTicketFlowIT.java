package io.vigil.server.it;

import static io.vigil.server.it.Http.sample;
import static org.junit.jupiter.api.Assertions.*;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The walking skeleton end to end: sample in → graded fault → ticket → live stream → human work. */
class FaultToTicketFlowIT {
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
  void ingestedSampleIsStoredWithSeriesLabels() throws Exception {
    assertEquals(204, http.ingest(sample("mem_usage", "acme", "erp", "db1", 42.5) + ","
        + "{\"metric\":\"mem_usage\",\"labels\":{\"customer\":\"acme\",\"system\":\"erp\",\"host\":\"db1\"},\"value\":43,\"ts\":\"2026-11-22T10:00:00Z\"}").status());
    assertEquals("2", vigil.sql("SELECT count(*) FROM samples s JOIN series r ON r.id = s.series_id WHERE r.metric = 'mem_usage' AND r.labels->>'host' = 'db1'"));
    assertEquals("43|2026-11-22 10:00:00+00", vigil.sql("SELECT value, time AT TIME ZONE 'UTC' || '+00' FROM samples WHERE value = 43"));
    assertEquals(1, vigil.count("series"), "one series, not one per sample");
  }

  @Test
  void faultFiresOpensTicketStreamsInSeqOrderAndIsWorkedToClosure() throws Exception {
    try (Http.Stream ws = http.stream()) {
      JsonObject snapshot = ws.next();
      assertEquals("snapshot", snapshot.getString("type"));
      assertEquals(0, snapshot.getJsonArray("faults").size());
      long seq = snapshot.getLong("seq");
      List<JsonObject> seen = new ArrayList<>();

      Instant before = Instant.now();
      assertEquals(204, http.ingest(sample("up", "acme", "erp", "db1", 0)).status());

      // Fault firing, then its ticket, strictly seq+1 each.
      JsonObject m1 = ws.next();
      JsonObject m2 = ws.next();
      seen.add(m1);
      seen.add(m2);
      for (JsonObject m : seen) assertEquals(++seq, m.getLong("seq"), "seq strictly increasing by one: " + m);
      assertEquals("fault", m1.getString("type"));
      JsonObject fault = m1.getJsonObject("fault");
      assertEquals("firing", fault.getString("state"));
      assertEquals("P1", fault.getString("severity"));
      assertEquals("erp on db1 is down", fault.getString("summary"));
      assertEquals("ticket", m2.getString("type"));
      JsonObject ticket = m2.getJsonObject("ticket");
      assertEquals(fault.getLong("ticketId"), ticket.getLong("id"));
      assertEquals("open", ticket.getString("state"));
      assertEquals("acme", ticket.getString("customer"));
      assertEquals("erp", ticket.getString("system"));

      // Due times from the default SLA table: P1 respond 15 min, resolve 4 h, from opening.
      Instant opened = Instant.parse(ticket.getString("openedAt"));
      assertFalse(opened.isBefore(before.minusSeconds(1)));
      assertEquals(opened.plus(Duration.ofMinutes(15)), Instant.parse(ticket.getString("respondBy")));
      assertEquals(opened.plus(Duration.ofHours(4)), Instant.parse(ticket.getString("resolveBy")));

      // REST agrees with the stream.
      JsonArray firing = http.get("/api/v1/faults?state=firing").json().getJsonArray("faults");
      assertEquals(1, firing.size());
      assertEquals(fault.getString("fingerprint"), firing.getJsonObject(0).getString("fingerprint"));
      long id = ticket.getLong("id");

      // Illegal: close an open ticket.
      Http.Reply illegal = http.post("/api/v1/tickets/" + id + "/close", "");
      assertEquals(409, illegal.status());
      assertEquals("open", illegal.json().getString("state"));

      // Ack.
      Http.Reply ack = http.post("/api/v1/tickets/" + id + "/ack", "");
      assertEquals(200, ack.status(), ack.toString());
      assertEquals("acknowledged", ack.json().getString("state"));
      JsonObject m3 = ws.next();
      assertEquals(++seq, m3.getLong("seq"));
      assertEquals("acknowledged", m3.getJsonObject("ticket").getString("state"));
      assertEquals(409, http.post("/api/v1/tickets/" + id + "/ack", "").status(), "acking twice is illegal");

      // The system recovers: the fault resolves and the ticket records it.
      assertEquals(204, http.ingest(sample("up", "acme", "erp", "db1", 1)).status());
      JsonObject m4 = ws.next();
      JsonObject m5 = ws.next();
      assertEquals(++seq, m4.getLong("seq"));
      assertEquals(++seq, m5.getLong("seq"));
      assertEquals("resolved", m4.getJsonObject("fault").getString("state"));
      assertNotNull(m4.getJsonObject("fault").getString("endsAt"));
      assertNotNull(m5.getJsonObject("ticket").getString("faultResolvedAt"));
      assertEquals("acknowledged", m5.getJsonObject("ticket").getString("state"), "the ticket waits for human feedback");

      // Resolve needs all three feedback fields.
      Http.Reply missing = http.post("/api/v1/tickets/" + id + "/resolve", "{\"cause\":\"power\",\"fix\":\"replaced PSU\"}");
      assertEquals(400, missing.status());
      assertTrue(missing.json().getString("error").contains("'prevention' is required"), missing.toString());
      Http.Reply resolved = http.post("/api/v1/tickets/" + id + "/resolve",
          "{\"cause\":\"PSU failed\",\"fix\":\"replaced PSU\",\"prevention\":\"dual PSU on db hosts\",\"kind\":\"hardware_replaced\"}");
      assertEquals(200, resolved.status(), resolved.toString());
      assertEquals("resolved", resolved.json().getString("state"));
      assertEquals("dual PSU on db hosts", resolved.json().getJsonObject("resolution").getString("prevention"));
      assertEquals(++seq, ws.next().getLong("seq"));

      Http.Reply closed = http.post("/api/v1/tickets/" + id + "/close", "");
      assertEquals("closed", closed.json().getString("state"));
      JsonObject m7 = ws.next();
      assertEquals(++seq, m7.getLong("seq"));
      assertEquals("closed", m7.getJsonObject("ticket").getString("state"));

      // Every change is a ticket event with actor and time.
      JsonArray events = http.get("/api/v1/tickets/" + id + "/events").json().getJsonArray("events");
      List<String> kinds = new ArrayList<>();
      for (int i = 0; i < events.size(); i++) {
        JsonObject e = events.getJsonObject(i);
        kinds.add(e.getString("kind"));
        assertNotNull(e.getString("at"));
        assertNotNull(e.getString("actor"));
      }
      assertEquals(List.of("opened", "acknowledged", "fault_resolved", "resolved", "closed"), kinds);
      assertEquals("token:admin", events.getJsonObject(1).getString("actor"));
      assertEquals("vigil", events.getJsonObject(0).getString("actor"));
    }
  }

  @Test
  void sameFingerprintNeverHasTwoOpenTicketsEvenWhenFaultRecurs() throws Exception {
    String down = sample("up", "acme", "crm", "app1", 0);
    String upAgain = sample("up", "acme", "crm", "app1", 1);
    for (int i = 0; i < 3; i++) {
      assertEquals(204, http.ingest(down).status());
      assertEquals(204, http.ingest(upAgain).status());
    }
    assertEquals(204, http.ingest(down).status());
    // One firing fault alone is no proof: the first one fires before the later events are recorded.
    // Wait for the last event (the fourth fault, firing) and the three resolutions before it.
    awaitSql("SELECT count(*) || '/' || count(*) FILTER (WHERE state = 'firing') FROM faults", "4/1");
    assertEquals("1", vigil.sql("SELECT count(*) FROM tickets"), "recurrences are noted on the one open ticket");
    assertEquals("3", vigil.sql("SELECT count(*) FROM ticket_events WHERE kind = 'fault_refired'"));
    // The database, not only memory, refuses a second open ticket for the fingerprint.
    String fp = vigil.sql("SELECT fingerprint FROM tickets LIMIT 1");
    AssertionError dup = assertThrows(AssertionError.class, () -> {
      try {
        vigil.sql("INSERT INTO tickets (fingerprint, customer, system, severity, state, summary, opened_at, respond_by, resolve_by) "
            + "VALUES ('" + fp + "', 'acme', 'crm', 'P1', 'open', 'x', now(), now(), now())");
      } catch (IllegalStateException e) {
        throw new AssertionError(e.getMessage());
      }
    });
    assertTrue(dup.getMessage().contains("tickets_one_active_per_fingerprint"), dup.getMessage());
  }

  @Test
  void forDurationTimerFiresOnTheEventLoopWithoutFurtherSamples() throws Exception {
    try (Http.Stream ws = http.stream()) {
      ws.next(); // snapshot
      assertEquals(204, http.ingest(sample("disk_latency_ms", "globex", "billing", "db2", 250)).status());
      // The fault is recorded after the 204: its first delta, not a read racing the write, says pending.
      assertEquals("pending", ws.until("fault", f -> true).getJsonObject("fault").getString("state"));
    }
    awaitSql("SELECT state FROM faults", "firing");
    assertEquals("1", vigil.sql("SELECT count(*) FROM tickets WHERE severity = 'P3'"));
  }

  @Test
  void rulesAreListedAndFaultStateFilterIsValidated() throws Exception {
    JsonArray rules = http.get("/api/v1/rules").json().getJsonArray("rules");
    assertEquals(3, rules.size());
    assertEquals("cpu_usage > 90", rules.getJsonObject(1).getString("expr"));
    assertEquals("1s", rules.getJsonObject(2).getString("for"));
    Http.Reply bad = http.get("/api/v1/faults?state=burning");
    assertEquals(400, bad.status());
    assertTrue(bad.json().getString("error").contains("pending, firing, flapping, resolved"));
    assertEquals(404, http.get("/api/v1/tickets/999").status());
    assertEquals(400, http.get("/api/v1/tickets/abc").status());
  }

  private void awaitSql(String query, String expected) throws InterruptedException {
    long end = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    String last = null;
    while (System.nanoTime() < end) {
      last = vigil.sql(query);
      if (expected.equals(last)) return;
      Thread.sleep(50);
    }
    fail(query + " gave " + last + ", expected " + expected);
  }
}
