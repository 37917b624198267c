package io.vigil.server;

import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.VerticleBase;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import io.vigil.collectors.InfluxWrite;
import io.vigil.collectors.IngestLimits;
import io.vigil.collectors.AlertsHandler;
import io.vigil.collectors.JsonIngestHandler;
import io.vigil.collectors.RemoteWriteDecoder;
import io.vigil.collectors.RemoteWriteHandler;
import io.vigil.rules.alerts.AlertTracker;
import io.vigil.rules.Fault;
import io.vigil.rules.RuleSet;
import io.vigil.rules.RuleEngine;
import io.vigil.rules.RuleFileException;
import io.vigil.rules.RulesFile;
import io.vigil.rules.mute.InhibitRule;
import io.vigil.rules.mute.InhibitRules;
import io.vigil.server.storage.Database;
import io.vigil.server.storage.PgConfigStore;
import io.vigil.server.storage.PartitionMaintainer;
import io.vigil.server.storage.PgFaultStore;
import io.vigil.server.storage.PgMuteStore;
import io.vigil.server.storage.PgSampleStore;
import io.vigil.server.patrol.Inventory;
import io.vigil.server.patrol.Patrol;
import io.vigil.server.patrol.PatrolReports;
import io.vigil.server.tickets.TicketDesk;
import io.vigil.web.Role;
import io.vigil.web.StreamHub;
import io.vigil.web.WebApi;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The composition root: builds storage, engine, tickets, stream and web, wires them, and serves.
 * Start-up order: rules (fail fast on a bad file) → migrations → tokens → restore active faults
 * and open tickets → listen. {@code /readyz} answers 200 only after all of that.
 */
public final class VigilServer extends VerticleBase {
  private static final Logger LOG = LoggerFactory.getLogger(VigilServer.class);
  public static final String BUNDLED_RULES = "demo-rules.yaml";

  private final Config config;
  private final Clock clock;
  private final PrometheusMeterRegistry registry;
  private Database db;
  private HttpServer http;
  private String adminToken;
  private volatile boolean ready;
  private volatile boolean stopped;
  private volatile PgSampleStore store;
  private final io.vertx.core.Promise<Void> readyPromise = io.vertx.core.Promise.promise();
  private volatile Router router;
  private StreamHub hub;
  private FileRules fileRules;
  private io.vigil.rules.sla.SlaPolicies slaPolicies;
  private volatile RuleCatalog catalog;
  private volatile Pipeline pipeline;
  private List<InhibitRule> inhibitRules = List.of();
  // Issue 12: the rules file's route/receivers/time intervals and people/schedules/escalations.
  private io.vigil.rules.notify.NotifyConfig fileNotify = io.vigil.rules.notify.NotifyConfig.empty();
  private io.vigil.rules.notify.OnCallConfig fileOnCall = io.vigil.rules.notify.OnCallConfig.empty();
  private io.vigil.server.notify.Notifications notifications;
  private volatile MuteRegistry mutes;
  private io.vigil.collectors.kafka.KafkaCollector kafka;

  public VigilServer(Config config, Clock clock, PrometheusMeterRegistry registry) {
    this.config = config;
    this.clock = clock;
    this.registry = registry;
  }

  @Override
  public Future<?> start() {
    LOG.info("vigil.starting config={}", config);
    router = bootRouter();
    // Built once: its meters bind to this instance, and wire() may be retried.
    hub = new StreamHub(config.streamQueueBytes(), registry);
    adminToken = config.adminToken() != null ? config.adminToken() : TokenStore.newSecret();
    db = new Database(vertx, config.database(), config.dbPoolSize());
    // Listen at once: /healthz answers, /readyz says 503 until storage is ready, the API says 503 +
    // Retry-After. A bad rules file still stops start-up (nothing would ever fix it by waiting).
    return loadRules()
        .compose(r -> loadSla().map(sla -> {
          slaPolicies = sla;
          return r;
        }))
        .compose(r -> {
          fileRules = r;
          return vertx.createHttpServer(new HttpServerOptions().setCompressionSupported(true).setMaxWebSocketFrameSize(1 << 20))
              .requestHandler(req -> router.handle(req)).listen(config.port(), config.host());
        })
        .onSuccess(s -> {
          http = s;
          LOG.info("vigil.listening port={} (not ready until the database is migrated)", s.actualPort());
          initialise(0);
        });
  }

