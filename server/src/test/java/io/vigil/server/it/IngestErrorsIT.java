package io.vigil.server.it;

import static io.vigil.server.it.Http.sample;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.*;

import io.vertx.core.json.JsonObject;
import java.io.ByteArrayInputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@code POST /api/v1/ingest} refusals, seen from outside: each answer has the right status, a JSON
 * error saying what was wrong and where, and a refused batch leaves nothing in the database.
 * Vigil runs with a 2 KiB body limit and at most 3 samples per request so both 413s are reachable.
 * Every test starts with one accepted sample, so "nothing stored" is checked against a non-empty table.
 */
class IngestErrorsIT {
  private static final int MAX_BODY = 2048;
  private static final int MAX_SAMPLES = 3;
  private static final String GOOD = sample("mem_usage", "acme", "erp", "db1", 42.5);

  private TestVigil vigil;
  private Http http;

  @BeforeEach
  void start() throws Exception {
    vigil = new TestVigil(Map.of("VIGIL_MAX_BODY_BYTES", Integer.toString(MAX_BODY),
        "VIGIL_MAX_SAMPLES_PER_REQUEST", Integer.toString(MAX_SAMPLES)));
    http = vigil.http;
    // One accepted sample first, so "unchanged" below is measured against a non-empty table.
    assertEquals(204, http.ingest(GOOD).status());
    assertEquals(1, vigil.count("samples"));
  }

  @AfterEach
  void stop() throws Exception {
    vigil.close();
  }

  @Test
  void malformedJsonGets400WithLineAndColumnAndStoresNothing() throws Exception {
    // The syntax error ("oops" is not a JSON value) is on line 3, after one good sample.
    String body = "{\"samples\":[\n" + GOOD + ",\n{\"metric\":\"up\",\"value\":oops}\n]}";
    Http.Reply r = http.post("/api/v1/ingest", body);
    assertEquals(400, r.status(), r.toString());
    assertJsonContentType(r);
    String error = r.json().getString("error");
    assertNotNull(error, r.toString());
    assertTrue(error.startsWith("malformed JSON at line 3, column "), r.toString());
    int column = Integer.parseInt(error.replaceFirst("^malformed JSON at line 3, column (\\d+):.*$", "$1"));
    // "oops" starts at column 24 of line 3; Jackson reports where it stopped reading the bad token.
    assertTrue(column >= 24 && column <= 29, "column should point at the bad token: " + r);
    assertTrue(error.contains("oops"), "the message names the offending token: " + r);
    assertEquals(1, vigil.count("samples"), "a rejected batch writes nothing");
    assertEquals(1, vigil.count("series"));
  }

  @Test
  void missingMetricGets400NamingIndexAndFieldAndStoresNothing() throws Exception {
    Http.Reply r = http.ingest(GOOD + ",{\"labels\":{\"host\":\"db2\"},\"value\":1}");
    assertEquals(400, r.status(), r.toString());
    JsonObject j = r.json();
    assertEquals(1, j.getInteger("index"), r.toString());
    assertEquals("metric", j.getString("field"), r.toString());
    assertEquals("missing 'metric'", j.getString("error"));
    assertEquals(1, vigil.count("samples"), "a rejected batch writes nothing");
    assertEquals(1, vigil.count("series"), "not even the good sample's series");
  }

  @Test
  void nonNumericValueGets400NamingIndexAndFieldValueAndStoresNothing() throws Exception {
    Http.Reply r = http.ingest(sample("cpu_usage", "acme", "erp", "db7", 10) + ","
        + "{\"metric\":\"cpu_usage\",\"labels\":{\"host\":\"db2\"},\"value\":\"high\"}");
    assertEquals(400, r.status(), r.toString());
    JsonObject j = r.json();
    assertEquals(1, j.getInteger("index"), r.toString());
    assertEquals("value", j.getString("field"), r.toString());
    assertEquals("value must be a number, got string \"high\"", j.getString("error"));
    assertEquals(1, vigil.count("samples"), "a rejected batch writes nothing");
    assertEquals("0", vigil.sql("SELECT count(*) FROM series WHERE labels->>'host' = 'db7'"), "not even the good sample's series");
  }

