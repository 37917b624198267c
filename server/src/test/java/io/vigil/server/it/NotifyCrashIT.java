package io.vigil.server.it;

import static io.vigil.server.it.Http.sample;
import static org.junit.jupiter.api.Assertions.*;

import io.vertx.core.json.JsonObject;
import io.vigil.server.Config;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Kill -9 with notifications written but not sent, and with a request in flight (issue 12): after a
 * restart each page arrives, and a page that arrives more than once always carries the same
 * idempotency key and body (the documented at-least-once window).
 */
class NotifyCrashIT {
  private WebhookReceiver.Handle receiver;
  private Config.Database db;
  private VigilProcess vigil;
  private Map<String, String> env;

  /** One group per host, so every fault is its own page; 1 s request timeout (lease 6 s), fast retries. */
  static String rules(WebhookReceiver.Handle r) {
    return TestVigil.RULES + """
        notify:
          retry_base: 200ms
          retry_cap: 1s
        route:
          receiver: pager
          group_by: [alertname, customer, system, host]
        receivers:
          - name: pager
            webhook_configs:
              - {url: %s, timeout: 1s}
        """.formatted(r.url("pager"));
  }

  @BeforeEach
  void start() throws Exception {
    receiver = new WebhookReceiver.Handle();
    db = EphemeralPostgres.get().freshDatabase();
    env = Map.of("VIGIL_RULES", TestVigil.rulesFile(rules(receiver)));
    vigil = new VigilProcess(db, "vigil-notify-crash", env);
  }

  @AfterEach
  void stop() throws Exception {
    if (vigil != null) vigil.close();
    if (receiver != null) receiver.close();
  }

  private String psql(String sql) throws Exception {
    return EphemeralPostgres.get().psql(db.name(), sql);
  }

  private static String host(JsonObject request) {
    return new JsonObject(request.getString("body")).getJsonArray("alerts").getJsonObject(0).getJsonObject("labels").getString("host");
  }

  private static String key(JsonObject request) {
    return request.getJsonObject("headers").getString("idempotency-key");
  }

  /** Every request for one host carries one key and one body: duplicates are the same notification. */
  private static void assertOneNotificationPerHost(List<JsonObject> requests) {
    Map<String, String> keyOf = new HashMap<>();
    Map<String, String> bodyOf = new HashMap<>();
    for (JsonObject r : requests) {
      String h = host(r);
      String previous = keyOf.putIfAbsent(h, key(r));
      if (previous != null) assertEquals(previous, key(r), "a second key for " + h + ": a page sent twice as two notifications");
      String body = bodyOf.putIfAbsent(h, r.getString("body"));
      if (body != null) assertEquals(body, r.getString("body"), "a duplicate of " + h + " with another body");
    }
  }

  @Test
  void aPageWrittenButNotYetDeliveredArrivesAfterKillDashNineWithTheSameKey() throws Exception {
    receiver.mode("fail");
    assertEquals(204, vigil.http.ingest(sample("up", "acme", "erp", "db1", 0)).status());
    Await.until(Duration.ofSeconds(15), "two refused attempts", () -> receiver.received().size() >= 2);
    String refusedKey = key(receiver.received().get(0));
    vigil.kill();
    assertEquals("0", psql("SELECT count(*) FROM notify_deliveries WHERE delivered_at IS NOT NULL"), "nothing was delivered before the kill");

    receiver.mode("ok");
    vigil = new VigilProcess(db, "vigil-notify-crash", env);
    JsonObject delivered = Await.until(Duration.ofSeconds(20), "the page after the restart",
        () -> receiver.accepted().stream().findFirst().orElse(null));
    assertEquals(refusedKey, key(delivered), "the restarted node sends the same notification, not a new one");
    assertEquals("db1", host(delivered));
    Thread.sleep(1500);
    assertEquals(1, receiver.accepted().size(), "delivered once: " + receiver.accepted());
    assertOneNotificationPerHost(receiver.received());
  }

