package io.vigil.rules.expr;

import io.vigil.rules.Labels;
import io.vigil.rules.Sample;
import io.vigil.rules.expr.internal.Engine;
import io.vigil.rules.expr.internal.Node;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Evaluates many expressions incrementally over one shared per-series store (semantics:
 * docs/EXPRESSIONS.md). A sample re-evaluates only the output elements that depend on its
 * series; time-driven changes (staleness, windows sliding, absence, seed expiry) happen in
 * {@link #advance}. Changes are reported to the given {@link ChangeSink} before the call returns,
 * and only real ones: an element appearing, disappearing or changing value.
 *
 * <p>Not thread-safe: one owner thread calls every method. Never blocks, never reads a clock:
 * event time is the sample's timestamp, engine time is what {@link #advance} was given.
 */
public final class ExprRuntime {
  private final List<Expr> exprs;
  private final Engine engine;

  public ExprRuntime(List<Expr> exprs, RuntimeOptions options) {
    this(exprs, new Engine(roots(exprs), Objects.requireNonNull(options, "options")));
  }

  private ExprRuntime(List<Expr> exprs, Engine engine) {
    this.exprs = List.copyOf(exprs);
    this.engine = engine;
  }

  /** The expressions, in index order. */
  public List<Expr> exprs() {
    return exprs;
  }

  /**
   * Feeds one sample; its timestamp is the evaluation time for what it touches. A sample older
   * than its series' newest is dropped (counted in {@link RuntimeStats#outOfOrderDropped()}); one
   * with the same timestamp replaces the newest value.
   */
  public void accept(Sample s, ChangeSink sink) {
    engine.accept(s, sink);
  }

  /** Moves engine time to {@code nowMillis} (never backwards) and reports what time alone changed. */
  public void advance(long nowMillis, ChangeSink sink) {
    engine.advance(nowMillis, sink);
  }

  /** Earliest engine time at which {@link #advance} could report a change; {@link Long#MAX_VALUE} if none. */
  public long nextDeadline() {
    return engine.nextDeadline();
  }

  /**
   * A lower bound of {@link #nextDeadline()}, in constant time: the earliest queued deadline without
   * re-filing the series whose samples moved their deadline later. For timers: waking early is
   * harmless ({@link #advance} re-files what is not due yet, once per series and deadline), while
   * the exact answer re-files on every call, about once per sample under steady ingest.
   */
  public long nextWakeup() {
    return engine.nextWakeup();
  }

  /** The current output vector of expression {@code exprIndex}: an unmodifiable copy. */
  public Map<Labels, Double> current(int exprIndex) {
    return engine.current(exprIndex);
  }

  /**
   * A runtime for {@code newExprs} that keeps this one's series and windows (a rule reload does not
   * restart every window). Output vectors start empty: seed what is still active. This runtime
   * must not be used afterwards (its methods throw {@link IllegalStateException}).
   */
  public ExprRuntime withExprs(List<Expr> newExprs) {
    return new ExprRuntime(newExprs, engine.withExprs(roots(newExprs)));
  }

  public RuntimeStats stats() {
    return engine.stats();
  }

  /**
   * Marks an output element as present without reporting it (faults restored after a restart),
   * so the first evaluation that no longer yields it reports {@code removed()}. An element nothing
   * touches stays until an evaluation of its series/group/partner drops it, or until
   * {@code lookback} of engine time after {@code atMillis} passes without an evaluation yielding it.
   */
  public void seed(int exprIndex, Labels output, double value, long atMillis) {
    Objects.checkIndex(exprIndex, exprs.size());
    engine.seed(exprIndex, output, value, atMillis);
  }

  private static List<Node> roots(List<Expr> exprs) {
    return exprs.stream().map(Expr::root).toList();
  }
}
