package io.vigil.server.it;

import static org.junit.jupiter.api.Assertions.*;

import io.vertx.core.json.JsonObject;
import io.vigil.rules.ManualClock;
import io.vigil.server.Config;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * SLA warnings and breaches against a real server and database, with the server's clock moved by
 * hand: each fires exactly once, goes to the live stream, escalates on breach, and a restart (or a
 * server that was down past both, or one killed with SIGKILL between them) neither misses nor
 * repeats one.
 */
class SlaTimersIT {
  private static final Instant T0 = Instant.now().truncatedTo(ChronoUnit.SECONDS);
  private static final Map<String, String> FAST_SCAN = Map.of("VIGIL_SLA_SCAN_INTERVAL", "100ms");
  private final ManualClock clock = new ManualClock(T0);
  private final Config.Database db = EphemeralPostgres.get().freshDatabase();
  private TestVigil vigil;

  @AfterEach
  void stop() throws Exception {
    if (vigil != null) vigil.close();
  }

  private long p1Ticket() throws Exception {
    acme();
    JsonObject t = phoneP1();
    // P1: respond in 15 min, warned at 80% = 12 min.
    assertEquals(T0.plus(Duration.ofMinutes(12)).toString(), t.getJsonObject("sla").getString("respondWarnAt"));
    return t.getLong("id");
  }

  /** Customer acme (7x24, UTC) with system erp. */
  private void acme() throws Exception {
    Http http = vigil.http;
    assertEquals(201, http.post("/api/v1/customers", "{\"id\":\"acme\",\"tier\":\"7x24\",\"timeZone\":\"UTC\"}").status());
    assertEquals(201, http.post("/api/v1/customers/acme/systems", "{\"id\":\"erp\",\"criticality\":\"high\"}").status());
  }

  /** A P1 reported by phone for acme/erp. */
  private JsonObject phoneP1() throws Exception {
    Http.Reply r = vigil.http.post("/api/v1/tickets", "{\"channel\":\"phone\",\"customer\":\"acme\",\"system\":\"erp\",\"severity\":\"P1\","
        + "\"reporter\":\"duty manager\",\"description\":\"payroll is down\"}");
    assertEquals(201, r.status(), r.toString());
    return r.json();
  }

  /** The next {@code sla} message of ticket {@code id} (its payload is the event and the ticket). */
  private static JsonObject sla(Http.Stream ws, long id) throws InterruptedException {
    while (true) {
      JsonObject m = ws.next();
      if ("sla".equals(m.getString("type")) && m.getJsonObject("ticket").getLong("id") == id) return m;
    }
  }

  private long count(long ticket, String kind, String clockName) {
    return Long.parseLong(vigil.sql("SELECT count(*) FROM ticket_events WHERE ticket_id = " + ticket + " AND kind = '" + kind
        + "' AND detail->>'clock' = '" + clockName + "'"));
  }

  @Test
  void warningAndBreachFireOnceEachWithARestartBetweenThem() throws Exception {
    vigil = new TestVigil(db, FAST_SCAN, clock);
    long id = p1Ticket();
    try (Http.Stream ws = vigil.http.stream()) {
      clock.advance(Duration.ofMinutes(12).plusSeconds(1));
      JsonObject warning = sla(ws, id);
      assertEquals("sla_warning", warning.getJsonObject("event").getString("kind"));
      assertEquals("respond", warning.getJsonObject("event").getString("clock"));
      assertEquals(T0.plus(Duration.ofMinutes(15)).toString(), warning.getJsonObject("event").getString("due"));
    }
    assertEquals(1, count(id, "sla_warning", "respond"));

    vigil.stop();
    vigil = new TestVigil(db, FAST_SCAN, clock);
    Thread.sleep(1000); // ten scans after the restart: the warning must not come again
    assertEquals(1, count(id, "sla_warning", "respond"), "a restart does not fire the warning again");
    assertEquals(0, count(id, "sla_breach", "respond"));

    try (Http.Stream ws = vigil.http.stream()) {
      clock.advance(Duration.ofMinutes(3));
      JsonObject breach = sla(ws, id);
      assertEquals("sla_breach", breach.getJsonObject("event").getString("kind"));
      assertEquals(1, breach.getJsonObject("ticket").getJsonObject("sla").getInteger("escalationLevel"));
      assertEquals(clock.instant().toString(), breach.getJsonObject("ticket").getJsonObject("sla").getString("respondBreachedAt"));
    }
    Thread.sleep(500);
    assertEquals(1, count(id, "sla_breach", "respond"));
    assertEquals(1, count(id, "sla_warning", "respond"));
    assertEquals("1", vigil.sql("SELECT escalation_level FROM tickets WHERE id = " + id));
    // The resolve clock is still running: its warning is at 80% of 4 h.
    assertEquals(T0.plus(Duration.ofMinutes(192)).toString(),
        vigil.http.get("/api/v1/tickets/" + id).json().getJsonObject("sla").getString("resolveWarnAt"));
  }

