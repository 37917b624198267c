package io.vigil.server.it;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.*;

import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Each ingest limit, on both the JSON and the line protocol collector: its status, its message, that
 * nothing of a refused request is stored, and its counter on /metrics. Small limits so each is reachable.
 */
class IngestLimitsIT {
  private TestVigil vigil;
  private final HttpClient client = HttpClient.newHttpClient();

  @BeforeEach
  void start() throws Exception {
    vigil = new TestVigil(Map.of("VIGIL_MAX_BODY_BYTES", "4096", "VIGIL_MAX_SAMPLES_PER_REQUEST", "10",
        "VIGIL_MAX_LABELS_PER_SERIES", "3", "VIGIL_MAX_LABEL_VALUE_CHARS", "20", "VIGIL_MAX_NEW_SERIES_PER_MINUTE", "5"));
  }

  @AfterEach
  void stop() throws Exception {
    vigil.close();
  }

  private HttpResponse<String> line(String lines) throws Exception {
    return client.send(HttpRequest.newBuilder(URI.create(vigil.http.base + "/write?db=x"))
        .header("Authorization", "Token " + TestVigil.ADMIN).POST(HttpRequest.BodyPublishers.ofString(lines)).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private String metrics() throws Exception {
    return vigil.http.get("/metrics").raw().body();
  }

  private static void assertCounted(String metrics, String transport, String reason) {
    assertTrue(metrics.contains("vigil_ingest_refused_total{reason=\"" + reason + "\",transport=\"" + transport + "\"}"),
        transport + "/" + reason + " not counted:\n" + metrics.lines().filter(l -> l.contains("refused")).toList());
  }

  @Test
  void bodyOverTheLimitIs413AsJsonOnEveryCollector() throws Exception {
    String big = "m,h=a v=1\n".repeat(500);
    HttpResponse<String> r = line(big);
    assertEquals(413, r.statusCode(), r.body());
    assertTrue(new JsonObject(r.body()).getString("error").contains("configured limit of 4096 bytes"), r.body());
    Http.Reply j = vigil.http.ingest("{\"metric\":\"m\",\"labels\":{\"x\":\"" + "y".repeat(5000) + "\"},\"value\":1}");
    assertEquals(413, j.status());
    // remote_write and alert intake: the same JSON answer (not Vert.x Web's bare 'Request Entity Too Large').
    Http.Reply rw = vigil.http.postWithHeaders("/api/v1/write", Map.of("Content-Type", "application/x-protobuf",
        "Content-Encoding", "snappy", "X-Prometheus-Remote-Write-Version", "0.1.0"), new byte[5000]);
    assertEquals(413, rw.status(), rw.toString());
    assertEquals(4096, rw.json().getLong("limit"), rw.toString());
    Http.Reply alerts = vigil.http.post("/api/v2/alerts", "[{\"labels\":{\"alertname\":\"" + "A".repeat(5000) + "\"}}]");
    assertEquals(413, alerts.status(), alerts.toString());
    assertEquals("body_size", alerts.json().getString("reason"), alerts.toString());
    assertEquals(0, vigil.count("samples"));
    assertEquals(0, vigil.count("faults"));
    String m = metrics();
    assertCounted(m, "influx", "body_size");
    assertCounted(m, "json", "body_size");
    assertCounted(m, "remote_write", "body_size");
    assertCounted(m, "alerts", "body_size");
  }

  @Test
  void moreSamplesThanTheLimitIs413OnBothCollectorsAndStoresNothing() throws Exception {
    HttpResponse<String> r = line("m a=1,b=2,c=3,d=4\nm a=1,b=2,c=3,d=4\nm a=1,b=2,c=3,d=4\n");
    assertEquals(413, r.statusCode(), r.body());
    assertTrue(r.body().contains("more than 10 samples"), r.body());
    StringBuilder s = new StringBuilder();
    for (int i = 0; i < 11; i++) s.append(i == 0 ? "" : ",").append(Http.sample("up", "acme", "erp", "h", 1));
    assertEquals(413, vigil.http.ingest(s.toString()).status());
    assertEquals(0, vigil.count("samples"));
    String m = metrics();
    assertCounted(m, "influx", "samples_per_request");
    assertCounted(m, "json", "samples_per_request");
  }

  @Test
  void tooManyLabelsOrTooLongValuesAre400PerLineOrPerRequest() throws Exception {
    HttpResponse<String> r = line("m,a=1,b=2,c=3,d=4 v=1\nm,a=" + "x".repeat(21) + " v=1\nm,a=1 v=1\n");
    assertEquals(400, r.statusCode(), r.body());
    String error = new JsonObject(r.body()).getString("error");
    assertTrue(error.contains("line 1: unable to parse 'm,a=1,b=2,c=3,d=4 v=1': more than 3 tags (labels per series)"), error);
    assertTrue(error.contains("line 2:") && error.contains("at most 20 are allowed"), error);
    assertEquals(1, vigil.count("samples"), "line 3 is stored (partial write)");
    Http.Reply j = vigil.http.ingest("{\"metric\":\"m\",\"labels\":{\"a\":\"1\",\"b\":\"2\",\"c\":\"3\",\"d\":\"4\"},\"value\":1}");
    assertEquals(400, j.status());
    assertEquals("more than 3 labels on one series", j.json().getString("error"));
    Http.Reply v = vigil.http.ingest("{\"metric\":\"m\",\"labels\":{\"a\":\"" + "x".repeat(21) + "\"},\"value\":1}");
    assertEquals(400, v.status());
    assertEquals(1, vigil.count("samples"));
    String m = metrics();
    assertCounted(m, "influx", "labels_per_series");
    assertCounted(m, "influx", "label_value_length");
    assertCounted(m, "json", "labels_per_series");
    assertCounted(m, "json", "label_value_length");
  }

  @Test
  void newSeriesPastTheCustomersBudgetGet429WithRetryAfterNamingCustomerAndLimit() throws Exception {
    // The budget is per clock minute (Vigil runs on the system clock): a minute that turned between the
    // writes below would give acme a fresh budget and the 429s would not come. Start early in a minute.
    long intoMinute = System.currentTimeMillis() % 60_000;
    if (intoMinute > 45_000) Thread.sleep(60_000 - intoMinute + 100);
    // 4 new series for acme: within the budget of 5.
    assertEquals(204, line("m,customer=acme,h=1 v=1\nm,customer=acme,h=2 v=1\nm,customer=acme,h=3 v=1\nm,customer=acme,h=4 v=1\n").statusCode());
    // Known series cost nothing: the same 4 again are fine.
    assertEquals(204, line("m,customer=acme,h=1 v=2\nm,customer=acme,h=2 v=2\nm,customer=acme,h=3 v=2\nm,customer=acme,h=4 v=2\n").statusCode());
    // 2 more would make 6: the whole batch is refused, its known series too.
    HttpResponse<String> r = line("m,customer=acme,h=1 v=3\nm,customer=acme,h=5 v=1\nm,customer=acme,h=6 v=1\n");
    assertEquals(429, r.statusCode(), r.body());
    int retry = Integer.parseInt(r.headers().firstValue("Retry-After").orElseThrow());
    assertTrue(retry >= 1 && retry <= 60, "Retry-After " + retry);
    JsonObject j = new JsonObject(r.body());
    assertEquals("acme", j.getString("customer"));
    assertEquals(5, j.getInteger("limit"));
    assertTrue(j.getString("error").contains("customer 'acme' may create at most 5 new series per minute"), r.body());
    assertEquals(8, vigil.count("samples"));
    // Another customer has its own budget; JSON ingest shares the guard.
    assertEquals(204, line("m,customer=globex,h=1 v=1").statusCode());
    Http.Reply json = vigil.http.ingest(Http.sample("up", "acme", "erp", "h9", 1) + "," + Http.sample("up", "acme", "erp", "h10", 1));
    assertEquals(429, json.status(), json.toString());
    assertEquals("acme", json.json().getString("customer"));
    assertEquals(9, vigil.count("samples"));
    String m = metrics();
    assertCounted(m, "influx", "new_series_rate");
    assertCounted(m, "json", "new_series_rate");
  }
}
