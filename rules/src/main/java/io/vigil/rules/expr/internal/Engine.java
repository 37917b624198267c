package io.vigil.rules.expr.internal;

import io.vigil.rules.Labels;
import io.vigil.rules.Sample;
import io.vigil.rules.expr.ChangeSink;
import io.vigil.rules.expr.RuntimeOptions;
import io.vigil.rules.expr.RuntimeStats;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;

/**
 * The streaming evaluator behind {@code ExprRuntime}: routes each sample to the leaves that select
 * its series, keeps windows, and runs time-driven changes (staleness, windows sliding, absence,
 * seed expiry) from a deadline queue. Not thread-safe; never blocks.
 */
public final class Engine {
  private record SeedDue(long deadline, Output output, Labels element, long at) {}

  private final RuntimeOptions options;
  private final long lookbackMs;
  private final Output[] outputs;
  private final Map<String, List<Leaf>> leavesByMetric;
  private final Store store;
  private final PriorityQueue<SeedDue> seeds = new PriorityQueue<>((a, b) -> Long.compare(a.deadline, b.deadline));
  private final List<Output> dirty = new ArrayList<>();
  private boolean retired;
  /** The sink of the accept/advance call in progress; outputs report to it. */
  ChangeSink sink = ChangeSink.NONE;

  public Engine(List<Node> roots, RuntimeOptions options) {
    this(roots, options, new Store());
  }

  private Engine(List<Node> roots, RuntimeOptions options, Store store) {
    this.options = options;
    this.lookbackMs = options.lookback().toMillis();
    this.store = store;
    Compiler c = new Compiler();
    this.outputs = new Output[roots.size()];
    for (int i = 0; i < roots.size(); i++) outputs[i] = c.compile(i, roots.get(i), this);
    this.leavesByMetric = c.leavesByMetric;
    adoptStore();
  }

  /** A new engine over the same store; this one must not be used afterwards. */
  public Engine withExprs(List<Node> roots) {
    checkOwner();
    retired = true;
    return new Engine(roots, options, store);
  }

  public void accept(Sample sample, ChangeSink to) {
    checkOwner();
    Map<Labels, Series> ofMetric = store.byMetric.get(sample.metric());
    if (ofMetric == null) return; // no expression names this metric
    Series s = ofMetric.get(sample.labels());
    if (s == null) {
      s = new Series(sample.metric(), sample.labels());
      match(s);
      ofMetric.put(s.labels, s);
      store.series++;
    }
    long t = sample.timestampMillis();
    if (t < s.lastTs) {
      store.outOfOrderDropped++;
      return;
    }
    double v = sample.value();
    boolean wasStale = s.stale;
    if (s.window != null) record(s, t, v);
    s.lastTs = t;
    s.lastValue = v;
    s.stale = false;
    sink = to;
    Leaf[] leaves = s.leaves;
    for (Leaf leaf : leaves) leaf.evaluate(s, t);
    store.evaluations += leaves.length;
    if (s.timed.length > 0) s.lastEval = t;
    if (s.queuedAt == Series.NONE) {
      store.schedule(s, deadline(s));
    } else if (s.timed.length > 0 || wasStale) {
      long d = deadline(s);
      if (d < s.queuedAt) store.schedule(s, d);
    }
    flush();
  }

  public void advance(long nowMillis, ChangeSink to) {
    checkOwner();
    sink = to;
    if (nowMillis > store.now) store.now = nowMillis;
    long now = store.now;
    while (!store.queue.isEmpty() && store.queue.peekDeadline() <= now) {
      long deadline = store.queue.peekDeadline();
      Series s = store.queue.peekSeries();
      store.queue.poll();
      if (deadline != s.queuedAt) continue; // superseded by an earlier entry
      s.queuedAt = Series.NONE;
      process(s, now);
    }
    while (!seeds.isEmpty() && seeds.peek().deadline() <= now) {
      SeedDue d = seeds.poll();
      d.output().expireSeed(d.element(), d.at());
    }
    flush();
  }

  public long nextDeadline() {
    checkOwner();
    // Entries may be early (a sample moved the series' deadline later): re-file them first.
    while (!store.queue.isEmpty()) {
      long head = store.queue.peekDeadline();
      Series s = store.queue.peekSeries();
      if (head != s.queuedAt) {
        store.queue.poll();
        continue;
      }
      long d = deadline(s);
      if (d <= head) break;
      store.queue.poll();
      store.schedule(s, d);
    }
    long d = store.queue.isEmpty() ? Long.MAX_VALUE : store.queue.peekDeadline();
    return seeds.isEmpty() ? d : Math.min(d, seeds.peek().deadline());
  }

  /** Never later than {@link #nextDeadline()}; constant time (see ExprRuntime#nextWakeup). */
  public long nextWakeup() {
    checkOwner();
    long d = store.queue.isEmpty() ? Long.MAX_VALUE : store.queue.peekDeadline();
    return seeds.isEmpty() ? d : Math.min(d, seeds.peek().deadline());
  }

  public Map<Labels, Double> current(int index) {
    Map<Labels, Double> out = new LinkedHashMap<>();
    outputs[index].cells.forEach((l, c) -> out.put(l, c.value));
    return Collections.unmodifiableMap(out);
  }

  public void seed(int index, Labels element, double value, long atMillis) {
    checkOwner();
    outputs[index].seed(element, value, atMillis);
    seeds.add(new SeedDue(atMillis + lookbackMs, outputs[index], element, atMillis));
  }

