package io.vigil.server.it;

import static io.vigil.server.it.Http.sample;
import static org.junit.jupiter.api.Assertions.*;

import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalDouble;
import java.util.function.DoublePredicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** What operators and their tooling see: health, readiness, Prometheus metrics, and JSON for every error. */
class OperationsIT {
  private TestVigil vigil;
  private Http http;
  private Http anonymous;

  @BeforeEach
  void start() throws Exception {
    vigil = new TestVigil();
    http = vigil.http;
    anonymous = http.as(null);
  }

  @AfterEach
  void stop() throws Exception {
    vigil.close();
  }

  @Test
  void healthzIsUpWithoutToken() throws Exception {
    Http.Reply r = anonymous.get("/healthz");
    assertEquals(200, r.status(), r.toString());
    assertJson(r);
    assertEquals(new JsonObject().put("status", "up"), r.json());
  }

  @Test
  void readyzIs200WhenReadyThen503WithReasonWhileDatabaseIsAwayThenRecovers() throws Exception {
    Http.Reply ready = anonymous.get("/readyz");
    assertEquals(200, ready.status(), ready.toString());
    assertEquals("ready", ready.json().getString("status"));

    EphemeralPostgres pg = EphemeralPostgres.get();
    String db = vigil.db.name();
    pg.psql("ALTER DATABASE " + db + " WITH ALLOW_CONNECTIONS false");
    try {
      pg.psql("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '" + db + "'");
      Http.Reply down = poll("/readyz", 15, r -> r.status() != 200);
      assertEquals(503, down.status(), down.toString());
      assertJson(down);
      assertEquals("not ready", down.json().getString("status"));
      String reason = down.json().getString("reason");
      assertNotNull(reason, down.toString());
      assertTrue(reason.startsWith("database unreachable"), down.toString());
      assertNotNull(down.header("Retry-After"));
      // Liveness is not readiness: the process is still up.
      assertEquals(200, anonymous.get("/healthz").status());
    } finally {
      pg.psql("ALTER DATABASE " + db + " WITH ALLOW_CONNECTIONS true");
    }
    Http.Reply back = poll("/readyz", 30, r -> r.status() == 200);
    assertEquals(200, back.status(), "readiness did not recover after the database came back: " + back);
    assertEquals("ready", back.json().getString("status"));
  }

