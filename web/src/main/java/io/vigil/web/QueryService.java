package io.vigil.web;

import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vigil.rules.expr.RangePlan;
import java.time.Duration;
import java.time.Instant;

/** Range queries over stored samples, for charts (the wall's sparklines, Grafana-style clients). */
public interface QueryService {
  /**
   * The PromQL-style {@code result} matrix of {@code plan} at {@code start, start+step, … ≤ end}:
   * [{"metric":{…},"values":[[unixSeconds, "value"], …]}, …]. {@code customer}: only that
   * customer's series (a bound token); null: all.
   */
  Future<JsonArray> range(RangePlan plan, Instant start, Instant end, Duration step, String customer);
}