  @Test
  void theWarningAndTheBreachArePagedThroughTheRoutesOnceEach() throws Exception {
    try (WebhookReceiver.Handle receiver = new WebhookReceiver.Handle()) {
      String rules = TestVigil.RULES + """
          route:
            receiver: noc
            routes:
              - matchers: ['alertname=~"TicketSla.*"']
                receiver: duty
          receivers:
            - name: noc
              webhook_configs: [{url: %s}]
            - name: duty
              webhook_configs: [{url: %s}]
          """.formatted(receiver.url("noc"), receiver.url("duty"));
      Map<String, String> env = new java.util.HashMap<>(FAST_SCAN);
      env.put("VIGIL_RULES", TestVigil.rulesFile(rules));
      vigil = new TestVigil(db, env, clock);
      long id = p1Ticket();
      clock.advance(Duration.ofMinutes(12).plusSeconds(1));
      JsonObject warning = Await.until(Duration.ofSeconds(15), "the SLA warning page", () -> duty(receiver, "TicketSlaWarning"));
      JsonObject alert = warning.getJsonArray("alerts").getJsonObject(0);
      assertEquals(String.valueOf(id), alert.getJsonObject("labels").getString("ticket"));
      assertEquals("P1", alert.getJsonObject("labels").getString("severity"));
      assertEquals("acme", alert.getJsonObject("labels").getString("customer"));
      clock.advance(Duration.ofMinutes(3));
      Await.until(Duration.ofSeconds(15), "the SLA breach page", () -> duty(receiver, "TicketSlaBreach"));
      Thread.sleep(1000);
      List<String> names = new java.util.ArrayList<>();
      for (JsonObject r : receiver.received()) {
        if (r.getString("path").equals("/hook/duty")) names.add(alertname(new JsonObject(r.getString("body"))));
      }
      assertEquals(List.of("TicketSlaWarning", "TicketSlaBreach"), names, "each once, to the SLA route's receiver");
    }
  }

  private static String alertname(JsonObject body) {
    return body.getJsonArray("alerts").getJsonObject(0).getJsonObject("labels").getString("alertname");
  }

  private static JsonObject duty(WebhookReceiver.Handle receiver, String alertname) throws Exception {
    for (JsonObject r : receiver.received()) {
      if (!r.getString("path").equals("/hook/duty")) continue;
      JsonObject body = new JsonObject(r.getString("body"));
      if (alertname.equals(alertname(body))) return body;
    }
    return null;
  }

  @Test
  void aServerKilledBetweenTheWarningAndTheBreachFiresTheBreachOnceAndTheWarningNotAgain() throws Exception {
    // Seconds instead of minutes, so a real process on the real clock runs the whole story.
    String file = TestVigil.slaFile(0.5, """
          fast:
            P1: {respond: 10s, resolve: 4h, calendar: 7x24}
            P2: {respond: 1h, resolve: 24h, calendar: 7x24}
            P3: {respond: 4h, resolve: 3bd, calendar: 7x24}
            P4: {respond: 2bd, resolve: 10bd, calendar: 7x24}
        """);
    Map<String, String> env = Map.of("VIGIL_SLA", file, "VIGIL_SLA_SCAN_INTERVAL", "100ms");
    VigilProcess p = new VigilProcess(db, "vigil-sla-kill", env);
    try {
      assertEquals(201, p.http.post("/api/v1/customers", "{\"id\":\"acme\",\"tier\":\"fast\",\"timeZone\":\"UTC\"}").status());
      assertEquals(201, p.http.post("/api/v1/customers/acme/systems", "{\"id\":\"erp\",\"criticality\":\"high\"}").status());
      Http.Reply r = p.http.post("/api/v1/tickets", "{\"channel\":\"phone\",\"customer\":\"acme\",\"system\":\"erp\",\"severity\":\"P1\","
          + "\"reporter\":\"duty manager\",\"description\":\"payroll is down\"}");
      assertEquals(201, r.status(), r.toString());
      long id = r.json().getLong("id");
      Instant respondBy = Instant.parse(r.json().getString("respondBy"));
      Await.until(Duration.ofSeconds(15), "the warning", () -> psqlCount(id, "sla_warning") == 1);
      p.kill();
      assertEquals(0, psqlCount(id, "sla_breach"), "killed before the breach");
      long wait = Duration.between(Instant.now(), respondBy).toMillis() + 500;
      if (wait > 0) Thread.sleep(wait);
      p = new VigilProcess(db, "vigil-sla-kill", env);
      Await.until(Duration.ofSeconds(15), "the breach after the restart", () -> psqlCount(id, "sla_breach") == 1);
      Thread.sleep(500);
      assertEquals(1, psqlCount(id, "sla_warning"), "the warning is not fired again");
      assertEquals(1, psqlCount(id, "sla_breach"), "the breach once");
      assertEquals("1", EphemeralPostgres.get().psql(db.name(), "SELECT escalation_level FROM tickets WHERE id = " + id));
    } finally {
      p.kill();
    }
  }