  @Test
  void metricsArePrometheusTextWithoutTokenAndCountWhatHappened() throws Exception {
    Http.Reply first = anonymous.get("/metrics");
    assertEquals(200, first.status(), first.toString());
    assertTrue(first.header("Content-Type").startsWith("text/plain"), first.header("Content-Type"));

    // 4 samples no rule looks at, 3 under HighCpu's threshold, 1 that fires SystemDown (P1).
    int n = 8;
    StringBuilder batch = new StringBuilder();
    for (int i = 0; i < 4; i++) batch.append(sample("mem_usage", "acme", "erp", "db" + i, i)).append(',');
    for (int i = 0; i < 3; i++) batch.append(sample("cpu_usage", "acme", "erp", "db" + i, 10 + i)).append(',');
    batch.append(sample("up", "acme", "erp", "db9", 0));
    assertEquals(204, http.ingest(batch.toString()).status());

    pollMetric("vigil_faults_firing{severity=\"P1\"}", v -> v == 1.0);
    // The engine publishes its evaluation count after recording the batch's faults: a scrape in
    // between sees the fault but not yet the evaluations. Wait for those too, then judge one scrape.
    String scrape = pollMetric("vigil_rule_evaluations_total", v -> v >= 4.0);
    assertEquals(1.0, value(scrape, "vigil_faults_firing{severity=\"P1\"}").orElseThrow(), "one P1 fault firing");
    assertEquals(0.0, value(scrape, "vigil_faults_firing{severity=\"P2\"}").orElseThrow());
    // Each Vigil has its own registry, so the count is exactly this test's samples.
    assertEquals(n, value(scrape, "vigil_ingest_samples_total{transport=\"json\"}").orElseThrow(),
        "ingested samples counted: " + grep(scrape, "vigil_ingest_samples_total"));
    // One evaluation per (sample, rule selecting it): the 3 cpu_usage and the 1 up sample.
    assertEquals(4.0, value(scrape, "vigil_rule_evaluations_total").orElseThrow(),
        "every sample a rule selects was evaluated: " + grep(scrape, "vigil_rule_evaluations_total"));
    assertTrue(value(scrape, "vigil_ingest_batch_duration_seconds_count{transport=\"json\"}").orElseThrow() >= 1,
        grep(scrape, "vigil_ingest_batch_duration_seconds"));
    assertTrue(scrape.contains("vigil_ingest_batch_duration_seconds_bucket{"), "the batch duration is a histogram");
    assertEquals(0.0, value(scrape, "vigil_stream_clients").orElseThrow());
    assertEquals(0.0, value(scrape, "vigil_faults_muted{severity=\"P1\"}").orElseThrow());

    // A silenced fault still fires but pages nobody: it moves from the firing gauge to the muted one, and back.
    SilenceIT.inventory(http, "acme", "erp");
    Http.Reply silence = http.post("/api/v1/silences",
        SilenceIT.silenceBody("acme", "erp", java.time.Instant.now().plus(java.time.Duration.ofHours(1)), "metrics test"));
    assertEquals(201, silence.status(), silence.toString());
    String muted = pollMetric("vigil_faults_muted{severity=\"P1\"}", v -> v == 1.0);
    assertEquals(0.0, value(muted, "vigil_faults_firing{severity=\"P1\"}").orElseThrow(), "a muted fault is not counted as paging");
    assertEquals(200, http.delete("/api/v1/silences/" + silence.json().getString("id")).status());
    String unmuted = pollMetric("vigil_faults_firing{severity=\"P1\"}", v -> v == 1.0);
    assertEquals(0.0, value(unmuted, "vigil_faults_muted{severity=\"P1\"}").orElseThrow());

    try (Http.Stream ws = http.stream()) {
      ws.next();
      pollMetric("vigil_stream_clients", v -> v == 1.0);
    }
    pollMetric("vigil_stream_clients", v -> v == 0.0);

    // Vert.x' own meters: the HTTP server and the database pool.
    String later = anonymous.get("/metrics").raw().body();
    assertTrue(value(later, "vertx_pool_completed_total{pool_name=\"vigil-pg\",pool_type=\"sql\"}").orElseThrow() > 0,
        "database pool metrics: " + grep(later, "vertx_pool_completed_total"));
    assertTrue(value(later, "vertx_pool_in_use{pool_name=\"vigil-pg\",pool_type=\"sql\"}").isPresent());
    assertTrue(value(later, "vertx_http_server_active_connections").isPresent(), grep(later, "vertx_http_server"));
    assertTrue(value(later, "vertx_http_server_requests_total{code=\"204\",method=\"POST\"}").orElse(0) >= 1,
        "HTTP server request counts: " + grep(later, "vertx_http_server_requests_total"));
    assertTrue(value(later, "vertx_http_server_requests_total{code=\"101\",method=\"GET\"}").orElse(0) >= 1,
        "the websocket upgrade is counted: " + grep(later, "vertx_http_server_requests_total"));

    // Every family of Vigil's own is in the operator's reference.
    String reference = java.nio.file.Files.readString(java.nio.file.Path.of("..", "docs", "METRICS.md"));
    List<String> undocumented = new ArrayList<>();
    Matcher type = Pattern.compile("(?m)^# TYPE (vigil_\\w+) ").matcher(later);
    while (type.find()) {
      String family = type.group(1).replaceAll("_max$", "");
      if (!reference.contains("`" + family + "`")) undocumented.add(family);
    }
    assertTrue(later.contains("# TYPE vigil_storage_unflushed_samples "), "the families are read from the scrape");
    assertEquals(List.of(), undocumented, "exposed but missing from docs/METRICS.md");
  }

