package io.vigil.server;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vigil.collectors.AlertSink;
import io.vigil.collectors.SinkUnavailableException;
import io.vigil.rules.Fault;
import io.vigil.rules.FaultEvent;
import io.vigil.rules.alerts.Alert;
import io.vigil.rules.alerts.AlertTracker;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Alerts from an external source (Prometheus via {@code POST /api/v2/alerts}) as faults: the
 * {@link AlertTracker} decides, this runs it on one Vert.x context, keeps one timer for the earliest
 * {@code endsAt}, and records its events through {@link Pipeline#recordExternal} (muting, tickets,
 * stream, like any fault). {@link #accept} completes once those events are stored, or fails after
 * {@link #ACK_TIMEOUT} with {@link SinkUnavailableException} (the sender retries; a repeat changes
 * nothing, and what was queued is still stored: the pipeline retries until the database is back).
 */
public final class ExternalAlerts implements AlertSink {
  private static final Logger LOG = LoggerFactory.getLogger(ExternalAlerts.class);
  /** The {@code faults.source} of alerts posted by Prometheus. */
  public static final String PROMETHEUS = "prometheus";
  static final Duration ACK_TIMEOUT = Duration.ofSeconds(10);
  private final Vertx vertx;
  private final Context context;
  private final AlertTracker tracker;
  private final Pipeline pipeline;
  private final Clock clock;
  private final AtomicInteger active = new AtomicInteger();
  private long timerId = -1;
  private Instant timerAt;

  public ExternalAlerts(Vertx vertx, AlertTracker tracker, Pipeline pipeline, Clock clock, MeterRegistry registry) {
    this.vertx = vertx;
    this.context = vertx.getOrCreateContext();
    this.tracker = tracker;
    this.pipeline = pipeline;
    this.clock = clock;
    Gauge.builder("vigil_alerts_active", active, AtomicInteger::get).tag("source", tracker.source())
        .description("external alerts firing as faults").register(registry);
  }

  /**
   * Takes back this source's active faults (from the faults table, at start-up): no event, no new
   * ticket; each resolves after the resolve timeout unless its sender refreshes it.
   */
  public Future<Void> restore(Collection<Fault> activeFaults) {
    Promise<Void> done = Promise.promise();
    context.runOnContext(v -> {
      tracker.restore(activeFaults, clock.instant());
      active.set(tracker.activeCount());
      LOG.info("alerts.restored source={} active={}", tracker.source(), tracker.activeCount());
      schedule();
      done.complete();
    });
    return done.future();
  }

  @Override
  public Future<Void> accept(List<Alert> alerts) {
    Promise<List<FaultEvent>> decided = Promise.promise();
    context.runOnContext(v -> {
      List<FaultEvent> events = tracker.receive(alerts, clock.instant());
      active.set(tracker.activeCount());
      schedule();
      decided.complete(events);
    });
    return decided.future()
        .compose(events -> pipeline.recordExternal(events))
        .compose(v -> pipeline.drained())
        .timeout(ACK_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)
        .recover(t -> Future.failedFuture(new SinkUnavailableException(
            "alerts not stored within " + ACK_TIMEOUT.toSeconds() + " s (database unavailable?): " + t.getMessage(), 5, t)));
  }

  /** One timer, for the earliest endsAt; context only. */
  private void schedule() {
    Instant due = tracker.nextDue().orElse(null);
    if (due != null && due.equals(timerAt)) return;
    if (timerId >= 0) vertx.cancelTimer(timerId);
    timerId = -1;
    timerAt = due;
    if (due == null) return;
    long delay = Math.max(1, Duration.between(clock.instant(), due).toMillis() + 1);
    timerId = vertx.setTimer(delay, id -> {
      timerId = -1;
      timerAt = null;
      List<FaultEvent> events = tracker.expire(clock.instant());
      active.set(tracker.activeCount());
      if (!events.isEmpty()) {
        LOG.info("alerts.expired source={} resolved={}", tracker.source(), events.size());
        pipeline.recordExternal(events);
      }
      schedule();
    });
  }
}