  private long psqlCount(long ticket, String kind) {
    return Long.parseLong(EphemeralPostgres.get().psql(db.name(), "SELECT count(*) FROM ticket_events WHERE ticket_id = " + ticket
        + " AND kind = '" + kind + "' AND detail->>'clock' = 'respond'"));
  }

  @Test
  void aServerDownPastTheWarningAndTheBreachFiresBothInOrderAfterItsRestart() throws Exception {
    vigil = new TestVigil(db, FAST_SCAN, clock);
    long id = p1Ticket();
    vigil.stop();
    clock.advance(Duration.ofMinutes(20));
    vigil = new TestVigil(db, FAST_SCAN, clock);
    Await.until(Duration.ofSeconds(10), "the breach", () -> count(id, "sla_breach", "respond") == 1 ? true : null);
    assertEquals(1, count(id, "sla_warning", "respond"), "the warning is not lost because the breach came too");
    String order = vigil.sql("SELECT string_agg(kind, ',' ORDER BY id) FROM ticket_events WHERE ticket_id = " + id
        + " AND kind LIKE 'sla_%'");
    assertEquals("sla_warning,sla_breach", order);
    assertTrue(Long.parseLong(vigil.sql("SELECT (detail->>'lateMs')::bigint FROM ticket_events WHERE ticket_id = " + id
        + " AND kind = 'sla_breach'")) >= Duration.ofMinutes(5).toMillis(), "the late firing says how late it is");
  }

  @Test
  void anAcknowledgementStopsTheRespondClockBeforeItsWarning() throws Exception {
    vigil = new TestVigil(db, FAST_SCAN, clock);
    long id = p1Ticket();
    clock.advance(Duration.ofMinutes(5));
    assertEquals(200, vigil.http.post("/api/v1/tickets/" + id + "/ack", "{}").status());
    clock.advance(Duration.ofMinutes(20));
    Thread.sleep(800);
    assertEquals(0, count(id, "sla_warning", "respond"));
    assertEquals(0, count(id, "sla_breach", "respond"));
    assertEquals(T0.plus(Duration.ofMinutes(35)).toString(), at("sla_next_at", id), "next: the update owed 30 min after the response");
    assertEquals(T0.plus(Duration.ofMinutes(192)).toString(), at("resolve_warn_at", id));
  }

