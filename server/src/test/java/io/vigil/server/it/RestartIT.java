package io.vigil.server.it;

import static io.vigil.server.it.Http.sample;
import static org.junit.jupiter.api.Assertions.*;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vigil.server.Config;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** A restart neither drops nor duplicates firing faults, open tickets or pages on the stream. */
class RestartIT {
  @Test
  void restartKeepsFiringFaultsAndOpenTicketsWithoutDuplicates() throws Exception {
    Config.Database db = EphemeralPostgres.get().freshDatabase();
    String fingerprint;
    long ticketId;
    TestVigil first = new TestVigil(db, Map.of());
    try {
      assertEquals(204, first.http.ingest(sample("up", "acme", "erp", "db1", 0) + "," + sample("cpu_usage", "acme", "mes", "app1", 97)).status());
      awaitFiring(first.http, 2);
      JsonObject f = first.http.get("/api/v1/faults?state=firing").json().getJsonArray("faults").stream()
          .map(JsonObject.class::cast).filter(x -> x.getString("rule").equals("HighCpu")).findFirst().orElseThrow();
      fingerprint = f.getString("fingerprint");
      ticketId = f.getLong("ticketId");
      assertEquals(200, first.http.post("/api/v1/tickets/" + ticketId + "/ack", "").status());
    } finally {
      first.close();
    }

    try (TestVigil second = new TestVigil(db, Map.of())) {
      JsonArray firing = second.http.get("/api/v1/faults?state=firing").json().getJsonArray("faults");
      assertEquals(2, firing.size(), "both faults still firing after restart");
      // The stream's snapshot after restart shows them too, with their tickets.
      try (Http.Stream ws = second.http.stream()) {
        JsonObject snap = ws.next();
        assertEquals(2, snap.getJsonArray("faults").size());
        assertEquals(2, snap.getJsonArray("tickets").size());

        // The same violations again: no new fault, no new ticket, no delta on the stream.
        assertEquals(204, second.http.ingest(sample("up", "acme", "erp", "db1", 0) + "," + sample("cpu_usage", "acme", "mes", "app1", 99)).status());
        // A marker fault proves the pipeline has processed past the repeated samples.
        assertEquals(204, second.http.ingest(sample("up", "initech", "hr", "x1", 0)).status());
        JsonObject next = ws.next();
        assertEquals("fault", next.getString("type"));
        assertEquals("x1", next.getJsonObject("fault").getJsonObject("labels").getString("host"),
            "the first delta after restart is the new fault, not a duplicate of a restored one");
      }
      assertEquals("3", second.sql("SELECT count(*) FROM faults"));
      assertEquals("3", second.sql("SELECT count(*) FROM tickets"));
      assertEquals("1", second.sql("SELECT count(*) FROM ticket_events WHERE kind = 'opened' AND ticket_id = " + ticketId));
      assertEquals("acknowledged", second.http.get("/api/v1/tickets/" + ticketId).json().getString("state"));

      // A restored fault still resolves when its series recovers.
      assertEquals(204, second.http.ingest(sample("cpu_usage", "acme", "mes", "app1", 20)).status());
      long deadline = System.nanoTime() + 10_000_000_000L;
      while (!"resolved".equals(second.sql("SELECT state FROM faults WHERE fingerprint = '" + fingerprint + "' ORDER BY id DESC LIMIT 1"))
          && System.nanoTime() < deadline) {
        Thread.sleep(50);
      }
      assertEquals("resolved", second.sql("SELECT state FROM faults WHERE fingerprint = '" + fingerprint + "' ORDER BY id DESC LIMIT 1"));
      assertNotEquals("", second.sql("SELECT fault_resolved_at FROM tickets WHERE id = " + ticketId));
    }
  }

  static void awaitFiring(Http http, int n) throws Exception {
    long deadline = System.nanoTime() + 10_000_000_000L;
    while (System.nanoTime() < deadline) {
      if (http.get("/api/v1/faults?state=firing").json().getJsonArray("faults").size() == n) {
        // and their tickets are linked
        JsonArray a = http.get("/api/v1/faults?state=firing").json().getJsonArray("faults");
        boolean linked = true;
        for (int i = 0; i < a.size(); i++) linked &= a.getJsonObject(i).getLong("ticketId") != null;
        if (linked) return;
      }
      Thread.sleep(50);
    }
    fail("expected " + n + " firing faults with tickets");
  }
}
