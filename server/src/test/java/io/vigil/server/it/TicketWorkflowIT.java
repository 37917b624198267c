package io.vigil.server.it;

import static io.vigil.server.it.Http.sample;
import static org.junit.jupiter.api.Assertions.*;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vigil.rules.ManualClock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The ticket workflow through the real API: manual tickets, every state, dispatch, visits, pauses, regrade, link, merge, timeline. */
class TicketWorkflowIT {
  private static final Instant T0 = Instant.now().truncatedTo(ChronoUnit.SECONDS);
  private TestVigil vigil;
  private Http http;
  private ManualClock clock;

  private void start(Map<String, String> env) throws Exception {
    clock = new ManualClock(T0);
    vigil = new TestVigil(EphemeralPostgres.get().freshDatabase(), env, clock);
    http = vigil.http;
  }

  @AfterEach
  void stop() throws Exception {
    if (vigil != null) vigil.close();
  }

  private void customer(String id, String tier, String zone, String system) throws Exception {
    assertEquals(201, http.post("/api/v1/customers", "{\"id\":\"" + id + "\",\"tier\":\"" + tier + "\",\"timeZone\":\"" + zone + "\"}").status());
    assertEquals(201, http.post("/api/v1/customers/" + id + "/systems", "{\"id\":\"" + system + "\",\"criticality\":\"high\"}").status());
  }

  private JsonObject phoneTicket(String severity) throws Exception {
    Http.Reply r = http.post("/api/v1/tickets", "{\"channel\":\"phone\",\"customer\":\"acme\",\"system\":\"erp\",\"severity\":\"" + severity
        + "\",\"reporter\":\"Zhang San (finance)\",\"description\":\"ERP 登录失败，提示会话超时\\nsince 09:10, all users\"}");
    assertEquals(201, r.status(), r.toString());
    return r.json();
  }

  private JsonObject post(String path, String body) throws Exception {
    Http.Reply r = http.post(path, body);
    assertEquals(200, r.status(), path + " " + body + " -> " + r);
    return r.json();
  }

  private List<String> kinds(long ticket) throws Exception {
    JsonArray timeline = http.get("/api/v1/tickets/" + ticket + "/timeline").json().getJsonArray("timeline");
    List<String> out = new ArrayList<>();
    for (int i = 0; i < timeline.size(); i++) out.add(timeline.getJsonObject(i).getString("kind"));
    return out;
  }

