package io.vigil.server.tickets;

import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import io.vigil.server.storage.Rows;
import io.vigil.web.ApiError;
import io.vigil.web.NotFoundException;
import io.vigil.web.ReportService;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Service reports computed by PostgreSQL in one statement over the tickets whose life overlaps
 * the period (opened before its end and not resolved before its start): aggregates with
 * {@code FILTER}, {@code percentile_cont} for p90s, {@code GROUPING SETS} for the per-customer
 * totals beside the per-severity rows. The measures and the cohorts they are taken over are
 * defined in {@code docs/REPORTS.md}; the indexes that keep this fast are in
 * {@code V15__report_indexes.sql}. Non-blocking, thread-safe, holds no state but the pool.
 */
public final class ServiceReports implements ReportService {
  /** The scope: customers of the inventory, and any other customer a ticket names (loose index scan, not DISTINCT over all tickets). */
  private static final String ALL_CUSTOMERS = """
      WITH RECURSIVE seen(v) AS (
        SELECT min(customer) FROM tickets
        UNION ALL
        SELECT (SELECT min(customer) FROM tickets WHERE customer > seen.v) FROM seen WHERE seen.v IS NOT NULL)
      SELECT id, name, time_zone FROM customers
      UNION ALL
      SELECT v, NULL, NULL FROM seen WHERE v IS NOT NULL AND NOT EXISTS (SELECT 1 FROM customers c WHERE c.id = seen.v)
      ORDER BY 1""";
  private static final String ONE_CUSTOMER = """
      SELECT $1::text AS id, c.name, c.time_zone FROM (SELECT 1) one LEFT JOIN customers c ON c.id = $1
      WHERE c.id IS NOT NULL OR EXISTS (SELECT 1 FROM tickets t WHERE t.customer = $1)""";

