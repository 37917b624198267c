package io.vigil.server.patrol;

import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import io.vigil.rules.Severity;
import io.vigil.rules.patrol.CustomerSpec;
import io.vigil.rules.patrol.NoDataWatch;
import io.vigil.rules.patrol.ProbeSpec;
import io.vigil.rules.patrol.SystemSpec;
import io.vigil.rules.patrol.Trends;
import io.vigil.server.storage.Rows;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;

/**
 * Builds a customer's daily patrol report (巡检报告) from what is stored: the day's probe and
 * heartbeat samples (checks run and their success), findings (failed probes, NoData episodes, TLS
 * certificates expiring within {@value #TLS_WARN_DAYS} days, disks predicted full within
 * {@value #DISK_HORIZON_DAYS} days), the faults that fired that day by severity with their MTTR so
 * far, and trends. Stores a report once ({@link #store}); a stored report is never rewritten.
 * Non-blocking, thread-safe.
 *
 * <p>Disk trend: a least squares line ({@code regr_slope}/{@code regr_intercept}, as PromQL's
 * {@code predict_linear}) over each {@code disk_usage} series' samples of the day, read as percent
 * used; a series whose line reaches 100 within 7 days of its last sample is a finding. Only
 * samples spanning at least {@link #MIN_TREND_SPAN} are extrapolated: a line through a few
 * minutes of noise would predict a disk "full in minutes" that is not filling at all.
 *
 * <p>Reporting: for a system with a heartbeat interval, the share of the day so far (observed
 * from the day's start, or from the system's registration in the inventory if later, to the day's
 * end, or to now for today) in which it was not silent, i.e. not under a NoData fault. Before its
 * registration nobody expected anything of it: a system added at noon is not reported as
 * reporting all morning. Heartbeats ({@code POST /api/v1/heartbeat}) are counted separately,
 * against what the interval expects over the same stretch: any sample keeps a system reporting,
 * so a system that sends metrics but never beats is fully reporting with zero heartbeats.
 */
public final class PatrolReports {
  static final int TLS_WARN_DAYS = 30;
  static final int DISK_HORIZON_DAYS = 7;
  static final String DISK_METRIC = "disk_usage";
  static final double DISK_FULL = 100.0;
  static final Duration MIN_TREND_SPAN = Duration.ofHours(6);

  private static final String CHECKS =
      "SELECT s.metric, s.labels->>'system' AS system, s.labels->>'probe' AS probe, s.labels->>'target' AS target, "
          + "count(*) AS n, count(*) FILTER (WHERE x.value = 0) AS failures, avg(x.value) AS mean, "
          + "min(x.time) FILTER (WHERE x.value = 0) AS first_failure, max(x.time) FILTER (WHERE x.value = 0) AS last_failure "
          + "FROM vigil_samples(ARRAY(SELECT id FROM series WHERE metric IN ('probe_success', 'probe_duration_seconds', 'heartbeat') "
          + "AND labels->>'customer' = $1), $2, $3) x JOIN series s ON s.id = x.series_id GROUP BY 1, 2, 3, 4 ORDER BY 2, 3, 4";
  private static final String TLS =
      "SELECT DISTINCT ON (x.series_id) s.labels->>'system' AS system, s.labels->>'probe' AS probe, s.labels->>'target' AS target, "
          + "x.value, x.time FROM vigil_samples(ARRAY(SELECT id FROM series WHERE metric = 'tls_cert_expiry_days' "
          + "AND labels->>'customer' = $1), $2, $3) x JOIN series s ON s.id = x.series_id ORDER BY x.series_id, x.time DESC";
  private static final String DISK =
      "SELECT s.labels AS labels, count(*) AS n, regr_slope(x.value, extract(epoch FROM x.time - $2)) AS slope, "
          + "regr_intercept(x.value, extract(epoch FROM x.time - $2)) AS intercept, max(extract(epoch FROM x.time - $2)) AS last_x, "
          + "min(extract(epoch FROM x.time - $2)) AS first_x, "
          + "(array_agg(x.value ORDER BY x.time DESC))[1] AS last_value "
          + "FROM vigil_samples(ARRAY(SELECT id FROM series WHERE metric = '" + DISK_METRIC + "' AND labels->>'customer' = $1), $2, $3) x "
          + "JOIN series s ON s.id = x.series_id GROUP BY s.id, s.labels HAVING count(*) >= 3 ORDER BY s.id";
  private static final String REGISTERED = "SELECT id, created_at FROM systems WHERE customer = $1";
  private static final String FAULTS =
      "SELECT * FROM faults WHERE labels->>'customer' = $1 AND ((firing_at >= $2 AND firing_at < $3) "
          + "OR (rule = '" + NoDataWatch.RULE + "' AND starts_at < $3 AND (ends_at IS NULL OR ends_at > $2))) ORDER BY firing_at, id";

