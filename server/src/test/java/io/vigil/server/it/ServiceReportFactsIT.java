package io.vigil.server.it;

import static org.junit.jupiter.api.Assertions.*;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vigil.rules.ManualClock;
import io.vigil.server.tickets.ServiceReports;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The report reads {@code ticket_facts} (V21), kept by triggers. Over a dataset made through the
 * real API (acks, a pause, a visit, resolutions, closes, surveys with a low answer and its review,
 * a regrade before and one after a reopen, a merge, a second resolve and close), this checks that
 * the facts are exactly what the tickets state after every change path, that the facts-based
 * statement answers row for row what the statement over tickets did before V21
 * ({@code reports/report-over-tickets.sql}), that known figures come out, that a rebuild (the
 * migration's backfill) changes nothing, and that the all-customer report (run as two halves on two
 * connections) equals the customers' reports one by one.
 */
class ServiceReportFactsIT extends TicketScript {
  /** The facts that differ from what the tickets, surveys and visits state (either way): none, always. */
  private static final String STALE = "SELECT count(*) FROM ((TABLE ticket_facts EXCEPT ALL SELECT * FROM ticket_facts_source) "
      + "UNION ALL (SELECT * FROM ticket_facts_source EXCEPT ALL TABLE ticket_facts)) d";

  /** Every change leaves the facts exactly what the tickets, surveys and visits state. */
  @Override
  void afterChange(String what) throws Exception {
    assertEquals("0", vigil.sql(STALE), "facts current after " + what);
  }

  /** The report without its generation time, so two reports of the same data compare equal. */
  @Override
  JsonObject report(String query) throws Exception {
    JsonObject o = super.report(query);
    o.remove("generatedAt");
    return o;
  }

  /** A statement with $1..$4 as literals, run through psql: its rows as text, one a line. */
  private String run(String statement, String customers, String from, String to) {
    String sql = statement.replace("$1", "ARRAY[" + customers + "]::text[]").replace("$2", "ARRAY[" + from + "]::timestamptz[]")
        .replace("$3", "ARRAY[" + to + "]::timestamptz[]").replace("$4", "'" + clock.instant() + "'::timestamptz");
    return vigil.sql(sql);
  }

