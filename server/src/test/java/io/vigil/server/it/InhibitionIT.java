package io.vigil.server.it;

import static io.vigil.server.it.Http.sample;
import static io.vigil.server.it.SilenceIT.fault;
import static org.junit.jupiter.api.Assertions.*;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Inhibition through the real server: from the rules file and through the API, on and off. */
class InhibitionIT {
  static final String RULES = TestVigil.RULES + """
        - name: DiskFilling
          expr: disk_usage > 80
          for: 0s
          severity: P4
          annotations: {summary: "disk {{ $value }}% on {{ $labels.host }}"}
      inhibit_rules:
        - source_match: {alertname: SystemDown, severity: P1}
          target_match_re: {severity: "P3|P4"}
          equal: [customer, system]
      """;

  @Test
  void inhibitedFaultShowsReasonAndIsReleasedWhenSourceResolves() throws Exception {
    Path rules = Files.createTempFile("vigil-inhibit", ".yaml");
    Files.writeString(rules, RULES);
    try (TestVigil vigil = new TestVigil(Map.of("VIGIL_RULES", rules.toString()))) {
      Http http = vigil.http;
      JsonArray listed = http.get("/api/v1/inhibit-rules").json().getJsonArray("inhibitRules");
      assertEquals(1, listed.size());
      assertEquals("file", listed.getJsonObject(0).getString("origin"));
      assertEquals(409, http.delete("/api/v1/inhibit-rules/" + listed.getJsonObject(0).getString("id")).status(),
          "a rule from the file is changed in the file");

      try (Http.Stream ws = http.stream()) {
        ws.next();
        assertEquals(204, http.ingest(sample("up", "acme", "erp", "db1", 0)).status());
        String sourceFp = ws.until("fault", f -> f.getString("rule").equals("SystemDown")).getJsonObject("fault").getString("fingerprint");
        assertEquals(204, http.ingest(sample("disk_usage", "acme", "erp", "db2", 95) + "," + sample("disk_usage", "acme", "crm", "db2", 95)).status());

        JsonObject target = Await.until(Duration.ofSeconds(10), "the erp disk fault", () -> erpDisk(http));
        JsonObject muting = target.getJsonObject("muting");
        assertEquals(sourceFp, muting.getString("inhibitedBy"));
        assertEquals("inhibited by SystemDown (P1) on acme/erp", muting.getString("reason"));
        assertFalse(muting.getBoolean("silenced"));
        assertNull(target.getLong("ticketId"), "an inhibited fault opens no ticket");
        // The same fault on another system of the customer is not inhibited and gets its ticket.
        JsonObject crm = Await.until(Duration.ofSeconds(10), "the crm disk ticket", () -> {
          JsonObject f = system(http, "crm");
          return f != null && f.getLong("ticketId") != null ? f : null;
        });
        assertFalse(crm.getJsonObject("muting").getBoolean("muted"));
        assertEquals("2", vigil.sql("SELECT count(*) FROM tickets"));

        // The source resolves: the target is released, shown unmuted, and now gets its ticket.
        assertEquals(204, http.ingest(sample("up", "acme", "erp", "db1", 1)).status());
        JsonObject released = ws.until("fault", f -> f.getString("rule").equals("DiskFilling")
            && f.getJsonObject("labels").getString("system").equals("erp") && !f.getJsonObject("muting").getBoolean("muted")).getJsonObject("fault");
        assertNull(released.getJsonObject("muting").getString("inhibitedBy"));
        Await.until(Duration.ofSeconds(10), "the released fault's ticket", () -> erpDisk(http).getLong("ticketId") != null);
        assertEquals("3", vigil.sql("SELECT count(*) FROM tickets"));
      }
    } finally {
      Files.deleteIfExists(rules);
    }
  }

  private static JsonObject erpDisk(Http http) throws Exception {
    return system(http, "erp");
  }

  private static JsonObject system(Http http, String system) throws Exception {
    for (Object o : http.get("/api/v1/faults?state=firing").json().getJsonArray("faults")) {
      JsonObject f = (JsonObject) o;
      if (f.getString("rule").equals("DiskFilling") && f.getJsonObject("labels").getString("system").equals(system)) return f;
    }
    return null;
  }

  @Test
  void inhibitRuleTurnedOnAndOffThroughTheApi() throws Exception {
    try (TestVigil vigil = new TestVigil()) {
      Http http = vigil.http;
      Http.Reply created = http.post("/api/v1/inhibit-rules", """
          {"sourceMatch":[{"name":"alertname","value":"SystemDown"}],
           "targetMatch":[{"name":"severity","value":"P2|P3","isRegex":true}],
           "equal":["customer","system"]}""");
      assertEquals(201, created.status(), created.toString());
      String ruleId = created.json().getString("id");
      assertEquals("api", created.json().getString("origin"));

      // On: both in one batch; the CPU fault of the same system is inhibited from its first moment.
      assertEquals(204, http.ingest(sample("up", "acme", "erp", "db1", 0) + "," + sample("cpu_usage", "acme", "erp", "db1", 97)).status());
      JsonObject cpu = Await.until(Duration.ofSeconds(10), "the inhibited CPU fault", () -> {
        JsonObject f = fault(http, "HighCpu");
        return f != null && f.getJsonObject("muting").getBoolean("muted") ? f : null;
      });
      // Different faults are recorded on different writers: the source may be stored a moment after its target.
      JsonObject down = Await.until(Duration.ofSeconds(10), "the SystemDown fault", () -> fault(http, "SystemDown"));
      assertEquals(down.getString("fingerprint"), cpu.getJsonObject("muting").getString("inhibitedBy"));
      Await.until(Duration.ofSeconds(10), "the SystemDown ticket", () -> fault(http, "SystemDown").getLong("ticketId") != null);
      assertNull(fault(http, "HighCpu").getLong("ticketId"));

      // Off: deleting the rule releases the fault, which is still firing, so its ticket opens.
      assertEquals(204, http.delete("/api/v1/inhibit-rules/" + ruleId).status());
      JsonObject released = Await.until(Duration.ofSeconds(10), "the released CPU fault with a ticket", () -> {
        JsonObject f = fault(http, "HighCpu");
        return !f.getJsonObject("muting").getBoolean("muted") && f.getLong("ticketId") != null ? f : null;
      });
      assertEquals("firing", released.getString("state"));
      assertEquals(0, http.get("/api/v1/inhibit-rules").json().getJsonArray("inhibitRules").size());
      assertEquals("inhibit_rule.create,inhibit_rule.delete",
          vigil.sql("SELECT string_agg(action, ',' ORDER BY id) FROM audit_log WHERE target = '" + ruleId + "'"));
      assertNotEquals("", vigil.sql("SELECT deleted_at FROM inhibit_rules WHERE id = '" + ruleId + "'"), "history is kept");
    }
  }
}