  private final Pool pool;

  public PatrolReports(Pool pool) {
    this.pool = pool;
  }

  /** The stored report, or null. */
  public Future<JsonObject> stored(String customer, LocalDate day) {
    return pool.preparedQuery("SELECT report FROM patrol_reports WHERE customer = $1 AND day = $2").execute(Tuple.of(customer, day))
        .map(rows -> rows.size() == 0 ? null : rows.iterator().next().getJsonObject(0));
  }

  /** Stores {@code report} unless one is stored already; completes with the one that is stored. */
  public Future<JsonObject> store(String customer, LocalDate day, JsonObject report, Instant at) {
    JsonObject r = report.copy().put("stored", true);
    return pool.preparedQuery("INSERT INTO patrol_reports (customer, day, generated_at, report) VALUES ($1, $2, $3, $4) "
            + "ON CONFLICT (customer, day) DO NOTHING").execute(Tuple.of(customer, day, Rows.ts(at), r))
        .compose(v -> stored(customer, day));
  }

  /** Computes the report of {@code day} for {@code c} as of {@code now}. */
  public Future<JsonObject> generate(CustomerSpec c, List<SystemSpec> systems, LocalDate day, Instant now) {
    Instant from = day.atStartOfDay(c.zone()).toInstant();
    Instant to = day.plusDays(1).atStartOfDay(c.zone()).toInstant();
    Tuple range = Tuple.of(c.id(), Rows.ts(from), Rows.ts(to));
    Report r = new Report(c, systems, day, from, to, now);
    return pool.preparedQuery(REGISTERED).execute(Tuple.of(c.id())).compose(registered -> {
      for (Row row : registered) r.registered(row.getString("id"), Rows.instant(row, "created_at"));
      r.listSystems();
      return pool.preparedQuery(CHECKS).execute(range);
    }).compose(checks -> {
      for (Row row : checks) r.check(row);
      return pool.preparedQuery(TLS).execute(range);
    }).compose(tls -> {
      for (Row row : tls) r.tls(row);
      return pool.preparedQuery(DISK).execute(range);
    }).compose(disk -> {
      for (Row row : disk) r.disk(row);
      return pool.preparedQuery(FAULTS).execute(range);
    }).map(faults -> {
      for (Row row : faults) r.fault(row);
      return r.json();
    });
  }

  /** Accumulates one report; single-threaded. */
  private static final class Report {
    final CustomerSpec c;
    final LocalDate day;
    final Instant from;
    final Instant to;
    final Instant now;
    final Map<String, SystemSpec> specs = new LinkedHashMap<>();
    final Map<String, JsonObject> systems = new LinkedHashMap<>();
    final JsonArray findings = new JsonArray();
    final JsonArray trends = new JsonArray();
    final JsonArray faults = new JsonArray();
    final Map<Severity, long[]> bySeverity = new LinkedHashMap<>(); // count, resolved, sum of seconds to resolve
    long checks;
    long failed;
    /** Where the observed part of the day ends: its end once over, else now. */
    final Instant observedTo;
    /** When each system was registered in the inventory, where known. */
    final Map<String, Instant> registered = new java.util.HashMap<>();
    /** Seconds each system spent under a NoData fault within the observed part of the day. */
    final Map<String, Long> silentSeconds = new java.util.HashMap<>();

    Report(CustomerSpec c, List<SystemSpec> list, LocalDate day, Instant from, Instant to, Instant now) {
      this.c = c;
      this.day = day;
      this.from = from;
      this.to = to;
      this.now = now;
      this.observedTo = now.isBefore(to) ? now : to;
      for (SystemSpec s : list) specs.put(s.id(), s);
      for (Severity s : Severity.values()) bySeverity.put(s, new long[3]);
    }

    /** When system {@code id} was registered; called for every registered system before {@link #listSystems}. */
    void registered(String id, Instant at) {
      if (at != null) registered.put(id, at);
    }

    /** The inventory's systems first, in its order, before the systems only samples name. */
    void listSystems() {
      for (String id : specs.keySet()) system(id);
    }

    /**
     * Where system {@code id}'s observed stretch starts: the day's start, or its registration if
     * later; {@link #observedTo} if it was registered after that (nothing of the day observed).
     */
    Instant observedFrom(String id) {
      Instant at = registered.get(id);
      if (at == null || !at.isAfter(from)) return from;
      return at.isBefore(observedTo) ? at : observedTo;
    }

    /** Seconds of the day in which system {@code id} was watched: from {@link #observedFrom} to {@link #observedTo}. */
    long observedSeconds(String id) {
      return Duration.between(observedFrom(id), observedTo).toSeconds();
    }