  @Test
  void factsFollowEveryTicketChangeAndTheReportEqualsTheOneOverTickets() throws Exception {
    clock = new ManualClock(T0);
    vigil = new TestVigil(EphemeralPostgres.get().freshDatabase(), Map.of(), clock);
    http = vigil.http;
    String[][] customers = {{"acme", "Asia/Shanghai", "erp"}, {"beta", "UTC", "crm"}, {"delta", "Europe/Berlin", "mes"},
        {"gamma", "America/New_York", "pos"}};
    for (String[] c : customers) {
      assertEquals(201, http.post("/api/v1/customers", new JsonObject().put("id", c[0]).put("tier", "7x24").put("timeZone", c[1]).encode()).status());
      assertEquals(201, http.post("/api/v1/customers/" + c[0] + "/systems", "{\"id\":\"" + c[2] + "\",\"criticality\":\"high\"}").status());
    }
    long a = open("acme", "erp", "P1", "phone");
    long b = open("acme", "erp", "P1", "email");
    long c = open("acme", "erp", "P2", "web");
    long d = open("acme", "erp", "P3", "phone");
    long e = open("acme", "erp", "P2", "email");
    long f = open("acme", "erp", "P4", "phone");
    long g = open("beta", "crm", "P4", "web");
    open("gamma", "pos", "P3", "portal");
    assertEquals("0", vigil.sql(STALE), "facts of new tickets");
    assertEquals("8", vigil.sql("SELECT count(*) FROM ticket_facts"));

    at(Duration.ofMinutes(10));
    ok("/api/v1/tickets/" + a + "/ack", "{}");
    ok("/api/v1/tickets/" + c + "/ack", "{}");
    at(Duration.ofMinutes(20));
    ok("/api/v1/tickets/" + c + "/transition", "{\"to\":\"pending_customer\",\"comment\":\"need the log\"}");
    at(Duration.ofMinutes(30));
    ok("/api/v1/tickets/" + b + "/ack", "{}");
    at(Duration.ofHours(1));
    ok("/api/v1/tickets/" + e + "/regrade", "{\"severity\":\"P1\",\"reason\":\"whole plant\"}");
    ok("/api/v1/tickets/" + g + "/assign", "{\"assignee\":\"li.wei\",\"dispatch\":\"onsite\"}");
    at(Duration.ofMinutes(80));
    ok("/api/v1/tickets/" + c + "/transition", "{\"to\":\"in_progress\"}");
    at(Duration.ofHours(2));
    resolve(a, "remote");
    at(Duration.ofHours(3));
    ok("/api/v1/tickets/" + e + "/ack", "{}");
    at(Duration.ofHours(4));
    ok("/api/v1/tickets/" + b + "/visits", "{\"engineer\":\"li.wei\",\"arrivedAt\":\"" + T0.plus(Duration.ofHours(3))
        + "\",\"departedAt\":\"" + T0.plus(Duration.ofHours(4)) + "\"}");
    at(Duration.ofHours(5));
    resolve(b, "onsite");
    at(Duration.ofHours(6));
    resolve(c, "remote");
    for (long id : new long[] {a, b, c}) ok("/api/v1/tickets/" + id + "/close", "{}");
    answer(a, 5);
    answer(b, 1);
    long review = Long.parseLong(vigil.sql("SELECT id FROM tickets WHERE review_of = " + b));
    at(Duration.ofHours(7));
    ok("/api/v1/tickets/" + f + "/merge", "{\"into\":" + d + "}");
    assertEquals("0", vigil.sql("SELECT count(*) FROM ticket_facts WHERE ticket_id = " + f), "a merged ticket has no facts");
    at(Duration.ofHours(8));
    ok("/api/v1/tickets/" + b + "/reopen", "{\"comment\":\"it came back\"}");
    // Regrading b moves its review (counted under b's severity) with it.
    ok("/api/v1/tickets/" + b + "/regrade", "{\"severity\":\"P2\",\"reason\":\"one line only\"}");
    assertEquals("P2", vigil.sql("SELECT severity FROM ticket_facts WHERE ticket_id = " + review));
    at(Duration.ofHours(9));
    resolve(b, "remote");
    ok("/api/v1/tickets/" + b + "/close", "{}");
    at(Duration.ofDays(4));

    // Known figures (acme's March, in its zone).
    JsonObject march = report("customer=acme&from=2026-03-01&to=2026-04-01");
    JsonObject acme = march.getJsonArray("customers").getJsonObject(0);
    JsonObject all = row(acme, "all");
    assertEquals(5, all.getLong("opened"), "a to e: f is merged, the review is a complaint: " + all.encode());
    assertEquals(3, all.getLong("resolved"));
    assertEquals(20400.0, all.getDouble("mttrMeanSeconds"), "a 2 h, b 9 h (resolved again after the reopen), c 6 h");
    assertTrue(all.getDouble("mttrNetMeanSeconds") < 20400.0, "c's hour pending the customer is subtracted: " + all.encode());
    assertEquals(2, all.getLong("firstContactResolved"), "a and c: b was reopened (and visited): " + all.encode());
    assertEquals(3, all.getLong("surveysSent"), "a, b, c (b's second close keeps its first survey)");
    assertEquals(2, all.getLong("surveysAnswered"));
    assertEquals(3.0, all.getDouble("satisfactionMean"));
    assertEquals(1, all.getLong("lowScores"));
    assertEquals(1, all.getLong("complaints"));
    assertEquals(1, row(acme, "P2").getLong("complaints"), "the review counts under b's severity now, P2");
    assertEquals(2, row(acme, "P1").getLong("opened"), "a, and e regraded from P2");
    assertEquals(2, all.getLong("backlog"), "d and e");

    // Row for row what the statement over tickets (before V21) answers, for a month, an instant period and every customer.
    String before;
    try (InputStream in = getClass().getResourceAsStream("/reports/report-over-tickets.sql")) {
      before = new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
    String[][] periods = {
        {"'acme'", "'2026-02-28T16:00:00Z'", "'2026-03-31T16:00:00Z'"},
        {"'acme'", "'2026-03-02T00:00:00Z'", "'2026-03-02T07:00:00Z'"},
        {"'acme','beta','delta','gamma'", "'2026-03-01T00:00:00Z','2026-03-01T00:00:00Z','2026-03-01T00:00:00Z','2026-03-01T00:00:00Z'",
            "'2026-04-01T00:00:00Z','2026-04-01T00:00:00Z','2026-04-01T00:00:00Z','2026-04-01T00:00:00Z'"}};
    for (String[] p : periods) {
      String expected = run(before, p[0], p[1], p[2]);
      assertFalse(expected.isBlank());
      assertEquals(expected, run(ServiceReports.REPORT, p[0], p[1], p[2]), "the facts answer as the tickets did for " + String.join(" ", p));
    }

    // The migration's backfill writes what the triggers wrote.
    JsonObject every = report("from=2026-03-01&to=2026-04-01");
    assertEquals("8", vigil.sql("SELECT ticket_facts_rebuild()"), "7 tickets and the review (f is merged)");
    assertEquals("0", vigil.sql(STALE));
    assertEquals(march, report("customer=acme&from=2026-03-01&to=2026-04-01"));
    assertEquals(every, report("from=2026-03-01&to=2026-04-01"));

    // Every customer (four: run as two halves on two connections) is each customer's own report.
    JsonArray sections = every.getJsonArray("customers");
    assertEquals(List.of("acme", "beta", "delta", "gamma"), sections.stream().map(o -> ((JsonObject) o).getString("customer")).toList());
    for (Object o : sections) {
      JsonObject section = (JsonObject) o;
      assertEquals(section, report("customer=" + section.getString("customer") + "&from=2026-03-01&to=2026-04-01")
          .getJsonArray("customers").getJsonObject(0));
    }
    assertEquals(1, row(sections.getJsonObject(1), "all").getLong("opened"), "beta");
  }
}
