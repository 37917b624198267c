package io.vigil.server;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vigil.collectors.SampleSink;
import io.vigil.rules.Fault;
import io.vigil.rules.FaultEvent;
import io.vigil.rules.FaultState;
import io.vigil.rules.RuleEngine;
import io.vigil.rules.RuleSet;
import io.vigil.rules.SampleBatch;
import io.vigil.rules.Severity;
import io.vigil.rules.mute.Muter;
import io.vigil.rules.mute.Muting;
import io.vigil.server.storage.PgFaultStore;
import io.vigil.web.FaultView;
import io.vigil.web.StreamHub;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * collectors → storage → rule engine → muting → fault store (+tickets) → live stream.
 *
 * <p>A batch is first made durable; only then is it evaluated, so the engine never acts on data a
 * client could be told was lost. The engine lives on one Vert.x context (the one that built this
 * pipeline) and is touched only there; batches from other event loops hop onto it. Fault events
 * of one fault are recorded strictly in the order the engine produced them, retried with backoff
 * while the database is down, and published to the stream after they commit. Different faults are
 * recorded on {@link #WRITERS} chains at once (a fault's chain is chosen by its fingerprint): one
 * fault event is about ten statements in one transaction, so one chain is bound by round trips at
 * ~150-300 events/s while the cores idle; four keep both cores busy in a storm.
 *
 * <p>Muting: every fault event is recorded with its {@link Muting}, decided by the registry's
 * {@link Muter} on the engine context. When anything that affects muting changes (a silence,
 * window or inhibit rule; a window or silence boundary passing, for which one timer is set; a
 * fault starting or stopping to fire while inhibit rules exist), the muting of every active fault
 * is decided again and each change is stored (opening a ticket for a fault unmuted while firing)
 * and published, in the same ordered chain as the fault events.
 */
public final class Pipeline implements SampleSink {
  private static final Logger LOG = LoggerFactory.getLogger(Pipeline.class);
  private final Vertx vertx;
  private final Context engineContext;
  private final SampleSink storage;
  /** Replaced whole by a reload; touched only on {@link #engineContext}. */
  private volatile RuleEngine engine;
  /** Where each FIRING fault is counted ({@link #firing} or {@link #mutedFiring}, by severity), so a re-grade or a muting change moves it. */
  private record Counted(Severity severity, boolean muted) {}
  private final Map<String, Counted> counted = new java.util.HashMap<>();
  private final PgFaultStore faults;
  private final StreamHub hub;
  private final Clock clock;
  private final MuteRegistry mutes;
  /** The last muting decided for each active fault; engine context only. */
  private final Map<String, Muting> mutings = new HashMap<>();
  private long muteTimerId = -1;
  private Instant muteTimerAt;
  private final Map<Severity, AtomicInteger> firing = new EnumMap<>(Severity.class);
  private final Map<Severity, AtomicInteger> mutedFiring = new EnumMap<>(Severity.class);
  private final Counter faultEvents;
  private final Counter recordRefused;
  private final Counter recordRetries;
  /** Chains of fault writes recorded at once; each fault's writes stay on one, in order. */
  static final int WRITERS = 4;
  private final Future<Void>[] chains = newChains();
  /** Writes on the chains not yet committed; at {@link #maxPendingWrites} ingest is refused (503) until they catch up. */
  private final AtomicInteger pendingWrites = new AtomicInteger();
  private final int maxPendingWrites;
  private final List<java.util.function.Consumer<SampleBatch>> durableListeners = new java.util.concurrent.CopyOnWriteArrayList<>();
  /** Active faults recorded through {@link #recordExternal}, by fingerprint (engine context only). */
  private final Map<String, Fault> external = new HashMap<>();
  /** Published by the engine context for the metrics thread. */
  private volatile long evaluations;
  private long timerId = -1;
  private Instant timerAt;

  public Pipeline(Vertx vertx, SampleSink storage, RuleEngine engine, PgFaultStore faults, StreamHub hub, Clock clock,
      MeterRegistry registry, MuteRegistry mutes, int maxPendingWrites) {
    this.mutes = mutes;
    this.maxPendingWrites = maxPendingWrites;
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
      Gauge.builder("vigil_faults_firing", n, AtomicInteger::get).tag("severity", s.name())
          .description("firing faults that page and ticket (muted ones are in vigil_faults_muted)").register(registry);
      AtomicInteger m = new AtomicInteger();
      mutedFiring.put(s, m);
      Gauge.builder("vigil_faults_muted", m, AtomicInteger::get).tag("severity", s.name())
          .description("firing faults held back by a silence, maintenance window or inhibition").register(registry);
    }
    FunctionCounter.builder("vigil_rule_evaluations", this, p -> p.evaluations)
        .description("(sample, rule) evaluations").register(registry);
    faultEvents = Counter.builder("vigil_fault_events").description("fault state changes recorded").register(registry);
    Gauge.builder("vigil_fault_writes_pending", pendingWrites, AtomicInteger::get)
        .description("fault events and muting changes decided but not yet committed (ingest answers 503 at VIGIL_MAX_PENDING_FAULT_WRITES)")
        .register(registry);
    recordRetries = Counter.builder("vigil_fault_record_retries").description("fault events retried because the database failed").register(registry);
    recordRefused = Counter.builder("vigil_fault_record_refused").description("fault events the database refused as data (never retried)").register(registry);
  }

  /**
   * Re-installs faults restored at start-up (they are active but raised no event now) with their
   * stored muting, then decides muting again: a silence may have ended while Vigil was down.
   * Faults of other sources are held as external (their source restores its own lifecycle); a
   * rule fault whose rule no longer exists (the file or the API changed while Vigil was down)
   * resolves now, as it would have on a reload.
   */
  public Future<Void> restored(List<FaultView> active, Map<String, List<Instant>> flapHistory) {
    io.vertx.core.Promise<Void> done = io.vertx.core.Promise.promise();
    engineContext.runOnContext(v -> {
      engine.restore(active.stream().map(FaultView::fault).toList());
      engine.restoreFlapHistory(flapHistory);
      java.util.Set<String> rules = new java.util.HashSet<>();
      for (io.vigil.rules.Rule r : engine.rules()) rules.add(r.name());
      List<FaultEvent> orphaned = new java.util.ArrayList<>();
      Instant now = clock.instant();
      for (FaultView f : active) {
        count(f.fault(), f.muting());
        mutings.put(f.fault().fingerprint(), f.muting());
        if (!Fault.SOURCE_RULE.equals(f.fault().source())) {
          external.put(f.fault().fingerprint(), f.fault());
        } else if (!rules.contains(f.fault().rule())) {
          orphaned.add(new FaultEvent(f.fault().state(), f.fault().moveTo(FaultState.RESOLVED, now)));
        }
      }
      if (!orphaned.isEmpty()) LOG.info("vigil.orphaned_faults_resolved count={} (their rules no longer exist)", orphaned.size());
      recordAll(orphaned);
      // Conditions the replayed history shows holding, with no stored fault: raise them now.
      recordAll(engine.reconcile());
      schedule();
      remuteNow();
      done.complete();
    });
    return done.future();
  }

  /** Feeds replayed history to the engine (windows only, no events); completes once it is applied. */
  public Future<Void> warm(SampleBatch history) {
    io.vertx.core.Promise<Void> done = io.vertx.core.Promise.promise();
    engineContext.runOnContext(v -> {
      engine.warm(history);
      done.complete();
    });
    return done.future();
  }

  /** The metrics and the time range a warm-up must replay for the rules in force. */
  public java.util.Set<String> warmMetrics() {
    return engine.metricNames();
  }

  public java.time.Duration warmRange() {
    return engine.warmRange();
  }

  /** Something that affects muting changed (may be called from any thread). */
  public void remute() {
    engineContext.runOnContext(v -> remuteNow());
  }

  @Override
  public Future<Void> accept(SampleBatch batch) {
    // Back-pressure: the faults these samples raise would queue behind the ones not yet recorded,
    // in memory; past the limit the clients wait (503 + Retry-After) instead of the heap growing.
    int behind = pendingWrites.get();
    if (behind >= maxPendingWrites) {
      return Future.failedFuture(new io.vigil.collectors.SinkUnavailableException("fault recording is " + behind
          + " writes behind (VIGIL_MAX_PENDING_FAULT_WRITES=" + maxPendingWrites + "): nothing of this batch was stored, retry later", 2, null));
    }
    return storage.accept(batch).onSuccess(v -> engineContext.runOnContext(x -> {
      evaluate(batch);
      for (java.util.function.Consumer<SampleBatch> l : durableListeners) l.accept(batch);
    }));
  }

  /**
   * {@code listener} sees every batch once it is durable, on the engine's context, after the rules
   * evaluated it (e.g. patrol's last-seen per system). It must not block.
   */
  public void onDurable(java.util.function.Consumer<SampleBatch> listener) {
    durableListeners.add(listener);
  }

  /**
   * Fault events from a source other than the rule engine (Prometheus alerts, patrol): recorded
   * exactly like the engine's, in the same ordered chain (muting, tickets, stream), and counted as
   * active for inhibition while they are. The source owns their lifecycle (and restores them after
   * a restart from {@code faults}: the engine ignores faults of rules it does not have). May be
   * called from any thread; completes once the events are queued on the engine's context.
   */
  public Future<Void> recordExternal(List<FaultEvent> events) {
    io.vertx.core.Promise<Void> queued = io.vertx.core.Promise.promise();
    engineContext.runOnContext(v -> {
      for (FaultEvent ev : events) {
        if (ev.fault().active()) external.put(ev.fault().fingerprint(), ev.fault());
        else external.remove(ev.fault().fingerprint());
      }
      recordAll(events);
      queued.complete();
    });
    return queued.future();
  }

  /** Active faults of every source: the rule engine's and external ones. */
  private Collection<Fault> allActive() {
    if (external.isEmpty()) return engine.activeFaultsAsEmitted();
    List<Fault> all = new java.util.ArrayList<>(engine.activeFaultsAsEmitted());
    all.addAll(external.values());
    return all;
  }

  private void evaluate(SampleBatch batch) {
    List<FaultEvent> events = engine.evaluate(batch);
    // Published before the events are recorded, so a scrape never shows a fault without its evaluations.
    evaluations = engine.evaluations();
    recordAll(events);
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
      recordAll(resolved);
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
    recordAll(engine.tick());
    schedule();
  }

  /** Records each event with its muting, decided against the engine's state after the whole batch. */
  private void recordAll(List<FaultEvent> events) {
    if (events.isEmpty()) return;
    Muter muter = mutes.muter();
    Instant now = clock.instant();
    boolean firingChanged = false;
    // One index of the inhibit sources for the whole batch (not one sort of every active fault per
    // event); the active faults are walked only when inhibit rules need them.
    java.util.function.Function<Fault, Muting> decide = muter.against(this::allActive, now);
    for (FaultEvent ev : events) {
      Muting m = decide.apply(ev.fault());
      if (ev.fault().active()) mutings.put(ev.fault().fingerprint(), m);
      else mutings.remove(ev.fault().fingerprint());
      record(ev, m);
      firingChanged |= ev.to() == FaultState.FIRING || ev.from() == FaultState.FIRING;
    }
    // A source that starts or stops firing can inhibit or release other faults.
    if (firingChanged && !muter.inhibitRules().isEmpty()) remuteNow();
  }

  /** Decides the muting of every active fault again; stores and publishes each change. Engine context only. */
  private void remuteNow() {
    Muter muter = mutes.muter();
    Instant now = clock.instant();
    Collection<Fault> active = allActive();
    Map<String, Muting> decided = muter.mutings(active, active, now);
    decided.forEach((fp, m) -> {
      if (!m.equals(mutings.get(fp))) {
        mutings.put(fp, m);
        Counted c = counted.get(fp);
        if (c != null && c.muted() != m.muted()) {
          gauge(c).decrementAndGet();
          Counted moved = new Counted(c.severity(), m.muted());
          counted.put(fp, moved);
          gauge(moved).incrementAndGet();
        }
        enqueue(fp, () -> faults.updateMuting(fp, m, now), "muting");
      }
    });
    scheduleMuteTimer(muter, now);
  }

  /** One timer, for the next instant a silence or maintenance window starts or ends. */
  private void scheduleMuteTimer(Muter muter, Instant now) {
    Instant next = muter.nextChange(now).orElse(null);
    if (next != null && next.equals(muteTimerAt)) return;
    if (muteTimerId >= 0) vertx.cancelTimer(muteTimerId);
    muteTimerId = -1;
    muteTimerAt = next;
    if (next == null) return;
    // Round up and add a millisecond: a timer that fired a hair before the boundary would find nothing changed.
    long delay = Math.max(1, Duration.between(now, next).plusNanos(999_999).toMillis() + 1);
    muteTimerId = vertx.setTimer(delay, id -> {
      muteTimerId = -1;
      muteTimerAt = null;
      remuteNow();
    });
  }

  /** One timer, set for the earliest pending fault's due time (or a little before: see RuleEngine#nextWakeup). */
  private void schedule() {
    Instant due = engine.nextWakeup().orElse(null);
    if (due == null || (timerAt != null && !due.isBefore(timerAt))) return;
    if (timerId >= 0) vertx.cancelTimer(timerId);
    long delay = Math.max(1, Duration.between(clock.instant(), due).toMillis());
    timerAt = due;
    timerId = vertx.setTimer(delay, id -> tick());
  }

  private void record(FaultEvent ev, Muting muting) {
    count(ev.fault(), muting);
    Instant now = clock.instant();
    enqueue(ev.fault().fingerprint(), () -> faults.record(ev, muting, now).map(rec -> {
      faultEvents.increment();
      // A change within one state (re-grade, keep_firing_for started or cancelled) is an update.
      String what = ev.from() == ev.to() ? "updated state=" + ev.to().wireName() : ev.to().wireName();
      LOG.info("fault.{} rule={} severity={} fingerprint={} labels={} ticket={}{}", what, ev.fault().rule(),
          ev.fault().severity(), ev.fault().fingerprint(), ev.fault().labels(), rec.fault().ticketId(),
          muting.muted() ? " muted=\"" + muting.reason() + "\"" : "");
      return rec;
    }), "event");
  }

  @SuppressWarnings("unchecked")
  private static Future<Void>[] newChains() {
    Future<Void>[] c = new Future[WRITERS];
    java.util.Arrays.fill(c, Future.succeededFuture());
    return c;
  }

  /** Appends a write to its fault's chain; publishes what it stored; retries while the database fails. */
  private void enqueue(String fingerprint, Supplier<Future<PgFaultStore.Recorded>> write, String what) {
    pendingWrites.incrementAndGet();
    int i = Math.floorMod(fingerprint.hashCode(), WRITERS);
    chains[i] = chains[i].transform(ar -> writeWithRetry(fingerprint, write, what, 0).onComplete(x -> pendingWrites.decrementAndGet()));
  }

  private Future<Void> writeWithRetry(String fingerprint, Supplier<Future<PgFaultStore.Recorded>> write, String what, int attempt) {
    return write.get().map(rec -> {
      if (rec != null) {
        hub.publishFault(rec.fault());
        if (rec.ticket() != null) hub.publishTicket(rec.ticket());
        if (what.equals("muting")) {
          LOG.info("fault.muting fingerprint={} muted={} reason=\"{}\" ticket={}", fingerprint, rec.fault().muting().muted(),
              rec.fault().muting().reason(), rec.fault().ticketId());
        }
      }
      return (Void) null;
    }).recover(t -> {
      // A data error (SQLSTATE class 22 or 54: a value PostgreSQL cannot store) fails the same way on
      // every attempt; retrying it would hold its chain, and every fault hashed to it, forever.
      if (t instanceof io.vertx.pgclient.PgException pg && pg.getSqlState() != null
          && (pg.getSqlState().startsWith("22") || pg.getSqlState().startsWith("54"))) {
        recordRefused.increment();
        LOG.error("fault.record_refused what={} fingerprint={} sqlState={} cause=\"{}\"", what, fingerprint, pg.getSqlState(), t.getMessage());
        return Future.succeededFuture();
      }
      recordRetries.increment();
      long backoff = Math.min(30_000, 250L << Math.min(attempt, 7));
      LOG.warn("fault.record_failed what={} fingerprint={} attempt={} retryInMs={} cause=\"{}\"", what, fingerprint, attempt + 1, backoff, t.toString());
      return Future.<Void>future(p -> vertx.setTimer(backoff, id -> p.complete()))
          .compose(v -> writeWithRetry(fingerprint, write, what, attempt + 1));
    });
  }

  private void count(io.vigil.rules.Fault f, Muting muting) {
    Counted was = counted.remove(f.fingerprint());
    if (was != null) gauge(was).decrementAndGet();
    if (f.state() == FaultState.FIRING) {
      Counted c = new Counted(f.severity(), muting.muted());
      counted.put(f.fingerprint(), c);
      gauge(c).incrementAndGet();
    }
  }

  private AtomicInteger gauge(Counted c) {
    return (c.muted() ? mutedFiring : firing).get(c.severity());
  }

  /** Completes when every fault event produced so far is recorded (tests, orderly shutdown). */
  public Future<Void> drained() {
    return Future.join(java.util.Arrays.asList(chains.clone())).mapEmpty();
  }
}
