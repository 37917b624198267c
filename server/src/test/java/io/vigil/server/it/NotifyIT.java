package io.vigil.server.it;

import static io.vigil.server.it.Http.sample;
import static org.junit.jupiter.api.Assertions.*;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Notifications through the real server to a real receiver process (issue 12): what arrives, in
 * which order, with which body, signature and idempotency key, while the receiver fails, hangs,
 * refuses and comes back.
 */
class NotifyIT {
  static final String SECRET = "s3cret-for-the-pager";
  private WebhookReceiver.Handle receiver;
  private TestVigil vigil;

  /** The test rules plus a route to the receiver: Alertmanager body, signed, fast retries. */
  static String rules(WebhookReceiver.Handle receiver, String format) {
    return TestVigil.RULES + """
        notify:
          retry_base: 200ms
          retry_cap: 1s
          external_url: http://vigil.example
        route:
          receiver: pager
          group_by: [alertname, customer, system]
          group_interval: 1s
          routes:
            - matchers: ['alertname="NotificationsDeadLettered"']
              receiver: noc
        receivers:
          - name: pager
            webhook_configs:
              - url: %s
                format: %s
                hmac_secret: %s
                timeout: 1s
                headers: {X-Team: noc}
          - name: noc
            webhook_configs:
              - url: %s
        """.formatted(receiver.url("pager"), format, SECRET, receiver.url("noc"));
  }

  @BeforeEach
  void start() throws Exception {
    receiver = new WebhookReceiver.Handle();
  }

  @AfterEach
  void stop() throws Exception {
    if (vigil != null) vigil.close();
    if (receiver != null) receiver.close();
  }

  private void startVigil(String format) throws Exception {
    vigil = new TestVigil(Map.of("VIGIL_RULES", TestVigil.rulesFile(rules(receiver, format))));
  }

  static String signature(String secret, String timestamp, String body) throws Exception {
    Mac mac = Mac.getInstance("HmacSHA256");
    mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
    return "t=" + timestamp + ",v1=" + HexFormat.of().formatHex(mac.doFinal((timestamp + "." + body).getBytes(StandardCharsets.UTF_8)));
  }

  private List<JsonObject> pager(String mode) throws Exception {
    return receiver.received().stream().filter(r -> r.getString("path").equals("/hook/pager") && (mode == null || r.getString("mode").equals(mode)))
        .toList();
  }

  @Test
  void p1FaultPagesOnceInAlertmanagersShapeSignedWithAStableKeyThenResolves() throws Exception {
    startVigil("alertmanager");
    assertEquals(204, vigil.http.ingest(sample("up", "acme", "erp", "db1", 0)).status());
    JsonObject firing = Await.until(Duration.ofSeconds(15), "the page for SystemDown", () -> pager("ok").stream().findFirst().orElse(null));
    JsonObject body = new JsonObject(firing.getString("body"));
    assertEquals("4", body.getString("version"));
    assertEquals("firing", body.getString("status"));
    assertEquals("pager", body.getString("receiver"));
    assertEquals("http://vigil.example", body.getString("externalURL"));
    assertEquals(0, body.getInteger("truncatedAlerts"));
    // group_by plus severity: the route left the timing to the severity defaults (P1: group_wait 0), so
    // alerts of different severities never share a group.
    assertEquals(new JsonObject().put("alertname", "SystemDown").put("customer", "acme").put("severity", "P1").put("system", "erp"),
        body.getJsonObject("groupLabels"));
    JsonArray alerts = body.getJsonArray("alerts");
    assertEquals(1, alerts.size());
    JsonObject a = alerts.getJsonObject(0);
    assertEquals("firing", a.getString("status"));
    assertEquals("P1", a.getJsonObject("labels").getString("severity"));
    assertEquals("db1", a.getJsonObject("labels").getString("host"));
    assertEquals("erp on db1 is down", a.getJsonObject("annotations").getString("summary"));
    assertTrue(a.getString("fingerprint").matches("[0-9a-f]{16}"), a.toString());
    assertEquals("0001-01-01T00:00:00Z", a.getString("endsAt"));
    assertTrue(body.getString("groupKey").contains("alertname=\"SystemDown\""), body.getString("groupKey"));
    // Routed inside the fault's own transaction (Router#inTransaction), the fast path, not by a pass of the router's own.
    String metrics = vigil.http.get("/metrics").raw().body();
    assertTrue(metrics.matches("(?s).*\nvigil_notify_route_passes_total\\{in=\"fault_transaction\"\\} [1-9].*"), metrics);

    JsonObject h = firing.getJsonObject("headers");
    assertEquals("noc", h.getString("x-team"), "configured headers are sent");
    String key = h.getString("idempotency-key");
    assertNotNull(key);
    assertEquals(signature(SECRET, h.getString("x-vigil-timestamp"), firing.getString("body")), h.getString("x-vigil-signature"),
        "HMAC-SHA256 of timestamp.body with the receiver's secret");

    assertEquals(204, vigil.http.ingest(sample("up", "acme", "erp", "db1", 1)).status());
    JsonObject resolved = Await.until(Duration.ofSeconds(15), "the resolved notification", () -> pager("ok").size() >= 2 ? pager("ok").get(1) : null);
    JsonObject rb = new JsonObject(resolved.getString("body"));
    assertEquals("resolved", rb.getString("status"));
    assertNotEquals("0001-01-01T00:00:00Z", rb.getJsonArray("alerts").getJsonObject(0).getString("endsAt"));
    assertNotEquals(key, resolved.getJsonObject("headers").getString("idempotency-key"), "a new notification, a new key");
    Thread.sleep(1500);
    assertEquals(2, pager(null).size(), "one page for the firing, one for the resolved, nothing more: " + pager(null));
    // Both deliveries are on the ticket's timeline.
    long ticket = Long.parseLong(vigil.sql("SELECT id FROM tickets"));
    Set<String> kinds = vigil.http.get("/api/v1/tickets/" + ticket + "/timeline").json().getJsonArray("timeline").stream()
        .map(o -> ((JsonObject) o).getString("kind")).collect(Collectors.toSet());
    assertTrue(kinds.contains("notification_delivered"), kinds.toString());
  }