  @Test
  void badLabelNameGets400NamingIndexAndLabelFieldAndStoresNothing() throws Exception {
    Http.Reply r = http.ingest(GOOD + ",{\"metric\":\"up\",\"labels\":{\"host\":\"db2\",\"data-center\":\"fra\"},\"value\":1}");
    assertEquals(400, r.status(), r.toString());
    JsonObject j = r.json();
    assertEquals(1, j.getInteger("index"), r.toString());
    assertEquals("labels.data-center", j.getString("field"), r.toString());
    assertTrue(j.getString("error").startsWith("bad label name 'data-center': must match "), r.toString());
    assertEquals(1, vigil.count("samples"), "a rejected batch writes nothing");
    assertEquals(1, vigil.count("series"));
  }

  @Test
  void missingTokenGets401WithWwwAuthenticateAndStoresNothing() throws Exception {
    Http.Reply r = http.as(null).ingest(sample("up", "acme", "erp", "db2", 0));
    assertEquals(401, r.status(), r.toString());
    assertNotNull(r.header("WWW-Authenticate"), "401 must say how to authenticate");
    assertTrue(r.header("WWW-Authenticate").startsWith("Bearer"), r.header("WWW-Authenticate"));
    assertTrue(r.json().getString("error").startsWith("missing token"), r.toString());
    assertEquals(1, vigil.count("samples"));
  }

  @Test
  void wrongTokenGets401AndStoresNothing() throws Exception {
    Http.Reply r = http.as("not-a-real-token").ingest(sample("up", "acme", "erp", "db2", 0));
    assertEquals(401, r.status(), r.toString());
    assertEquals("unknown or revoked token", r.json().getString("error"));
    assertNotNull(r.header("WWW-Authenticate"));
    assertEquals(1, vigil.count("samples"));
  }

  @Test
  void viewerTokenGets403OnIngestAndStoresNothing() throws Exception {
    String viewer = createToken("dashboard", "viewer");
    Http.Reply r = http.as(viewer).ingest(sample("up", "acme", "erp", "db2", 0));
    assertEquals(403, r.status(), r.toString());
    assertEquals("token 'dashboard' has role viewer, this needs ingest", r.json().getString("error"));
    assertEquals(1, vigil.count("samples"));
  }

  @Test
  void ingestTokenCanIngestButGets403OnReadingFaults() throws Exception {
    String agent = createToken("acme-agent", "ingest");
    Http as = http.as(agent);
    assertEquals(204, as.ingest(sample("up", "acme", "erp", "db2", 1)).status());
    assertEquals(2, vigil.count("samples"));
    Http.Reply faults = as.get("/api/v1/faults");
    assertEquals(403, faults.status(), faults.toString());
    assertEquals("token 'acme-agent' has role ingest, this needs viewer", faults.json().getString("error"));
  }

