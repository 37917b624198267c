package io.vigil.server.it;

import static org.junit.jupiter.api.Assertions.*;

import io.vertx.core.json.JsonObject;
import io.vigil.rules.ManualClock;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.AfterEach;

/**
 * What the service report ITs share: a Vigil on a manual clock from {@link #T0}, and tickets scripted
 * through the real API (open, act, resolve, answer the survey by its signed link). A subclass may
 * check something after every change ({@link #afterChange}).
 */
abstract class TicketScript {
  /** Monday 2 March 2026, 08:00 in Shanghai (acme's zone). */
  static final Instant T0 = Instant.parse("2026-03-02T00:00:00Z");
  static final HttpClient CLIENT = HttpClient.newHttpClient();
  TestVigil vigil;
  Http http;
  ManualClock clock;

  @AfterEach
  void stopVigil() throws Exception {
    if (vigil != null) vigil.close();
  }

  /** Called after each scripted change succeeded; {@code what} names it. */
  void afterChange(String what) throws Exception {
  }

  void at(Duration sinceT0) {
    clock.set(T0.plus(sinceT0));
  }

  long open(String customer, String system, String severity, String channel) throws Exception {
    Http.Reply r = http.post("/api/v1/tickets", new JsonObject().put("channel", channel).put("customer", customer).put("system", system)
        .put("severity", severity).put("reporter", "hotline").put("description", severity + " via " + channel).encode());
    assertEquals(201, r.status(), r.toString());
    return r.json().getLong("id");
  }

  void ok(String path, String body) throws Exception {
    Http.Reply r = http.post(path, body);
    assertEquals(200, r.status(), path + " -> " + r);
    afterChange(path);
  }

  void resolve(long id, String kind) throws Exception {
    ok("/api/v1/tickets/" + id + "/resolve", new JsonObject().put("cause", "c").put("fix", "f").put("prevention", "p").put("kind", kind).encode());
  }

  void answer(long id, int score) throws Exception {
    String link = http.get("/api/v1/tickets/" + id + "/survey").json().getString("link");
    HttpResponse<String> r = CLIENT.send(HttpRequest.newBuilder(URI.create(http.base + link)).header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString("{\"score\":" + score + "}")).build(), HttpResponse.BodyHandlers.ofString());
    assertEquals(200, r.statusCode(), r.body());
    afterChange("the answer " + score + " for " + id);
  }

  JsonObject report(String query) throws Exception {
    Http.Reply r = http.get("/api/v1/reports/service?" + query);
    assertEquals(200, r.status(), r.toString());
    return r.json();
  }

  static JsonObject row(JsonObject section, String severity) {
    for (Object o : section.getJsonArray("rows")) if (severity.equals(((JsonObject) o).getString("severity"))) return (JsonObject) o;
    fail("no " + severity + " row in " + section.encode());
    return null;
  }
}