  /** The whole server once storage is there; retried while the database cannot be reached. */
  private void initialise(int attempt) {
    if (stopped) return;
    wire().onSuccess(r -> {
      router = r;
      ready = true;
      readyPromise.tryComplete();
      LOG.info("vigil.ready port={} samplesLayout={}", http.actualPort(), db.samplesLayout());
    }).onFailure(t -> {
      if (!transientFailure(t)) {
        // A failed migration or a schema conflict does not heal by waiting: give up loudly.
        LOG.error("vigil.start_failed cause=\"{}\"", t.getMessage(), t);
        readyPromise.tryFail(t);
        return;
      }
      long backoff = Math.min(30_000, 1000L << Math.min(attempt, 5));
      LOG.warn("vigil.not_ready attempt={} retryInMs={} cause=\"{}\"", attempt + 1, backoff, t.getMessage());
      vertx.setTimer(backoff, id -> initialise(attempt + 1));
    });
  }

  /** Connection-level failures are worth retrying; SQL errors in migrations or queries are not. */
  static boolean transientFailure(Throwable t) {
    for (Throwable c = t; c != null; c = c.getCause()) {
      if (c instanceof org.flywaydb.core.internal.exception.sqlExceptions.FlywaySqlUnableToConnectToDbException
          || c instanceof java.net.ConnectException || c instanceof java.sql.SQLTransientException
          || c instanceof java.util.concurrent.TimeoutException || c instanceof java.io.IOException) {
        return true;
      }
      if (c instanceof io.vertx.pgclient.PgException pg && pg.getSqlState() != null
          && (pg.getSqlState().startsWith("08") || pg.getSqlState().startsWith("57") || pg.getSqlState().equals("3D000"))) {
        return true; // connection exception, operator intervention / shutdown, database does not exist (yet)
      }
      if (c instanceof java.sql.SQLException sql && sql.getSQLState() != null
          && (sql.getSQLState().startsWith("08") || sql.getSQLState().startsWith("57") || sql.getSQLState().equals("3D000"))) {
        return true;
      }
    }
    return false;
  }

  /**
   * Every route the server serves once wired, as {@code "METHOD path"} (one entry per method; {@code
   * "* path"} for a route of any method; a regex route by its pattern). The tenant matrix test
   * enumerates them: every route needs a tenancy decision there.
   */
  public java.util.List<String> routes() {
    java.util.List<String> out = new java.util.ArrayList<>();
    for (io.vertx.ext.web.Route r : router.getRoutes()) {
      String path = r.getPath() != null ? r.getPath() : String.valueOf(r.getName());
      java.util.Set<io.vertx.core.http.HttpMethod> ms = r.methods();
      if (ms == null || ms.isEmpty()) out.add("* " + path);
      else for (io.vertx.core.http.HttpMethod m : ms) out.add(m.name() + " " + path);
    }
    return out;
  }

