package io.vigil.web;

import static org.junit.jupiter.api.Assertions.*;

import io.vertx.core.json.JsonObject;
import io.vigil.rules.patrol.Criticality;
import io.vigil.rules.patrol.ProbeSpec;
import io.vigil.rules.patrol.SystemSpec;
import java.time.Duration;
import java.time.ZoneId;
import org.junit.jupiter.api.Test;

class PatrolApiTest {
  private static String field(Runnable r) {
    ApiError e = assertThrows(ApiError.class, r::run);
    assertEquals(400, e.status());
    return e.field();
  }

  @Test
  void systemDefaultsAreNormalCriticalityNoHeartbeatAndProbeTimeoutAtMostTenSeconds() {
    SystemSpec s = PatrolApi.system(new JsonObject().put("id", "erp").put("probes", new io.vertx.core.json.JsonArray()
        .add(new JsonObject().put("type", "tcp").put("target", "db1:5432"))
        .add(new JsonObject().put("type", "tls").put("target", "erp.acme.example:443").put("interval", "5s"))), "acme", null);
    assertEquals("erp", s.name());
    assertEquals(Criticality.NORMAL, s.criticality());
    assertNull(s.heartbeatInterval());
    ProbeSpec tcp = s.probes().get(0);
    assertEquals("tcp", tcp.name());
    assertEquals(Duration.ofMinutes(1), tcp.interval());
    assertEquals(Duration.ofSeconds(10), tcp.timeout());
    assertEquals(Duration.ofSeconds(5), s.probes().get(1).timeout(), "never longer than the interval");
  }

  @Test
  void badProbesNameTheirField() {
    assertEquals("probes[0].type", field(() -> PatrolApi.system(new JsonObject().put("id", "erp")
        .put("probes", new io.vertx.core.json.JsonArray().add(new JsonObject().put("type", "icmp").put("target", "x"))), "acme", null)));
    assertEquals("probes[0].target", field(() -> PatrolApi.system(new JsonObject().put("id", "erp")
        .put("probes", new io.vertx.core.json.JsonArray().add(new JsonObject().put("type", "http").put("target", "ftp://x/"))), "acme", null)));
    assertEquals("probes[0].keyword", field(() -> PatrolApi.system(new JsonObject().put("id", "erp")
        .put("probes", new io.vertx.core.json.JsonArray().add(new JsonObject().put("type", "tcp").put("target", "x:1").put("keyword", "k"))), "acme", null)));
    assertEquals("probes[1].name", field(() -> PatrolApi.system(new JsonObject().put("id", "erp")
        .put("probes", new io.vertx.core.json.JsonArray().add(new JsonObject().put("type", "tcp").put("target", "x:1"))
            .add(new JsonObject().put("type", "tcp").put("target", "y:2"))), "acme", null)));
    assertEquals("heartbeatInterval", field(() -> PatrolApi.system(new JsonObject().put("id", "erp").put("heartbeatInterval", "500ms"), "acme", null)));
  }

  @Test
  void misspeltFieldsAreRefusedByNameNotDropped() {
    ApiError e = assertThrows(ApiError.class, () -> PatrolApi.system(new JsonObject().put("id", "erp").put("heartbeat_interval", "5m"), "acme", null));
    assertEquals("heartbeat_interval", e.field());
    assertEquals("'heartbeat_interval': unknown field; did you mean 'heartbeatInterval'? (known: id, name, customer, heartbeatInterval, "
        + "criticality, probes)", e.getMessage());
    assertEquals("timezone", field(() -> PatrolApi.customer(new JsonObject().put("id", "acme").put("tier", "5x8").put("timezone", "Asia/Shanghai"),
        null, ZoneId.of("UTC"))));
    assertEquals("probes[0].expect", field(() -> PatrolApi.system(new JsonObject().put("id", "erp").put("probes",
        new io.vertx.core.json.JsonArray().add(new JsonObject().put("type", "http").put("target", "https://x/").put("expect", 200))), "acme", null)));
    assertEquals("contacts[0].mobile", field(() -> PatrolApi.customer(new JsonObject().put("id", "acme").put("tier", "5x8")
        .put("contacts", new io.vertx.core.json.JsonArray().add(new JsonObject().put("mobile", "138"))), null, ZoneId.of("UTC"))));
    // What GET gives back may be PUT back as it is.
    SystemSpec s = PatrolApi.system(new JsonObject().put("id", "erp").put("heartbeatInterval", "5m")
        .put("probes", new io.vertx.core.json.JsonArray().add(new JsonObject().put("type", "tcp").put("target", "db:5432"))), "acme", null);
    assertEquals(s, PatrolApi.system(PatrolApi.systemJson(s), "acme", "erp"));
  }

