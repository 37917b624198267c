package io.vigil.web;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.time.DateTimeException;
import java.time.Instant;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.YearMonth;
import java.time.format.DateTimeParseException;
import java.util.Locale;

/**
 * Service report routes (see {@code docs/REPORTS.md}):
 * <ul>
 *   <li>{@code GET /api/v1/reports/service?customer=&from=&to=&format=json|csv} — JSON by default,
 *       CSV with {@code format=csv} or {@code Accept: text/csv};</li>
 *   <li>{@code GET /reports/service/{customer}/{yyyy-mm}} — the printable monthly report (HTML).</li>
 * </ul>
 * Viewer role. A token bound to a customer sees that customer's report only: another customer is
 * answered 404 exactly as an unknown one is, so a bound token cannot learn who else is served.
 * Mount before the web API's catch-all routes. Handlers never block.
 */
public final class ReportApi {
  /** Longest period one request may cover. */
  static final int MAX_YEARS = 2;
  private final ReportService reports;
  private final Auth auth;

  public ReportApi(ReportService reports, Auth auth) {
    this.reports = reports;
    this.auth = auth;
  }

  public void mount(Router router) {
    router.get("/api/v1/reports/service").handler(auth.requireScoped(Role.VIEWER)).handler(this::service);
    router.get("/reports/service/:customer/:month").handler(auth.requireScoped(Role.VIEWER)).handler(this::monthly);
  }

  private void service(RoutingContext ctx) {
    String format = ctx.request().getParam("format");
    if (format != null && !format.equals("json") && !format.equals("csv")) {
      Http.fail(ctx, new ApiError(400, "'format': json or csv, got '" + format + "'", "format"));
      return;
    }
    String accept = ctx.request().getHeader("Accept");
    boolean csv = "csv".equals(format) || (format == null && accept != null && accept.toLowerCase(Locale.ROOT).contains("text/csv"));
    ReportService.Query q;
    try {
      String customer = scoped(ctx, blankToNull(ctx.request().getParam("customer")));
      q = query(customer, ctx.request().getParam("from"), ctx.request().getParam("to"), false);
    } catch (RuntimeException e) {
      Http.fail(ctx, e);
      return;
    }
    reports.service(q).onComplete(ar -> {
      if (ar.failed()) Http.fail(ctx, ar.cause());
      else if (csv) {
        ctx.response().putHeader("Content-Type", "text/csv; charset=utf-8")
            .putHeader("Content-Disposition", "attachment; filename=\"service-report.csv\"").end(ReportCsv.render(ar.result()));
      } else Http.json(ctx, 200, ar.result());
    });
  }

  private void monthly(RoutingContext ctx) {
    YearMonth month;
    String customer;
    try {
      customer = scoped(ctx, ctx.pathParam("customer"));
      month = month(ctx.pathParam("month"));
    } catch (RuntimeException e) {
      Http.fail(ctx, e);
      return;
    }
    ReportService.Query q = new ReportService.Query(customer, ReportService.Bound.of(month.atDay(1)),
        ReportService.Bound.of(month.plusMonths(1).atDay(1)), true);
    reports.service(q).onComplete(ar -> {
      if (ar.failed()) Http.fail(ctx, ar.cause());
      else {
        JsonArray sections = ar.result().getJsonArray("customers");
        ctx.response().putHeader("Content-Type", "text/html; charset=utf-8")
            .end(ServiceReportPage.render(ar.result().getString("generatedAt"), month, sections.getJsonObject(0)));
      }
    });
  }

  /** The customer the caller may see: a bound token's own, or 404 for any other. */
  static String scoped(RoutingContext ctx, String asked) {
    String bound = Auth.principal(ctx).customer();
    if (bound == null) return asked;
    if (asked != null && !asked.equals(bound)) throw new NotFoundException(unknown(asked));
    return bound;
  }

  static String unknown(String customer) {
    return "no customer '" + customer + "'";
  }

  /** The query of the JSON/CSV route, validated; a mistake is an ApiError naming the parameter. */
  static ReportService.Query query(String customer, String from, String to, boolean daily) {
    if (customer != null && customer.length() > 100) throw new ApiError(400, "'customer': at most 100 characters", "customer");
    ReportService.Bound f = bound("from", from);
    ReportService.Bound t = bound("to", to);
    // Dates are compared on the calendar; an instant with a date as instants with the date read in
    // UTC (the service checks again once it knows the customer's zone).
    boolean dates = f.date() != null && t.date() != null;
    Instant fi = f.in(java.time.ZoneOffset.UTC);
    Instant ti = t.in(java.time.ZoneOffset.UTC);
    if (dates ? !f.date().isBefore(t.date()) : !ti.isAfter(fi)) {
      throw new ApiError(400, "'to' must be after 'from' (the period is [from, to))", "to");
    }
    if (ti.isAfter(fi.atOffset(java.time.ZoneOffset.UTC).plusYears(MAX_YEARS).toInstant())) {
      throw new ApiError(400, "'to': a report covers at most " + MAX_YEARS + " years; ask for shorter periods", "to");
    }
    return new ReportService.Query(customer, f, t, daily);
  }

  static ReportService.Bound bound(String name, String raw) {
    if (raw == null || raw.isBlank()) {
      throw new ApiError(400, "'" + name + "' is required: an ISO-8601 instant (2026-01-01T00:00:00Z) or date (2026-01-01, "
          + "read in the customer's time zone)", name);
    }
    String s = raw.strip();
    try {
      if (s.length() == 10) return ReportService.Bound.of(LocalDate.parse(s));
      return ReportService.Bound.of(OffsetDateTime.parse(s).toInstant());
    } catch (DateTimeParseException e) {
      throw new ApiError(400, "'" + name + "': not an ISO-8601 instant (2026-01-01T00:00:00Z) or date (2026-01-01): '"
          + (s.length() > 40 ? s.substring(0, 40) + "…" : s) + "'", name);
    }
  }

  static YearMonth month(String raw) {
    try {
      YearMonth m = YearMonth.parse(raw);
      if (m.getYear() < 2000 || m.getYear() > 9999) throw new DateTimeException("year out of range");
      return m;
    } catch (DateTimeException e) {
      throw new ApiError(400, "'month': a month as yyyy-mm (2026-03), got '" + (raw.length() > 20 ? raw.substring(0, 20) + "…" : raw) + "'",
          "month");
    }
  }

  private static String blankToNull(String s) {
    return s == null || s.isBlank() ? null : s.strip();
  }
}
