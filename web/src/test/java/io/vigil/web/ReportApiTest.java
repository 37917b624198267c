package io.vigil.web;

import static org.junit.jupiter.api.Assertions.*;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.time.LocalDate;
import java.time.YearMonth;
import java.time.ZoneId;
import org.junit.jupiter.api.Test;

class ReportApiTest {
  private static String field(Runnable r) {
    ApiError e = assertThrows(ApiError.class, r::run);
    assertEquals(400, e.status());
    return e.field();
  }

  @Test
  void aDateIsTheStartOfThatDayInTheCustomersZone() {
    ReportService.Query q = ReportApi.query("acme", "2026-03-01", "2026-04-01", false);
    assertEquals(LocalDate.of(2026, 3, 1), q.from().date());
    assertEquals(Instant.parse("2026-02-28T16:00:00Z"), q.from().in(ZoneId.of("Asia/Shanghai")));
    assertEquals(Instant.parse("2026-03-01T00:00:00Z"), ReportApi.query(null, "2026-03-01T08:00:00+08:00", "2026-03-02", false).from().instant());
  }

  @Test
  void badPeriodsNameTheParameterAtFault() {
    assertEquals("from", field(() -> ReportApi.query(null, null, "2026-04-01", false)));
    assertEquals("from", field(() -> ReportApi.query(null, "soon", "2026-04-01", false)));
    assertEquals("to", field(() -> ReportApi.query(null, "2026-03-01", "", false)));
    assertEquals("to", field(() -> ReportApi.query(null, "2026-03-01", "2026-03-01", false)));
    assertEquals("to", field(() -> ReportApi.query(null, "2026-03-01T00:00:00Z", "2026-02-01T00:00:00Z", false)));
    assertEquals("to", field(() -> ReportApi.query(null, "2024-01-01", "2026-01-02", false)), "longer than two years");
    assertDoesNotThrow(() -> ReportApi.query(null, "2024-01-01", "2026-01-01", false), "exactly two years");
    assertEquals("month", field(() -> ReportApi.month("2026-13")));
    assertEquals(YearMonth.of(2026, 3), ReportApi.month("2026-03"));
  }

  @Test
  void csvHasOneHeaderAndARowPerSeverityWithCellsQuotedAndFormulasDefused() {
    JsonObject report = new JsonObject().put("customers", new JsonArray().add(new JsonObject().put("customer", "=cmd,x")
        .put("from", "2026-03-01T00:00:00Z").put("to", "2026-04-01T00:00:00Z")
        .put("rows", new JsonArray().add(new JsonObject().put("severity", "all").put("opened", 2).putNull("mttrMeanSeconds"))
            .add(new JsonObject().put("severity", "P1").put("opened", 2).put("mttrMeanSeconds", -1.5)))));
    assertEquals("customer,from,to,severity,opened,mttrMeanSeconds\r\n"
        + "\"'=cmd,x\",2026-03-01T00:00:00Z,2026-04-01T00:00:00Z,all,2,\r\n"
        + "\"'=cmd,x\",2026-03-01T00:00:00Z,2026-04-01T00:00:00Z,P1,2,-1.5\r\n", ReportCsv.render(report));
  }

  @Test
  void thePageDrawsOneBarPerDayAndSeverityAndEscapesNames() {
    JsonObject section = new JsonObject().put("customer", "acme").put("name", "<Acme>").put("timeZone", "UTC")
        .put("from", "2026-03-01T00:00:00Z").put("to", "2026-04-01T00:00:00Z")
        .put("rows", new JsonArray().add(new JsonObject().put("severity", "all").put("opened", 3).put("responseBreaches", 0L)
            .put("resolutionBreaches", 0L)).add(new JsonObject().put("severity", "P2").put("mttrMeanSeconds", 3600.0)
            .put("mttrP90Seconds", 7200.0).put("responseBreaches", 1L).put("resolutionBreaches", 0L)))
        .put("daily", new JsonArray().add(new JsonObject().put("day", "2026-03-02").put("severity", "P2").put("tickets", 3L)));
    String html = ServiceReportPage.render("2026-04-01T00:00:00Z", YearMonth.of(2026, 3), section);
    assertTrue(html.contains("&lt;Acme&gt;"));
    assertFalse(html.contains("<Acme>"));
    assertEquals(1, html.split("class=\"bar-P2\"", -1).length - 1);
    assertTrue(html.contains("1 h 00 min · p90 2 h 00 min"), html);
  }
}
