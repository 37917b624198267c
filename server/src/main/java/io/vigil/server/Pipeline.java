package io.vigil.server;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vigil.collectors.SampleSink;
import io.vigil.rules.FaultEvent;
import io.vigil.rules.FaultState;
import io.vigil.rules.RuleEngine;
import io.vigil.rules.RuleSet;
import io.vigil.rules.SampleBatch;
import io.vigil.rules.Severity;
import io.vigil.server.storage.PgFaultStore;
import io.vigil.web.StreamHub;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * collectors → storage → rule engine → fault store (+tickets) → live stream.
 *
 * <p>A batch is first made durable; only then is it evaluated, so the engine never acts on data a
 * client could be told was lost. The engine lives on one Vert.x context (the one that built this
 * pipeline) and is touched only there; batches from other event loops hop onto it. Fault events
 * are recorded strictly in the order the engine produced them (one chain), retried with backoff
 * while the database is down, and published to the stream after they commit.
 */
public final class Pipeline implements SampleSink {
  private static final Logger LOG = LoggerFactory.getLogger(Pipeline.class);
  private final Vertx vertx;
  private final Context engineContext;
  private final SampleSink storage;
  /** Replaced whole by a reload; touched only on {@link #engineContext}. */
  private volatile RuleEngine engine;
  /** Severity each FIRING fault is counted under in {@link #firing}, so a re-grade moves it. */
  private final Map<String, Severity> counted = new java.util.HashMap<>();
  private final PgFaultStore faults;
  private final StreamHub hub;
  private final Clock clock;
  private final Map<Severity, AtomicInteger> firing = new EnumMap<>(Severity.class);
  private final Counter faultEvents;
  private final Counter recordRetries;
  private Future<Void> chain = Future.succeededFuture();
  /** Published by the engine context for the metrics thread. */
  private volatile long evaluations;
  private long timerId = -1;
  private Instant timerAt;

  public Pipeline(Vertx vertx, SampleSink storage, RuleEngine engine, PgFaultStore faults, StreamHub hub, Clock clock,
      MeterRegistry registry) {
    this.vertx = vertx;
    this.engineContext = vertx.getOrCreateContext();
    this.storage = storage;
    this.engine = engine;
    this.faults = faults;
    this.hub = hub;
    this.clock = clock;
    for (Severity s : Severity.values()) {
      AtomicInteger n = new AtomicInteger();
      firing.put(s, n);
      Gauge.builder("vigil_faults_firing", n, AtomicInteger::get).tag("severity", s.name()).description("firing faults").register(registry);
    }
    FunctionCounter.builder("vigil_rule_evaluations", this, p -> p.evaluations)
        .description("(sample, rule) evaluations").register(registry);
    faultEvents = Counter.builder("vigil_fault_events").description("fault state changes recorded").register(registry);
    recordRetries = Counter.builder("vigil_fault_record_retries").description("fault events retried because the database failed").register(registry);
  }

  /** Counts faults restored at start-up (they are firing but raised no event now). */
  public void restored(List<io.vigil.rules.Fault> active) {
    engineContext.runOnContext(v -> {
      engine.restore(active);
      for (io.vigil.rules.Fault f : active) count(new FaultEvent(null, f));
      schedule();
    });
  }

  @Override
  public Future<Void> accept(SampleBatch batch) {
    return storage.accept(batch).onSuccess(v -> engineContext.runOnContext(x -> evaluate(batch)));
  }

  private void evaluate(SampleBatch batch) {
    List<FaultEvent> events = engine.evaluate(batch);
    for (FaultEvent ev : events) record(ev);
    evaluations = engine.evaluations();
    schedule();
  }

  /**
   * Swaps in a new rule set on the engine's context: series windows and the faults of rules that
   * stay are kept; faults of removed rules resolve (recorded like any other event).
   */
  public Future<Void> reload(RuleSet next) {
    io.vertx.core.Promise<Void> done = io.vertx.core.Promise.promise();
    engineContext.runOnContext(v -> {
      List<FaultEvent> resolved = new java.util.ArrayList<>();
      engine = engine.reload(next, resolved);
      for (FaultEvent ev : resolved) record(ev);
      if (timerId >= 0) vertx.cancelTimer(timerId);
      timerId = -1;
      timerAt = null;
      schedule();
      done.complete();
    });
    return done.future();
  }

  /** The rule set in force (read from any thread: the engine reference is swapped whole). */
  public RuleSet ruleSet() {
    return engine.ruleSet();
  }

  private void tick() {
    timerId = -1;
    timerAt = null;
    for (FaultEvent ev : engine.tick()) record(ev);
    schedule();
  }

  /** One timer, set for the earliest pending fault's due time. */
  private void schedule() {
    Instant due = engine.nextDue().orElse(null);
    if (due == null || (timerAt != null && !due.isBefore(timerAt))) return;
    if (timerId >= 0) vertx.cancelTimer(timerId);
    long delay = Math.max(1, Duration.between(clock.instant(), due).toMillis());
    timerAt = due;
    timerId = vertx.setTimer(delay, id -> tick());
  }

  private void record(FaultEvent ev) {
    count(ev);
    Instant now = clock.instant();
    chain = chain.transform(ar -> recordWithRetry(ev, now, 0));
  }

  private Future<Void> recordWithRetry(FaultEvent ev, Instant now, int attempt) {
    return faults.record(ev, now).map(rec -> {
      faultEvents.increment();
      hub.publishFault(rec.fault());
      if (rec.ticket() != null) hub.publishTicket(rec.ticket());
      LOG.info("fault.{} rule={} severity={} fingerprint={} labels={} ticket={}", ev.to().wireName(), ev.fault().rule(),
          ev.fault().severity(), ev.fault().fingerprint(), ev.fault().labels(), rec.fault().ticketId());
      return (Void) null;
    }).recover(t -> {
      recordRetries.increment();
      long backoff = Math.min(30_000, 250L << Math.min(attempt, 7));
      LOG.warn("fault.record_failed fingerprint={} attempt={} retryInMs={} cause=\"{}\"", ev.fault().fingerprint(), attempt + 1, backoff, t.toString());
      return Future.<Void>future(p -> vertx.setTimer(backoff, id -> p.complete())).compose(v -> recordWithRetry(ev, now, attempt + 1));
    });
  }

  private void count(FaultEvent ev) {
    io.vigil.rules.Fault f = ev.fault();
    Severity was = counted.remove(f.fingerprint());
    if (was != null) firing.get(was).decrementAndGet();
    if (f.state() == FaultState.FIRING) {
      counted.put(f.fingerprint(), f.severity());
      firing.get(f.severity()).incrementAndGet();
    }
  }

  /** Completes when every fault event produced so far is recorded (tests, orderly shutdown). */
  public Future<Void> drained() {
    Future<Void> current = chain;
    return current;
  }
}
