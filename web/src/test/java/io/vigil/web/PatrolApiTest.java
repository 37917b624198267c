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
  void customerNeedsATierAndAKnownZone() {
    assertEquals("tier", field(() -> PatrolApi.customer(new JsonObject().put("id", "acme"), null, ZoneId.of("UTC"))));
    assertEquals("contacts[0]", field(() -> PatrolApi.customer(new JsonObject().put("id", "acme").put("tier", "5x8")
        .put("contacts", new io.vertx.core.json.JsonArray().add(new JsonObject())), null, ZoneId.of("UTC"))));
    assertEquals(ZoneId.of("Asia/Shanghai"), PatrolApi.customer(new JsonObject().put("id", "acme").put("tier", "5x8"), null,
        ZoneId.of("Asia/Shanghai")).zone());
  }

  @Test
  void reportPageEscapesWhatCustomersAndSystemsAreCalled() {
    JsonObject report = new JsonObject()
        .put("customer", new JsonObject().put("id", "acme").put("name", "<script>alert(1)</script>").put("tier", "7x24").put("timeZone", "UTC"))
        .put("date", "2026-11-22").put("from", "a").put("to", "b").put("generatedAt", "c").put("complete", true)
        .put("summary", new JsonObject().put("checks", 0L).put("failedChecks", 0L).put("findings", 0).put("faults", 0L))
        .put("systems", new io.vertx.core.json.JsonArray()).put("findings", new io.vertx.core.json.JsonArray())
        .put("faults", new JsonObject().put("bySeverity", new io.vertx.core.json.JsonArray()).put("list", new io.vertx.core.json.JsonArray()))
        .put("trends", new io.vertx.core.json.JsonArray());
    String html = PatrolReportPage.render(report);
    assertFalse(html.contains("<script>"));
    assertTrue(html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
    assertTrue(html.contains("Nothing found. 未发现问题。"));
  }
}
