package io.vigil.server.it;

import static org.junit.jupiter.api.Assertions.*;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vigil.rules.ManualClock;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Service reports through the real API and PostgreSQL over a small dataset made through the ticket
 * API with a manual clock, so every figure is exact: MTTR mean and p90, SLA compliance, first-contact
 * resolution, satisfaction, complaints, backlog by age, tickets by channel; CSV and the printable
 * monthly page; bad input; and a token bound to a customer seeing only that customer.
 */
class ServiceReportIT extends TicketScript {

  private void start() throws Exception {
    clock = new ManualClock(T0);
    vigil = new TestVigil(EphemeralPostgres.get().freshDatabase(), Map.of(), clock);
    http = vigil.http;
    assertEquals(201, http.post("/api/v1/customers", "{\"id\":\"acme\",\"name\":\"Acme 公司\",\"tier\":\"7x24\",\"timeZone\":\"Asia/Shanghai\"}").status());
    assertEquals(201, http.post("/api/v1/customers", "{\"id\":\"beta\",\"tier\":\"7x24\",\"timeZone\":\"UTC\"}").status());
    for (String[] s : new String[][] {{"acme", "erp"}, {"beta", "crm"}}) {
      assertEquals(201, http.post("/api/v1/customers/" + s[0] + "/systems", "{\"id\":\"" + s[1] + "\",\"criticality\":\"high\"}").status());
    }
  }

  /**
   * acme: A P1 phone (ack 10 min, resolved remote at 2 h, survey 5), B P1 email (ack 30 min: response
   * breach; resolved on site at 5 h: resolution breach; survey 2: a review ticket, a complaint),
   * C P2 web (ack 10 min, resolved remote at 6 h, survey unanswered), D P3 phone (never answered),
   * E P2 email (ack at 3 h: response breach; open), F P4 phone opened at 3 d 12 h; beta: one P4.
   */
  private long[] dataset() throws Exception {
    long a = open("acme", "erp", "P1", "phone");
    long b = open("acme", "erp", "P1", "email");
    long c = open("acme", "erp", "P2", "web");
    long d = open("acme", "erp", "P3", "phone");
    long e = open("acme", "erp", "P2", "email");
    open("beta", "crm", "P4", "web");
    at(Duration.ofMinutes(10));
    ok("/api/v1/tickets/" + a + "/ack", "{}");
    ok("/api/v1/tickets/" + c + "/ack", "{}");
    at(Duration.ofMinutes(30));
    ok("/api/v1/tickets/" + b + "/ack", "{}");
    at(Duration.ofHours(2));
    resolve(a, "remote");
    at(Duration.ofHours(3));
    ok("/api/v1/tickets/" + e + "/ack", "{}");
    at(Duration.ofHours(5));
    resolve(b, "onsite");
    at(Duration.ofHours(6));
    resolve(c, "remote");
    for (long id : new long[] {a, b, c}) ok("/api/v1/tickets/" + id + "/close", "{}");
    answer(a, 5);
    answer(b, 2);
    at(Duration.ofHours(84));
    long f = open("acme", "erp", "P4", "phone");
    at(Duration.ofDays(4));
    return new long[] {a, b, c, d, e, f};
  }