    JsonObject system(String id) {
      return systems.computeIfAbsent(id, k -> {
        SystemSpec s = specs.get(k);
        Long expected = null;
        if (s != null && s.heartbeatInterval() != null && observedSeconds(k) > 0) {
          expected = observedSeconds(k) * 1000 / s.heartbeatInterval().toMillis();
        }
        return new JsonObject().put("id", k).put("name", s == null ? k : s.name())
            .put("criticality", s == null ? null : s.criticality().wireName()).put("probes", new JsonArray())
            .put("heartbeats", new JsonObject().put("received", 0L).put("expected", expected)).put("checks", 0L).put("failures", 0L);
      });
    }

    JsonObject probe(JsonObject sys, String probe, String target) {
      JsonArray probes = sys.getJsonArray("probes");
      for (int i = 0; i < probes.size(); i++) {
        JsonObject p = probes.getJsonObject(i);
        if (p.getString("probe").equals(probe) && p.getString("target").equals(target)) return p;
      }
      SystemSpec spec = specs.get(sys.getString("id"));
      String type = null;
      if (spec != null) for (ProbeSpec ps : spec.probes()) if (ps.name().equals(probe)) type = ps.type().wireName();
      JsonObject p = new JsonObject().put("probe", probe).put("type", type).put("target", target).put("runs", 0L).put("failures", 0L)
          .put("successRatio", null).put("avgDurationSeconds", null);
      probes.add(p);
      return p;
    }

    void check(Row row) {
      String system = row.getString("system");
      if (system == null) return;
      JsonObject sys = system(system);
      long n = row.getLong("n");
      switch (row.getString("metric")) {
        case "heartbeat" -> sys.getJsonObject("heartbeats").put("received", sys.getJsonObject("heartbeats").getLong("received") + n);
        case "probe_duration_seconds" -> {
          if (row.getString("probe") != null) probe(sys, row.getString("probe"), String.valueOf(row.getString("target"))).put("avgDurationSeconds", row.getDouble("mean"));
        }
        default -> {
          if (row.getString("probe") == null) return;
          long failures = row.getLong("failures");
          JsonObject p = probe(sys, row.getString("probe"), String.valueOf(row.getString("target")));
          p.put("runs", n).put("failures", failures).put("successRatio", n == 0 ? null : (double) (n - failures) / n);
          sys.put("checks", sys.getLong("checks") + n).put("failures", sys.getLong("failures") + failures);
          checks += n;
          failed += failures;
          if (failures > 0) {
            findings.add(new JsonObject().put("kind", "probe_failed").put("severity", "P4").put("system", system)
                .put("probe", p.getString("probe")).put("target", p.getString("target")).put("failures", failures).put("runs", n)
                .put("firstAt", str(Rows.instant(row, "first_failure"))).put("lastAt", str(Rows.instant(row, "last_failure")))
                .put("text", "probe " + p.getString("probe") + " of " + system + " (" + p.getString("target") + ") failed "
                    + failures + " of " + n + " times"));
          }
        }
      }
    }

    void tls(Row row) {
      double days = row.getDouble("value");
      if (days >= TLS_WARN_DAYS) return;
      String system = row.getString("system");
      findings.add(new JsonObject().put("kind", "tls_expiring").put("severity", days <= 7 ? "P3" : "P4").put("system", system)
          .put("probe", row.getString("probe")).put("target", row.getString("target")).put("daysLeft", round1(days))
          .put("text", "TLS certificate of " + row.getString("target") + " (" + system + ") expires in " + round1(days) + " days"));
    }

    void disk(Row row) {
      JsonObject labels = row.getJsonObject("labels");
      Double slope = row.getDouble("slope");
      Double intercept = row.getDouble("intercept");
      double lastX = row.getDouble("last_x");
      double spanSeconds = lastX - row.getDouble("first_x");
      if (spanSeconds < MIN_TREND_SPAN.toSeconds()) {
        slope = null; // too short a stretch to extrapolate from
      }
      double fitted = slope == null || intercept == null ? Double.NaN : intercept + slope * lastX;
      OptionalDouble days = Trends.daysUntil(DISK_FULL, slope == null ? Double.NaN : slope, fitted);
      boolean soon = days.isPresent() && days.getAsDouble() <= DISK_HORIZON_DAYS;
      String system = labels.getString("system");
      String host = labels.getString("host");
      trends.add(new JsonObject().put("metric", DISK_METRIC).put("system", system).put("host", host).put("labels", labels)
          .put("samples", row.getLong("n")).put("lastValue", row.getDouble("last_value"))
          .put("spanHours", round1(spanSeconds / 3600)).put("predicted", slope != null)
          .put("slopePerDay", slope == null ? null : round1(slope * 86_400)).put("daysUntilFull", days.isPresent() ? round1(days.getAsDouble()) : null)
          .put("hoursUntilFull", days.isPresent() ? round1(days.getAsDouble() * 24) : null)
          .put("fullWithin7Days", soon));
      if (soon) {
        findings.add(new JsonObject().put("kind", "disk_full_predicted").put("severity", days.getAsDouble() <= 1 ? "P3" : "P4")
            .put("system", system).put("host", host).put("usage", row.getDouble("last_value")).put("daysUntilFull", round1(days.getAsDouble()))
            .put("text", "disk on " + (host == null ? system : host) + " (" + system + ") at " + round1(row.getDouble("last_value"))
                + "% is predicted full in " + inDays(days.getAsDouble())));
      }
    }

