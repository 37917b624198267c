package io.vigil.bench;

import io.vigil.rules.Labels;
import io.vigil.rules.Sample;
import io.vigil.rules.expr.ChangeSink;
import io.vigil.rules.expr.ExprRuntime;
import io.vigil.rules.expr.RuntimeOptions;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * Samples per second through {@link ExprRuntime#accept} on one thread (= per core): every
 * invocation feeds one sample to each of the 100,000 series (a 10 s scrape round), then advances
 * engine time. Values are random in [0, 100), so some rules fire and clear all the time.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class ExprThroughput {
  @Param({"thresholds", "mixed"})
  public String rules;

  private Fleet fleet;
  private ExprRuntime runtime;
  private double[] values;
  private long ts = 1_700_000_000_000L;
  private final CountingSink sink = new CountingSink();

  static final class CountingSink implements ChangeSink {
    long changes;

    @Override public void set(int exprIndex, Labels output, double value) { changes++; }

    @Override public void removed(int exprIndex, Labels output) { changes++; }
  }

  @Setup(Level.Trial)
  public void setUp() {
    fleet = new Fleet();
    runtime = new ExprRuntime(rules.equals("mixed") ? Fleet.mixed() : Fleet.thresholds(), RuntimeOptions.defaults());
    SplittableRandom r = new SplittableRandom(42);
    values = new double[Fleet.SERIES * 7 + 1];
    for (int i = 0; i < values.length; i++) values[i] = r.nextDouble() * 100;
    for (int round = 0; round < 31; round++) round(); // fill 5-minute windows at 10 s resolution
  }

  @Benchmark
  @OperationsPerInvocation(Fleet.SERIES)
  public long round() {
    ts += 10_000;
    int offset = (int) ((ts / 10_000) % 7) * Fleet.SERIES;
    for (int i = 0; i < Fleet.SERIES; i++) {
      runtime.accept(new Sample(fleet.metric[i], fleet.labels[i], values[offset + i], ts), sink);
    }
    runtime.advance(ts, sink);
    return sink.changes;
  }
}