  @Test
  void aPhoneReportRunsTheWholeLifecycleAndEveryStepIsOnTheTimeline() throws Exception {
    start(Map.of());
    customer("acme", "7x24", "Asia/Shanghai", "erp");
    JsonObject t = phoneTicket("P2");
    long id = t.getLong("id");
    assertEquals("open", t.getString("state"));
    assertEquals("phone", t.getString("channel"));
    assertEquals("Zhang San (finance)", t.getString("reporter"));
    assertEquals("ERP 登录失败，提示会话超时", t.getString("summary"), "summary defaults to the description's first line");
    assertEquals(T0.plus(Duration.ofHours(1)).toString(), t.getString("respondBy"));
    assertEquals(T0.plus(Duration.ofHours(24)).toString(), t.getString("resolveBy"));
    assertEquals("7x24", t.getJsonObject("sla").getString("tier"));

    clock.advance(Duration.ofMinutes(5));
    JsonObject acked = post("/api/v1/tickets/" + id + "/ack", "{}");
    assertEquals("acknowledged", acked.getString("state"));
    assertEquals(T0.plus(Duration.ofMinutes(5)).toString(), acked.getString("respondedAt"));
    JsonObject assigned = post("/api/v1/tickets/" + id + "/assign", "{\"assignee\":\"li.wei\",\"group\":\"onsite-beijing\",\"dispatch\":\"onsite\"}");
    assertEquals("li.wei", assigned.getString("assignee"));
    assertEquals("onsite", assigned.getString("dispatch"));
    assertEquals("in_progress", post("/api/v1/tickets/" + id + "/transition", "{\"to\":\"in_progress\"}").getString("state"));
    post("/api/v1/tickets/" + id + "/visits", "{\"engineer\":\"li.wei\",\"arrivedAt\":\"" + T0.plus(Duration.ofMinutes(50))
        + "\",\"departedAt\":\"" + T0.plus(Duration.ofMinutes(110)) + "\",\"note\":\"replaced the session cache node\"}");
    JsonObject vendor = post("/api/v1/tickets/" + id + "/transition", "{\"to\":\"pending_vendor\",\"comment\":\"waiting on the DB vendor's patch\"}");
    assertEquals("pending_vendor", vendor.getString("state"));
    assertNull(vendor.getJsonObject("sla").getString("pausedFor"), "waiting on a vendor does not stop the clock");
    assertEquals("in_progress", post("/api/v1/tickets/" + id + "/transition", "{\"to\":\"in_progress\"}").getString("state"));
    post("/api/v1/tickets/" + id + "/comments", "{\"text\":\"patch applied\"}");

    Http.Reply noKind = http.post("/api/v1/tickets/" + id + "/resolve", "{\"cause\":\"expired cache\",\"fix\":\"rebuilt\",\"prevention\":\"monitor it\"}");
    assertEquals(400, noKind.status());
    assertEquals("kind", noKind.json().getString("field"));
    Http.Reply badKind = http.post("/api/v1/tickets/" + id + "/resolve",
        "{\"cause\":\"c\",\"fix\":\"f\",\"prevention\":\"p\",\"kind\":\"magic\"}");
    assertEquals(400, badKind.status());
    assertTrue(badKind.json().getString("error").contains("no_fault_found"), badKind.toString());
    JsonObject resolved = post("/api/v1/tickets/" + id + "/resolve",
        "{\"cause\":\"会话缓存过期\",\"fix\":\"rebuilt the cache node\",\"prevention\":\"cache TTL alarm\",\"kind\":\"onsite\"}");
    assertEquals("resolved", resolved.getString("state"));
    assertEquals("onsite", resolved.getJsonObject("resolution").getString("kind"));
    assertEquals("closed", post("/api/v1/tickets/" + id + "/close", "{}").getString("state"));
    JsonObject reopened = post("/api/v1/tickets/" + id + "/reopen", "{\"comment\":\"the customer called again\"}");
    assertEquals("reopened", reopened.getString("state"));
    assertNull(reopened.getString("closedAt"));

    assertEquals(List.of("opened", "acknowledged", "assigned", "in_progress", "visit_recorded", "pending_vendor", "in_progress",
        "comment", "resolved", "closed", "reopened", "visit_arrived", "visit_departed"), withoutVisits(kinds(id)),
        "ticket events in order (visits are placed at their own times: checked below)");
    List<String> all = kinds(id);
    assertTrue(all.indexOf("visit_arrived") < all.indexOf("visit_departed"), all.toString());
  }

  /** The visit entries sit at the visit's times (T0+50m, T0+110m), after everything done at T0+5m; moved last to compare the rest. */
  private static List<String> withoutVisits(List<String> kinds) {
    List<String> out = new ArrayList<>(kinds);
    out.remove("visit_arrived");
    out.remove("visit_departed");
    out.add("visit_arrived");
    out.add("visit_departed");
    return out;
  }

  @Test
  void badReportsAre400NamingTheFieldAndStoreNothing() throws Exception {
    start(Map.of());
    customer("acme", "7x24", "UTC", "erp");
    String[][] cases = {
        {"{\"channel\":\"phone\",\"customer\":\"nobody\",\"system\":\"erp\",\"severity\":\"P2\",\"reporter\":\"x\",\"description\":\"d\"}", "customer"},
        {"{\"channel\":\"phone\",\"customer\":\"acme\",\"system\":\"crm\",\"severity\":\"P2\",\"reporter\":\"x\",\"description\":\"d\"}", "system"},
        {"{\"channel\":\"fax\",\"customer\":\"acme\",\"system\":\"erp\",\"severity\":\"P2\",\"reporter\":\"x\",\"description\":\"d\"}", "channel"},
        {"{\"channel\":\"phone\",\"customer\":\"acme\",\"system\":\"erp\",\"severity\":\"P9\",\"reporter\":\"x\",\"description\":\"d\"}", "severity"},
        {"{\"channel\":\"phone\",\"customer\":\"acme\",\"system\":\"erp\",\"severity\":\"P2\",\"description\":\"d\"}", "reporter"},
        {"{\"channel\":\"phone\",\"customer\":\"acme\",\"system\":\"erp\",\"severity\":\"P2\",\"reporter\":\"x\",\"description\":\"d\",\"prio\":1}", "prio"},
    };
    for (String[] c : cases) {
      Http.Reply r = http.post("/api/v1/tickets", c[0]);
      assertEquals(400, r.status(), c[0] + " -> " + r);
      assertEquals(c[1], r.json().getString("field"), r.toString());
    }
    assertEquals(415, http.post("/api/v1/tickets", "text/plain", "x".getBytes()).status());
    assertEquals(0, vigil.count("tickets"));
    assertEquals(404, http.post("/api/v1/tickets/999/ack", "{}").status());
    assertEquals(403, http.as(viewerToken()).post("/api/v1/tickets", cases[0][0]).status(), "a viewer cannot open tickets");
  }

