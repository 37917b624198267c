package io.vigil.server.it;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.*;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The Influx line protocol endpoints through a real Vigil: partial writes, gzip, precision, the
 * auth variants InfluxDB clients use, tenancy, and that the samples reach storage and the rules.
 */
class InfluxWriteIT {
  private TestVigil vigil;
  private final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  @BeforeEach
  void start() throws Exception {
    vigil = new TestVigil(Map.of("VIGIL_MAX_BODY_BYTES", "65536"));
  }

  @AfterEach
  void stop() throws Exception {
    vigil.close();
  }

  record Answer(int status, String body, HttpResponse<String> raw) {
    JsonObject json() {
      return new JsonObject(body);
    }

    @Override
    public String toString() {
      return status + " " + body;
    }
  }

  Answer post(String pathAndQuery, byte[] body, String... headers) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(vigil.http.base + pathAndQuery)).timeout(Duration.ofSeconds(20))
        .POST(HttpRequest.BodyPublishers.ofByteArray(body));
    if (headers.length > 0) b.headers(headers);
    HttpResponse<String> r = client.send(b.build(), HttpResponse.BodyHandlers.ofString());
    return new Answer(r.statusCode(), r.body(), r);
  }

  Answer write(String query, String lines) throws Exception {
    return post("/write?" + query, lines.getBytes(UTF_8), "Authorization", "Token " + TestVigil.ADMIN);
  }

  Answer writeV2(String query, String lines) throws Exception {
    return post("/api/v2/write?" + query, lines.getBytes(UTF_8), "Authorization", "Token " + TestVigil.ADMIN);
  }

  static byte[] gzip(byte[] b) throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (GZIPOutputStream z = new GZIPOutputStream(out)) {
      z.write(b);
    }
    return out.toByteArray();
  }

  String ingestToken(String customer) throws Exception {
    JsonObject req = new JsonObject().put("name", "agent-" + (customer == null ? "any" : customer)).put("role", "ingest");
    if (customer != null) req.put("customer", customer);
    Http.Reply r = vigil.http.post("/api/v1/tokens", req.encode());
    assertEquals(201, r.status(), r.toString());
    assertEquals(customer, r.json().getString("customer"));
    return r.json().getString("token");
  }

  long samples() {
    return vigil.count("samples");
  }

  @Test
  void theInfluxDbCurlExampleWorksThoughCurlLabelsTheBodyAsAForm() throws Exception {
    // curl -XPOST '.../write?db=mydb' --data-binary 'cpu_load_short,host=server01 value=0.64 ...' sends
    // Content-Type: application/x-www-form-urlencoded; the body is still line protocol.
    Answer a = post("/write?db=mydb", "cpu_load_short,host=server01,region=us-west value=0.64 1434055562000000000".getBytes(UTF_8),
        "Authorization", "Token " + TestVigil.ADMIN, "Content-Type", "application/x-www-form-urlencoded");
    assertEquals(204, a.status(), a.toString());
    assertEquals("0.64", vigil.sql("SELECT value FROM samples s JOIN series r ON r.id = s.series_id WHERE r.metric = 'cpu_load_short_value'"));
    Answer v2 = post("/api/v2/write?org=o&bucket=b", "m,host=a v=1".getBytes(UTF_8),
        "Authorization", "Token " + TestVigil.ADMIN, "Content-Type", "application/x-www-form-urlencoded");
    assertEquals(204, v2.status(), v2.toString());
  }

  @Test
  void allGoodLinesAnswer204AndEveryNumericFieldIsStoredAsMeasurementUnderscoreField() throws Exception {
    Answer a = write("db=telegraf", "cpu,customer=acme,host=db1 usage_idle=97.5,usage_user=2i 1763805600000000000\n"
        + "disk,customer=acme,host=db1,path=/var used_percent=71.2,readonly=false,label=\"data\" 1763805600000000000\n");
    assertEquals(204, a.status(), a.toString());
    assertEquals(4, samples(), "3 numeric/boolean fields + 1 more; the string field is dropped");
    assertEquals("cpu_usage_idle|{\"host\": \"db1\", \"customer\": \"acme\"}", vigil.sql(
        "SELECT metric || '|' || labels::text FROM series WHERE metric = 'cpu_usage_idle'"));
    assertEquals("disk_readonly,disk_used_percent", vigil.sql("SELECT string_agg(metric, ',' ORDER BY metric) FROM series WHERE metric LIKE 'disk%'"));
    assertEquals("2025-11-22 10:00:00+00", vigil.sql("SELECT min(time) AT TIME ZONE 'UTC' || '+00' FROM samples"));
  }

  @Test
  void partialWriteV1StoresTheGoodLinesAndAnswers400WithLineNumbersAndReasons() throws Exception {
    Answer a = write("db=telegraf", "cpu,host=a v=1\ncpu,host=b v=\n# comment\nmem free=3i\ncpu v=1 abc\ncpu v=\"x\n");
    assertEquals(400, a.status(), a.toString());
    assertEquals(2, samples(), "lines 1 and 4 are stored");
    String error = a.json().getString("error");
    assertTrue(error.startsWith("partial write: line 2: unable to parse 'cpu,host=b v=': missing field value\n"
        + "line 5: unable to parse 'cpu v=1 abc': bad timestamp\n"
        + "line 6: unable to parse 'cpu v=\"x': unbalanced quotes"), error);
    JsonArray lines = a.json().getJsonArray("lines");
    assertEquals(List.of(2, 5, 6), lines.stream().map(o -> ((JsonObject) o).getInteger("line")).toList());
    assertEquals("application/json", a.raw().headers().firstValue("Content-Type").orElse(""));
  }

  @Test
  void partialWriteV2AnswersInInfluxDb2ShapeWithTheFirstBadLine() throws Exception {
    Answer a = writeV2("org=acme&bucket=b", "cpu v=1\ncpu v=2\ncpu,host v=3\ncpu v=tru\n");
    assertEquals(400, a.status(), a.toString());
    assertEquals(2, samples());
    JsonObject j = a.json();
    assertEquals("invalid", j.getString("code"));
    assertEquals(3, j.getInteger("line"));
    assertTrue(j.getString("message").startsWith("partial write: line 3: unable to parse 'cpu,host v=3': missing tag value\n"
        + "line 4: unable to parse 'cpu v=tru': invalid boolean"), j.getString("message"));
    assertEquals(2, j.getJsonArray("lines").size());
  }

  @Test
  void onlyBadLinesStoreNothingAndStillName400Lines() throws Exception {
    Answer a = write("db=x", "cpu\n");
    assertEquals(400, a.status(), a.toString());
    assertEquals("line 1: unable to parse 'cpu': missing fields stored=0 rejected=1", a.json().getString("error"));
    assertEquals(0, samples());
  }

  @Test
  void missingDatabaseOrBucketOrOrgGets400AsInfluxDbSaysIt() throws Exception {
    Answer v1 = write("", "cpu v=1");
    assertEquals(400, v1.status());
    assertEquals("database is required", v1.json().getString("error"));
    Answer noOrg = writeV2("bucket=b", "cpu v=1");
    assertEquals(400, noOrg.status());
    assertEquals("invalid", noOrg.json().getString("code"));
    assertEquals("Please provide either orgID or org", noOrg.json().getString("message"));
    Answer noBucket = writeV2("org=acme", "cpu v=1");
    assertEquals(400, noBucket.status());
    assertEquals("Please provide bucket", noBucket.json().getString("message"));
    assertEquals(0, samples());
  }

  @Test
  void precisionParameterSetsTheTimestampUnitAndAnUnknownOneIs400() throws Exception {
    assertEquals(204, write("db=x&precision=s", "p_s v=1 1763805600").status());
    assertEquals(204, write("db=x&precision=ms", "p_ms v=1 1763805600123").status());
    assertEquals(204, write("db=x&precision=u", "p_u v=1 1763805600123456").status());
    assertEquals(204, write("db=x&precision=h", "p_h v=1 489946").status());
    assertEquals(204, writeV2("org=o&bucket=b&precision=us", "p_us v=1 1763805600123456").status());
    assertEquals("1763805600000", vigil.sql("SELECT (extract(epoch FROM time) * 1000)::bigint FROM samples s JOIN series r ON r.id = s.series_id WHERE metric = 'p_s_v'"));
    assertEquals("1763805600123", vigil.sql("SELECT (extract(epoch FROM time) * 1000)::bigint FROM samples s JOIN series r ON r.id = s.series_id WHERE metric = 'p_ms_v'"));
    assertEquals("1763805600123", vigil.sql("SELECT (extract(epoch FROM time) * 1000)::bigint FROM samples s JOIN series r ON r.id = s.series_id WHERE metric = 'p_u_v'"));
    assertEquals("1763805600000", vigil.sql("SELECT (extract(epoch FROM time) * 1000)::bigint FROM samples s JOIN series r ON r.id = s.series_id WHERE metric = 'p_h_v'"));
    assertEquals("1763805600123", vigil.sql("SELECT (extract(epoch FROM time) * 1000)::bigint FROM samples s JOIN series r ON r.id = s.series_id WHERE metric = 'p_us_v'"));
    Answer bad = write("db=x&precision=fortnight", "cpu v=1 1");
    assertEquals(400, bad.status());
    assertTrue(bad.json().getString("error").startsWith("invalid precision 'fortnight'"), bad.toString());
    Answer badV2 = writeV2("org=o&bucket=b&precision=h", "cpu v=1 1");
    assertEquals(400, badV2.status(), "h is 1.x only");
    assertEquals(5, samples());
  }

  @Test
  void gzipBodyIsInflatedAndAnInflatedBodyOverTheLimitIs413StoringNothing() throws Exception {
    byte[] lines = "cpu,host=a v=1\ncpu,host=b v=2\n".getBytes(UTF_8);
    Answer ok = post("/write?db=x", gzip(lines), "Authorization", "Token " + TestVigil.ADMIN, "Content-Encoding", "gzip");
    assertEquals(204, ok.status(), ok.toString());
    assertEquals(2, samples());
    // 200 KB of lines compress to a few KB (under the 64 KiB body limit) but inflate past it.
    StringBuilder big = new StringBuilder();
    while (big.length() < 200_000) big.append("cpu,host=c v=1\n");
    byte[] bomb = gzip(big.toString().getBytes(UTF_8));
    assertTrue(bomb.length < 65536);
    Answer tooBig = post("/api/v2/write?org=o&bucket=b", bomb, "Authorization", "Token " + TestVigil.ADMIN, "Content-Encoding", "gzip");
    assertEquals(413, tooBig.status(), tooBig.toString());
    assertEquals("request too large", tooBig.json().getString("code"));
    assertTrue(tooBig.json().getString("message").contains("once inflated"), tooBig.toString());
    Answer notGzip = post("/write?db=x", lines, "Authorization", "Token " + TestVigil.ADMIN, "Content-Encoding", "gzip");
    assertEquals(400, notGzip.status(), notGzip.toString());
    Answer br = post("/write?db=x", lines, "Authorization", "Token " + TestVigil.ADMIN, "Content-Encoding", "br");
    assertEquals(415, br.status(), br.toString());
    assertEquals(2, samples());
    String metrics = vigil.http.get("/metrics").raw().body();
    assertTrue(metrics.contains("vigil_ingest_refused_total{reason=\"body_size\",transport=\"influx\"} 1.0"), metrics);
  }

  @Test
  void everyAuthVariantInfluxClientsUseIsAccepted() throws Exception {
    String t = ingestToken(null);
    byte[] line = "auth v=1".getBytes(UTF_8);
    String basic = "Basic " + Base64.getEncoder().encodeToString(("telegraf:" + t).getBytes(UTF_8));
    assertEquals(204, post("/write?db=x&u=telegraf&p=" + t, line).status(), "1.x u/p query parameters");
    assertEquals(204, post("/write?db=x", line, "Authorization", basic).status(), "1.x Basic");
    assertEquals(204, post("/write?db=x", line, "Authorization", "Token " + t).status(), "Token");
    assertEquals(204, post("/api/v2/write?org=o&bucket=b", line, "Authorization", "Token " + t).status(), "2.x Token");
    assertEquals(204, post("/api/v2/write?org=o&bucket=b", line, "Authorization", "Bearer " + t).status(), "Bearer");
    assertEquals(204, post("/api/v2/write?org=o&bucket=b", line, "Authorization", basic).status(), "2.x Basic");
    assertEquals(6, samples());

    Answer none = post("/write?db=x", line);
    assertEquals(401, none.status());
    assertTrue(none.json().getString("error").startsWith("unable to parse authentication credentials"), none.toString());
    Answer wrong = post("/write?db=x&u=x&p=nope", line);
    assertEquals(401, wrong.status());
    assertTrue(wrong.json().getString("error").startsWith("authorization failed"), wrong.toString());
    Answer v2query = post("/api/v2/write?org=o&bucket=b&u=x&p=" + t, line);
    assertEquals(401, v2query.status(), "2.x takes no credentials in the URL");
    assertEquals("unauthorized", v2query.json().getString("code"));
    Http.Reply viewer = vigil.http.post("/api/v1/tokens", new JsonObject().put("name", "v").put("role", "viewer").encode());
    Answer forbidden = post("/write?db=x", line, "Authorization", "Token " + viewer.json().getString("token"));
    assertEquals(403, forbidden.status(), forbidden.toString());
    assertEquals(6, samples());
  }

  @Test
  void pingAnswers204WithTheVersionHeaderWithoutAuth() throws Exception {
    HttpResponse<String> r = client.send(HttpRequest.newBuilder(URI.create(vigil.http.base + "/ping")).GET().build(),
        HttpResponse.BodyHandlers.ofString());
    assertEquals(204, r.statusCode());
    assertTrue(r.headers().firstValue("X-Influxdb-Version").isPresent());
  }

  @Test
  void boundTokenStampsItsCustomerOnLinesWithoutOne() throws Exception {
    String t = ingestToken("acme");
    Answer a = post("/write?db=x", "cpu,host=a v=1\ncpu,host=b,customer=acme v=2\n".getBytes(UTF_8), "Authorization", "Token " + t);
    assertEquals(204, a.status(), a.toString());
    assertEquals("acme,acme", vigil.sql("SELECT string_agg(labels->>'customer', ',') FROM series"));
  }

  @Test
  void boundTokenClaimingAnotherCustomerGets403NamingTheLineAndStoresNothing() throws Exception {
    String t = ingestToken("acme");
    Answer a = post("/api/v2/write?org=o&bucket=b", "cpu,host=a v=1\ncpu,host=b,customer=globex v=2\n".getBytes(UTF_8),
        "Authorization", "Token " + t);
    assertEquals(403, a.status(), a.toString());
    assertEquals(2, a.json().getInteger("line"));
    assertEquals("forbidden", a.json().getString("code"));
    assertTrue(a.json().getString("message").contains("line 2: sample claims customer 'globex' but this token is bound to customer 'acme'"), a.toString());
    assertEquals(0, samples(), "never re-labelled, nothing stored");
    // JSON ingest: the same rule, in the same place.
    Http.Reply j = vigil.http.as(t).ingest(Http.sample("up", "acme", "erp", "h1", 1) + "," + Http.sample("up", "globex", "erp", "h1", 1));
    assertEquals(403, j.status(), j.toString());
    assertEquals(1, j.json().getInteger("index"));
    assertEquals(0, samples());
    Http.Reply stamped = vigil.http.as(t).ingest("{\"metric\":\"up\",\"labels\":{\"system\":\"erp\"},\"value\":1}");
    assertEquals(204, stamped.status(), stamped.toString());
    assertEquals("acme", vigil.sql("SELECT labels->>'customer' FROM series WHERE metric = 'up'"));
    String metrics = vigil.http.get("/metrics").raw().body();
    assertTrue(metrics.contains("vigil_ingest_refused_total{reason=\"customer_mismatch\",transport=\"influx\"} 1.0"), metrics);
    assertTrue(metrics.contains("vigil_ingest_refused_total{reason=\"customer_mismatch\",transport=\"json\"} 1.0"), metrics);
  }

  @Test
  void customerMayOnlyBeBoundToIngestTokens() throws Exception {
    Http.Reply r = vigil.http.post("/api/v1/tokens", new JsonObject().put("name", "x").put("role", "viewer").put("customer", "acme").encode());
    assertEquals(400, r.status(), r.toString());
    Http.Reply listed = vigil.http.get("/api/v1/tokens");
    assertFalse(listed.raw().body().contains("\"customer\":\"acme\""));
  }

  @Test
  void lineProtocolSamplesFireRulesLikeAnyOther() throws Exception {
    // TestVigil's HighCpu rule: cpu_usage > 90 — measurement cpu, field usage.
    Answer a = write("db=x", "cpu,customer=acme,system=erp,host=db1 usage=97.5");
    assertEquals(204, a.status(), a.toString());
    JsonArray firing = Await.until(Duration.ofSeconds(10), "HighCpu firing", () -> {
      JsonArray f = vigil.http.get("/api/v1/faults?state=firing").json().getJsonArray("faults");
      return f.isEmpty() ? null : f;
    });
    assertEquals("HighCpu", firing.getJsonObject(0).getString("rule"));
  }
}
