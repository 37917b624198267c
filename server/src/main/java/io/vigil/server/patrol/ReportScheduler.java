package io.vigil.server.patrol;

import io.vertx.core.Future;
import io.vigil.rules.patrol.CustomerSpec;
import io.vigil.rules.patrol.SystemSpec;
import java.time.Clock;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalTime;
import java.time.ZonedDateTime;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Generates and stores each customer's patrol report for the previous day once it is
 * {@code reportAt} in the customer's zone ({@code VIGIL_PATROL_REPORT_AT}). Run it every minute; a
 * report already stored (by this node, another node, or before a restart) is left as it is.
 */
public final class ReportScheduler {
  private static final Logger LOG = LoggerFactory.getLogger(ReportScheduler.class);
  private final Inventory inventory;
  private final PatrolReports reports;
  private final Clock clock;
  private final LocalTime reportAt;
  private final Set<String> done = new HashSet<>();
  private boolean running;

  public ReportScheduler(Inventory inventory, PatrolReports reports, Clock clock, LocalTime reportAt) {
    this.inventory = inventory;
    this.reports = reports;
    this.clock = clock;
    this.reportAt = reportAt;
  }

  /** Generates what is due; at most one run at a time (call from one context). */
  public Future<Void> run() {
    if (running) return Future.succeededFuture();
    running = true;
    Instant now = clock.instant();
    Future<Void> chain = Future.succeededFuture();
    PgInventoryStore.Snapshot snap = inventory.snapshot();
    for (CustomerSpec c : snap.customers()) {
      ZonedDateTime local = now.atZone(c.zone());
      if (local.toLocalTime().isBefore(reportAt)) continue;
      LocalDate day = local.toLocalDate().minusDays(1);
      String key = c.id() + "/" + day;
      if (done.contains(key)) continue;
      List<SystemSpec> systems = snap.systems().stream().filter(s -> s.customer().equals(c.id())).toList();
      chain = chain.compose(v -> reports.stored(c.id(), day).compose(stored -> {
        if (stored != null) return Future.succeededFuture();
        return reports.generate(c, systems, day, clock.instant()).compose(r -> reports.store(c.id(), day, r, clock.instant()))
            .map(r -> {
              LOG.info("patrol.report_stored customer={} day={} findings={} faults={}", c.id(), day,
                  r.getJsonObject("summary").getInteger("findings"), r.getJsonObject("summary").getLong("faults"));
              return null;
            });
      }).map(x -> {
        done.add(key);
        return (Void) null;
      }).recover(t -> {
        LOG.warn("patrol.report_failed customer={} day={} cause=\"{}\"", c.id(), day, t.toString());
        return Future.succeededFuture();
      }));
    }
    return chain.onComplete(ar -> running = false);
  }
}
