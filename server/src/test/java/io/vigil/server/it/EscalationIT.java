package io.vigil.server.it;

import static org.junit.jupiter.api.Assertions.*;

import io.vertx.core.json.JsonObject;
import io.vigil.rules.ManualClock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Escalation chains through the real server with an injected clock (issue 12): nobody acknowledges →
 * step 2 → step 3; an acknowledgement between steps stops the chain; the chain's progress is on the
 * ticket's timeline; who is on call answers from the same schedules.
 */
class EscalationIT {
  /** Sunday 6 December 2026, 10:00 in Shanghai: zhang's week on the primary, li's on the secondary. */
  static final Instant T0 = Instant.parse("2026-12-06T02:00:00Z");
  private WebhookReceiver.Handle receiver;
  private TestVigil vigil;
  private ManualClock clock;

  static String rules(WebhookReceiver.Handle r) {
    return TestVigil.RULES + """
        route:
          receiver: noc
        receivers:
          - name: noc
            webhook_configs: [{url: %s}]
          - name: sms-zhang
            webhook_configs: [{url: %s, format: vigil}]
          - name: sms-li
            webhook_configs: [{url: %s, format: vigil}]
          - name: sms-chen
            webhook_configs: [{url: %s, format: vigil}]
        people:
          - {id: zhang, name: 张伟, phone: "+86 138 0000 0001", receiver: sms-zhang}
          - {id: li, name: 李娜, phone: "+86 138 0000 0002", receiver: sms-li}
          - {id: chen, name: 陈静, phone: "+86 138 0000 0009", receiver: sms-chen}
        schedules:
          - name: primary
            zone: Asia/Shanghai
            layers:
              - {people: [zhang, li], rotation: weekly, handoff_day: monday, handoff: "09:00", start: 2026-11-30T09:00}
            overrides:
              - {person: chen, from: 2026-12-24T09:00, to: 2026-12-26T09:00, note: Christmas cover}
          - name: secondary
            zone: Asia/Shanghai
            layers:
              - {people: [li, zhang], rotation: weekly, start: 2026-11-30T09:00}
        escalations:
          - name: p1
            severities: [P1]
            steps:
              - {schedule: primary, wait: 5m}
              - {schedule: secondary, wait: 10m}
              - {person: chen, wait: 15m}
        """.formatted(r.url("noc"), r.url("zhang"), r.url("li"), r.url("chen"));
  }

  @BeforeEach
  void start() throws Exception {
    receiver = new WebhookReceiver.Handle();
    clock = new ManualClock(T0);
    vigil = new TestVigil(EphemeralPostgres.get().freshDatabase(), Map.of("VIGIL_RULES", TestVigil.rulesFile(rules(receiver))), clock);
    SilenceIT.inventory(vigil.http, "acme", "erp");
  }

  @AfterEach
  void stop() throws Exception {
    if (vigil != null) vigil.close();
    if (receiver != null) receiver.close();
  }

  private long hotlineP1() throws Exception {
    Http.Reply r = vigil.http.post("/api/v1/tickets", new JsonObject().put("channel", "phone").put("customer", "acme").put("system", "erp")
        .put("severity", "P1").put("reporter", "王经理").put("description", "ERP login fails for every user").encode());
    assertEquals(201, r.status(), r.toString());
    return r.json().getLong("id");
  }

  private List<String> paths() throws Exception {
    return receiver.received().stream().map(j -> j.getString("path")).toList();
  }

  private List<String> timelineKinds(long ticket) throws Exception {
    return vigil.http.get("/api/v1/tickets/" + ticket + "/timeline").json().getJsonArray("timeline").stream()
        .map(o -> ((JsonObject) o).getString("kind")).filter(k -> k.startsWith("escalation")).toList();
  }

