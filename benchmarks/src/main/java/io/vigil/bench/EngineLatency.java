package io.vigil.bench;

import io.vigil.rules.FaultEvent;
import io.vigil.rules.FaultState;
import io.vigil.rules.Labels;
import io.vigil.rules.RuleEngine;
import io.vigil.rules.RulesFile;
import io.vigil.rules.Sample;
import io.vigil.rules.SampleBatch;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * Ingest → fault event latency inside the engine under background load (issue 4).
 *
 * <p>One engine thread owns a real {@link RuleEngine} and drains a queue, as the server's engine
 * context does: background batches paced at 50,000 samples/s (500 samples every 10 ms over 10,000
 * series, i.e. each series every 200 ms), {@code tick()} when the engine's next due time comes (one timer,
 * armed after every piece of work from {@code nextDue()}, as {@code Pipeline.schedule()} does), and probe samples enqueued
 * one at a time with their {@link System#nanoTime()}. Each probe is a new series of the
 * {@code for: 0s} rule {@code probe == 1}, so it raises a new fault; latency runs from its enqueue
 * to the moment {@code evaluate} has returned the FIRING event on the engine thread (queueing behind
 * a batch or a tick counts: that is what the server would see). Probes are cleared again (unmeasured)
 * so the set of live faults stays small.
 *
 * <p>Run: {@code java -Xmx1g -cp benchmarks/target/benchmarks.jar io.vigil.bench.EngineLatency
 * [measuredProbes=10000] [warmupProbes=2000] [probeIntervalMicros=2000] [tickPeriodMillis=0]}: 0 ticks as
 * the server does; a period instead ticks at that fixed pace (for comparison). Stops by itself (hard
 * limit 180 s).
 */
public final class EngineLatency {
  static final int BACKGROUND_SERIES = 10_000;
  static final int BATCH = 500;
  static final long BATCH_PERIOD_NANOS = TimeUnit.MILLISECONDS.toNanos(10);
  static final long HARD_LIMIT_NANOS = TimeUnit.SECONDS.toNanos(180);

  /**
   * Thresholds, range functions (avg, rate, zscore), an aggregation, hysteresis, keep_firing_for.
   * Thresholds are set so that, with uniform random values every 200 ms, a few hundred faults are
   * live and about a hundred change per second: busy, but not a fleet that is half down.
   */
  static final String RULES = """
      rules:
        - name: Probe
          expr: probe == 1
          for: 0s
          severity: P1
          annotations:
            summary: "probe {{ $labels.id }} raised"
        - name: CpuHigh
          expr: cpu_usage > 99
          for: 30s
          severity: P3
          annotations:
            summary: "CPU {{ $value }}% on {{ $labels.host }}"
        - name: CpuAvgHigh
          expr: avg_over_time(cpu_usage[1m]) > 80
          resolve_expr: avg_over_time(cpu_usage[1m]) < 70
          for: 1m
          severity: P3
        - name: CpuIdle
          expr: cpu_usage < 0.01
          for: 0s
          keep_firing_for: 30s
          severity: P4
        - name: MemFull
          expr: max by (customer) (mem_usage) > 99.9
          for: 0s
          severity: P2
        - name: DiskFull
          expr: disk_usage{system=~"s[0-4]"} > 99.5
          for: 0s
          severity: P2
        - name: LatencyAnomaly
          expr: zscore(latency_ms[1m]) > 3
          for: 1m
          severity: P3
        - name: RequestBurst
          expr: rate(requests_total[1m]) > 40
          for: 0s
          severity: P4
      """;
  static final String[] METRICS = {"cpu_usage", "mem_usage", "disk_usage", "latency_ms", "requests_total"};

  sealed interface Msg {}

  record Batch(SampleBatch batch) implements Msg {}

  record Probe(Sample sample, long enqueuedNanos, boolean measured) implements Msg {}

  record Clear(Sample sample) implements Msg {}

  record Stop() implements Msg {}

  public static void main(String[] args) throws Exception {
    int measured = args.length > 0 ? Integer.parseInt(args[0]) : 10_000;
    int warmup = args.length > 1 ? Integer.parseInt(args[1]) : 2_000;
    long probePeriod = TimeUnit.MICROSECONDS.toNanos(args.length > 2 ? Long.parseLong(args[2]) : 2_000);
    long tickPeriodMillis = args.length > 3 ? Long.parseLong(args[3]) : 0;

    Clock clock = Clock.systemUTC();
    RuleEngine engine = new RuleEngine(RulesFile.load("EngineLatency", RULES), clock);
    Background bg = new Background();
    long t0 = System.currentTimeMillis();
    // Fill the 1-minute windows before measuring, at the live pace and phase: one batch per 10 ms of
    // sample time. (Giving a whole round one timestamp would make every window slide at the same
    // instant for the next minute, and each tick re-evaluate all of them.)
    for (long ts = t0 - 60_000; ts < t0; ts += 10) engine.evaluate(bg.next(ts));
    System.out.printf("prefilled %d series x 300 samples in %d ms; runtime holds %d series%n",
        BACKGROUND_SERIES, System.currentTimeMillis() - t0, engine.runtimeStats().seriesHeld());

    LinkedBlockingQueue<Msg> queue = new LinkedBlockingQueue<>();
    long[] latencies = new long[measured];
    EngineLoop loop = new EngineLoop(engine, clock, queue, latencies, TimeUnit.MILLISECONDS.toNanos(tickPeriodMillis));
    Thread engineThread = new Thread(loop, "engine");
    engineThread.start(); // hands the engine over: from here only this thread touches it

    long start = System.nanoTime();
    long deadline = start + HARD_LIMIT_NANOS;
    Thread feeder = new Thread(() -> feed(queue, bg, deadline, loop), "background");
    feeder.setDaemon(true);
    feeder.start();

    long next = System.nanoTime();
    for (int i = 0; i < warmup + measured && System.nanoTime() < deadline; i++) {
      next += probePeriod;
      LockSupport.parkNanos(next - System.nanoTime());
      if (i == warmup) queue.put(new MarkMeasureStart());
      Sample probe = new Sample("probe", Labels.of("id", Integer.toString(i), "customer", "probe"), 1,
          clock.millis());
      queue.put(new Probe(probe, System.nanoTime(), i >= warmup));
      if (i >= 100) {
        // Clear an older probe (unmeasured): keeps the live-fault set small, as real faults resolve.
        queue.put(new Clear(new Sample("probe", Labels.of("id", Integer.toString(i - 100), "customer", "probe"), 0,
            clock.millis())));
      }
    }
    queue.put(new Stop());
    engineThread.join(TimeUnit.NANOSECONDS.toMillis(Math.max(1, deadline - System.nanoTime())) + 5_000);
    loop.report();
  }

  /** Marks the start of the measured phase (after warm-up), in queue order. */
  record MarkMeasureStart() implements Msg {}

  /** Paced background batches: a fixed schedule, so a late batch is followed by catch-up. */
  static void feed(LinkedBlockingQueue<Msg> queue, Background bg, long deadline, EngineLoop loop) {
    long next = System.nanoTime();
    while (!loop.stopped && System.nanoTime() < deadline) {
      next += BATCH_PERIOD_NANOS;
      LockSupport.parkNanos(next - System.nanoTime());
      queue.add(new Batch(bg.next(System.currentTimeMillis())));
    }
  }

  /** 10,000 series: 5 metrics x 2,000 (20 customers x 10 systems x 10 hosts), random values. */
  static final class Background {
    final String[] metric = new String[BACKGROUND_SERIES];
    final Labels[] labels = new Labels[BACKGROUND_SERIES];
    final double[] counter = new double[BACKGROUND_SERIES];
    final SplittableRandom random = new SplittableRandom(7);
    int cursor;

    Background() {
      int per = BACKGROUND_SERIES / METRICS.length;
      for (int i = 0; i < BACKGROUND_SERIES; i++) {
        int s = i % per;
        metric[i] = METRICS[i / per];
        labels[i] = Labels.of("customer", "c" + (s % 20), "system", "s" + (s / 20 % 10), "host", "h" + (s / 200));
      }
    }

    SampleBatch next(long ts) {
      List<Sample> out = new ArrayList<>(BATCH);
      for (int k = 0; k < BATCH; k++, cursor = (cursor + 1) % BACKGROUND_SERIES) {
        double v;
        if (metric[cursor].equals("requests_total")) {
          counter[cursor] += random.nextInt(0, 12); // ~27/s on average at 200 ms: bursts pass 40/s
          v = counter[cursor];
        } else {
          v = random.nextDouble() * 100;
        }
        out.add(new Sample(metric[cursor], labels[cursor], v, ts));
      }
      return new SampleBatch(out);
    }
  }

  /** The engine thread: the only owner of the engine once started. */
  static final class EngineLoop implements Runnable {
    final RuleEngine engine;
    final Clock clock;
    /** When the one tick timer fires (nanoTime), as Pipeline.schedule() arms it from nextDue(); MAX_VALUE = none. */
    long tickAt = Long.MAX_VALUE;
    /** 0: ticks as the server schedules them; else a fixed tick period (nanos), for comparison. */
    final long tickPeriod;
    final LinkedBlockingQueue<Msg> queue;
    final long[] latencies;
    volatile boolean stopped;
    int recorded;
    long missing;
    long backgroundSamples;
    long backgroundEvents;
    long ticks;
    long busyNanos;
    /** Longest single piece of work per kind during the measurement: what a probe can queue behind. */
    long maxBatchNanos;
    long maxTickNanos;
    long tickNanos;
    long measuredTicks;
    long tickEvaluations;
    long maxProbeNanos;
    long measureStart;
    long measureEnd;
    long gcCountAtStart;
    long gcMillisAtStart;

    EngineLoop(RuleEngine engine, Clock clock, LinkedBlockingQueue<Msg> queue, long[] latencies, long tickPeriod) {
      this.engine = engine;
      this.tickPeriod = tickPeriod;
      this.clock = clock;
      this.queue = queue;
      this.latencies = latencies;
    }

    @Override
    public void run() {
      try {
        while (true) {
          long wait = tickAt - System.nanoTime();
          Msg m = wait <= 0 ? null : tickAt == Long.MAX_VALUE ? queue.take() : queue.poll(wait, TimeUnit.NANOSECONDS);
          long began = System.nanoTime();
          if (m == null) {
            tickAt = Long.MAX_VALUE;
            long evals = engine.runtimeStats().evaluations();
            backgroundEvents += engine.tick().size();
            ticks++;
            if (measureStart != 0) {
              long took = System.nanoTime() - began;
              tickEvaluations += engine.runtimeStats().evaluations() - evals;
              maxTickNanos = Math.max(maxTickNanos, took);
              tickNanos += took;
              measuredTicks++;
            }
          } else if (m instanceof Probe p) {
            List<FaultEvent> events = engine.evaluate(p.sample());
            long done = System.nanoTime();
            if (p.measured()) maxProbeNanos = Math.max(maxProbeNanos, done - began);
            if (!raised(events, p.sample().labels())) missing++;
            else if (p.measured() && recorded < latencies.length) latencies[recorded++] = done - p.enqueuedNanos();
          } else if (m instanceof Batch b) {
            backgroundEvents += engine.evaluate(b.batch()).size();
            if (measureStart != 0) {
              backgroundSamples += b.batch().size();
              maxBatchNanos = Math.max(maxBatchNanos, System.nanoTime() - began);
            }
          } else if (m instanceof Clear c) {
            engine.evaluate(c.sample());
          } else if (m instanceof MarkMeasureStart) {
            measureStart = System.nanoTime();
            busyNanos = 0;
            long[] gc = gcTotals();
            gcCountAtStart = gc[0];
            gcMillisAtStart = gc[1];
          } else if (m instanceof Stop) {
            measureEnd = System.nanoTime();
            return;
          }
          schedule();
          busyNanos += System.nanoTime() - began;
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      } finally {
        stopped = true;
      }
    }

    /**
     * Pipeline.schedule(): after every piece of work, one timer at the engine's next due time (at
     * least 1 ms away, Vert.x timers being milliseconds), re-armed only when that is earlier. With
     * windows sliding that is every few milliseconds, so ticks are frequent and small.
     */
    private void schedule() {
      if (tickPeriod > 0) {
        if (tickAt == Long.MAX_VALUE) tickAt = System.nanoTime() + tickPeriod;
        return;
      }
      long due = engine.nextDue().map(java.time.Instant::toEpochMilli).orElse(Long.MAX_VALUE);
      if (due == Long.MAX_VALUE) return;
      long at = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(Math.max(1, due - clock.millis()));
      if (at < tickAt) tickAt = at;
    }

    private static boolean raised(List<FaultEvent> events, Labels probe) {
      for (FaultEvent e : events) {
        if (e.to() == FaultState.FIRING && e.fault().rule().equals("Probe")
            && probe.get("id").equals(e.fault().labels().get("id"))) {
          return true;
        }
      }
      return false;
    }

    void report() {
      long[] l = Arrays.copyOf(latencies, recorded);
      Arrays.sort(l);
      double secs = (measureEnd - measureStart) / 1e9;
      long[] gc = gcTotals();
      System.out.printf("measured probes: %d (missing events: %d) over %.1f s%n", recorded, missing, secs);
      System.out.printf("background: %.0f samples/s achieved (target 50,000), %d ticks, %d background fault events%n",
          backgroundSamples / secs, ticks, backgroundEvents);
      System.out.printf("live faults at the end: %d%n", engine.activeFaults().size()); // after join(): safe
      System.out.printf("engine thread busy: %.1f%%; GC during measurement: %d collections, %d ms%n",
          100.0 * busyNanos / (measureEnd - measureStart), gc[0] - gcCountAtStart, gc[1] - gcMillisAtStart);
      System.out.printf("longest on the engine thread: batch of %d %s, tick %s, probe evaluate %s; mean tick %s%n",
          BATCH, us(maxBatchNanos), us(maxTickNanos), us(maxProbeNanos),
          us(measuredTicks == 0 ? 0 : tickNanos / measuredTicks));
      System.out.printf("leaf evaluations per tick (windows sliding, staleness): %d%n",
          measuredTicks == 0 ? 0 : tickEvaluations / measuredTicks);
      if (l.length == 0) return;
      System.out.printf("probe latency enqueue -> FIRING event: p50 %s  p90 %s  p99 %s  p99.9 %s  max %s%n",
          us(pct(l, 0.50)), us(pct(l, 0.90)), us(pct(l, 0.99)), us(pct(l, 0.999)), us(l[l.length - 1]));
    }

    private static long pct(long[] sorted, double p) {
      return sorted[Math.min(sorted.length - 1, (int) Math.ceil(p * sorted.length) - 1)];
    }

    private static String us(long nanos) {
      return String.format("%.1f µs", nanos / 1e3);
    }

    private static long[] gcTotals() {
      long n = 0;
      long ms = 0;
      for (GarbageCollectorMXBean b : ManagementFactory.getGarbageCollectorMXBeans()) {
        n += Math.max(0, b.getCollectionCount());
        ms += Math.max(0, b.getCollectionTime());
      }
      return new long[] {n, ms};
    }
  }
}