  /**
   * $1 customers, $2 period starts, $3 period ends (one each per customer), $4 now (the backlog is
   * taken at the earlier of the period's end and now). Column aliases are the CSV headers; the JSON
   * keys are the same names in camelCase, in this order. Durations in seconds, ratios 0..1.
   */
  static final String REPORT = """
      WITH s AS (
        SELECT * FROM unnest($1::text[], $2::timestamptz[], $3::timestamptz[]) WITH ORDINALITY AS s(customer, p_from, p_to, k)
      ), t AS (
        -- Grouped by the customer's number k, not its name: a million text comparisons cost more than the aggregates.
        SELECT s.k, t.channel,
          -- A review (the follow-up of a low survey answer) counts as a complaint about its ticket, under that ticket's severity.
          CASE WHEN t.review_of IS NULL THEN t.severity ELSE (SELECT o.severity FROM tickets o WHERE o.id = t.review_of) END AS severity,
          t.review_of IS NOT NULL AS review,
          t.opened_at >= s.p_from AS in_opened,
          COALESCE(t.resolved_at >= s.p_from AND t.resolved_at < s.p_to, false) AS in_resolved,
          COALESCE(t.resolved_at, 'infinity') >= LEAST(s.p_to, $4) AS in_backlog,
          date_part('epoch', LEAST(s.p_to, $4) - t.opened_at) AS age_s,
          -- date_part, not extract: float8 sorts and averages several times faster than extract's numeric.
          date_part('epoch', t.responded_at - t.opened_at) AS respond_s,
          date_part('epoch', t.acknowledged_at - t.opened_at) AS ack_s,
          date_part('epoch', t.resolved_at - t.opened_at) AS resolve_s,
          t.paused_ms / 1000.0::float8 AS paused_s,
          -- Decided: responded, or its due passed unanswered (not only once the SLA scanner noticed).
          (t.responded_at IS NOT NULL OR t.respond_by < LEAST(s.p_to, $4)) AS respond_decided,
          (t.responded_at IS NOT NULL AND t.respond_breached_at IS NULL AND t.responded_at <= COALESCE(t.respond_by, t.responded_at)) AS respond_met,
          (t.resolved_at IS NOT NULL AND t.resolve_breached_at IS NULL AND t.resolved_at <= COALESCE(t.resolve_by, t.resolved_at)) AS resolve_met,
          COALESCE(t.resolve_by < LEAST(s.p_to, $4), false) AS overdue,
          (t.recurrences > 0 OR t.recurrence_of IS NOT NULL) AS recurred,
          (t.reopened_at IS NULL AND t.recurrences = 0 AND t.dispatch IS DISTINCT FROM 'onsite'
            AND (t.resolution_kind IS NULL OR t.resolution_kind NOT IN ('onsite', 'hardware_replaced'))
            -- EXISTS: the planner probes per ticket or hashes the visits once (AlternativeSubPlan), whichever is cheaper.
            AND NOT EXISTS (SELECT 1 FROM ticket_visits v WHERE v.ticket_id = t.id)) AS first_contact,
          sv.sent_at AS survey_sent, sv.score
        FROM s JOIN tickets t ON t.customer = s.customer
        LEFT JOIN ticket_surveys sv ON sv.ticket_id = t.id
        WHERE t.opened_at < s.p_to AND COALESCE(t.resolved_at, 'infinity') >= s.p_from AND t.merged_into IS NULL
      ), a AS (
        SELECT k, CASE WHEN GROUPING(severity) = 1 THEN 'all' ELSE severity END AS severity, GROUPING(severity) AS total,
          count(*) FILTER (WHERE in_opened AND NOT review) AS opened,
          count(*) FILTER (WHERE in_resolved AND NOT review) AS resolved,
          count(respond_s) FILTER (WHERE in_opened AND NOT review) AS first_response_count,
          avg(respond_s) FILTER (WHERE in_opened AND NOT review) AS first_response_mean_seconds,
          percentile_cont(0.9) WITHIN GROUP (ORDER BY respond_s) FILTER (WHERE in_opened AND NOT review) AS first_response_p90_seconds,
          count(ack_s) FILTER (WHERE in_opened AND NOT review) AS mtta_count,
          avg(ack_s) FILTER (WHERE in_opened AND NOT review) AS mtta_mean_seconds,
          percentile_cont(0.9) WITHIN GROUP (ORDER BY ack_s) FILTER (WHERE in_opened AND NOT review) AS mtta_p90_seconds,
          avg(resolve_s) FILTER (WHERE in_resolved AND NOT review) AS mttr_mean_seconds,
          percentile_cont(0.9) WITHIN GROUP (ORDER BY resolve_s) FILTER (WHERE in_resolved AND NOT review) AS mttr_p90_seconds,
          avg(GREATEST(resolve_s - paused_s, 0)) FILTER (WHERE in_resolved AND NOT review) AS mttr_net_mean_seconds,
          count(*) FILTER (WHERE in_opened AND NOT review AND respond_decided) AS response_decided,
          count(*) FILTER (WHERE in_opened AND NOT review AND respond_met) AS response_met,
          count(*) FILTER (WHERE in_resolved AND NOT review AND resolve_met) AS resolution_met,
          count(*) FILTER (WHERE in_opened AND NOT review AND respond_decided AND NOT respond_met) AS response_breaches,
          count(*) FILTER (WHERE in_resolved AND NOT review AND NOT resolve_met) AS resolution_breaches,
          count(*) FILTER (WHERE in_resolved AND NOT review AND first_contact) AS first_contact_resolved,
          count(*) FILTER (WHERE in_opened AND NOT review AND recurred) AS recurred,
          count(survey_sent) FILTER (WHERE in_resolved AND NOT review) AS surveys_sent,
          count(score) FILTER (WHERE in_resolved AND NOT review) AS surveys_answered,
          avg(score) FILTER (WHERE in_resolved AND NOT review) AS satisfaction_mean,
          count(*) FILTER (WHERE in_resolved AND NOT review AND score <= 2) AS low_scores,
          count(*) FILTER (WHERE in_opened AND review) AS complaints,
          count(*) FILTER (WHERE in_backlog AND NOT review) AS backlog,
          count(*) FILTER (WHERE in_backlog AND NOT review AND age_s < 86400) AS backlog_lt_1d,
          count(*) FILTER (WHERE in_backlog AND NOT review AND age_s >= 86400 AND age_s < 259200) AS backlog_1d_3d,
          count(*) FILTER (WHERE in_backlog AND NOT review AND age_s >= 259200 AND age_s < 604800) AS backlog_3d_7d,
          count(*) FILTER (WHERE in_backlog AND NOT review AND age_s >= 604800) AS backlog_ge_7d,
          count(*) FILTER (WHERE in_backlog AND NOT review AND overdue) AS backlog_overdue,
          count(*) FILTER (WHERE in_opened AND NOT review AND channel = 'monitoring') AS channel_monitoring,
          count(*) FILTER (WHERE in_opened AND NOT review AND channel = 'phone') AS channel_phone,
          count(*) FILTER (WHERE in_opened AND NOT review AND channel = 'email') AS channel_email,
          count(*) FILTER (WHERE in_opened AND NOT review AND channel = 'web') AS channel_web,
          count(*) FILTER (WHERE in_opened AND NOT review AND channel = 'portal') AS channel_portal
        FROM t GROUP BY GROUPING SETS ((k, severity), (k))
      )
      SELECT s.customer, a.severity, opened, resolved,
        first_response_count, round(first_response_mean_seconds::numeric, 1)::float8 AS first_response_mean_seconds,
        round(first_response_p90_seconds::numeric, 1)::float8 AS first_response_p90_seconds,
        mtta_count, round(mtta_mean_seconds::numeric, 1)::float8 AS mtta_mean_seconds, round(mtta_p90_seconds::numeric, 1)::float8 AS mtta_p90_seconds,
        round(mttr_mean_seconds::numeric, 1)::float8 AS mttr_mean_seconds, round(mttr_p90_seconds::numeric, 1)::float8 AS mttr_p90_seconds,
        round(mttr_net_mean_seconds::numeric, 1)::float8 AS mttr_net_mean_seconds,
        response_decided, response_met, round(response_met::numeric / NULLIF(response_decided, 0), 4)::float8 AS response_compliance,
        resolved AS resolution_decided, resolution_met, round(resolution_met::numeric / NULLIF(resolved, 0), 4)::float8 AS resolution_compliance,
        response_breaches, resolution_breaches,
        first_contact_resolved, round(first_contact_resolved::numeric / NULLIF(resolved, 0), 4)::float8 AS first_contact_rate,
        recurred, round(recurred::numeric / NULLIF(opened, 0), 4)::float8 AS recurrence_rate,
        surveys_sent, surveys_answered, round(surveys_answered::numeric / NULLIF(surveys_sent, 0), 4)::float8 AS survey_response_rate,
        round(satisfaction_mean, 2)::float8 AS satisfaction_mean, low_scores, complaints,
        backlog, backlog_lt_1d, backlog_1d_3d, backlog_3d_7d, backlog_ge_7d, backlog_overdue,
        channel_monitoring, channel_phone, channel_email, channel_web, channel_portal
      FROM a JOIN s USING (k) ORDER BY a.k, total DESC, a.severity""";