  private Future<Router> wire() {
    java.time.ZoneId zone = config.patrol().defaultZone();
    io.vigil.server.tickets.SlaTimers sla = new io.vigil.server.tickets.SlaTimers(db.pool(), slaPolicies, hub, clock);
    PgFaultStore faults = new PgFaultStore(db.pool(), sla, zone, config.recurrence());
    io.vigil.server.tickets.Surveys surveys = new io.vigil.server.tickets.Surveys(db.pool(), config.publicUrl());
    TicketDesk tickets = new TicketDesk(db.pool(), hub, sla, surveys, clock, zone);
    io.vigil.server.notify.Notifications notify = new io.vigil.server.notify.Notifications(vertx, db.pool(), db.connectOptions(), clock,
        registry, config.publicUrl(), tickets::ackPath);
    try {
      notify.file(fileNotify, fileOnCall);
    } catch (RuleFileException e) {
      return Future.failedFuture(new IllegalArgumentException("invalid rules file:\n" + e.getMessage(), e));
    }
    this.notifications = notify;
    faults.beforeCommit(notify.commitHook());
    TokenStore tokens = new TokenStore(db.pool(), clock);
    MuteRegistry mutes = new MuteRegistry(new PgMuteStore(db.pool()), clock, inhibitRules);
    // Changes through the API go to the engine via the pipeline built below (read when they happen).
    catalog = new RuleCatalog(new PgConfigStore(db.pool()), clock, set -> pipeline.reload(set));
    // Patrol (issue 5): the inventory is read before the rules, whose grading uses its contract tiers.
    PatrolReports patrolReports = new PatrolReports(db.pool());
    Inventory inventory = new Inventory(new io.vigil.server.patrol.PgInventoryStore(db.pool()), patrolReports, clock, config.patrol().defaultZone());
    mutes.inventory(inventory::snapshot);
    return db.migrate()
        .compose(v -> inventory.refresh().map(snap -> {
          catalog.initialInventoryTiers(Patrol.tiers(snap));
          return (Void) null;
        }))
        .compose(v -> new PartitionMaintainer(db.pool(), db.samplesLayout(), config.retentionDays(), clock).run())
        .compose(v -> tokens.bootstrap(adminToken))
        .compose(v -> surveys.start())
        .compose(v -> tickets.start())
        .compose(v -> mutes.refresh())
        .compose(v -> catalog.load(fileRules.path(), fileRules.text(), fileRules.set()))
        .compose(v -> faults.active())
        .compose(active -> tickets.notClosed().map(open -> {
          hub.seed(active, open);
          return active;
        }))
        .compose(active -> {
          vertx.setPeriodic(3_600_000, id -> new PartitionMaintainer(db.pool(), db.samplesLayout(), config.retentionDays(), clock)
              .run().compose(v -> notify.maintain()).onFailure(t -> LOG.warn("db.maintenance_failed cause=\"{}\"", t.toString())));
          vertx.setPeriodic(30_000, id -> tokens.refresh().onFailure(t -> LOG.warn("tokens.refresh_failed cause=\"{}\"", t.toString())));
          // SLA warnings and breaches: due times live in the tickets table; see SlaTimers for the timer model.
          sla.start(vertx, config.slaScanInterval());
          watchStorage();
          RuleEngine engine = new RuleEngine(catalog.effective(), clock);
          PgSampleStore store = new PgSampleStore(vertx, db.pool(), db.connectOptions(), config.maxInFlightBatches(), config.storage(), registry);
          this.store = store;
          Pipeline pipeline = new Pipeline(vertx, store, engine, faults, hub, clock, registry, mutes, config.maxPendingFaultWrites());
          this.pipeline = pipeline;
          this.mutes = mutes;
          sla.maintenance(() -> mutes.muter().windows());
          mutes.onChange(() -> {
            pipeline.remute();
            sla.maintenanceChanged().onFailure(t -> LOG.warn("sla.maintenance_rescan_failed cause=\"{}\"", t.toString()));
          });
          // Range windows refilled from the samples table, then faults and flap history restored.
          Instant now = clock.instant();
          long warmStart = System.nanoTime();
          Future<?> restored = store.start().compose(v -> store.replay(pipeline.warmMetrics(), now.minus(pipeline.warmRange()), config.warmupMaxSamples(), pipeline::warm))
              .compose(replayed -> faults.flapHistory(now.minus(catalog.effective().flapping().window())).compose(history -> {
                LOG.info("vigil.warmed samples={} ms={} flapHistory={}", replayed, (System.nanoTime() - warmStart) / 1_000_000, history.size());
                return pipeline.restored(active, history);
              }));
          // Silences and windows changed on another node reach this one within this period.
          vertx.setPeriodic(30_000, id -> mutes.refresh().onFailure(t -> LOG.warn("mutes.refresh_failed cause=\"{}\"", t.toString())));
          LOG.info("vigil.restored activeFaults={} rules={} mutes={}", active.size(), catalog.effective().rules().size(), mutes);

          Router full = Router.router(vertx);
          WebApi web = new WebApi(new WebApi.Deps(tokens, faults, tickets, hub, () -> pipeline.ruleSet().rules(), this::readiness,
              metricsHandler(), mutes, catalog, new io.vigil.server.storage.PgAuditLog(db.pool())));
          // ---- ingest: one IngestLimits and one tenancy rule for every collector ----
          IngestLimits limits = new IngestLimits(config.ingestLimits(), store::knows, clock, registry);
          java.util.function.Function<RoutingContext, String> customerOf = ctx -> {
            io.vigil.web.Principal p = io.vigil.web.Auth.principal(ctx);
            return p == null ? null : p.customer();
          };
          full.post("/api/v1/ingest")
              // Vert.x Web orders body handlers before auth; the limit is checked against
              // Content-Length before anything is buffered.
              .handler(BodyHandler.create(false).setBodyLimit(config.maxBodyBytes()))
              .handler(web.auth().require(Role.INGEST))
              .handler(new JsonIngestHandler(pipeline, limits, customerOf, clock, registry))
              .failureHandler(limits.bodyTooLarge("json"));
          // Influx line protocol (1.x and 2.x write APIs; /ping for clients that check first).
          InfluxWrite influx = new InfluxWrite(pipeline, limits, customerOf, clock, registry);
          full.get("/ping").handler(InfluxWrite.ping());
          full.head("/ping").handler(InfluxWrite.ping());
          full.post("/write").handler(InfluxWrite.anyContentType()).handler(BodyHandler.create(false).setBodyLimit(config.maxBodyBytes()))
              .handler(web.auth().requireInflux(Role.INGEST, false)).handler(influx.v1()).failureHandler(influx.bodyTooLarge(false));
          full.post("/api/v2/write").handler(InfluxWrite.anyContentType()).handler(BodyHandler.create(false).setBodyLimit(config.maxBodyBytes()))
              .handler(web.auth().requireInflux(Role.INGEST, true)).handler(influx.v2()).failureHandler(influx.bodyTooLarge(true));
          // /query only for what writing clients send (Telegraf's CREATE DATABASE, the CLI's -import DDL).
          full.route("/query").method(io.vertx.core.http.HttpMethod.GET).method(io.vertx.core.http.HttpMethod.POST)
              .handler(BodyHandler.create(false).setBodyLimit(64 * 1024))
              .handler(web.auth().requireInflux(Role.INGEST, false)).handler(io.vigil.collectors.InfluxQuery.handler());
          // ---- end ingest ----
          // --- Prometheus: remote_write 1.0 ingest and Alertmanager-compatible alert intake (issue 5) ---
          ExternalAlerts alerts = new ExternalAlerts(vertx, new AlertTracker(ExternalAlerts.PROMETHEUS, config.alertSeverity(),
              config.alertResolveTimeout()), pipeline, clock, registry);
          // Vigil's alerts about itself (the dead-letter alarm, issue 12): external alerts of source vigil.
          ExternalAlerts selfAlerts = new ExternalAlerts(vertx, new AlertTracker(io.vigil.server.notify.DeadLetterAlarm.SOURCE,
              io.vigil.rules.alerts.AlertSeverityMap.parse("critical=P1,major=P2,*=P3"), java.time.Duration.ofMinutes(2)), pipeline, clock, registry);
          restored = restored
              .compose(v -> alerts.restore(active.stream().map(io.vigil.web.FaultView::fault).toList()))
              .compose(v -> selfAlerts.restore(active.stream().map(io.vigil.web.FaultView::fault).toList()))
              .compose(v -> notify.start(selfAlerts))
              // snappy-java extracts and loads its native library on first use: file I/O, so not on the event loop.
              .compose(v -> vertx.executeBlocking(() -> {
                RemoteWriteDecoder.loadNative();
                return null;
              }));
          full.post("/api/v1/write")
              .handler(BodyHandler.create(false).setBodyLimit(config.maxBodyBytes()))
              .handler(web.auth().require(Role.INGEST))
              .handler(new RemoteWriteHandler(pipeline, limits, customerOf, config.maxSamplesPerRequest(),
                  (int) Math.min(Integer.MAX_VALUE, 8 * config.maxBodyBytes()), registry))
              .failureHandler(limits.bodyTooLarge("remote_write"));
          full.post("/api/v2/alerts")
              .handler(BodyHandler.create(false).setBodyLimit(config.maxBodyBytes()))
              .handler(web.auth().require(Role.INGEST))
              .handler(new AlertsHandler(alerts, limits, customerOf, registry))
              .failureHandler(limits.bodyTooLarge("alerts"));
          // --- end Prometheus ---
          // Patrol (issue 5): NoData watch, probes, heartbeats, inventory and patrol report routes.
          new Patrol(vertx, inventory, patrolReports, pipeline, catalog, active.stream().map(f -> f.fault()).toList(), clock, registry,
              config.patrol()).mount(full, web.auth());
          full.post("/-/reload").handler(web.auth().require(Role.ADMIN)).handler(ctx -> reload().onComplete(ar -> {
            if (ar.succeeded()) {
              io.vigil.web.Http.json(ctx, 200, new io.vertx.core.json.JsonObject().put("status", "reloaded")
                  .put("rules", ar.result().rules().size()));
            } else {
              io.vigil.web.Http.error(ctx, 400, "reload refused, the running rules stay in force: " + ar.cause().getMessage());
            }
          }));
          // Service reports (issue 11): before web.mount, whose catch-all would answer first.
          new io.vigil.web.ReportApi(new io.vigil.server.tickets.ServiceReports(db.pool(), clock, config.dbPoolSize() >= 4), web.auth()).mount(full);
          new io.vigil.web.NotifyApi(notify.center(), web.auth()).mount(full);
          new io.vigil.web.QueryApi(new io.vigil.server.query.RangeQueries(db.pool()), web.auth()).mount(full);
          web.mount(full);
          // ---- Kafka collector (issue 5): consumes only once the engine is warmed and faults restored.
          return restored.compose(v -> startKafka(pipeline)).map(v -> full);
        });
  }