  private String viewerToken() throws Exception {
    return http.post("/api/v1/tokens", "{\"name\":\"wall\",\"role\":\"viewer\"}").json().getString("token");
  }

  @Test
  void waitingOnTheCustomerPausesBothClocksAndTheDueMovesByThePausedTime() throws Exception {
    start(Map.of());
    customer("acme", "7x24", "UTC", "erp");
    long id = phoneTicket("P2").getLong("id");
    clock.advance(Duration.ofMinutes(10));
    JsonObject paused = post("/api/v1/tickets/" + id + "/transition", "{\"to\":\"pending_customer\",\"comment\":\"need the error log\"}");
    assertEquals("pending_customer", paused.getJsonObject("sla").getString("pausedFor"));
    assertEquals(T0.plus(Duration.ofMinutes(10)).toString(), paused.getJsonObject("sla").getString("pausedSince"));
    assertNull(paused.getString("resolveBy"), "no resolve-by while the clock is stopped");
    assertEquals(T0.plus(Duration.ofMinutes(10)).toString(), paused.getString("respondedAt"), "asking the customer is a response");

    clock.advance(Duration.ofMinutes(30));
    JsonObject resumed = post("/api/v1/tickets/" + id + "/transition", "{\"to\":\"in_progress\"}");
    assertNull(resumed.getJsonObject("sla").getString("pausedFor"));
    assertNull(resumed.getJsonObject("sla").getString("pausedSince"));
    assertEquals(T0.plus(Duration.ofHours(24)).plus(Duration.ofMinutes(30)).toString(), resumed.getString("resolveBy"));
    assertEquals(Duration.ofMinutes(30).toMillis(), resumed.getJsonObject("sla").getLong("pausedMs"));
  }

  @Test
  void aPolicyThatDoesNotPauseOnTheCustomerKeepsTheClockRunningAndItsOwnWarningFraction() throws Exception {
    String file = TestVigil.slaFile(0.5, """
          strict:
            P1: {respond: 15m, resolve: 4h, calendar: 7x24}
            P2: {respond: 1h, resolve: 8h, calendar: 7x24, pause_on_pending_customer: false}
            P3: {respond: 4h, resolve: 3bd, calendar: 7x24}
            P4: {respond: 2bd, resolve: 10bd, calendar: 7x24}
        """);
    start(Map.of("VIGIL_SLA", file));
    customer("acme", "strict", "UTC", "erp");
    JsonObject t = phoneTicket("P2");
    long id = t.getLong("id");
    assertEquals(T0.plus(Duration.ofMinutes(30)).toString(), t.getJsonObject("sla").getString("respondWarnAt"), "warn_at 0.5 of 1 h");
    assertEquals(T0.plus(Duration.ofHours(4)).toString(), t.getJsonObject("sla").getString("resolveWarnAt"), "0.5 of the tier's 8 h");
    clock.advance(Duration.ofMinutes(10));
    JsonObject waiting = post("/api/v1/tickets/" + id + "/transition", "{\"to\":\"pending_customer\",\"comment\":\"need the error log\"}");
    assertEquals("pending_customer", waiting.getString("state"));
    assertNull(waiting.getJsonObject("sla").getString("pausedFor"), "this policy does not stop the clock for the customer");
    assertEquals(T0.plus(Duration.ofHours(8)).toString(), waiting.getString("resolveBy"));
    clock.advance(Duration.ofHours(2));
    JsonObject resumed = post("/api/v1/tickets/" + id + "/transition", "{\"to\":\"in_progress\"}");
    assertEquals(T0.plus(Duration.ofHours(8)).toString(), resumed.getString("resolveBy"), "the 2 h waiting counted");
    assertEquals(0, resumed.getJsonObject("sla").getLong("pausedMs"));
  }

