package io.vigil.server.patrol;

import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Vertx;
import io.vertx.ext.web.Router;
import io.vigil.collectors.patrol.HeartbeatHandler;
import io.vigil.collectors.patrol.ProbeScheduler;
import io.vigil.collectors.patrol.ProbeTarget;
import io.vigil.collectors.patrol.Prober;
import io.vigil.rules.Fault;
import io.vigil.rules.patrol.CustomerSpec;
import io.vigil.rules.patrol.NoDataWatch;
import io.vigil.rules.patrol.ProbeSpec;
import io.vigil.rules.patrol.SystemSpec;
import io.vigil.server.Pipeline;
import io.vigil.server.PatrolConfig;
import io.vigil.server.RuleCatalog;
import io.vigil.web.Auth;
import io.vigil.web.PatrolApi;
import io.vigil.web.Role;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Patrol (巡检), wired: the inventory drives the NoData watch, the probe schedule and the grading
 * tiers; heartbeats and probe results go through the pipeline like any sample; reports are made on
 * schedule and on demand. Build it on the pipeline's context, after the pipeline.
 */
public final class Patrol {
  private static final Logger LOG = LoggerFactory.getLogger(Patrol.class);
  private final Inventory inventory;
  private final NoDataMonitor noData;
  private final ProbeScheduler probes;
  private final RuleCatalog catalog;
  private final HeartbeatHandler heartbeats;
  private final ReportScheduler scheduler;
  private final Vertx vertx;
  private long settleTimer = -1;

  public Patrol(Vertx vertx, Inventory inventory, PatrolReports reports, Pipeline pipeline, RuleCatalog catalog,
      List<Fault> activeFaults, Clock clock, MeterRegistry registry, PatrolConfig config) {
    this.vertx = vertx;
    this.inventory = inventory;
    this.catalog = catalog;
    this.noData = new NoDataMonitor(vertx, clock, events -> pipeline.recordExternal(events));
    this.probes = new ProbeScheduler(vertx, pipeline, new Prober(vertx, clock), clock, config.probeMaxInFlight(), registry, new SecureRandom());
    // A customer-bound ingest token may only beat its own customer's systems.
    this.heartbeats = new HeartbeatHandler(pipeline, inventory, clock, ctx -> {
      io.vigil.web.Principal p = io.vigil.web.Auth.principal(ctx);
      return p == null ? null : p.customer();
    }, registry);
    noData.restore(activeFaults.stream().filter(f -> f.rule().equals(NoDataWatch.RULE)).toList());
    pipeline.onDurable(noData::durable);
    this.scheduler = new ReportScheduler(inventory, reports, clock, config.reportAt());
    io.vertx.core.Context context = vertx.getOrCreateContext();
    inventory.onChange(snap -> context.runOnContext(v -> apply(snap)));
    apply(inventory.snapshot());
    vertx.setPeriodic(60_000, id -> scheduler.run());
    // Changes made on another node reach this one within this period.
    vertx.setPeriodic(30_000, id -> inventory.refresh().onFailure(t -> LOG.warn("inventory.refresh_failed cause=\"{}\"", t.toString())));
  }

  private void apply(PgInventoryStore.Snapshot s) {
    noData.inventory(s.systems());
    List<ProbeTarget> targets = new ArrayList<>();
    for (SystemSpec sys : s.systems()) for (ProbeSpec p : sys.probes()) targets.add(new ProbeTarget(sys.customer(), sys.id(), p));
    probes.update(targets);
    catalog.inventoryTiers(tiers(s)).onFailure(t -> LOG.warn("inventory.tiers_not_applied cause=\"{}\"", t.toString()));
    LOG.info("patrol.inventory customers={} systems={} probes={}", s.customers().size(), s.systems().size(), targets.size());
    // A customer added after today's report time gets yesterday's report once the inventory has
    // been quiet for a moment (its systems are usually added right after it), not tomorrow.
    if (settleTimer >= 0) vertx.cancelTimer(settleTimer);
    settleTimer = vertx.setTimer(2_000, id -> {
      settleTimer = -1;
      scheduler.run();
    });
  }

  /** customer → contract tier, for grading. */
  public static Map<String, String> tiers(PgInventoryStore.Snapshot s) {
    Map<String, String> out = new LinkedHashMap<>();
    for (CustomerSpec c : s.customers()) out.put(c.id(), c.tier());
    return out;
  }

  /** The inventory, report and heartbeat routes; mount before the web API's catch-all. */
  public void mount(Router router, Auth auth) {
    router.post("/api/v1/heartbeat/:system").handler(auth.require(Role.INGEST)).handler(heartbeats);
    new PatrolApi(inventory, auth).mount(router);
  }
}
