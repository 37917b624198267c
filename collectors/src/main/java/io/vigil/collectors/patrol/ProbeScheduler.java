package io.vigil.collectors.patrol;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vigil.collectors.SampleSink;
import io.vigil.rules.Labels;
import io.vigil.rules.Sample;
import io.vigil.rules.SampleBatch;
import java.time.Clock;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs the inventory's probes on their intervals and hands every result to the {@link SampleSink}
 * as samples ({@code probe_success}, {@code probe_duration_seconds}, {@code probe_http_status_code},
 * {@code tls_cert_expiry_days}, labelled {@code customer}, {@code system}, {@code probe}, {@code target}),
 * so ordinary rules fire on them.
 *
 * <p>Scheduling: each probe's first run is at a random point within its first interval, and every
 * later one an interval ± 10 % away, so probes added together do not stay in lock step. At most
 * {@code maxInFlight} probes run at once; a probe due while that many run waits in a FIFO (which
 * holds each probe at most once, so it is bounded by the number of probes). A probe due while its
 * previous run is still running or waiting is skipped and counted ({@code vigil_probe_overruns}).
 * A result the sink refuses (storage down) is counted in {@code vigil_probe_results_dropped}.
 *
 * <p>All state lives on the context that built this; {@link #update} may be called from anywhere.
 */
public final class ProbeScheduler {
  private static final Logger LOG = LoggerFactory.getLogger(ProbeScheduler.class);

  private static final class Scheduled {
    final ProbeTarget target;
    long timerId = -1;
    boolean waiting;
    boolean running;
    boolean cancelled;

    Scheduled(ProbeTarget target) {
      this.target = target;
    }
  }

  private final Vertx vertx;
  private final Context context;
  private final SampleSink sink;
  private final Prober prober;
  private final Clock clock;
  private final int maxInFlight;
  private final Random random;
  private final Map<String, Scheduled> probes = new HashMap<>();
  private final ArrayDeque<Scheduled> waiting = new ArrayDeque<>();
  private final AtomicInteger inFlight = new AtomicInteger();
  private final AtomicInteger scheduled = new AtomicInteger();
  private final MeterRegistry registry;
  private final Counter overruns;
  private final Counter dropped;

  public ProbeScheduler(Vertx vertx, SampleSink sink, Prober prober, Clock clock, int maxInFlight, MeterRegistry registry, Random random) {
    this.vertx = vertx;
    this.context = vertx.getOrCreateContext();
    this.sink = sink;
    this.prober = prober;
    this.clock = clock;
    this.maxInFlight = maxInFlight;
    this.random = random;
    this.registry = registry;
    Gauge.builder("vigil_probe_inflight", inFlight, AtomicInteger::get).description("probes running now").register(registry);
    Gauge.builder("vigil_probes_scheduled", scheduled, AtomicInteger::get).description("probes in the schedule").register(registry);
    overruns = Counter.builder("vigil_probe_overruns").description("probe runs skipped: the previous run was still running or waiting").register(registry);
    dropped = Counter.builder("vigil_probe_results_dropped").description("probe results the sample sink refused (storage unavailable)").register(registry);
  }

  /** Replaces the schedule: new probes start, removed ones stop, changed ones restart with their new settings. */
  public void update(Collection<ProbeTarget> targets) {
    List<ProbeTarget> copy = new ArrayList<>(targets);
    context.runOnContext(v -> apply(copy));
  }

  /** Stops every probe (runs already under way finish; their results are still written). */
  public void stop() {
    update(List.of());
  }

  private void apply(List<ProbeTarget> targets) {
    Map<String, ProbeTarget> next = new HashMap<>();
    for (ProbeTarget t : targets) next.put(t.key(), t);
    for (var it = probes.entrySet().iterator(); it.hasNext(); ) {
      var e = it.next();
      ProbeTarget t = next.get(e.getKey());
      if (t == null || !t.equals(e.getValue().target)) {
        cancel(e.getValue());
        it.remove();
      }
    }
    next.forEach((key, t) -> probes.computeIfAbsent(key, k -> {
      Scheduled s = new Scheduled(t);
      arm(s, (long) (random.nextDouble() * t.spec().interval().toMillis()));
      return s;
    }));
    scheduled.set(probes.size());
  }

  private void cancel(Scheduled s) {
    s.cancelled = true;
    if (s.timerId >= 0) vertx.cancelTimer(s.timerId);
    waiting.remove(s);
  }

  private void arm(Scheduled s, long delayMs) {
    s.timerId = vertx.setTimer(Math.max(1, delayMs), id -> due(s));
  }

  private void due(Scheduled s) {
    s.timerId = -1;
    if (s.cancelled) return;
    long interval = s.target.spec().interval().toMillis();
    arm(s, interval + (long) ((random.nextDouble() - 0.5) * 0.2 * interval));
    if (s.running || s.waiting) {
      overruns.increment();
      return;
    }
    if (inFlight.get() >= maxInFlight) {
      s.waiting = true;
      waiting.add(s);
      return;
    }
    run(s);
  }

  private void run(Scheduled s) {
    s.running = true;
    inFlight.incrementAndGet();
    long startedAt = clock.millis();
    prober.run(s.target.spec()).onComplete(ar -> context.runOnContext(v -> {
      s.running = false;
      inFlight.decrementAndGet();
      ProbeResult r = ar.succeeded() ? ar.result() : ProbeResult.failed(0, String.valueOf(ar.cause()));
      record(s.target, r, startedAt);
      next();
    }));
  }

  private void next() {
    while (inFlight.get() < maxInFlight && !waiting.isEmpty()) {
      Scheduled s = waiting.poll();
      s.waiting = false;
      if (!s.cancelled) run(s);
    }
  }

  private void record(ProbeTarget t, ProbeResult r, long at) {
    Counter.builder("vigil_probe_runs").tag("type", t.spec().type().wireName()).tag("result", r.success() ? "success" : "failure")
        .description("probe runs by type and result").register(registry).increment();
    if (!r.success()) LOG.debug("probe.failed probe={} target={} error=\"{}\"", t.key(), t.spec().target(), r.error());
    sink.accept(samples(t, r, at)).onFailure(e -> {
      dropped.increment();
      LOG.warn("probe.result_dropped probe={} cause=\"{}\"", t.key(), e.getMessage());
    });
  }

  /** The samples one result becomes. */
  static SampleBatch samples(ProbeTarget t, ProbeResult r, long at) {
    Labels l = t.labels();
    List<Sample> out = new ArrayList<>(4);
    out.add(new Sample("probe_success", l, r.success() ? 1 : 0, at));
    out.add(new Sample("probe_duration_seconds", l, r.durationSeconds(), at));
    if (r.httpStatus() != null) out.add(new Sample("probe_http_status_code", l, r.httpStatus(), at));
    if (r.certExpiryDays() != null) out.add(new Sample("tls_cert_expiry_days", l, r.certExpiryDays(), at));
    return new SampleBatch(out);
  }

  /** Metrics written by probes: they come from Vigil, so they do not count as the system sending something. */
  public static boolean isProbeMetric(String metric) {
    return metric.startsWith("probe_") || metric.equals("tls_cert_expiry_days");
  }
}
