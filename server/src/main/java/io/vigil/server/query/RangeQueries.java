package io.vigil.server.query;

import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import io.vigil.rules.Labels;
import io.vigil.rules.Matcher;
import io.vigil.rules.expr.RangePlan;
import io.vigil.server.storage.Rows;
import io.vigil.web.ApiError;
import io.vigil.web.QueryService;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * {@code query_range} in PostgreSQL: the selector's series are chosen from {@code series} (by
 * metric, then the matchers), and one statement buckets their samples by step
 * ({@code vigil_samples}, both the log and the chunks) and aggregates the buckets per output
 * group. Only the points travel back, never the samples.
 */
public final class RangeQueries implements QueryService {
  /** More series than this in one query is a question for the database console, not a chart. */
  static final int MAX_SERIES = 2000;
  private final Pool pool;

  public RangeQueries(Pool pool) {
    this.pool = pool;
  }

  @Override
  public Future<JsonArray> range(RangePlan plan, Instant start, Instant end, Duration step, String customer) {
    // Equality matchers (and a bound token's customer) narrow the series in PostgreSQL; the rest
    // (regexes, negations) are checked here on what comes back.
    JsonObject equal = new JsonObject();
    for (Matcher m : plan.matchers()) if (m.type() == Matcher.Type.EQ && !m.value().isEmpty()) equal.put(m.name(), m.value());
    if (customer != null) {
      if (equal.containsKey("customer") && !customer.equals(equal.getString("customer"))) return Future.succeededFuture(new JsonArray());
      equal.put("customer", customer);
    }
    return pool.preparedQuery("SELECT id, labels FROM series WHERE metric = $1 AND labels @> $2::jsonb")
        .execute(Tuple.of(plan.metric(), equal)).compose(rows -> {
      // Output groups: each series alone (bare selector), or the aggregation's grouping labels.
      Map<Map<String, String>, Integer> groups = new LinkedHashMap<>();
      List<Long> ids = new ArrayList<>();
      List<Integer> groupOf = new ArrayList<>();
      for (Row r : rows) {
        JsonObject json = (JsonObject) r.getJson("labels");
        Map<String, String> m = new TreeMap<>();
        json.forEach(e -> m.put(e.getKey(), String.valueOf(e.getValue())));
        Labels labels = Labels.of(m);
        if (customer != null && !customer.equals(m.get("customer"))) continue;
        if (!matches(plan.matchers(), labels)) continue;
        if (ids.size() == MAX_SERIES) {
          throw new ApiError(400, "the selector matches more than " + MAX_SERIES + " series of '" + plan.metric() + "'; add label matchers", "expr");
        }
        Map<String, String> key = groupLabels(plan, m);
        Integer g = groups.get(key);
        if (g == null) groups.put(key, g = groups.size());
        ids.add(r.getLong("id"));
        groupOf.add(g);
      }
      if (ids.isEmpty()) return Future.succeededFuture(new JsonArray());
      long stepMs = step.toMillis();
      Instant from = start.minusMillis(stepMs);
      String agg = plan.aggregation() == null ? "avg" : plan.aggregation();
      // Point k (at start + k*step) is the mean of a series' samples in [t - step, t); the groups
      // then aggregate those means.
      String sql = "WITH g AS (SELECT * FROM unnest($1::int8[], $2::int4[]) AS g(series_id, grp)), "
          + "per AS (SELECT s.series_id, floor((extract(epoch FROM s.time) * 1000 - $3) / $4)::int8 AS b, avg(s.value) AS v "
          + "FROM vigil_samples($1, $5, $6) s GROUP BY 1, 2) "
          + "SELECT g.grp, per.b, " + agg + "(per.v)::float8 AS v FROM per JOIN g USING (series_id) GROUP BY 1, 2 ORDER BY 1, 2";
      return pool.preparedQuery(sql).execute(Tuple.of(ids.toArray(new Long[0]), groupOf.toArray(new Integer[0]),
              (double) from.toEpochMilli(), (double) stepMs, Rows.ts(from), Rows.ts(end)))
          .map(points -> {
            List<Map<String, String>> keys = new ArrayList<>(groups.keySet());
            JsonArray[] values = new JsonArray[keys.size()];
            for (Row p : points) {
              int g = p.getInteger("grp");
              long b = p.getLong("b");
              long at = from.toEpochMilli() + (b + 1) * stepMs;
              if (at > end.toEpochMilli()) continue;
              if (values[g] == null) values[g] = new JsonArray();
              // Unix seconds as Prometheus writes them: 1796641770, or 1796641770.5 (never 1.79664177E9).
              Number t = at % 1000 == 0 ? (Number) (at / 1000) : (Number) new BigDecimal(at).movePointLeft(3);
              values[g].add(new JsonArray().add(t).add(format(p.getDouble("v"))));
            }
            JsonArray result = new JsonArray();
            for (int i = 0; i < keys.size(); i++) {
              if (values[i] == null) continue;
              result.add(new JsonObject().put("metric", new JsonObject(new LinkedHashMap<>(keys.get(i)))).put("values", values[i]));
            }
            return result;
          });
    });
  }

  private static boolean matches(List<Matcher> matchers, Labels labels) {
    for (Matcher m : matchers) if (!m.matches(labels)) return false;
    return true;
  }

  private static Map<String, String> groupLabels(RangePlan plan, Map<String, String> labels) {
    Map<String, String> out = new TreeMap<>();
    if (plan.aggregation() == null) {
      out.put("__name__", plan.metric());
      out.putAll(labels);
    } else if (plan.without()) {
      out.putAll(labels);
      plan.grouping().forEach(out::remove);
    } else {
      for (String l : plan.grouping()) if (labels.containsKey(l)) out.put(l, labels.get(l));
    }
    return out;
  }

  /** Prometheus' text for a sample value: shortest form, {@code NaN}, {@code +Inf}, {@code -Inf}. */
  static String format(double v) {
    if (Double.isNaN(v)) return "NaN";
    if (Double.isInfinite(v)) return v > 0 ? "+Inf" : "-Inf";
    if (v == Math.rint(v) && Math.abs(v) < 1e15) return Long.toString((long) v);
    return BigDecimal.valueOf(v).stripTrailingZeros().toPlainString();
  }
}