  /** The Kafka collector when {@code VIGIL_KAFKA_BOOTSTRAP} is set, bound to {@code VIGIL_KAFKA_CUSTOMER} when that is. */
  private Future<Void> startKafka(Pipeline pipeline) {
    if (config.kafka() == null) return Future.succeededFuture();
    io.vigil.collectors.kafka.RecordDecoder decoder;
    try {
      decoder = io.vigil.collectors.kafka.RecordDecoders.forFormat(config.kafka().format(),
          new io.vigil.collectors.kafka.JsonRecordDecoder(config.maxSamplesPerRequest()),
          new io.vigil.collectors.kafka.LineRecordDecoder(config.maxLabelsPerSeries(), config.maxLabelValueChars(), config.maxSamplesPerRequest()));
      decoder = io.vigil.collectors.kafka.RecordDecoders.boundTo(decoder, config.kafka().customer(), config.kafka().topic());
    } catch (IllegalArgumentException e) {
      return Future.failedFuture(e);
    }
    kafka = new io.vigil.collectors.kafka.KafkaCollector(vertx, pipeline, decoder, config.kafka(), clock, registry);
    return kafka.start();
  }

  /** Serves until {@link #wire()} is done: health, readiness, metrics; everything else 503. */
  private Router bootRouter() {
    Router r = Router.router(vertx);
    r.get("/healthz").handler(ctx -> io.vigil.web.Http.json(ctx, 200, new io.vertx.core.json.JsonObject().put("status", "up")));
    r.get("/metrics").handler(metricsHandler());
    r.route().handler(ctx -> {
      ctx.response().putHeader("Retry-After", "2");
      io.vigil.web.Http.json(ctx, 503, new io.vertx.core.json.JsonObject().put("status", "not ready")
          .put("error", "starting: waiting for the database to be reachable and migrated"));
    });
    return r;
  }