  @Test
  void aRegradeRecomputesTheDuesFromTheOpeningAndIsLoggedWithItsReason() throws Exception {
    start(Map.of());
    customer("acme", "7x24", "UTC", "erp");
    long id = phoneTicket("P3").getLong("id");
    clock.advance(Duration.ofMinutes(3));
    assertEquals(400, http.post("/api/v1/tickets/" + id + "/regrade", "{\"severity\":\"P1\"}").status(), "a reason is required");
    assertEquals(400, http.post("/api/v1/tickets/" + id + "/regrade", "{\"severity\":\"P3\",\"reason\":\"same\"}").status());
    JsonObject p1 = post("/api/v1/tickets/" + id + "/regrade", "{\"severity\":\"P1\",\"reason\":\"whole finance department stopped\"}");
    assertEquals("P1", p1.getString("severity"));
    assertEquals(T0.plus(Duration.ofMinutes(15)).toString(), p1.getString("respondBy"));
    assertEquals(T0.plus(Duration.ofHours(4)).toString(), p1.getString("resolveBy"));
    JsonArray events = http.get("/api/v1/tickets/" + id + "/events").json().getJsonArray("events");
    JsonObject regraded = events.getJsonObject(events.size() - 1);
    assertEquals("regraded", regraded.getString("kind"));
    assertEquals("P3", regraded.getJsonObject("detail").getString("from"));
    assertEquals("whole finance department stopped", regraded.getJsonObject("detail").getString("reason"));
    assertNotEquals("vigil", regraded.getString("actor"), "a person's regrade is logged with that person");
  }

  @Test
  void aReopenContinuesTheResolveClockWhereTheResolutionStoppedIt() throws Exception {
    start(Map.of());
    customer("acme", "7x24", "UTC", "erp");
    long id = phoneTicket("P2").getLong("id");
    clock.advance(Duration.ofHours(2));
    post("/api/v1/tickets/" + id + "/resolve", "{\"cause\":\"c\",\"fix\":\"f\",\"prevention\":\"p\",\"kind\":\"remote\"}");
    clock.advance(Duration.ofHours(3));
    JsonObject reopened = post("/api/v1/tickets/" + id + "/reopen", "{}");
    assertEquals(T0.plus(Duration.ofHours(24 + 3)).toString(), reopened.getString("resolveBy"), "the 3 h it stood resolved do not count");
    assertEquals(T0.toString(), reopened.getString("openedAt"));
  }

  @Test
  void businessHoursCountOnTheCustomersCalendar() throws Exception {
    // Friday 17:00 in Shanghai; 5x8 is Mon–Fri 09:00–18:00: a P3's 4 h response is 1 h on Friday + 3 h on Monday.
    ZonedDateTime friday = ZonedDateTime.of(2026, 12, 4, 17, 0, 0, 0, ZoneId.of("Asia/Shanghai"));
    clock = null;
    vigil = new TestVigil(EphemeralPostgres.get().freshDatabase(), Map.of(), new ManualClock(friday.toInstant()));
    http = vigil.http;
    customer("acme", "5x8", "Asia/Shanghai", "erp");
    JsonObject t = phoneTicket("P3");
    assertEquals(friday.plusDays(3).withHour(12).toInstant().toString(), t.getString("respondBy"));
    assertEquals("5x8", t.getJsonObject("sla").getString("tier"));
    JsonObject p1 = phoneTicket("P1");
    assertEquals(friday.plusMinutes(15).toInstant().toString(), p1.getString("respondBy"), "P1 runs 7×24 on every tier");
  }