  @Test
  void unknownApiPathIs404Json() throws Exception {
    for (Http h : List.of(http, anonymous)) {
      Http.Reply r = h.get("/api/v1/nope");
      assertEquals(404, r.status(), r.toString());
      assertJson(r);
      assertEquals("no such endpoint: GET /api/v1/nope", r.json().getString("error"));
    }
    Http.Reply post = http.post("/api/v1/nope", "{}");
    assertEquals(404, post.status(), post.toString());
    assertJson(post);
  }

  @Test
  void wrongMethodOnPostOnlyRouteIsJsonErrorNever500() throws Exception {
    for (Http h : List.of(http, anonymous)) {
      Http.Reply r = h.get("/api/v1/ingest");
      assertTrue(r.status() == 404 || r.status() == 405, r.toString());
      assertJson(r);
      assertNotNull(r.json().getString("error"), r.toString());
    }
    Http.Reply del = http.delete("/api/v1/tickets/1/ack");
    assertTrue(del.status() == 404 || del.status() == 405, del.toString());
    assertJson(del);
    assertNotNull(del.json().getString("error"), del.toString());
    // Outside /api too: a POST to a GET-only operational route.
    Http.Reply postHealth = anonymous.post("/healthz", "{}");
    assertTrue(postHealth.status() == 404 || postHealth.status() == 405, postHealth.toString());
    assertJson(postHealth);
    assertNotNull(postHealth.json().getString("error"), postHealth.toString());
  }

  @Test
  void streamWithoutWebsocketUpgradeIs400Json() throws Exception {
    Http.Reply r = http.get("/api/v1/stream");
    assertEquals(400, r.status(), r.toString());
    assertJson(r);
    assertEquals("this is a websocket endpoint: connect with a websocket client", r.json().getString("error"));
    assertEquals(401, anonymous.get("/api/v1/stream").status(), "authorisation is still checked first");
  }

  private Http.Reply poll(String path, int seconds, java.util.function.Predicate<Http.Reply> until) throws Exception {
    long end = System.nanoTime() + Duration.ofSeconds(seconds).toNanos();
    Http.Reply last = null;
    while (System.nanoTime() < end) {
      last = anonymous.get(path);
      if (until.test(last)) return last;
      Thread.sleep(100);
    }
    return last;
  }

  /** Scrapes until {@code series} has a value matching {@code until}; returns that scrape. */
  private String pollMetric(String series, DoublePredicate until) throws Exception {
    long end = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    String scrape = "";
    while (System.nanoTime() < end) {
      scrape = anonymous.get("/metrics").raw().body();
      OptionalDouble v = value(scrape, series);
      if (v.isPresent() && until.test(v.getAsDouble())) return scrape;
      Thread.sleep(100);
    }
    throw new AssertionError(series + " never reached the expected value; last: " + grep(scrape, series.replaceAll("\\{.*", "")));
  }

  /** The value of one exact series line ({@code name} or {@code name{labels}}) in Prometheus text. */
  private static OptionalDouble value(String scrape, String series) {
    Pattern p = Pattern.compile("^" + Pattern.quote(series) + " (\\S+)$", Pattern.MULTILINE);
    Matcher m = p.matcher(scrape);
    return m.find() ? OptionalDouble.of(Double.parseDouble(m.group(1))) : OptionalDouble.empty();
  }

  private static String grep(String scrape, String prefix) {
    List<String> out = new ArrayList<>();
    scrape.lines().filter(l -> l.startsWith(prefix)).forEach(out::add);
    return String.join("\n", out);
  }

  private static void assertJson(Http.Reply r) {
    String type = r.header("Content-Type");
    assertNotNull(type, "no Content-Type on " + r);
    assertTrue(type.startsWith("application/json"), "Content-Type " + type + " on " + r);
    try {
      r.json();
    } catch (DecodeException e) {
      fail("body is not a JSON object: " + r);
    }
  }
}