  @Test
  void aMonthsReportGivesExactMeasuresPerSeverityAsJsonCsvAndAPrintablePage() throws Exception {
    start();
    dataset();
    // Dates are read in acme's zone: March in Shanghai begins at 16:00 UTC on 28 February.
    JsonObject rep = report("customer=acme&from=2026-03-01&to=2026-04-01");
    assertEquals(1, rep.getJsonArray("customers").size());
    JsonObject acme = rep.getJsonArray("customers").getJsonObject(0);
    assertEquals("2026-02-28T16:00:00Z", acme.getString("from"));
    assertEquals("2026-03-31T16:00:00Z", acme.getString("to"));
    assertEquals("Asia/Shanghai", acme.getString("timeZone"));
    JsonObject all = row(acme, "all");
    assertEquals("all", acme.getJsonArray("rows").getJsonObject(0).getString("severity"), "the total comes first");
    assertEquals(6, all.getLong("opened"), "the review ticket is a complaint, not a ticket of the month: " + all.encode());
    assertEquals(3, all.getLong("resolved"));
    // First response = MTTA here (every response was an acknowledgement): 600, 1800, 600, 10800 s.
    assertEquals(4, all.getLong("firstResponseCount"));
    assertEquals(3450.0, all.getDouble("firstResponseMeanSeconds"));
    assertEquals(8100.0, all.getDouble("firstResponseP90Seconds"), "percentile_cont: 1800 + 0.7 × (10800 − 1800)");
    assertEquals(3450.0, all.getDouble("mttaMeanSeconds"));
    assertEquals(8100.0, all.getDouble("mttaP90Seconds"));
    // MTTR over A, B, C: 7200, 18000, 21600 s.
    assertEquals(15600.0, all.getDouble("mttrMeanSeconds"));
    assertEquals(20880.0, all.getDouble("mttrP90Seconds"), "18000 + 0.8 × (21600 − 18000)");
    assertEquals(15600.0, all.getDouble("mttrNetMeanSeconds"), "nothing was paused");
    // Response: A, C met; B, E late; D's 4 h passed unanswered; F's 2 days are not over.
    assertEquals(5, all.getLong("responseDecided"));
    assertEquals(2, all.getLong("responseMet"));
    assertEquals(0.4, all.getDouble("responseCompliance"));
    assertEquals(3, all.getLong("responseBreaches"));
    assertEquals(2, all.getLong("resolutionMet"));
    assertEquals(0.6667, all.getDouble("resolutionCompliance"));
    assertEquals(1, all.getLong("resolutionBreaches"), "B took 5 h of a P1's 4");
    assertEquals(2, all.getLong("firstContactResolved"), "B needed a visit on site");
    assertEquals(0.6667, all.getDouble("firstContactRate"));
    assertEquals(0, all.getLong("recurred"));
    assertEquals(0.0, all.getDouble("recurrenceRate"));
    assertEquals(3, all.getLong("surveysSent"));
    assertEquals(2, all.getLong("surveysAnswered"));
    assertEquals(0.6667, all.getDouble("surveyResponseRate"));
    assertEquals(3.5, all.getDouble("satisfactionMean"));
    assertEquals(1, all.getLong("lowScores"));
    assertEquals(1, all.getLong("complaints"));
    // Backlog now (day 4): D and E 4 days old, F 12 hours; D (3 days) and E (24 h) are past their resolve due.
    assertEquals(3, all.getLong("backlog"));
    assertEquals(1, all.getLong("backlogLt1d"));
    assertEquals(0, all.getLong("backlog1d3d"));
    assertEquals(2, all.getLong("backlog3d7d"));
    assertEquals(0, all.getLong("backlogGe7d"));
    assertEquals(2, all.getLong("backlogOverdue"));
    assertEquals(0, all.getLong("channelMonitoring"));
    assertEquals(3, all.getLong("channelPhone"));
    assertEquals(2, all.getLong("channelEmail"));
    assertEquals(1, all.getLong("channelWeb"));
    assertEquals(0, all.getLong("channelPortal"), "the review is not counted as a portal ticket");

    JsonObject p1 = row(acme, "P1");
    assertEquals(2, p1.getLong("opened"));
    assertEquals(12600.0, p1.getDouble("mttrMeanSeconds"));
    assertEquals(16920.0, p1.getDouble("mttrP90Seconds"), "7200 + 0.9 × (18000 − 7200)");
    assertEquals(1, p1.getLong("complaints"), "the review of B counts under B's severity");
    JsonObject p2 = row(acme, "P2");
    assertEquals(1, p2.getLong("backlog"));
    assertEquals(1, p2.getLong("backlogOverdue"));
    assertEquals(1, row(acme, "P4").getLong("backlogLt1d"));
    assertNull(row(acme, "P3").getDouble("mttrMeanSeconds"), "no P3 resolved: no mean, not 0");

    // An instant period: the first 36 hours. F is not in it; the backlog is taken at its end.
    JsonObject early = row(report("customer=acme&from=2026-03-02T00:00:00Z&to=2026-03-03T12:00:00Z").getJsonArray("customers")
        .getJsonObject(0), "all");
    assertEquals(5, early.getLong("opened"));
    assertEquals(2, early.getLong("backlog"));
    assertEquals(2, early.getLong("backlog1d3d"));
    assertEquals(1, early.getLong("backlogOverdue"), "E's 24 h are over, D's 3 days are not");
    assertEquals(3, early.getLong("responseBreaches"), "B, E late and D due at 4 h");

    // Every customer: a section each, in order.
    JsonArray sections = report("from=2026-03-01&to=2026-04-01").getJsonArray("customers");
    assertEquals(List.of("acme", "beta"), sections.stream().map(o -> ((JsonObject) o).getString("customer")).toList());
    assertEquals("2026-03-01T00:00:00Z", sections.getJsonObject(1).getString("from"), "beta's dates are read in UTC, its zone");
    assertEquals(1, row(sections.getJsonObject(1), "all").getLong("channelWeb"));

    // CSV: the same figures, one row per severity, by format=csv or Accept: text/csv.
    Http.Reply csv = http.get("/api/v1/reports/service?customer=acme&from=2026-03-01&to=2026-04-01&format=csv");
    assertEquals(200, csv.status(), csv.toString());
    assertTrue(csv.header("Content-Type").startsWith("text/csv"), csv.header("Content-Type"));
    String[] lines = csv.raw().body().split("\r\n");
    assertEquals(6, lines.length, csv.raw().body());
    assertTrue(lines[0].startsWith("customer,from,to,severity,opened,resolved,firstResponseCount,firstResponseMeanSeconds,"), lines[0]);
    assertEquals(lines[0].split(",").length, lines[1].split(",", -1).length, "as many cells as headers");
    assertTrue(lines[1].startsWith("acme,2026-02-28T16:00:00Z,2026-03-31T16:00:00Z,all,6,3,4,3450.0,8100.0,"), lines[1]);
    assertEquals("P1", lines[2].split(",")[3]);
    HttpResponse<String> accepted = CLIENT.send(HttpRequest.newBuilder(URI.create(http.base
            + "/api/v1/reports/service?customer=acme&from=2026-03-01&to=2026-04-01")).header("Authorization", "Bearer " + TestVigil.ADMIN)
        .header("Accept", "text/csv").build(), HttpResponse.BodyHandlers.ofString());
    assertEquals(csv.raw().body(), accepted.body());

    // The printable month: HTML with the customer, bilingual headings and server-drawn SVG charts.
    Http.Reply page = http.get("/reports/service/acme/2026-03");
    assertEquals(200, page.status(), page.toString());
    assertTrue(page.header("Content-Type").startsWith("text/html"));
    String html = page.raw().body();
    for (String s : List.of("Acme 公司", "(acme)", "月度服务报告", "<svg", "id=\"chart-daily\"", "class=\"bar-P1\"", "class=\"mttr-P2\"",
        "@media print", "2026-03-02 P1: 2", "2026-03-05 P4: 1")) {
      assertTrue(html.contains(s), "the page has " + s);
    }
    assertFalse(html.contains("<script"), "no script");
  }