  @Test
  void aReceiverThatFailsThenHangsThenComesBackGetsThePageWithTheSameKeyAndBody() throws Exception {
    startVigil("alertmanager");
    receiver.mode("fail");
    assertEquals(204, vigil.http.ingest(sample("up", "acme", "erp", "db1", 0)).status());
    Await.until(Duration.ofSeconds(15), "three failed attempts (500)", () -> pager("fail").size() >= 3);
    receiver.mode("hang");
    Await.until(Duration.ofSeconds(15), "an attempt that times out", () -> !pager("hang").isEmpty());
    receiver.mode("ok");
    JsonObject ok = Await.until(Duration.ofSeconds(20), "the page once the receiver is back", () -> pager("ok").stream().findFirst().orElse(null));
    List<JsonObject> all = pager(null);
    Set<String> keys = all.stream().map(r -> r.getJsonObject("headers").getString("idempotency-key")).collect(Collectors.toSet());
    assertEquals(1, keys.size(), "every attempt carries the same idempotency key: " + keys);
    Set<String> bodies = all.stream().map(r -> r.getString("body")).collect(Collectors.toSet());
    assertEquals(1, bodies.size(), "and the same body");
    // Each attempt is signed anew (its own timestamp), always verifiably.
    for (JsonObject r : all) {
      assertEquals(signature(SECRET, r.getJsonObject("headers").getString("x-vigil-timestamp"), r.getString("body")),
          r.getJsonObject("headers").getString("x-vigil-signature"));
    }
    Thread.sleep(1500);
    assertEquals(1, pager("ok").size(), "delivered once");
    assertEquals("1", vigil.sql("SELECT count(*) FROM notify_deliveries WHERE delivered_at IS NOT NULL"));
    assertTrue(Integer.parseInt(vigil.sql("SELECT attempts FROM notify_deliveries")) >= 5);
    assertNotNull(ok);
  }

  @Test
  void aRefused4xxIsADeadLetterAtOnceAndTheDeadLetterAlarmPagesAnotherRoute() throws Exception {
    startVigil("alertmanager");
    receiver.mode("reject");
    assertEquals(204, vigil.http.ingest(sample("up", "acme", "erp", "db1", 0)).status());
    JsonObject dead = Await.until(Duration.ofSeconds(15), "the dead letter", () -> {
      JsonArray d = vigil.http.get("/api/v1/notifications?state=dead").json().getJsonArray("notifications");
      return d.isEmpty() ? null : d.getJsonObject(0);
    });
    assertEquals("pager", dead.getString("receiver"));
    assertEquals(400, dead.getInteger("lastStatus"));
    assertTrue(dead.getString("lastError").contains("answered 400"), dead.toString());
    Thread.sleep(1000);
    assertEquals(1, pager(null).size(), "a 4xx is not retried");
    // The alarm: a fault of its own, routed to the noc receiver (the pager one is broken).
    JsonObject alarm = Await.until(Duration.ofSeconds(20), "the dead-letter alarm on the noc route", () -> receiver.received().stream()
        .filter(r -> r.getString("path").equals("/hook/noc")).findFirst().orElse(null));
    JsonObject a = new JsonObject(alarm.getString("body")).getJsonArray("alerts").getJsonObject(0);
    assertEquals("NotificationsDeadLettered", a.getJsonObject("labels").getString("alertname"));
    assertEquals("pager", a.getJsonObject("labels").getString("receiver"));

    // Retried by hand once the receiver is fixed: same key, delivered.
    receiver.mode("ok");
    assertEquals(200, vigil.http.post("/api/v1/notifications/" + dead.getLong("id") + "/retry", "{}").status());
    JsonObject ok = Await.until(Duration.ofSeconds(15), "the retried page", () -> pager("ok").stream().findFirst().orElse(null));
    assertEquals(pager("reject").get(0).getJsonObject("headers").getString("idempotency-key"), ok.getJsonObject("headers").getString("idempotency-key"));
  }