  /** Completes when the server is fully ready (migrations applied, state restored). */
  public Future<Void> ready() {
    return readyPromise.future();
  }

  /** The rules file as read: its name, its text, and its rules (validated). */
  private record FileRules(String path, String text, RuleSet set) {}

  /** The SLA calendars and policies: {@code VIGIL_SLA}, or DESIGN.md's defaults. A bad file stops start-up. */
  private Future<io.vigil.rules.sla.SlaPolicies> loadSla() {
    String path = config.slaFile();
    if (path == null) return Future.succeededFuture(io.vigil.rules.sla.SlaPolicies.defaults());
    return vertx.fileSystem().readFile(path)
        .recover(t -> Future.failedFuture(new IllegalArgumentException("cannot read SLA file '" + path + "' (VIGIL_SLA): " + t.getMessage())))
        .map(b -> {
          try {
            io.vigil.rules.sla.SlaPolicies p = io.vigil.rules.sla.SlaPolicies.parse(b.toString(), path);
            LOG.info("sla.loaded file={} tiers={} calendars={}", path, p.tiers(), p.calendarNames());
            return p;
          } catch (io.vigil.rules.sla.SlaConfigException e) {
            throw new IllegalArgumentException("invalid SLA file:\n" + e.getMessage(), e);
          }
        });
  }