  @Test
  void badParametersAre400sNamingTheParameterAndAnUnknownCustomerIs404() throws Exception {
    start();
    Map<String, String> bad = Map.of(
        "customer=acme&to=2026-04-01", "from",
        "customer=acme&from=yesterday&to=2026-04-01", "from",
        "customer=acme&from=2026-03-01&to=2026-13-01", "to",
        "customer=acme&from=2026-04-01&to=2026-03-01", "to",
        "customer=acme&from=2026-03-01T00:00:00Z&to=2026-03-01T00:00:00Z", "to",
        "from=2022-01-01&to=2026-01-01", "to",
        "customer=acme&from=2026-03-01&to=2026-04-01&format=xml", "format");
    for (var e : bad.entrySet()) {
      Http.Reply r = http.get("/api/v1/reports/service?" + e.getKey());
      assertEquals(400, r.status(), e.getKey() + " -> " + r);
      assertEquals(e.getValue(), r.json().getString("field"), e.getKey() + " -> " + r);
    }
    assertEquals(404, http.get("/api/v1/reports/service?customer=nobody&from=2026-03-01&to=2026-04-01").status());
    assertEquals(404, http.get("/reports/service/nobody/2026-03").status());
    Http.Reply month = http.get("/reports/service/acme/2026-3x");
    assertEquals(400, month.status(), month.toString());
    assertEquals("month", month.json().getString("field"));
    assertEquals(401, http.as("nope").get("/api/v1/reports/service?from=2026-03-01&to=2026-04-01").status());
    // A customer in the inventory with no ticket yet has a report of zeros, not a 404.
    JsonObject empty = row(report("customer=beta&from=2026-03-01&to=2026-04-01").getJsonArray("customers").getJsonObject(0), "all");
    assertEquals(0, empty.getLong("opened"));
    assertNull(empty.getValue("mttrMeanSeconds"));
  }

  @Test
  void aViewerTokenBoundToACustomerSeesOnlyThatCustomersReport() throws Exception {
    start();
    open("acme", "erp", "P2", "phone");
    open("beta", "crm", "P3", "web");
    Http.Reply issued = vigil.http.post("/api/v1/tokens", "{\"name\":\"acme-viewer\",\"role\":\"viewer\",\"customer\":\"acme\"}");
    assertEquals(201, issued.status(), issued.toString());
    String secret = issued.json().getString("token");
    Http acme = vigil.http.as(secret);

    JsonArray own = acme.get("/api/v1/reports/service?from=2026-03-01&to=2026-04-01").json().getJsonArray("customers");
    assertEquals(1, own.size(), "no customer asked: the token's own only");
    assertEquals("acme", own.getJsonObject(0).getString("customer"));
    assertEquals(200, acme.get("/api/v1/reports/service?customer=acme&from=2026-03-01&to=2026-04-01").status());
    Http.Reply other = acme.get("/api/v1/reports/service?customer=beta&from=2026-03-01&to=2026-04-01");
    assertEquals(404, other.status(), "another customer is not revealed to exist: " + other);
    assertEquals(vigil.http.get("/api/v1/reports/service?customer=nobody&from=2026-03-01&to=2026-04-01").json().getString("error")
        .replace("nobody", "beta"), other.json().getString("error"), "answered exactly as an unknown customer");
    assertEquals(404, acme.get("/reports/service/beta/2026-03").status());
    assertEquals(200, acme.get("/reports/service/acme/2026-03").status());
  }
}