  /** work_mem of a report's transaction (SET LOCAL). */
  static final String WORK_MEM = "64MB";
  /** ... of a report over several customers: a year of all of them is ~130 MB of rows to sort once, in memory. */
  static final String WORK_MEM_ALL = "256MB";

  /** Tickets opened per local day and severity, for the monthly page's chart. $1 customer, $2 from, $3 to, $4 zone. */
  static final String DAILY = """
      SELECT (opened_at AT TIME ZONE $4)::date AS day, severity, count(*) AS n FROM tickets
      WHERE customer = $1 AND opened_at >= $2 AND opened_at < $3 AND merged_into IS NULL AND review_of IS NULL
      GROUP BY 1, 2 ORDER BY 1, 2""";

  private final Pool pool;
  private final Clock clock;

  public ServiceReports(Pool pool, Clock clock) {
    this.pool = pool;
    this.clock = clock;
  }

  private record Scope(String id, String name, ZoneId zone, Instant from, Instant to) {}

  @Override
  public Future<JsonObject> service(Query q) {
    Instant now = clock.instant();
    Future<io.vertx.sqlclient.RowSet<Row>> customers = q.customer() == null ? pool.query(ALL_CUSTOMERS).execute()
        : pool.preparedQuery(ONE_CUSTOMER).execute(Tuple.of(q.customer()));
    return customers.compose(rows -> {
      if (q.customer() != null && rows.size() == 0) return Future.failedFuture(new NotFoundException("no customer '" + q.customer() + "'"));
      List<Scope> scope = new ArrayList<>();
      for (Row r : rows) {
        ZoneId zone = zone(r.getString("time_zone"));
        Instant from = q.from().in(zone);
        Instant to = q.to().in(zone);
        if (!to.isAfter(from)) {
          return Future.failedFuture(new ApiError(400, "'to' must be after 'from' (the period is [from, to)); in "
              + r.getString("id") + "'s time zone " + zone.getId() + " it is " + from + " to " + to, "to"));
        }
        scope.add(new Scope(r.getString("id"), r.getString("name"), zone, from, to));
      }
      if (scope.isEmpty()) return Future.succeededFuture(report(now, scope, List.of(), Map.of(), Map.of()));
      Tuple args = Tuple.of(scope.stream().map(Scope::id).toArray(String[]::new),
          scope.stream().map(s -> Rows.ts(s.from())).toArray(OffsetDateTime[]::new),
          scope.stream().map(s -> Rows.ts(s.to())).toArray(OffsetDateTime[]::new), Rows.ts(now));
      return pool.withTransaction(conn -> conn.query(settings(scope.size())).execute()
          .compose(v -> conn.preparedQuery(REPORT).execute(args))).compose(report -> {
        Map<String, JsonArray> sections = new LinkedHashMap<>();
        for (Row r : report) sections.computeIfAbsent(r.getString("customer"), k -> new JsonArray()).add(measures(r));
        if (!q.daily() || scope.size() != 1) return Future.succeededFuture(report(now, scope, report.columnsNames(), sections, Map.of()));
        Scope s = scope.get(0);
        return pool.preparedQuery(DAILY).execute(Tuple.of(s.id(), Rows.ts(s.from()), Rows.ts(s.to()), s.zone().getId())).map(days -> {
          JsonArray daily = new JsonArray();
          for (Row r : days) {
            daily.add(new JsonObject().put("day", r.getLocalDate("day").toString()).put("severity", r.getString("severity"))
                .put("tickets", r.getLong("n")));
          }
          return report(now, scope, report.columnsNames(), sections, Map.of(s.id(), daily));
        });
      });
    });
  }

