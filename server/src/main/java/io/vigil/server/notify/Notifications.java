package io.vigil.server.notify;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.sqlclient.Pool;
import io.vigil.collectors.AlertSink;
import io.vigil.rules.notify.NotifyConfig;
import io.vigil.rules.notify.OnCallConfig;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongFunction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The notification module composed (issue 12, docs/NOTIFICATIONS.md): configuration
 * ({@link NotifyCenter}), the router (outbox → deliveries, one node), the sender (every node), the
 * escalation scanner (every node) and the dead-letter alarm. {@link #start} after the schema is
 * migrated and the ticket desk's links are loaded; {@link #stop} before the pool closes.
 */
public final class Notifications {
  private static final Logger LOG = LoggerFactory.getLogger(Notifications.class);
  /** How often the sender looks for retries and other nodes' rows, and the escalation scanner runs. */
  static final Duration SEND_TICK = Duration.ofMillis(250);
  static final Duration ESCALATION_TICK = Duration.ofSeconds(1);
  static final Duration CONFIG_REFRESH = Duration.ofSeconds(30);
  static final Duration ALARM_REFRESH = Duration.ofSeconds(30);

  private final Vertx vertx;
  private final Pool pool;
  private final NotifyCenter center;
  private final Deliveries deliveries;
  private final Sender sender;
  private final NotifyPipeline pipeline;
  private final Router router;
  private final Escalations escalations;
  private final Clock clock;
  private final AtomicLong pending = new AtomicLong();
  private final AtomicLong dead = new AtomicLong();
  private DeadLetterAlarm alarm;
  private long refreshTimer = -1;

  public Notifications(Vertx vertx, Pool pool, PgConnectOptions connect, Clock clock, MeterRegistry registry, String publicUrl,
      LongFunction<String> ackPath) {
    this.vertx = vertx;
    this.pool = pool;
    this.clock = clock;
    this.center = new NotifyCenter(pool, clock, publicUrl);
    this.deliveries = new Deliveries(pool);
    this.sender = new Sender(vertx, deliveries, center, clock, registry);
    this.pipeline = new NotifyPipeline(center::config, center::oncall, ackPath);
    this.router = new Router(vertx, pool, connect, pipeline, clock, sender);
    this.escalations = new Escalations(vertx, pool, center::oncall, pipeline, clock, sender::poke);
    io.micrometer.core.instrument.FunctionCounter.builder("vigil_notify_route_passes", router, Router::inlinePasses).tag("in", "fault_transaction")
        .description("committed router passes, in the paging fault's own transaction or in the router's").register(registry);
    io.micrometer.core.instrument.FunctionCounter.builder("vigil_notify_route_passes", router, Router::ownPasses).tag("in", "router_transaction")
        .description("committed router passes, in the paging fault's own transaction or in the router's").register(registry);
    Gauge.builder("vigil_notify_pending", pending, AtomicLong::get).description("deliveries not yet delivered nor dead").register(registry);
    Gauge.builder("vigil_notify_dead_letters", dead, AtomicLong::get).description("deliveries given up, kept for inspection and retry")
        .register(registry);
  }

  /**
   * Joins a fault's transaction before its commit and routes what it pages there (see
   * {@link Router#inTransaction}); for {@link io.vigil.server.storage.PgFaultStore#beforeCommit}.
   */
  public io.vigil.server.storage.CommitHook commitHook() {
    return router::inTransaction;
  }

  public NotifyCenter center() {
    return center;
  }

  /** The rules file's notification and on-call sections; throws RuleFileException when they do not build. */
  public void file(NotifyConfig notify, OnCallConfig oncall) {
    center.file(notify, oncall);
    LOG.info("notify.config receivers={} routed={} schedules={} escalations={}", notify.receivers().size(), notify.enabled(),
        oncall.schedules().size(), oncall.escalations().size());
  }

  /**
   * Starts routing, sending, escalating and the dead-letter alarm.
   *
   * @param selfAlerts where Vigil's alerts about itself go (the dead-letter alarm); see {@link DeadLetterAlarm}
   */
  public Future<Void> start(AlertSink selfAlerts) {
    alarm = new DeadLetterAlarm(vertx, pool, selfAlerts, clock);
    sender.onDead((d, error) -> alarm.check(ALARM_REFRESH).onFailure(t -> LOG.warn("notify.alarm_failed cause=\"{}\"", t.toString())));
    return center.refresh().compose(v -> router.start()).map(v -> {
      sender.start(SEND_TICK);
      escalations.start(ESCALATION_TICK);
      alarm.start(ALARM_REFRESH);
      refreshTimer = vertx.setPeriodic(CONFIG_REFRESH.toMillis(), id -> {
        center.refresh().onFailure(t -> LOG.warn("notify.config_refresh_failed cause=\"{}\"", t.toString()));
        deliveries.counts().onSuccess(c -> {
          pending.set(c.pending());
          dead.set(c.dead());
        });
      });
      sender.poke();
      return null;
    });
  }

  public Future<Void> stop() {
    if (refreshTimer >= 0) vertx.cancelTimer(refreshTimer);
    escalations.stop();
    if (alarm != null) alarm.stop();
    return router.stop().recover(t -> Future.succeededFuture()).compose(v -> sender.close().recover(t -> Future.succeededFuture()));
  }

  /** Deletes what is no longer needed: routed outbox rows after a week, settled deliveries after 90 days (they are on ticket timelines). */
  public Future<Void> maintain() {
    return pool.query("DELETE FROM notify_outbox WHERE routed_at < now() - interval '7 days'").execute()
        .compose(v -> pool.query("DELETE FROM notify_deliveries WHERE (delivered_at IS NOT NULL OR dead_at IS NOT NULL) "
            + "AND created_at < now() - interval '90 days'").execute())
        .mapEmpty();
  }
}
