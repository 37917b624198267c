package io.vigil.server.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** {@code POST /api/v1/write} through the real server: stored durably, evaluated, and bad bodies refused as Prometheus expects. */
class RemoteWriteIT {
  private static final Map<String, String> HEADERS = Map.of("Content-Type", "application/x-protobuf", "Content-Encoding", "snappy",
      "X-Prometheus-Remote-Write-Version", "0.1.0");
  private static final double STALE = Double.longBitsToDouble(0x7ff0000000000002L);
  private static TestVigil vigil;

  @BeforeAll
  static void start() throws Exception {
    vigil = new TestVigil();
  }

  @AfterAll
  static void stop() throws Exception {
    vigil.close();
  }

  private static Http.Reply write(byte[] body) throws Exception {
    return vigil.http.postWithHeaders("/api/v1/write", HEADERS, body);
  }

  private static long stored(String metric) {
    return Long.parseLong(vigil.sql("SELECT count(*) FROM samples s JOIN series r ON r.id = s.series_id WHERE r.metric = '" + metric + "'"));
  }

  @Test
  void customerBoundTokenStampsItsCustomerAndIsRefused403ForAnother() throws Exception {
    String token = vigil.http.post("/api/v1/tokens", "{\"name\":\"acme-prom\",\"role\":\"ingest\",\"customer\":\"acme\"}")
        .json().getString("token");
    long now = System.currentTimeMillis();
    Http.Reply stamped = vigil.http.as(token).postWithHeaders("/api/v1/write", HEADERS,
        new RemoteWriteBodies().series("tenant_probe", Map.of("system", "erp"), now, 1).snappy());
    assertEquals(204, stamped.status(), stamped.toString());
    assertEquals("acme", vigil.sql("SELECT r.labels->>'customer' FROM series r WHERE r.metric = 'tenant_probe'"),
        "a series without a customer gets the token's");
    Http.Reply other = vigil.http.as(token).postWithHeaders("/api/v1/write", HEADERS, new RemoteWriteBodies()
        .series("tenant_probe", Map.of("system", "erp", "customer", "acme"), now + 1, 2)
        .series("tenant_probe", Map.of("system", "crm", "customer", "globex"), now + 1, 3).snappy());
    assertEquals(403, other.status(), other.toString());
    assertEquals(1, stored("tenant_probe"), "nothing of the refused request stored, never re-labelled");
  }

  @Test
  void remoteWriteSamplesAreStoredBeforeTheAnswerAndRulesFireOnThem() throws Exception {
    long now = System.currentTimeMillis();
    byte[] body = new RemoteWriteBodies()
        .series("up", Map.of("customer", "acme", "system", "erp", "host", "rw1"), now, 1, 0)
        .series("rw_queue_depth", Map.of("customer", "acme", "system", "erp"), now, 1, 2, STALE, 3)
        .snappy();

    Http.Reply r = write(body);

    assertEquals(204, r.status(), r.toString());
    assertEquals(2, stored("up"), "stored when 204 was sent");
    assertEquals(3, stored("rw_queue_depth"), "the stale marker is not a sample");
    JsonObject fault = Await.until(Duration.ofSeconds(10), "SystemDown for rw1", () -> vigil.http.get("/api/v1/faults?state=firing").json()
        .getJsonArray("faults").stream().map(JsonObject.class::cast)
        .filter(f -> "rw1".equals(f.getJsonObject("labels").getString("host"))).findFirst().orElse(null));
    assertEquals("SystemDown", fault.getString("rule"));
    assertEquals("rule", fault.getString("source"));
    String metrics = vigil.http.get("/metrics").raw().body();
    assertTrue(metrics.contains("vigil_remote_write_skipped_total{what=\"stale_marker\"} 1.0"), "stale marker counted");
  }

  @Test
  void bodyThatIsNotSnappyIs400AndStoresNothing() throws Exception {
    long before = vigil.count("samples");
    Http.Reply r = write(new RemoteWriteBodies().series("rw_bad", Map.of(), 1, 1).protobuf());
    assertEquals(400, r.status(), r.toString());
    assertTrue(r.json().getString("error").contains("snappy"), r.toString());
    assertEquals(before, vigil.count("samples"));
  }

  @Test
  void truncatedProtobufIs400NamingTheSeriesAndStoresNothing() throws Exception {
    byte[] pb = new RemoteWriteBodies().series("rw_cut", Map.of("a", "1"), 1, 1).series("rw_cut", Map.of("a", "2"), 1, 1).protobuf();
    byte[] cut = org.xerial.snappy.Snappy.compress(java.util.Arrays.copyOf(pb, pb.length - 4));
    Http.Reply r = write(cut);
    assertEquals(400, r.status(), r.toString());
    assertEquals(1, r.json().getInteger("index"), r.toString());
    assertEquals(0, stored("rw_cut"));
  }

  @Test
  void seriesWithBadLabelRefusesTheWholeRequest() throws Exception {
    byte[] body = new RemoteWriteBodies().series("rw_mixed", Map.of("ok", "1"), 1, 1).series("rw_mixed", Map.of("bad-name", "x"), 1, 1).snappy();
    Http.Reply r = write(body);
    assertEquals(400, r.status(), r.toString());
    assertTrue(r.json().getString("error").contains("bad-name"), r.toString());
    assertEquals(0, stored("rw_mixed"));
  }

  @Test
  void otherEncodingOrRemoteWrite2Is415() throws Exception {
    byte[] body = new RemoteWriteBodies().series("rw_x", Map.of(), 1, 1).snappy();
    assertEquals(415, vigil.http.postWithHeaders("/api/v1/write", Map.of("Content-Type", "application/x-protobuf", "Content-Encoding", "gzip"), body).status());
    assertEquals(415, vigil.http.postWithHeaders("/api/v1/write", Map.of("Content-Type", "application/x-protobuf;proto=io.prometheus.write.v2.Request",
        "Content-Encoding", "snappy"), body).status());
  }

  @Test
  void withoutATokenIs401() throws Exception {
    Http.Reply r = vigil.http.as(null).postWithHeaders("/api/v1/write", HEADERS, new RemoteWriteBodies().series("rw_x", Map.of(), 1, 1).snappy());
    assertEquals(401, r.status());
  }
}
