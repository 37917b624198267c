package io.vigil.web;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;

/**
 * Service reports (issue 11): per customer, period and severity, the measures an account manager
 * reports (first response, MTTA, MTTR, SLA compliance, breaches, first-contact resolution,
 * recurrence, satisfaction, complaints, backlog, tickets by channel). The measures are defined in
 * {@code docs/REPORTS.md}; they are computed by the database, never by loading tickets.
 *
 * <p>Non-blocking and thread-safe: every method returns at once with a future. A customer that is
 * neither in the inventory nor on any ticket fails the future with {@link NotFoundException}; a
 * database failure fails it with the driver's exception (the API answers 503).
 */
public interface ReportService {
  /**
   * One end of a period: an instant, or a calendar date read at the start of that day in the
   * customer's time zone (its inventory zone, UTC for a customer not in the inventory).
   */
  record Bound(Instant instant, LocalDate date) {
    public static Bound of(Instant i) {
      return new Bound(i, null);
    }

    public static Bound of(LocalDate d) {
      return new Bound(null, d);
    }

    public Instant in(ZoneId zone) {
      return instant != null ? instant : date.atStartOfDay(zone).toInstant();
    }
  }

  /**
   * What to report: {@code customer} null for every customer (each a section), the period
   * {@code [from, to)}, and with {@code daily} the tickets opened per local day and severity
   * (for the monthly page's chart; single customer reports only).
   */
  record Query(String customer, Bound from, Bound to, boolean daily) {}

  /**
   * The report as JSON: {@code {"generatedAt", "customers": [{"customer", "name", "timeZone",
   * "from", "to", "rows": [{"severity": "all"|"P1".., measures…}], "daily": […]?}]}}. Rows keep
   * the column order of the CSV ({@link ReportApi}): the first row of a section is "all".
   */
  Future<JsonObject> service(Query q);
}
