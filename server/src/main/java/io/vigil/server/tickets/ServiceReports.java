package io.vigil.server.tickets;

import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.SqlConnection;
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
 * Service reports computed by PostgreSQL in one statement over the facts of the tickets whose life
 * overlaps the period (opened before its end and not resolved before its start): aggregates with
 * {@code FILTER}, {@code percentile_cont} for p90s, {@code GROUPING SETS} for the per-customer
 * totals beside the per-severity rows. The measures and the cohorts they are taken over are
 * defined in {@code docs/REPORTS.md}; the facts (one narrow row per ticket, kept by triggers) and
 * their indexes are in {@code V21__report_facts.sql}. A report of several customers runs as two
 * such statements on two connections on one snapshot. Non-blocking, thread-safe, holds no state
 * but the pool.
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
  public static final String REPORT = """
      WITH s AS (
        -- as_of: where the backlog is taken, the earlier of the period's end and now.
        SELECT s.*, LEAST(s.p_to, $4) AS as_of, c.no FROM unnest($1::text[], $2::timestamptz[], $3::timestamptz[]) WITH ORDINALITY AS s(customer, p_from, p_to, k)
        LEFT JOIN report_customers c ON c.id = s.customer
      ), t AS (
        -- ticket_facts (V21): one narrow row per unmerged ticket, kept by triggers, durations already float8 seconds,
        -- a review already under its ticket's severity, survey and visits already folded in. Grouped by the customer's
        -- number (report_customers.no), not its name: a million text comparisons cost more than the aggregates; and in
        -- ticket_facts_by_group's order, so for several customers a merge join on that index needs no sort of the year.
        -- o / r / b: the ticket (not a review) is in the opened / resolved / backlog cohort; complaint: a review opened in the period.
        SELECT f.customer_no AS no, f.severity, f.channel, f.respond_s, f.ack_s, f.resolve_s, f.net_s, f.score,
          f.respond_met, f.resolve_met, f.recurred, f.first_contact, f.survey_sent,
          f.review_of IS NULL AND f.opened_at >= s.p_from AS o,
          f.review_of IS NULL AND f.resolved_at >= s.p_from AND f.resolved_at < s.p_to AS r,
          f.review_of IS NULL AND COALESCE(f.resolved_at, 'infinity') >= s.as_of AS b,
          f.review_of IS NOT NULL AND f.opened_at >= s.p_from AS complaint,
          date_part('epoch', s.as_of - f.opened_at) AS age_s,
          -- Decided: responded, or its due passed unanswered (not only once the SLA scanner noticed).
          (f.respond_s IS NOT NULL OR f.respond_by < s.as_of) AS respond_decided,
          f.resolve_by < s.as_of AS overdue
        FROM ticket_facts f JOIN s ON s.no = f.customer_no
        WHERE f.opened_at < s.p_to AND COALESCE(f.resolved_at, 'infinity') >= s.p_from
      ), a AS (
        SELECT no, CASE WHEN GROUPING(severity) = 1 THEN 'all' ELSE severity END AS severity, GROUPING(severity) AS total,
          count(*) FILTER (WHERE o) AS opened,
          count(*) FILTER (WHERE r) AS resolved,
          count(respond_s) FILTER (WHERE o) AS first_response_count,
          avg(respond_s) FILTER (WHERE o) AS first_response_mean_seconds,
          percentile_cont(0.9) WITHIN GROUP (ORDER BY respond_s) FILTER (WHERE o) AS first_response_p90_seconds,
          count(ack_s) FILTER (WHERE o) AS mtta_count,
          avg(ack_s) FILTER (WHERE o) AS mtta_mean_seconds,
          percentile_cont(0.9) WITHIN GROUP (ORDER BY ack_s) FILTER (WHERE o) AS mtta_p90_seconds,
          avg(resolve_s) FILTER (WHERE r) AS mttr_mean_seconds,
          percentile_cont(0.9) WITHIN GROUP (ORDER BY resolve_s) FILTER (WHERE r) AS mttr_p90_seconds,
          avg(net_s) FILTER (WHERE r) AS mttr_net_mean_seconds,
          count(*) FILTER (WHERE o AND respond_decided) AS response_decided,
          count(*) FILTER (WHERE o AND respond_met) AS response_met,
          count(*) FILTER (WHERE r AND resolve_met) AS resolution_met,
          count(*) FILTER (WHERE o AND respond_decided AND NOT respond_met) AS response_breaches,
          count(*) FILTER (WHERE r AND NOT resolve_met) AS resolution_breaches,
          count(*) FILTER (WHERE r AND first_contact) AS first_contact_resolved,
          count(*) FILTER (WHERE o AND recurred) AS recurred,
          count(*) FILTER (WHERE r AND survey_sent) AS surveys_sent,
          count(score) FILTER (WHERE r) AS surveys_answered,
          avg(score) FILTER (WHERE r) AS satisfaction_mean,
          count(*) FILTER (WHERE r AND score <= 2) AS low_scores,
          count(*) FILTER (WHERE complaint) AS complaints,
          count(*) FILTER (WHERE b) AS backlog,
          count(*) FILTER (WHERE b AND age_s < 86400) AS backlog_lt_1d,
          count(*) FILTER (WHERE b AND age_s >= 86400 AND age_s < 259200) AS backlog_1d_3d,
          count(*) FILTER (WHERE b AND age_s >= 259200 AND age_s < 604800) AS backlog_3d_7d,
          count(*) FILTER (WHERE b AND age_s >= 604800) AS backlog_ge_7d,
          count(*) FILTER (WHERE b AND overdue) AS backlog_overdue,
          count(*) FILTER (WHERE o AND channel = 'monitoring') AS channel_monitoring,
          count(*) FILTER (WHERE o AND channel = 'phone') AS channel_phone,
          count(*) FILTER (WHERE o AND channel = 'email') AS channel_email,
          count(*) FILTER (WHERE o AND channel = 'web') AS channel_web,
          count(*) FILTER (WHERE o AND channel = 'portal') AS channel_portal
        FROM t GROUP BY GROUPING SETS ((no, severity), (no))
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
      FROM a JOIN s USING (no) ORDER BY s.k, total DESC, a.severity""";

  /** work_mem of a report's transaction (SET LOCAL). */
  static final String WORK_MEM = "64MB";
  /** ... of a report over several customers: a year of all of them is ~130 MB of rows to sort once, in memory. */
  static final String WORK_MEM_ALL = "256MB";

  /** Tickets opened per local day and severity, for the monthly page's chart. $1 customer, $2 from, $3 to, $4 zone. */
  static final String DAILY = """
      SELECT (opened_at AT TIME ZONE $4)::date AS day, severity, count(*) AS n FROM tickets
      WHERE customer = $1 AND opened_at >= $2 AND opened_at < $3 AND merged_into IS NULL AND review_of IS NULL
      GROUP BY 1, 2 ORDER BY 1, 2""";

  /** A report of at least this many customers is split in two halves, each run on its own connection at once. */
  static final int SPLIT_AT = 4;

  private final Pool pool;
  private final Clock clock;
  private final boolean split;

  /**
   * @param split run a report of several customers as two statements on two connections at once
   *     (one snapshot): percentiles do not parallelise inside PostgreSQL, two backends do. Only
   *     with a pool of a few connections (the second is waited for).
   */
  public ServiceReports(Pool pool, Clock clock, boolean split) {
    this.pool = pool;
    this.clock = clock;
    this.split = split;
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
      return rows(scope, now).compose(parts -> {
        Map<String, JsonArray> sections = new LinkedHashMap<>();
        for (RowSet<Row> part : parts) {
          for (Row r : part) sections.computeIfAbsent(r.getString("customer"), k -> new JsonArray()).add(measures(r));
        }
        List<String> columns = parts.get(0).columnsNames();
        if (!q.daily() || scope.size() != 1) return Future.succeededFuture(report(now, scope, columns, sections, Map.of()));
        Scope s = scope.get(0);
        return pool.preparedQuery(DAILY).execute(Tuple.of(s.id(), Rows.ts(s.from()), Rows.ts(s.to()), s.zone().getId())).map(days -> {
          JsonArray daily = new JsonArray();
          for (Row r : days) {
            daily.add(new JsonObject().put("day", r.getLocalDate("day").toString()).put("severity", r.getString("severity"))
                .put("tickets", r.getLong("n")));
          }
          return report(now, scope, columns, sections, Map.of(s.id(), daily));
        });
      });
    });
  }

  private static Tuple args(List<Scope> scope, Instant now) {
    return Tuple.of(scope.stream().map(Scope::id).toArray(String[]::new),
        scope.stream().map(s -> Rows.ts(s.from())).toArray(OffsetDateTime[]::new),
        scope.stream().map(s -> Rows.ts(s.to())).toArray(OffsetDateTime[]::new), Rows.ts(now));
  }

  /**
   * The report's rows, in the scope's order: one statement in one transaction, or for
   * {@link #SPLIT_AT} customers or more (and {@code split}) the first and second half of the
   * customers as two statements on two connections at once, both in REPEATABLE READ on one
   * snapshot (exported by the first, imported by the second), so the halves see the same tickets.
   */
  private Future<List<RowSet<Row>>> rows(List<Scope> scope, Instant now) {
    if (!split || scope.size() < SPLIT_AT) {
      return pool.withTransaction(conn -> conn.query(settings(scope.size())).execute()
          .compose(v -> conn.preparedQuery(REPORT).execute(args(scope, now)))).map(List::of);
    }
    List<Scope> first = scope.subList(0, (scope.size() + 1) / 2);
    List<Scope> second = scope.subList(first.size(), scope.size());
    return pool.getConnection().compose(c1 -> pool.getConnection()
        .compose(c2 -> c1.begin().compose(t1 -> c2.begin().compose(t2 -> halves(c1, c2, first, second, now)
            .compose(both -> t1.commit().compose(v -> t2.commit()).map(both))
            .recover(err -> t1.rollback().transform(x -> t2.rollback()).transform(x -> Future.<List<RowSet<Row>>>failedFuture(err)))))
            .eventually(c2::close))
        .eventually(c1::close));
  }

  private static Future<List<RowSet<Row>>> halves(SqlConnection c1, SqlConnection c2, List<Scope> first, List<Scope> second, Instant now) {
    String begin = "SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY; ";
    return c1.query(begin + settings(first.size())).execute()
        .compose(v -> c1.query("SELECT pg_export_snapshot()").execute())
        .compose(snap -> c2.query(begin + "SET TRANSACTION SNAPSHOT '" + snap.iterator().next().getString(0) + "'; "
            + settings(second.size())).execute())
        .compose(v -> Future.all(c1.preparedQuery(REPORT).execute(args(first, now)), c2.preparedQuery(REPORT).execute(args(second, now))))
        .map(both -> List.of(both.<RowSet<Row>>resultAt(0), both.<RowSet<Row>>resultAt(1)));
  }

  /**
   * Settings for the report's transaction only (SET LOCAL). The p90s sort each group's values in
   * memory, which wants more than the default work_mem (4 MB) for a year (256 MB for several
   * customers; reports are rare, and this memory is held only while one runs). JIT compiles for
   * about a second what runs in less. For several customers, one pass over
   * {@code ticket_facts_by_group} merge-joined to the customers: no nested loop of one index scan
   * per customer (50 scans reading the same pages), and no hash join, whose output has no order and
   * would have the year sorted again for the groups.
   */
  static String settings(int customers) {
    return "SET LOCAL work_mem = '" + (customers > 1 ? WORK_MEM_ALL : WORK_MEM) + "'; SET LOCAL jit = off"
        + (customers > 1 ? "; SET LOCAL enable_nestloop = off; SET LOCAL enable_hashjoin = off" : "");
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
