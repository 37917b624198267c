package io.vigil.bench;

import io.vigil.collectors.LineProtocolDecoder;
import io.vigil.collectors.Precision;
import io.vigil.collectors.Tenancy;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * Lines per second through {@link LineProtocolDecoder#decode} on one thread: 5,000-line batches of
 * the bench/lineprotocol.sh shape (10,000 series, 2 fields, Telegraf-style ns timestamps).
 * {@code warm}: the decoder has seen the series (its head cache hits, the steady state of a fleet);
 * {@code cold}: a fresh decoder per batch (every line parses its tags).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class LineProtocolDecode {
  static final int LINES = 5000;

  @Param({"warm", "cold"})
  public String cache;

  private byte[][] batches;
  private LineProtocolDecoder decoder;
  private int next;

  @Setup
  public void setup() {
    batches = new byte[2][];
    for (int b = 0; b < 2; b++) {
      StringBuilder s = new StringBuilder();
      for (int i = 0; i < LINES; i++) {
        int series = b * LINES + i;
        s.append("bench,customer=load,host=h").append(series).append(",dc=eu-west-1 f1=").append(series % 100).append(".5,f2=")
            .append(series % 7).append("i 17638056000000").append(String.format("%05d", i)).append('\n');
      }
      batches[b] = s.toString().getBytes(StandardCharsets.UTF_8);
    }
    decoder = new LineProtocolDecoder(64, 2048, 100_000);
  }

  @Benchmark
  @OperationsPerInvocation(LINES)
  public int decode() {
    byte[] b = batches[next++ & 1];
    LineProtocolDecoder d = cache.equals("warm") ? decoder : new LineProtocolDecoder(64, 2048, 100_000);
    return d.decode(b, b.length, Precision.NANOSECONDS, 0L, Tenancy.OPEN).samples.size();
  }
}