  @Test
  void faultsAreLinkedAndADuplicateIsMergedIntoTheIncident() throws Exception {
    start(Map.of());
    customer("acme", "7x24", "UTC", "erp");
    assertEquals(204, http.ingest(sample("up", "acme", "erp", "db1", 0)).status());
    assertEquals(204, http.ingest(sample("up", "acme", "erp", "db2", 0)).status());
    JsonArray tickets = Await.until(Duration.ofSeconds(10), "two tickets", () -> {
      JsonArray l = http.get("/api/v1/tickets").json().getJsonArray("tickets");
      return l.size() == 2 ? l : null;
    });
    // Both faults fire at the same instant (the clock is manual), in either order: the duplicate is
    // db2's ticket by its host, not by its place in the list.
    assertEquals(2, tickets.size());
    long newer = Long.parseLong(vigil.sql("SELECT ticket_id FROM faults WHERE labels->>'host' = 'db2'"));
    long older = Long.parseLong(vigil.sql("SELECT ticket_id FROM faults WHERE labels->>'host' = 'db1'"));
    long newerFault = Long.parseLong(vigil.sql("SELECT id FROM faults WHERE labels->>'host' = 'db2'"));

    Http.Reply self = http.post("/api/v1/tickets/" + older + "/merge", "{\"into\":" + older + "}");
    assertEquals(400, self.status());
    assertEquals(400, http.post("/api/v1/tickets/" + older + "/faults", "{\"faultId\":987654}").status());
    // One incident, many symptoms: a fault linked by hand is listed on the ticket and on its timeline;
    // it keeps the ticket it had (the merge below moves it). Linking it twice adds nothing.
    assertEquals(200, http.post("/api/v1/tickets/" + older + "/faults", "{\"faultId\":" + newerFault + "}").status());
    assertEquals(200, http.post("/api/v1/tickets/" + older + "/faults", "{\"faultId\":" + newerFault + "}").status());
    assertEquals("1", vigil.sql("SELECT count(*) FROM ticket_faults WHERE ticket_id = " + older + " AND fault_id = " + newerFault));
    assertEquals(String.valueOf(newer), vigil.sql("SELECT ticket_id FROM faults WHERE id = " + newerFault));
    assertTrue(kinds(older).contains("fault_linked"), kinds(older).toString());
    JsonObject merged = post("/api/v1/tickets/" + newer + "/merge", "{\"into\":" + older + "}");
    assertEquals("closed", merged.getString("state"));
    assertEquals(older, merged.getLong("mergedInto"));
    assertEquals(String.valueOf(older), vigil.sql("SELECT ticket_id FROM faults WHERE id = " + newerFault));
    assertEquals("2", vigil.sql("SELECT count(*) FROM ticket_faults WHERE ticket_id = " + older));
    List<String> kinds = kinds(older);
    assertEquals(2, kinds.stream().filter("fault_firing"::equals).count(), kinds.toString());
    assertTrue(kinds.contains("merged_from"), kinds.toString());
    assertEquals(409, http.post("/api/v1/tickets/" + older + "/merge", "{\"into\":" + newer + "}").status(), "not into a closed ticket");

    // The duplicate's host recovers and fails again while the incident is still in work: the new
    // fault joins the incident, no third ticket.
    assertEquals(204, http.ingest(sample("up", "acme", "erp", "db2", 1)).status());
    assertEquals(204, http.ingest(sample("up", "acme", "erp", "db2", 0)).status());
    Await.until(Duration.ofSeconds(10), "the fault fired again", () -> "2".equals(vigil.sql(
        "SELECT count(*) FROM faults WHERE labels->>'host' = 'db2'")) && !"".equals(vigil.sql(
        "SELECT coalesce(max(ticket_id)::text, '') FROM faults WHERE labels->>'host' = 'db2' AND state = 'firing'")));
    assertEquals("2", vigil.sql("SELECT count(*) FROM tickets"));
    assertEquals(String.valueOf(older), vigil.sql("SELECT ticket_id FROM faults WHERE labels->>'host' = 'db2' AND state = 'firing'"));
    assertEquals(2, kinds(older).stream().filter("fault_linked"::equals).count(), "by hand, then the refired duplicate: " + kinds(older));
  }
}