  @Test
  void aPageInFlightWhenTheServerIsKilledIsSentAgainAfterTheLeaseWithTheSameKey() throws Exception {
    receiver.mode("hang"); // the receiver reads the request and does not answer
    assertEquals(204, vigil.http.ingest(sample("up", "acme", "erp", "db1", 0)).status());
    JsonObject inFlight = Await.until(Duration.ofSeconds(15), "the request in flight",
        () -> receiver.received().stream().findFirst().orElse(null));
    vigil.kill();
    assertNotEquals("", psql("SELECT lease_until FROM notify_deliveries WHERE delivered_at IS NULL"), "killed holding the lease");

    receiver.mode("ok");
    vigil = new VigilProcess(db, "vigil-notify-crash", env);
    JsonObject delivered = Await.until(Duration.ofSeconds(30), "the page once the dead node's lease ran out",
        () -> receiver.accepted().stream().findFirst().orElse(null));
    assertEquals(key(inFlight), key(delivered));
    assertEquals(inFlight.getString("body"), delivered.getString("body"));
    assertEquals("1", psql("SELECT count(*) FROM notify_deliveries WHERE delivered_at IS NOT NULL"));
    assertOneNotificationPerHost(receiver.received());
  }

  /**
   * Killed once the first fault is written (the other faults, their outbox rows, routing and
   * sending still under way), and once all 40 are (most pages out, some sent but not yet recorded
   * as delivered: those go again after the lease, with the same key). Killed right at the
   * acknowledgement, no fault is written yet and the restarted engine raises them all from the
   * stored samples.
   */
  @ParameterizedTest(name = "killed once {0} faults are written")
  @ValueSource(ints = {1, 40})
  void manyFaultsThenKillDashNineStillPageEveryHostExactlyAsOneNotification(int written) throws Exception {
    int hosts = 40;
    StringBuilder batch = new StringBuilder();
    for (int i = 0; i < hosts; i++) {
      if (i > 0) batch.append(',');
      batch.append(sample("up", "acme", "erp", "h" + i, 0));
    }
    assertEquals(204, vigil.http.ingest(batch.toString()).status());
    Await.until(Duration.ofSeconds(15), written + " faults written",
        () -> Integer.parseInt(psql("SELECT count(*) FROM faults")) >= written);
    vigil.kill();
    String faults = psql("SELECT count(*) FROM faults WHERE state = 'firing'");
    int before = new HashSet<>(receiver.accepted().stream().map(NotifyCrashIT::host).toList()).size();
    String unsent = psql("SELECT count(*) FROM notify_deliveries WHERE delivered_at IS NULL");
    String unrouted = psql("SELECT count(*) FROM notify_outbox WHERE routed_at IS NULL");
    System.out.printf("notify crash: %d of %d hosts paged before the kill, %s deliveries unsent, %s outbox rows unrouted, %s faults%n", before, hosts,
        unsent, unrouted, faults);

    vigil = new VigilProcess(db, "vigil-notify-crash", env);
    Await.until(Duration.ofSeconds(30), "a page for each of the 40 hosts",
        () -> new HashSet<>(receiver.accepted().stream().map(NotifyCrashIT::host).toList()).size() == hosts);
    Await.until(Duration.ofSeconds(30), "every delivery recorded (a page sent but not recorded by the killed node goes again once its lease ends)",
        () -> psql("SELECT count(*) FROM notify_deliveries WHERE delivered_at IS NULL").equals("0"));
    List<JsonObject> accepted = receiver.accepted();
    Set<String> keys = new HashSet<>();
    List<String> hostsSeen = new ArrayList<>();
    for (JsonObject r : accepted) {
      keys.add(key(r));
      hostsSeen.add(host(r));
    }
    assertEquals(hosts, keys.size(), "one notification per host, whatever the kill interrupted (" + before + " were out before it): " + hostsSeen);
    assertOneNotificationPerHost(accepted);
    assertEquals(Integer.toString(hosts), psql("SELECT count(*) FROM notify_deliveries WHERE delivered_at IS NOT NULL"));
  }
}
