package io.vigil.server.patrol;

import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vigil.collectors.patrol.ProbeScheduler;
import io.vigil.rules.Fault;
import io.vigil.rules.FaultEvent;
import io.vigil.rules.Sample;
import io.vigil.rules.SampleBatch;
import io.vigil.rules.patrol.NoDataWatch;
import io.vigil.rules.patrol.SystemSpec;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.function.Consumer;

/**
 * Drives the pure {@link NoDataWatch} on one Vert.x context (the pipeline's: durable batches are
 * seen there) with one timer for the earliest deadline, and hands the fault events it returns to
 * the pipeline as a fault source of its own. Probe results do not count as a system sending
 * something (Vigil made them); heartbeats and every other sample do.
 */
public final class NoDataMonitor {
  private final Vertx vertx;
  private final Context context;
  private final Clock clock;
  private final Consumer<List<FaultEvent>> record;
  private final NoDataWatch watch = new NoDataWatch();
  private long timerId = -1;
  private Instant timerAt;

  /** Build on the pipeline's context. @param record where fault events go (the pipeline's recordExternal) */
  public NoDataMonitor(Vertx vertx, Clock clock, Consumer<List<FaultEvent>> record) {
    this.vertx = vertx;
    this.context = vertx.getOrCreateContext();
    this.clock = clock;
    this.record = record;
  }

  /** Active NoData faults from the faults table, before the first {@link #inventory}. */
  public void restore(Collection<Fault> active) {
    List<Fault> copy = new ArrayList<>(active);
    context.runOnContext(v -> watch.restore(copy));
  }

  public void inventory(Collection<SystemSpec> systems) {
    List<SystemSpec> copy = new ArrayList<>(systems);
    context.runOnContext(v -> {
      emit(watch.inventory(copy, clock.instant()));
      reschedule();
    });
  }

  /** A durable batch (called on the pipeline's context). */
  public void durable(SampleBatch batch) {
    Instant now = null;
    List<FaultEvent> events = null;
    String lastCustomer = null;
    String lastSystem = null;
    io.vigil.rules.Labels lastLabels = null;
    for (Sample s : batch.samples()) {
      if (s.labels() == lastLabels) continue; // the fields of one line protocol line share their labels
      lastLabels = s.labels();
      String c = s.labels().get("customer");
      String sys = s.labels().get("system");
      if (c == null || sys == null || ProbeScheduler.isProbeMetric(s.metric())) continue;
      if (c.equals(lastCustomer) && sys.equals(lastSystem)) continue; // batches are mostly one system
      lastCustomer = c;
      lastSystem = sys;
      if (!watch.watches(c, sys)) continue;
      if (now == null) now = clock.instant();
      List<FaultEvent> e = watch.seen(c, sys, now);
      if (!e.isEmpty()) {
        if (events == null) events = new ArrayList<>();
        events.addAll(e);
      }
    }
    if (now == null) return;
    if (events != null) emit(events);
    reschedule();
  }

  private void tick() {
    timerId = -1;
    timerAt = null;
    emit(watch.check(clock.instant()));
    reschedule();
  }

  private void emit(List<FaultEvent> events) {
    if (!events.isEmpty()) record.accept(events);
  }

  /**
   * One timer, for the earliest deadline. It is moved only when a deadline comes earlier than it; a
   * timer that fires early (its system sent data meanwhile) finds nothing due and sets the next.
   */
  private void reschedule() {
    Instant due = watch.nextDue().orElse(null);
    if (due == null || (timerAt != null && !due.isBefore(timerAt))) return;
    if (timerId >= 0) vertx.cancelTimer(timerId);
    timerAt = due;
    long delay = Math.max(1, Duration.between(clock.instant(), due).toMillis() + 1);
    timerId = vertx.setTimer(delay, id -> tick());
  }
}