    void fault(Row row) {
      var fv = Rows.fault(row);
      var f = fv.fault();
      String system = f.labels().get("system");
      if (f.rule().equals(NoDataWatch.RULE)) {
        Instant start = f.startsAt().isBefore(from) ? from : f.startsAt();
        Instant end = f.endsAt() == null || f.endsAt().isAfter(to) ? (now.isBefore(to) ? now : to) : f.endsAt();
        long seconds = Math.max(0, Duration.between(start, end).toSeconds());
        // Patrol's own NoData (one per system, never overlapping); a rule of the same name is a finding only.
        if (system != null && NoDataWatch.SOURCE.equals(f.source())) silentSeconds.merge(system, seconds, Long::sum);
        findings.add(new JsonObject().put("kind", "no_data").put("severity", f.severity().name()).put("system", system)
            .put("from", str(f.startsAt())).put("to", str(f.endsAt())).put("secondsInDay", seconds)
            .put("text", f.summary()));
      }
      if (f.firingAt() == null || f.firingAt().isBefore(from) || !f.firingAt().isBefore(to)) return;
      long[] s = bySeverity.get(f.severity());
      s[0]++;
      if (f.endsAt() != null && !f.endsAt().isAfter(now)) {
        s[1]++;
        s[2] += Duration.between(f.firingAt(), f.endsAt()).toSeconds();
      }
      faults.add(new JsonObject().put("id", fv.id()).put("rule", f.rule()).put("severity", f.severity().name()).put("system", system)
          .put("state", f.state().wireName()).put("summary", f.summary()).put("firingAt", str(f.firingAt())).put("endsAt", str(f.endsAt()))
          .put("ticketId", fv.ticketId()));
    }

    JsonObject json() {
      JsonArray sev = new JsonArray();
      long total = 0;
      for (var e : bySeverity.entrySet()) {
        long[] s = e.getValue();
        total += s[0];
        sev.add(new JsonObject().put("severity", e.getKey().name()).put("name", e.getKey().chineseName()).put("count", s[0])
            .put("resolved", s[1]).put("open", s[0] - s[1]).put("mttrSeconds", s[1] == 0 ? null : s[2] / s[1]));
      }
      JsonArray sys = new JsonArray();
      for (JsonObject s : systems.values()) {
        long n = s.getLong("checks");
        s.put("successRatio", n == 0 ? null : (double) (n - s.getLong("failures")) / n);
        SystemSpec spec = specs.get(s.getString("id"));
        if (spec != null && spec.heartbeatInterval() != null) {
          long observedSeconds = observedSeconds(spec.id());
          long silent = Math.min(observedSeconds, silentSeconds.getOrDefault(s.getString("id"), 0L));
          s.put("reporting", new JsonObject().put("interval", io.vigil.rules.Durations.format(spec.heartbeatInterval()))
              .put("observedFrom", observedFrom(spec.id()).toString()).put("observedTo", observedTo.toString())
              .put("observedSeconds", observedSeconds).put("silentSeconds", silent)
              .put("ratio", observedSeconds == 0 ? null : (double) (observedSeconds - silent) / observedSeconds));
        }
        sys.add(s);
      }
      return new JsonObject()
          .put("customer", new JsonObject().put("id", c.id()).put("name", c.name()).put("tier", c.tier()).put("timeZone", c.zone().getId()))
          .put("date", day.toString()).put("from", from.toString()).put("to", to.toString())
          .put("generatedAt", now.toString()).put("complete", !now.isBefore(to)).put("stored", false)
          .put("summary", new JsonObject().put("checks", checks).put("failedChecks", failed)
              .put("successRatio", checks == 0 ? null : (double) (checks - failed) / checks).put("findings", findings.size()).put("faults", total))
          .put("systems", sys).put("findings", findings)
          .put("faults", new JsonObject().put("total", total).put("bySeverity", sev).put("list", faults))
          .put("trends", trends);
    }
  }

  private static String str(Instant i) {
    return i == null ? null : i.toString();
  }

  /** "0.4 days (9.6 hours)" below two days, else "3.2 days". */
  static String inDays(double days) {
    return days < 2 ? round1(days) + " days (" + round1(days * 24) + " hours)" : round1(days) + " days";
  }

  private static double round1(double d) {
    return Math.round(d * 10) / 10.0;
  }
}