  private String at(String column, long id) {
    return vigil.sql("SELECT to_char(" + column + " AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"') FROM tickets WHERE id = " + id);
  }

  private long reminders(long ticket) {
    return Long.parseLong(vigil.sql("SELECT count(*) FROM ticket_events WHERE ticket_id = " + ticket + " AND kind = 'sla_update_due'"));
  }

  @Test
  void anUpdateIsOwedEveryIntervalAfterTheResponseAndAPersonsCommentRestartsIt() throws Exception {
    vigil = new TestVigil(db, FAST_SCAN, clock);
    long id = p1Ticket();
    assertEquals(200, vigil.http.post("/api/v1/tickets/" + id + "/ack", "{}").status());
    JsonObject t = vigil.http.get("/api/v1/tickets/" + id).json();
    assertEquals(T0.plus(Duration.ofMinutes(30)).toString(), t.getJsonObject("sla").getString("updateDueAt"), "P1: update every 30 min");
    try (Http.Stream ws = vigil.http.stream()) {
      clock.advance(Duration.ofMinutes(30).plusSeconds(1));
      JsonObject reminder = sla(ws, id);
      assertEquals("sla_update_due", reminder.getJsonObject("event").getString("kind"));
      assertEquals("update", reminder.getJsonObject("event").getString("clock"));
      assertEquals(0, reminder.getJsonObject("ticket").getJsonObject("sla").getInteger("escalationLevel"), "a reminder is not an escalation");
    }
    assertEquals(1, reminders(id));
    Thread.sleep(500);
    assertEquals(1, reminders(id), "once per interval");
    // Someone updates the customer 10 min later: the next one is owed 30 min after that.
    clock.advance(Duration.ofMinutes(10));
    assertEquals(200, vigil.http.post("/api/v1/tickets/" + id + "/comments", "{\"text\":\"restarted the cluster, watching\"}").status());
    Instant commented = clock.instant();
    assertEquals(commented.plus(Duration.ofMinutes(30)).toString(),
        vigil.http.get("/api/v1/tickets/" + id).json().getJsonObject("sla").getString("updateDueAt"));
    clock.advance(Duration.ofMinutes(25));
    Thread.sleep(500);
    assertEquals(1, reminders(id), "the comment was an update");
    vigil.stop();
    clock.advance(Duration.ofMinutes(10));
    vigil = new TestVigil(db, FAST_SCAN, clock);
    Await.until(Duration.ofSeconds(10), "the reminder owed while the server was down", () -> reminders(id) == 2);
  }

  @Test
  void theEndOfAgreedMaintenanceShowsOnTheTicketWithoutAnyChangeToIt() throws Exception {
    Instant monday10 = Instant.parse("2026-12-07T10:00:00Z");
    ManualClock at = new ManualClock(monday10);
    vigil = new TestVigil(db, FAST_SCAN, at);
    Http http = vigil.http;
    acme();
    assertEquals(201, http.post("/api/v1/maintenance-windows", "{\"customer\":\"acme\",\"system\":\"erp\",\"days\":[\"mon\"],"
        + "\"start\":\"10:30\",\"end\":\"11:00\",\"timeZone\":\"UTC\",\"comment\":\"db failover drill\"}").status());
    long id = phoneP1().getLong("id");
    at.advance(Duration.ofMinutes(31));
    Await.until(Duration.ofSeconds(10), "the window's start on the ticket", () ->
        "maintenance".equals(http.get("/api/v1/tickets/" + id).json().getJsonObject("sla").getString("pausedFor")));
    assertEquals("2026-12-07T10:30:00Z", http.get("/api/v1/tickets/" + id).json().getJsonObject("sla").getString("pausedSince"));
    at.advance(Duration.ofMinutes(30));
    JsonObject after = Await.until(Duration.ofSeconds(10), "the window's end on the ticket", () -> {
      JsonObject s = http.get("/api/v1/tickets/" + id).json().getJsonObject("sla");
      return s.getString("pausedFor") == null ? s : null;
    });
    assertNull(after.getString("pausedSince"));
    assertEquals(Duration.ofMinutes(30).toMillis(), after.getLong("pausedMs"), "the whole window, counted when it ended");
    assertEquals("2026-12-07T14:30:00Z", http.get("/api/v1/tickets/" + id).json().getString("resolveBy"), "4 h + the 30 min window");
    assertEquals(0, Long.parseLong(vigil.sql("SELECT count(*) FROM ticket_events WHERE ticket_id = " + id + " AND actor <> 'vigil' AND kind <> 'opened'")),
        "nobody touched the ticket");
  }

  @Test
  void agreedMaintenancePausesBothClocksAndRemovingTheWindowBringsTheDuesBack() throws Exception {
    // A Monday 10:00 UTC, inside the customer's Monday 09:30-11:00 window.
    Instant monday10 = Instant.parse("2026-12-07T10:00:00Z");
    ManualClock at = new ManualClock(monday10);
    vigil = new TestVigil(db, FAST_SCAN, at);
    Http http = vigil.http;
    acme();
    Http.Reply w = http.post("/api/v1/maintenance-windows", "{\"customer\":\"acme\",\"days\":[\"mon\"],\"start\":\"09:30\",\"end\":\"11:00\","
        + "\"timeZone\":\"UTC\",\"comment\":\"monthly patching\"}");
    assertEquals(201, w.status(), w.toString());
    JsonObject t = phoneP1();
    long id = t.getLong("id");
    assertEquals("2026-12-07T11:15:00Z", t.getString("respondBy"), "the clock starts when the maintenance ends");
    assertEquals("2026-12-07T15:00:00Z", t.getString("resolveBy"));
    assertEquals("maintenance", t.getJsonObject("sla").getString("pausedFor"));
    assertEquals("2026-12-07T10:00:00Z", t.getJsonObject("sla").getString("pausedSince"), "paused since the opening, inside the window");
    at.advance(Duration.ofMinutes(30));
    JsonObject commented = http.post("/api/v1/tickets/" + id + "/comments", "{\"text\":\"waiting for the window to end\"}").json();
    assertEquals(Duration.ofMinutes(30).toMillis(), commented.getJsonObject("sla").getLong("pausedMs"), "paused time as of the change");
    assertEquals(204, http.delete("/api/v1/maintenance-windows/" + w.json().getString("id")).status());
    Await.until(Duration.ofSeconds(10), "the dues without the window", () ->
        "2026-12-07T10:15:00Z".equals(http.get("/api/v1/tickets/" + id).json().getString("respondBy")));
    // Without the window it is 10:30 now: past the respond warning and due, which fire in order.
    Await.until(Duration.ofSeconds(10), "warning and breach", () -> count(id, "sla_breach", "respond") == 1);
    assertEquals(1, count(id, "sla_warning", "respond"));
  }
}
