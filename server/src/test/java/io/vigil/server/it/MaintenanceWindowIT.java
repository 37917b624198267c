package io.vigil.server.it;

import static io.vigil.server.it.Http.sample;
import static org.junit.jupiter.api.Assertions.*;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalTime;
import java.time.ZoneId;
import java.time.temporal.ChronoUnit;
import org.junit.jupiter.api.Test;

/** Recurring maintenance windows through the real server, in a customer's own time zone. */
class MaintenanceWindowIT {
  private static final ZoneId SHANGHAI = ZoneId.of("Asia/Shanghai");

  static String window(String customer, LocalTime start, LocalTime end, String comment) {
    return new JsonObject().put("customer", customer)
        .put("days", new JsonArray().add("mon").add("tue").add("wed").add("thu").add("fri").add("sat").add("sun"))
        .put("start", start.toString()).put("end", end.toString()).put("timeZone", "Asia/Shanghai").put("comment", comment).encode();
  }

  static JsonObject firing(Http http, String customer) throws Exception {
    for (Object o : http.get("/api/v1/faults?state=firing").json().getJsonArray("faults")) {
      JsonObject f = (JsonObject) o;
      if (f.getJsonObject("labels").getString("customer").equals(customer)) return f;
    }
    return null;
  }

  @Test
  void maintenanceWindowMutesCustomerFaultsOnlyInsideTheWindow() throws Exception {
    try (TestVigil vigil = new TestVigil()) {
      Http http = vigil.http;
      Instant now = Instant.now().truncatedTo(ChronoUnit.SECONDS);
      LocalTime local = now.atZone(SHANGHAI).toLocalTime();
      // In progress: started an hour ago (local), ends in a few seconds: enough (now truncated to the
      // second) for the fault to be recorded and looked at while muted on a loaded machine too. Later:
      // starts in two hours.
      Instant ends = now.plusSeconds(8);
      SilenceIT.inventory(http, "acme");
      Http.Reply inside = http.post("/api/v1/maintenance-windows", window("acme", local.minusHours(1), local.plusSeconds(8), "OS patching"));
      assertEquals(201, inside.status(), inside.toString());
      assertTrue(inside.json().getBoolean("active"));
      Http.Reply later = http.post("/api/v1/maintenance-windows", window("acme", local.plusHours(2), local.plusHours(3), "later"));
      assertFalse(later.json().getBoolean("active"));
      String insideId = inside.json().getString("id");

      assertEquals(204, http.ingest(sample("up", "acme", "erp", "db1", 0) + "," + sample("up", "globex", "billing", "app2", 0)).status());
      JsonObject acme = Await.until(Duration.ofSeconds(10), "acme's fault", () -> firing(http, "acme"));
      JsonObject muting = acme.getJsonObject("muting");
      assertTrue(muting.getBoolean("silenced"), acme.encode());
      assertEquals(insideId, muting.getJsonArray("maintenance").getString(0));
      assertTrue(muting.getString("reason").contains("OS patching"), muting.getString("reason"));
      assertEquals(ends, Instant.parse(muting.getString("until")));
      assertNull(acme.getLong("ticketId"));
      // Another customer's fault is not touched by acme's window.
      JsonObject globex = Await.until(Duration.ofSeconds(10), "globex's ticket", () -> {
        JsonObject f = firing(http, "globex");
        return f != null && f.getLong("ticketId") != null ? f : null;
      });
      assertFalse(globex.getJsonObject("muting").getBoolean("muted"));

      // The window ends (one timer, no new samples): acme's fault is unmuted and its ticket opens.
      JsonObject after = Await.until(Duration.ofSeconds(20), "acme unmuted with a ticket", () -> {
        JsonObject f = firing(http, "acme");
        return !f.getJsonObject("muting").getBoolean("muted") && f.getLong("ticketId") != null ? f : null;
      });
      assertNotNull(after);
      assertFalse(Instant.now().isBefore(ends));
      assertEquals(2, vigil.count("tickets"));

      assertEquals(2, http.get("/api/v1/maintenance-windows").json().getJsonArray("maintenanceWindows").size());
      assertEquals(204, http.delete("/api/v1/maintenance-windows/" + later.json().getString("id")).status());
      assertEquals(404, http.get("/api/v1/maintenance-windows/" + later.json().getString("id")).status());
      assertEquals(1, http.get("/api/v1/maintenance-windows").json().getJsonArray("maintenanceWindows").size());
      assertEquals("2", vigil.sql("SELECT count(*) FROM maintenance_windows"), "deleted rows are kept as history");
    }
  }
}