  @Test
  void bodyOverConfiguredByteLimitGets413JsonAndStoresNothing() throws Exception {
    StringBuilder samples = new StringBuilder(GOOD);
    // Two samples only (under the sample limit) but with a label value that pushes the body past 2 KiB.
    samples.append(",{\"metric\":\"up\",\"labels\":{\"note\":\"").append("x".repeat(MAX_BODY)).append("\"},\"value\":1}");
    String body = "{\"samples\":[" + samples + "]}";
    assertTrue(body.getBytes(UTF_8).length > MAX_BODY);
    Http.Reply r = http.post("/api/v1/ingest", body);
    assertEquals(413, r.status(), r.toString());
    assertJsonContentType(r);
    assertEquals("request body larger than the configured limit of 2048 bytes (VIGIL_MAX_BODY_BYTES); nothing was stored",
        r.json().getString("error"));
    assertEquals(1, vigil.count("samples"));
    // The same body sent chunked (no Content-Length) is cut off once the limit is passed.
    HttpRequest chunked = HttpRequest.newBuilder(URI.create(http.base + "/api/v1/ingest"))
        .header("Authorization", "Bearer " + TestVigil.ADMIN).header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(body.getBytes(UTF_8)))).build();
    HttpResponse<String> c = HttpClient.newHttpClient().send(chunked, HttpResponse.BodyHandlers.ofString());
    assertEquals(413, c.statusCode(), c.body());
    assertEquals("request body larger than the configured limit of 2048 bytes (VIGIL_MAX_BODY_BYTES); nothing was stored",
        new JsonObject(c.body()).getString("error"));
    assertEquals(1, vigil.count("samples"));
    // Just under the limit is fine.
    String fits = "{\"samples\":[" + GOOD + ",{\"metric\":\"up\",\"labels\":{\"note\":\"" + "x".repeat(MAX_BODY - 300) + "\"},\"value\":1}]}";
    assertTrue(fits.getBytes(UTF_8).length <= MAX_BODY);
    assertEquals(204, http.post("/api/v1/ingest", fits).status());
    assertEquals(3, vigil.count("samples"));
  }

  @Test
  void moreSamplesThanConfiguredLimitGets413NamingTheLimitAndStoresNothing() throws Exception {
    String four = String.join(",", GOOD, GOOD, GOOD, GOOD);
    Http.Reply r = http.ingest(four);
    assertEquals(413, r.status(), r.toString());
    JsonObject j = r.json();
    assertEquals("more than 3 samples in one request; split the batch", j.getString("error"));
    assertEquals(MAX_SAMPLES, j.getInteger("index"), "the first sample over the limit");
    assertEquals(1, vigil.count("samples"));
    assertEquals(204, http.ingest(String.join(",", GOOD, GOOD, GOOD)).status(), "exactly the limit is accepted");
    assertEquals(4, vigil.count("samples"));
  }

  @Test
  void wrongContentTypeGets415NamingTheTypeAndStoresNothing() throws Exception {
    Http.Reply r = http.post("/api/v1/ingest", "text/plain", ("{\"samples\":[" + GOOD + "]}").getBytes(UTF_8));
    assertEquals(415, r.status(), r.toString());
    assertEquals("Content-Type must be application/json, got 'text/plain'", r.json().getString("error"));
    Http.Reply none = http.post("/api/v1/ingest", null, ("{\"samples\":[" + GOOD + "]}").getBytes(UTF_8));
    assertEquals(415, none.status(), none.toString());
    assertTrue(none.json().getString("error").startsWith("Content-Type must be application/json"), none.toString());
    assertEquals(1, vigil.count("samples"));
  }

  @Test
  void databaseUnavailableGets503WithRetryAfterStoresNothingAndIngestRecovers() throws Exception {
    long accepted = 1; // from start()
    EphemeralPostgres pg = EphemeralPostgres.get();
    String db = vigil.db.name();
    pg.psql("ALTER DATABASE " + db + " WITH ALLOW_CONNECTIONS false");
    try {
      pg.psql("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '" + db + "'");
      Http.Reply unavailable = null;
      long end = deadline(15);
      while (System.nanoTime() < end) {
        Http.Reply r = http.ingest(sample("mem_usage", "acme", "erp", "db3", 1) + "," + sample("mem_usage", "acme", "erp", "db4", 1));
        if (r.status() == 204) {
          accepted += 2; // the pool had not noticed yet; that batch is really stored
        } else {
          assertEquals(503, r.status(), "only 204 or 503 while the database goes away: " + r);
          unavailable = r;
          break;
        }
        Thread.sleep(100);
      }
      assertNotNull(unavailable, "ingest never answered 503 with the database refusing connections");
      assertNotNull(unavailable.header("Retry-After"), "503 must carry Retry-After: " + unavailable);
      assertTrue(Integer.parseInt(unavailable.header("Retry-After")) > 0);
      assertTrue(unavailable.json().getString("error").startsWith("storage unavailable, nothing of this batch was stored"),
          unavailable.toString());
      // Stays 503 while the database is away (no silent dropping with 204).
      Http.Reply again = http.ingest(sample("mem_usage", "acme", "erp", "db5", 1));
      assertEquals(503, again.status(), again.toString());
      assertNotNull(again.header("Retry-After"));
    } finally {
      pg.psql("ALTER DATABASE " + db + " WITH ALLOW_CONNECTIONS true");
    }
    Http.Reply ok = null;
    long end = deadline(30);
    while (System.nanoTime() < end) {
      Http.Reply r = http.ingest(sample("mem_usage", "acme", "erp", "db1", 50));
      if (r.status() == 204) {
        ok = r;
        accepted += 1;
        break;
      }
      assertEquals(503, r.status(), "only 503 until the database is back: " + r);
      Thread.sleep(200);
    }
    assertNotNull(ok, "ingest did not recover within 30 s after the database allowed connections again");
    assertEquals(accepted, vigil.count("samples"), "exactly the accepted samples are stored, nothing of any 503 batch");
    assertEquals("0", vigil.sql("SELECT count(*) FROM series WHERE labels->>'host' = 'db5'"));
  }

  // Input that can never be stored must be refused as the client's error (400, naming index and
  // field), not answered 503 + Retry-After: a well-behaved client would retry that batch forever.

  @Test
  void timestampOutsideStorableRangeGets400NamingIndexAndFieldTsNot503() throws Exception {
    // Epoch milliseconds past PostgreSQL's range both ways, and an RFC 3339 time whose epoch millis overflow a long.
    List<String> wrong = new ArrayList<>();
    for (String ts : List.of("9999999999999999", "-99999999999999999", "\"+999999999-12-31T23:59:59Z\"")) {
      Http.Reply r = http.ingest(GOOD + ",{\"metric\":\"up\",\"labels\":{\"host\":\"db2\"},\"value\":1,\"ts\":" + ts + "}");
      boolean right = r.status() == 400 && r.header("Retry-After") == null
          && Integer.valueOf(1).equals(r.json().getInteger("index")) && "ts".equals(r.json().getString("field"));
      if (!right) wrong.add("ts=" + ts + " → " + r + " (Retry-After: " + r.header("Retry-After") + ")");
    }
    assertEquals(List.of(), wrong, "each must be 400 naming index 1 and field ts, without Retry-After");
    assertEquals(1, vigil.count("samples"));
  }

  @Test
  void timestampTooLargeForALongGets400NamingIndexAndFieldTs() throws Exception {
    Http.Reply r = http.ingest(GOOD + ",{\"metric\":\"up\",\"value\":1,\"ts\":99999999999999999999999}");
    assertEquals(400, r.status(), r.toString());
    assertEquals(1, r.json().getInteger("index"), "the bad sample is named: " + r);
    assertEquals("ts", r.json().getString("field"), r.toString());
    assertEquals(1, vigil.count("samples"));
  }

  @Test
  void fractionalTimestampGets400SayingWhatWasSent() throws Exception {
    Http.Reply r = http.ingest(GOOD + ",{\"metric\":\"up\",\"value\":1,\"ts\":1.5}");
    assertEquals(400, r.status(), r.toString());
    assertEquals(1, r.json().getInteger("index"));
    assertEquals("ts", r.json().getString("field"));
    String error = r.json().getString("error");
    assertFalse(error.endsWith("got null"), "1.5 is not null: " + error);
    assertTrue(error.contains("1.5") || error.contains("number"), "the message should say a (fractional) number was sent: " + error);
    assertEquals(1, vigil.count("samples"));
  }

  @Test
  void nulCharacterInLabelValueGets400NamingTheLabelNot503() throws Exception {
    Http.Reply r = http.ingest(GOOD + ",{\"metric\":\"up\",\"labels\":{\"host\":\"db\\u00002\"},\"value\":1}");
    assertNull(r.header("Retry-After"), "not a transient failure, must not invite a retry: " + r);
    assertEquals(400, r.status(), r.toString());
    assertEquals(1, r.json().getInteger("index"), r.toString());
    assertEquals("labels.host", r.json().getString("field"), r.toString());
    assertEquals(1, vigil.count("samples"));
  }

  @Test
  void longLabelValueIsStoredOrRefusedAs400NeverAnsweredWith503() throws Exception {
    // Needs the default 10 MiB body limit: this body is ~4 KiB.
    vigil.close();
    vigil = new TestVigil();
    http = vigil.http;
    StringBuilder random = new StringBuilder();
    new Random(42).ints(4000, 'a', 'z' + 1).forEach(random::appendCodePoint);
    Http.Reply r = http.ingest(GOOD + ",{\"metric\":\"up\",\"labels\":{\"host\":\"" + random + "\"},\"value\":1}");
    assertNotEquals(503, r.status(), "a deterministic input problem reported as storage unavailability: " + r);
    if (r.status() == 204) {
      assertEquals(2, vigil.count("samples"));
    } else {
      assertEquals(400, r.status(), r.toString());
      assertEquals(1, r.json().getInteger("index"), r.toString());
      assertEquals("labels.host", r.json().getString("field"), r.toString());
      assertEquals(0, vigil.count("samples"));
    }
  }

  private String createToken(String name, String role) throws Exception {
    Http.Reply r = http.post("/api/v1/tokens", new JsonObject().put("name", name).put("role", role).encode());
    assertEquals(201, r.status(), r.toString());
    return r.json().getString("token");
  }

  private static void assertJsonContentType(Http.Reply r) {
    String type = r.header("Content-Type");
    assertNotNull(type, "no Content-Type on " + r);
    assertTrue(type.startsWith("application/json"), "Content-Type " + type + " on " + r);
  }

  private static long deadline(int seconds) {
    return System.nanoTime() + Duration.ofSeconds(seconds).toNanos();
  }
}