  @Test
  void vigilsOwnBodyCarriesTheTicketItsDuesAndAWorkingAckLink() throws Exception {
    startVigil("vigil");
    assertEquals(204, vigil.http.ingest(sample("up", "acme", "erp", "db1", 0)).status());
    JsonObject page = Await.until(Duration.ofSeconds(15), "the page", () -> pager("ok").stream().findFirst().orElse(null));
    JsonObject body = new JsonObject(page.getString("body"));
    assertEquals("alert", body.getString("kind"));
    JsonObject alert = body.getJsonArray("alerts").getJsonObject(0);
    assertEquals("SystemDown", alert.getString("rule"));
    JsonObject ticket = alert.getJsonObject("ticket");
    assertNotNull(ticket, body.encodePrettily());
    assertNotNull(ticket.getString("respondBy"));
    assertNotNull(ticket.getString("resolveBy"));
    String ack = ticket.getString("ackUrl");
    assertTrue(ack.startsWith("http://vigil.example/ack/"), ack);
    String path = ack.substring("http://vigil.example".length());
    Http anonymous = vigil.http.as(null);
    Http.Reply shown = anonymous.get(path);
    assertEquals(200, shown.status());
    assertTrue(shown.raw().body().contains("Acknowledge"), "opening the link shows the button");
    assertEquals("open", vigil.sql("SELECT state FROM tickets WHERE id = " + ticket.getLong("id")), "opening changes nothing");
    Http.Reply acked = anonymous.post(path, "application/x-www-form-urlencoded", "by=Li+Wei".getBytes(StandardCharsets.UTF_8));
    assertEquals(200, acked.status(), acked.toString());
    assertEquals("acknowledged", vigil.sql("SELECT state FROM tickets WHERE id = " + ticket.getLong("id")));
    assertEquals("Li Wei", vigil.sql("SELECT actor FROM ticket_events WHERE kind = 'acknowledged'"));
    assertEquals(200, anonymous.post(path, "application/x-www-form-urlencoded", "by=Zhang".getBytes(StandardCharsets.UTF_8)).status(),
        "a second tap is not an error");
    assertEquals(404, anonymous.get("/ack/1.99999999999.forged").status());
  }

  @Test
  void receiversAndRoutesAreManagedThroughTheApiValidatedAndAudited() throws Exception {
    startVigil("alertmanager");
    Http http = vigil.http;
    Http.Reply bad = http.post("/api/v1/receivers", "{\"name\":\"sms\",\"webhook_configs\":[{\"url\":\"ftp://x\"}]}");
    assertEquals(400, bad.status(), bad.toString());
    assertTrue(bad.json().getString("error").contains("url"), bad.toString());
    Http.Reply dup = http.post("/api/v1/receivers", "{\"name\":\"pager\",\"webhook_configs\":[{\"url\":\"http://x/\"}]}");
    assertEquals(409, dup.status(), "the rules file's receiver: " + dup);
    Http.Reply created = http.post("/api/v1/receivers", "{\"name\":\"sms\",\"webhook_configs\":[{\"url\":\"" + receiver.url("sms")
        + "\",\"hmac_secret\":\"abc\"}]}");
    assertEquals(201, created.status(), created.toString());
    assertFalse(created.raw().body().contains("abc"), "the secret is never shown");
    JsonArray listed = http.get("/api/v1/receivers").json().getJsonArray("receivers");
    assertEquals(Set.of("pager", "noc", "sms"), listed.stream().map(o -> ((JsonObject) o).getString("name")).collect(Collectors.toSet()));

    Http.Reply unknownReceiver = http.put("/api/v1/routes", "{\"receiver\":\"nobody\"}");
    assertEquals(400, unknownReceiver.status(), unknownReceiver.toString());
    assertTrue(unknownReceiver.json().getString("error").contains("nobody"));
    Http.Reply route = http.put("/api/v1/routes", "{\"receiver\":\"sms\",\"group_by\":[\"alertname\"]}");
    assertEquals(200, route.status(), route.toString());
    assertEquals("api", http.get("/api/v1/routes").json().getString("origin"));
    assertEquals(409, http.delete("/api/v1/receivers/sms").status(), "still routed to");

    assertEquals(204, http.ingest(sample("up", "acme", "erp", "db1", 0)).status());
    Await.until(Duration.ofSeconds(15), "the page on the API's route", () -> receiver.received().stream()
        .anyMatch(r -> r.getString("path").equals("/hook/sms")));
    assertEquals(204, http.delete("/api/v1/routes").status());
    assertEquals("file", http.get("/api/v1/routes").json().getString("origin"));
    assertEquals(204, http.delete("/api/v1/receivers/sms").status());
    assertEquals("4", vigil.sql("SELECT count(*) FROM audit_log WHERE action LIKE 'notify.%'"));
    assertEquals(401, http.as(null).get("/api/v1/receivers").status(), "no token, no receivers");
  }
}