  private Future<FileRules> loadRules() {
    String path = config.rulesFile() == null ? BUNDLED_RULES : config.rulesFile();
    // Vert.x's file system falls back to the classpath, which is where the bundled rules live.
    return vertx.fileSystem().readFile(path)
        .recover(t -> Future.failedFuture(new IllegalArgumentException("cannot read rules file '" + path + "': " + t.getMessage())))
        .map(Buffer::toString)
        // Parsing a rules file with its notification sections takes tens of ms (more on a busy
        // machine): off the event loop.
        .compose(text -> vertx.executeBlocking(() -> {
          try {
            RuleSet r = RulesFile.load(path, text);
            // The inhibit_rules key of the same file; its own parser, so RulesFile stays about rules.
            inhibitRules = InhibitRules.parse(path, text);
            notifySections(path, text);
            LOG.info("rules.loaded file={} rules={} inhibitRules={}", path, r.rules().size(), inhibitRules.size());
            return new FileRules(path, text, r);
          } catch (RuleFileException e) {
            throw new IllegalArgumentException("invalid rules file:\n" + e.getMessage(), e);
          }
        }, false));
  }

  /** The notification and on-call sections of the rules file (their own parsers, like inhibit_rules). */
  private void notifySections(String path, String text) {
    Object root = new org.snakeyaml.engine.v2.api.Load(org.snakeyaml.engine.v2.api.LoadSettings.builder().setLabel(path).build()).loadFromString(text);
    @SuppressWarnings("unchecked")
    java.util.Map<String, Object> map = root instanceof java.util.Map<?, ?> m ? (java.util.Map<String, Object>) m : java.util.Map.of();
    java.time.ZoneId zone = config.patrol().defaultZone();
    List<String> problems = new java.util.ArrayList<>();
    io.vigil.rules.notify.NotifyConfig n = io.vigil.rules.notify.NotifyConfig.empty();
    io.vigil.rules.notify.OnCallConfig o = io.vigil.rules.notify.OnCallConfig.empty();
    try {
      n = io.vigil.rules.notify.NotifyConfig.parse(map, path, zone);
    } catch (RuleFileException e) {
      problems.addAll(e.problems());
    }
    try {
      o = io.vigil.rules.notify.OnCallConfig.parse(map, path, zone);
    } catch (RuleFileException e) {
      problems.addAll(e.problems());
    }
    if (!problems.isEmpty()) throw new RuleFileException(problems);
    fileNotify = n;
    fileOnCall = o;
  }