  public int size() {
    return outputs.length;
  }

  public RuntimeStats stats() {
    long cells = 0;
    for (Output o : outputs) cells += o.cells.size();
    // Rough: series object + map entry + queue entry, ring slots (ts + value, half empty on
    // average), output cells with their map entries. Labels are shared with ingest, not counted.
    long bytes = store.series * 160 + store.windowSamples * 24 + cells * 96;
    return new RuntimeStats(store.series, store.windowSamples, store.outOfOrderDropped,
        store.windowEvictions, store.evaluations, bytes);
  }

  void dirty(Output o) {
    dirty.add(o);
  }

  private void flush() {
    if (dirty.isEmpty()) return;
    for (Output o : dirty) o.flush();
    dirty.clear();
  }

  private void record(Series s, long t, double v) {
    Window w = s.window;
    int before = w.size();
    if (before > 0 && w.ts(before - 1) == t) {
      w.replaceLast(v); // same timestamp: last write wins
      return;
    }
    store.windowEvictions += w.append(t, v, options.maxSamplesPerSeries());
    w.dropUpTo(t - s.windowRange);
    store.windowSamples += w.size() - before;
  }

  /** Time-driven changes of one series at engine time {@code now}. */
  private void process(Series s, long now) {
    if (!s.stale && s.lastTs + lookbackMs <= now) {
      s.stale = true;
      for (Leaf leaf : s.leaves) if (leaf instanceof Leaf.Instant) leaf.evaluate(s, now);
    }
    boolean due = false;
    for (Leaf leaf : s.timed) due |= leaf.nextChange(s, s.lastEval) <= now;
    if (due) {
      for (Leaf leaf : s.timed) leaf.evaluate(s, now);
      store.evaluations += s.timed.length;
      s.lastEval = now;
    }
    Window w = s.window;
    if (w != null && w.size() > 0 && w.ts(w.size() - 1) + s.windowRange <= now) {
      store.windowSamples -= w.clear(); // silent for longer than any range needs
    }
    if (s.stale && !s.hasAbsence && (w == null || w.size() == 0)) {
      forget(s);
      return;
    }
    store.schedule(s, deadline(s));
  }

  /**
   * A series silent past lookback and every range is dropped (absence-watched ones are kept: they
   * must stay known to be reported silent). If it comes back it is matched afresh.
   */
  private void forget(Series s) {
    store.byMetric.get(s.metric).remove(s.labels);
    store.series--;
    s.queuedAt = Series.NONE;
  }

  private long deadline(Series s) {
    long d = s.stale ? Series.NONE : s.lastTs + lookbackMs;
    for (Leaf leaf : s.timed) d = Math.min(d, leaf.nextChange(s, s.lastEval));
    Window w = s.window;
    if (w != null && w.size() > 0) d = Math.min(d, w.ts(w.size() - 1) + s.windowRange);
    return d;
  }

  /** Computes, once per series, which leaves select it and how much window it needs. */
  private void match(Series s) {
    List<Leaf> all = leavesByMetric.getOrDefault(s.metric, List.of());
    List<Leaf> mine = new ArrayList<>();
    List<Leaf> timed = new ArrayList<>();
    long range = 0;
    boolean instant = false;
    boolean absence = false;
    for (Leaf leaf : all) {
      if (!leaf.selects(s)) continue;
      mine.add(leaf);
      if (leaf instanceof Leaf.Instant) instant = true;
      else timed.add(leaf);
      if (leaf instanceof Leaf.Absence) absence = true;
      range = Math.max(range, leaf.windowRange());
    }
    s.leaves = mine.toArray(new Leaf[0]);
    s.timed = timed.toArray(new Leaf[0]);
    s.hasInstant = instant;
    s.hasAbsence = absence;
    s.windowRange = range;
    // Leaves added by a reload start from the series' newest sample, not from the epoch.
    if (s.lastEval < s.lastTs) s.lastEval = s.lastTs;
    if (range == 0 && s.window != null) {
      store.windowSamples -= s.window.clear();
      s.window = null;
    } else if (range > 0 && s.window == null) {
      s.window = new Window();
    } else if (range > 0 && s.lastTs != Long.MIN_VALUE) {
      store.windowSamples -= s.window.dropUpTo(s.lastTs - range);
    }
  }

  /** Re-matches every held series against this engine's leaves (after a reload). */
  private void adoptStore() {
    Map<String, Map<Labels, Series>> kept = new HashMap<>();
    for (String metric : leavesByMetric.keySet()) {
      kept.put(metric, store.byMetric.getOrDefault(metric, new HashMap<>()));
    }
    for (Iterator<Map.Entry<String, Map<Labels, Series>>> it = store.byMetric.entrySet().iterator(); it.hasNext(); ) {
      Map.Entry<String, Map<Labels, Series>> e = it.next();
      if (kept.containsKey(e.getKey())) continue;
      for (Series s : e.getValue().values()) {
        s.queuedAt = Series.NONE;
        if (s.window != null) store.windowSamples -= s.window.size();
        store.series--;
      }
    }
    store.byMetric.clear();
    store.byMetric.putAll(kept);
    for (Map<Labels, Series> m : kept.values()) {
      for (Series s : m.values()) {
        match(s);
        long d = deadline(s);
        if (d < s.queuedAt) store.schedule(s, d);
      }
    }
  }

  private void checkOwner() {
    if (retired) throw new IllegalStateException("this runtime was replaced by withExprs(); use the new one");
  }
}