  /**
   * Settings for the report's transaction only (SET LOCAL). Sorting a year of tickets for the p90s
   * wants more than the default work_mem (4 MB) to stay in memory (a year of 50
   * customers, 1 M tickets: 256 MB; reports are rare, and this memory is held only while one runs). JIT compiles for about a second
   * what runs in less. And for several customers a nested loop of one index scan per customer is
   * wrong however selective each looks: a customer's tickets are spread over the whole heap (ids
   * follow time, not customer), so 50 scans read every page 50 times; one pass over the table
   * with a hash join on the customers reads it once.
   */
  static String settings(int customers) {
    return "SET LOCAL work_mem = '" + (customers > 1 ? WORK_MEM_ALL : WORK_MEM) + "'; SET LOCAL jit = off"
        + (customers > 1 ? "; SET LOCAL enable_nestloop = off" : "");
  }

  private static ZoneId zone(String id) {
    if (id == null) return ZoneOffset.UTC;
    try {
      return ZoneId.of(id);
    } catch (java.time.DateTimeException e) {
      return ZoneOffset.UTC;
    }
  }

  private static JsonObject report(Instant now, List<Scope> scope, List<String> columns, Map<String, JsonArray> sections,
      Map<String, JsonArray> daily) {
    JsonArray customers = new JsonArray();
    for (Scope s : scope) {
      JsonArray rows = sections.get(s.id());
      JsonObject c = new JsonObject().put("customer", s.id()).put("name", s.name() == null ? s.id() : s.name())
          .put("timeZone", s.zone().getId()).put("from", s.from().toString()).put("to", s.to().toString())
          .put("rows", rows == null ? new JsonArray().add(empty(columns)) : rows);
      if (daily.containsKey(s.id())) c.put("daily", daily.get(s.id()));
      customers.add(c);
    }
    return new JsonObject().put("generatedAt", now.toString()).put("customers", customers);
  }

  /** The "all" row of a customer with no ticket in the period: counts 0, means and ratios null. */
  private static JsonObject empty(List<String> columns) {
    JsonObject o = new JsonObject().put("severity", "all");
    for (String col : columns.subList(2, columns.size())) {
      boolean measured = col.endsWith("_seconds") || col.endsWith("_rate") || col.endsWith("_compliance") || col.endsWith("_mean");
      o.put(camel(col), measured ? null : 0L);
    }
    return o;
  }

  /** A row's measures, keyed by the column aliases of {@link #REPORT} in camelCase, in its order (severity first). */
  private static JsonObject measures(Row r) {
    JsonObject o = new JsonObject();
    for (int i = 1; i < r.size(); i++) o.put(camel(r.getColumnName(i)), r.getValue(i));
    return o;
  }

  /** Prints the report statement, or with an argument the {@code settings-one} / {@code settings-all} of its transaction: for bench/reports.sh's EXPLAIN ANALYZE of exactly what the server runs. */
  public static void main(String[] args) {
    String what = args.length > 0 ? args[0] : "all";
    System.out.print(what.startsWith("settings") ? settings(what.equals("settings-one") ? 1 : 2) : REPORT);
  }

  static String camel(String snake) {
    StringBuilder b = new StringBuilder(snake.length());
    boolean up = false;
    for (char ch : snake.toCharArray()) {
      if (ch == '_') up = true;
      else {
        b.append(up ? Character.toUpperCase(ch) : ch);
        up = false;
      }
    }
    return b.toString();
  }
}