  @Test
  void customerNeedsATierAndAKnownZone() {
    assertEquals("tier", field(() -> PatrolApi.customer(new JsonObject().put("id", "acme"), null, ZoneId.of("UTC"))));
    assertEquals("contacts[0]", field(() -> PatrolApi.customer(new JsonObject().put("id", "acme").put("tier", "5x8")
        .put("contacts", new io.vertx.core.json.JsonArray().add(new JsonObject())), null, ZoneId.of("UTC"))));
    assertEquals(ZoneId.of("Asia/Shanghai"), PatrolApi.customer(new JsonObject().put("id", "acme").put("tier", "5x8"), null,
        ZoneId.of("Asia/Shanghai")).zone());
  }

  private static JsonObject emptyReport(String name, String zone, String from, String to, String generatedAt) {
    return new JsonObject()
        .put("customer", new JsonObject().put("id", "acme").put("name", name).put("tier", "7x24").put("timeZone", zone))
        .put("date", "2026-11-22").put("from", from).put("to", to).put("generatedAt", generatedAt).put("complete", true)
        .put("summary", new JsonObject().put("checks", 0L).put("failedChecks", 0L).put("findings", 0).put("faults", 0L))
        .put("systems", new io.vertx.core.json.JsonArray()).put("findings", new io.vertx.core.json.JsonArray())
        .put("faults", new JsonObject().put("bySeverity", new io.vertx.core.json.JsonArray()).put("list", new io.vertx.core.json.JsonArray()))
        .put("trends", new io.vertx.core.json.JsonArray());
  }

  @Test
  void reportPageEscapesWhatCustomersAndSystemsAreCalled() {
    String html = PatrolReportPage.render(emptyReport("<script>alert(1)</script>", "UTC", "2026-11-22T00:00:00Z", "2026-11-23T00:00:00Z",
        "2026-11-23T07:00:00Z"));
    assertFalse(html.contains("<script>"));
    assertTrue(html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
    assertTrue(html.contains("Nothing found. 未发现问题。"));
  }

  @Test
  void reportPageShowsTimesInTheCustomersZoneToTheSecond() {
    JsonObject report = emptyReport("ACME", "Asia/Shanghai", "2026-11-21T16:00:00Z", "2026-11-22T16:00:00Z", "2026-11-22T23:00:00.123456789Z");
    report.getJsonObject("faults").getJsonArray("list").add(new JsonObject().put("severity", "P1").put("system", "erp").put("rule", "SystemDown")
        .put("summary", "erp down").put("firingAt", "2026-11-22T01:02:03.456Z").put("endsAt", "2026-11-22T02:00:00Z"));
    String html = PatrolReportPage.render(report);
    assertTrue(html.contains("2026-11-23 07:00:00"), "generated, in Beijing time");
    assertTrue(html.contains("<td>2026-11-22 09:02:03</td>"), "fired");
    assertTrue(html.contains("<td>2026-11-22 10:00:00</td>"), "resolved");
    assertTrue(html.contains("2026-11-22 00:00:00 – 2026-11-23 00:00:00 Asia/Shanghai"), "the day, as the customer counts it");
    assertFalse(html.contains("2026-11-22T01:02:03"), "no UTC instants on the printed page");
  }
}
