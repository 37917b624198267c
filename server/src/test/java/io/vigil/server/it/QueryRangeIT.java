package io.vigil.server.it;

import static org.junit.jupiter.api.Assertions.*;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** GET /api/v1/query_range against samples ingested through the API: Prometheus' shape, step means, groups, tenancy, errors. */
class QueryRangeIT {
  private static TestVigil vigil;
  /** The samples' base time: every 10 s from T, value = seconds after T (web1), twice that (web2), 1000 (globex). */
  private static final Instant T = Instant.now().minus(10, ChronoUnit.MINUTES).truncatedTo(ChronoUnit.MINUTES);

  @BeforeAll
  static void start() throws Exception {
    vigil = new TestVigil();
    Http http = vigil.http;
    for (String c : List.of("acme", "globex")) {
      assertEquals(201, http.post("/api/v1/customers", "{\"id\":\"" + c + "\",\"tier\":\"7x24\"}").status());
    }
    List<String> samples = new ArrayList<>();
    for (int s = 0; s < 120; s += 10) {
      long ts = T.plusSeconds(s).toEpochMilli();
      samples.add(sample("acme", "web1", s, ts));
      samples.add(sample("acme", "web2", 2 * s, ts));
      samples.add(sample("globex", "web3", 1000, ts));
    }
    assertEquals(204, http.ingest(String.join(",", samples)).status());
  }

  @AfterAll
  static void stop() throws Exception {
    vigil.close();
  }

  private static String sample(String customer, String host, double v, long ts) {
    return "{\"metric\":\"cpu_usage\",\"labels\":{\"customer\":\"" + customer + "\",\"system\":\"erp\",\"host\":\"" + host + "\"},"
        + "\"value\":" + v + ",\"ts\":" + ts + "}";
  }

  private static Http.Reply query(Http http, String expr, String start, String end, String step) throws Exception {
    return http.get("/api/v1/query_range?expr=" + URLEncoder.encode(expr, StandardCharsets.UTF_8) + "&start=" + start + "&end=" + end
        + "&step=" + step);
  }

  private static String at(int seconds) {
    return T.plusSeconds(seconds).toString();
  }

  /** host -> [[t, "v"], …] as "t=v" strings relative to T. */
  private static List<String> points(JsonObject series) {
    List<String> out = new ArrayList<>();
    JsonArray values = series.getJsonArray("values");
    for (int i = 0; i < values.size(); i++) {
      JsonArray p = values.getJsonArray(i);
      out.add(Math.round(p.getDouble(0) - T.getEpochSecond()) + "=" + p.getString(1));
    }
    return out;
  }

  @Test
  void aSelectorGivesEachSeriesTheMeanOfEveryStepInPrometheusShape() throws Exception {
    Http.Reply r = query(vigil.http, "cpu_usage{host=\"web1\"}", at(30), at(90), "30s");
    assertEquals(200, r.status(), r.toString());
    assertEquals("success", r.json().getString("status"));
    JsonObject data = r.json().getJsonObject("data");
    assertEquals("matrix", data.getString("resultType"));
    JsonArray result = data.getJsonArray("result");
    assertEquals(1, result.size(), result.encode());
    JsonObject web1 = result.getJsonObject(0);
    assertEquals("cpu_usage", web1.getJsonObject("metric").getString("__name__"));
    assertEquals("acme", web1.getJsonObject("metric").getString("customer"));
    // [T, T+30): 0, 10, 20 → 10; [T+30, T+60): 30, 40, 50 → 40; [T+60, T+90): 70.
    assertEquals(List.of("30=10", "60=40", "90=70"), points(web1));
    assertFalse(r.raw().body().contains("E9"), "times as plain Unix seconds: " + r.raw().body());
  }

  @Test
  void anAggregationByALabelAggregatesTheStepMeansInTheDatabase() throws Exception {
    Http.Reply r = query(vigil.http, "sum by (customer) (cpu_usage)", String.valueOf(T.plusSeconds(60).getEpochSecond()),
        String.valueOf(T.plusSeconds(60).getEpochSecond()), "60");
    assertEquals(200, r.status(), r.toString());
    JsonArray result = r.json().getJsonObject("data").getJsonArray("result");
    assertEquals(2, result.size(), result.encode());
    for (int i = 0; i < result.size(); i++) {
      JsonObject s = result.getJsonObject(i);
      assertEquals(1, s.getJsonObject("metric").size(), "only the grouping label: " + s.encode());
      // [T, T+60): web1 mean 25 + web2 mean 50 = 75; globex 1000.
      String expected = "acme".equals(s.getJsonObject("metric").getString("customer")) ? "60=75" : "60=1000";
      assertEquals(List.of(expected), points(s));
    }
  }

  @Test
  void aTokenBoundToACustomerSeesOnlyThatCustomersSeries() throws Exception {
    String token = vigil.http.post("/api/v1/tokens", "{\"name\":\"acme-wall\",\"role\":\"viewer\",\"customer\":\"acme\"}").json().getString("token");
    Http.Reply r = query(vigil.http.as(token), "count(cpu_usage)", at(60), at(60), "60s");
    assertEquals(200, r.status(), r.toString());
    assertEquals(List.of("60=2"), points(r.json().getJsonObject("data").getJsonArray("result").getJsonObject(0)), "web1 and web2, not globex's web3");
    Http.Reply other = query(vigil.http.as(token), "cpu_usage{customer=\"globex\"}", at(60), at(60), "60s");
    assertEquals(0, other.json().getJsonObject("data").getJsonArray("result").size());
  }

  @Test
  void badQueriesAre400NamingTheParameterInPrometheusErrorShape() throws Exception {
    record Case(String expr, String start, String end, String step, String field) {}
    List<Case> cases = List.of(
        new Case("cpu_usage{", at(0), at(60), "30s", "expr"),
        new Case("rate(cpu_usage[5m]) > 3", at(0), at(60), "30s", "expr"),
        new Case("cpu_usage", "yesterday", at(60), "30s", "start"),
        new Case("cpu_usage", at(60), at(0), "30s", "end"),
        new Case("cpu_usage", at(0), at(60), "0s", "step"),
        new Case("cpu_usage", at(0), at(60), "soon", "step"),
        new Case("cpu_usage", "0", at(0), "1s", "step"));
    List<String> wrong = new ArrayList<>();
    for (Case c : cases) {
      Http.Reply r = query(vigil.http, c.expr(), c.start(), c.end(), c.step());
      if (r.status() != 400 || !"error".equals(r.json().getString("status")) || !"bad_data".equals(r.json().getString("errorType"))
          || !c.field().equals(r.json().getString("field"))) {
        wrong.add(c + " → " + r);
      }
    }
    assertEquals(List.of(), wrong);
    assertEquals(400, vigil.http.get("/api/v1/query_range?start=0&end=1&step=1").status(), "no expr");
    assertEquals(401, vigil.http.as(null).get("/api/v1/query_range?expr=up&start=0&end=1&step=1").status());
  }
}