  /**
   * Re-reads the rules file ({@code POST /-/reload}, SIGHUP). An invalid file changes nothing: the
   * running rules stay and the future fails with every problem found.
   */
  public Future<RuleSet> reload() {
    Pipeline p = pipeline;
    if (p == null) return Future.failedFuture("not ready yet");
    RuleCatalog c = catalog;
    return loadRules()
        .compose(file -> {
          // Notifications first: a file whose receivers no longer build changes nothing at all.
          try {
            if (notifications != null) notifications.file(fileNotify, fileOnCall);
          } catch (RuleFileException e) {
            return Future.failedFuture(new IllegalArgumentException(e.getMessage(), e));
          }
          return Future.succeededFuture(file);
        })
        .compose(file -> c.reloadFile(file.path(), file.text())
            .recover(t -> Future.failedFuture(t instanceof RuleFileException e ? new IllegalArgumentException(e.getMessage(), e) : t)))
        .onSuccess(next -> mutes.fileRules(inhibitRules))
        .onSuccess(next -> LOG.info("rules.reloaded rules={}", next.rules().size()))
        .onFailure(t -> LOG.warn("rules.reload_refused cause=\"{}\"", t.getMessage().replace('\n', ' ')));
  }

  /** How often the storage watch asks PostgreSQL, and how long it waits for the answer. */
  static final java.time.Duration STORAGE_PROBE = java.time.Duration.ofSeconds(1);
  static final java.time.Duration STORAGE_PROBE_TIMEOUT = java.time.Duration.ofSeconds(2);
  private boolean storageProbing;

  /**
   * Asks PostgreSQL every {@link #STORAGE_PROBE} and tells the stream when it stops or starts
   * answering: the wall shows a "storage unavailable" banner meanwhile (collectors already answer
   * 503 with Retry-After, /readyz 503). One probe in flight at a time; never blocks.
   */
  private void watchStorage() {
    vertx.setPeriodic(STORAGE_PROBE.toMillis(), id -> {
      if (storageProbing) return;
      storageProbing = true;
      db.pool().query("SELECT 1").execute().timeout(STORAGE_PROBE_TIMEOUT.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS)
          .onComplete(ar -> {
            storageProbing = false;
            boolean was = storageAvailable;
            storageAvailable = ar.succeeded();
            if (was == storageAvailable) return;
            String reason = ar.succeeded() ? null : "PostgreSQL does not answer: " + ar.cause().getMessage();
            if (ar.succeeded()) LOG.info("storage.available");
            else LOG.warn("storage.unavailable cause=\"{}\"", reason);
            hub.publishStorage(storageAvailable, reason, clock.instant());
          });
    });
  }

  private volatile boolean storageAvailable = true;

  private Future<Void> readiness() {
    if (!ready) return Future.failedFuture("starting: migrations and restore not finished");
    return db.pool().query("SELECT 1").execute().<Void>mapEmpty()
        .recover(t -> Future.failedFuture("database unreachable: " + t.getMessage()));
  }

  private Handler<RoutingContext> metricsHandler() {
    return ctx -> ctx.response().putHeader("Content-Type", "text/plain; version=0.0.4; charset=utf-8").end(registry.scrape());
  }

  @Override
  public Future<?> stop() {
    ready = false;
    stopped = true;
    // Kafka first: stop consuming before the database it writes to goes away.
    Future<Void> k = kafka == null ? Future.succeededFuture() : kafka.stop().recover(t -> Future.succeededFuture());
    Future<Void> h = k.compose(v -> http == null ? Future.succeededFuture() : http.close());
    // Flushing what the store holds leaves nothing in sample_log for the next start to recover.
    Future<Void> s = h.compose(v -> store == null ? Future.succeededFuture() : store.close())
        .compose(v -> notifications == null ? Future.succeededFuture() : notifications.stop().recover(t -> Future.succeededFuture()));
    return s.compose(v -> db == null ? Future.succeededFuture() : db.close());
  }

  public int port() {
    return http.actualPort();
  }

  public String adminToken() {
    return adminToken;
  }

  public Database database() {
    return db;
  }
}