  @Test
  void withoutAnAcknowledgementTheChainGoesToTheSecondaryThenTheServiceManager() throws Exception {
    long ticket = hotlineP1();
    JsonObject first = Await.until(Duration.ofSeconds(15), "step 1: the primary on call (zhang)", () -> receiver.received().stream()
        .filter(j -> j.getString("path").equals("/hook/zhang")).findFirst().orElse(null));
    JsonObject page = new JsonObject(first.getString("body"));
    assertEquals("escalation", page.getString("kind"));
    assertEquals(1, page.getInteger("step"));
    assertEquals("zhang", page.getJsonObject("person").getString("id"));
    assertEquals(ticket, page.getJsonObject("ticket").getLong("id"));
    assertTrue(page.getJsonObject("ticket").getString("ackUrl").contains("/ack/"), page.encode());
    assertTrue(paths().contains("/hook/noc"), "the hotline ticket itself went to the route's receiver: " + paths());
    Thread.sleep(1500);
    assertFalse(paths().contains("/hook/li"), "step 2 waits for its 5 minutes");

    clock.advance(Duration.ofMinutes(5));
    Await.until(Duration.ofSeconds(15), "step 2: the secondary (li)", () -> paths().contains("/hook/li"));
    assertFalse(paths().contains("/hook/chen"));
    clock.advance(Duration.ofMinutes(10));
    Await.until(Duration.ofSeconds(15), "step 3: the service manager (chen)", () -> paths().contains("/hook/chen"));
    Await.until(Duration.ofSeconds(10), "the chain's end on the timeline",
        () -> timelineKinds(ticket).contains("escalation_exhausted"));
    assertEquals(List.of("escalation_started", "escalation_step", "escalation_step", "escalation_step", "escalation_exhausted"),
        timelineKinds(ticket));
    assertEquals(1, paths().stream().filter("/hook/zhang"::equals).count(), "each step pages once");
  }

  @Test
  void anAcknowledgementBetweenStepsStopsTheChain() throws Exception {
    long ticket = hotlineP1();
    Await.until(Duration.ofSeconds(15), "step 1", () -> paths().contains("/hook/zhang"));
    clock.advance(Duration.ofMinutes(2));
    assertEquals(200, vigil.http.post("/api/v1/tickets/" + ticket + "/ack", "{}").status());
    Await.until(Duration.ofSeconds(10), "the chain stopped", () -> timelineKinds(ticket).contains("escalation_stopped"));
    clock.advance(Duration.ofMinutes(30));
    Thread.sleep(2500); // several scans at the new time
    assertFalse(paths().contains("/hook/li"), "no step after the acknowledgement: " + paths());
    assertFalse(paths().contains("/hook/chen"));
    JsonObject stopped = vigil.http.get("/api/v1/tickets/" + ticket + "/timeline").json().getJsonArray("timeline").stream()
        .map(o -> (JsonObject) o).filter(j -> j.getString("kind").equals("escalation_stopped")).findFirst().orElseThrow();
    assertTrue(stopped.getJsonObject("detail").getString("reason").startsWith("acknowledged"), stopped.encode());
  }

  @Test
  void whoIsOnCallAndTheCalendarComeFromTheSameSchedules() throws Exception {
    JsonObject now = vigil.http.get("/api/v1/oncall/now?schedule=primary").json();
    assertEquals("zhang", now.getJsonObject("onCall").getJsonObject("person").getString("id"));
    assertEquals("张伟", now.getJsonObject("onCall").getJsonObject("person").getString("name"));
    assertEquals("2026-12-07T01:00:00Z", now.getJsonObject("onCall").getString("end"), "the Monday 09:00 Shanghai handoff");
    JsonObject christmas = vigil.http.get("/api/v1/oncall/now?schedule=primary&at=2026-12-25T12:00:00%2B08:00").json();
    assertEquals("chen", christmas.getJsonObject("onCall").getJsonObject("person").getString("id"), "the override");
    assertEquals("override", christmas.getJsonObject("onCall").getString("source"));
    assertEquals(404, vigil.http.get("/api/v1/oncall/now?schedule=tertiary").status());
    assertEquals(400, vigil.http.get("/api/v1/oncall/now").status());
    assertEquals(400, vigil.http.get("/api/v1/oncall/now?schedule=primary&at=tomorrow").status());

    Http.Reply ical = vigil.http.get("/api/v1/oncall/schedules/primary/ical?from=2026-12-01T00:00:00Z&to=2026-12-29T00:00:00Z");
    assertEquals(200, ical.status());
    assertTrue(ical.header("Content-Type").startsWith("text/calendar"), ical.header("Content-Type"));
    String body = ical.raw().body();
    assertTrue(body.startsWith("BEGIN:VCALENDAR\r\n"), body);
    assertTrue(body.contains("SUMMARY:On call: 张伟"), body);
    assertTrue(body.contains("DTSTART:20261224T010000Z"), "the override's start is an event boundary: " + body);
    assertTrue(body.contains("SUMMARY:On call: 陈静"), body);
  }
}
