package io.vigil.collectors;

import com.google.protobuf.CodedInputStream;
import com.google.protobuf.WireFormat;
import io.vigil.rules.Labels;
import io.vigil.rules.Sample;
import io.vigil.rules.SampleBatch;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;
import org.xerial.snappy.Snappy;

/**
 * Decodes a Prometheus remote_write 1.0 body: snappy (block format) around a
 * {@code prometheus.WriteRequest}. Hand-rolled on protobuf-java's {@link CodedInputStream} for the
 * few messages involved, so no generated code (and no protoc) is needed. Field numbers follow
 * prometheus/prompb {@code remote.proto} and {@code types.proto}:
 *
 * <pre>
 * WriteRequest { repeated TimeSeries timeseries = 1; repeated MetricMetadata metadata = 3; }
 * TimeSeries   { repeated Label labels = 1; repeated Sample samples = 2; repeated Exemplar exemplars = 3;
 *                repeated Histogram histograms = 4; }
 * Label        { string name = 1; string value = 2; }
 * Sample       { double value = 1; int64 timestamp = 2; }   // timestamp: epoch milliseconds
 * </pre>
 *
 * <p>Label {@code __name__} becomes the metric, the others the labels (an empty value means "no
 * such label", as in Prometheus). Exemplars, native histograms and metadata are skipped and counted
 * (metadata is accepted and not kept). NaN values, including Prometheus' staleness marker
 * ({@code 0x7ff0000000000002}), are not samples here: they are skipped and counted. Unknown fields
 * are skipped, as protobuf requires. The first bad series fails the whole request with its index;
 * nothing partial is returned. Thread-safe and non-blocking (pure CPU).
 */
public final class RemoteWriteDecoder {
  /** Prometheus' staleness marker: a NaN with this exact bit pattern (prometheus/model/value). */
  public static final long STALE_NAN_BITS = 0x7ff0000000000002L;

  private final int maxSamples;
  private final int maxDecodedBytes;

  /** What one body held besides the samples kept: counted, never stored. */
  public record Skipped(int staleMarkers, int nans, int exemplars, int histograms, int metadata) {}

  public record Decoded(SampleBatch batch, Skipped skipped) {}

  public RemoteWriteDecoder(int maxSamples, int maxDecodedBytes) {
    this.maxSamples = maxSamples;
    this.maxDecodedBytes = maxDecodedBytes;
  }

  /** Loads snappy-java's native library (file I/O on first use): call once off the event loop. */
  public static void loadNative() throws IOException {
    Snappy.uncompress(Snappy.compress(new byte[] {1}));
  }

  /** Snappy-decompresses then decodes. 400 for bad snappy or protobuf, 413 for too much. */
  public Decoded decode(byte[] snappyBody) {
    int length;
    try {
      if (!Snappy.isValidCompressedBuffer(snappyBody)) throw IngestException.badRequest("body is not valid snappy (block format) data");
      length = Snappy.uncompressedLength(snappyBody);
    } catch (IOException e) {
      throw IngestException.badRequest("body is not valid snappy (block format) data: " + e.getMessage());
    }
    if (length > maxDecodedBytes) {
      throw new IngestException(413, "decompressed body is " + length + " bytes, more than the limit of " + maxDecodedBytes, -1, null);
    }
    byte[] raw;
    try {
      raw = Snappy.uncompress(snappyBody);
    } catch (IOException e) {
      throw IngestException.badRequest("body is not valid snappy (block format) data: " + e.getMessage());
    }
    return decodeProtobuf(raw);
  }

  /** Decodes an uncompressed {@code WriteRequest}. */
  public Decoded decodeProtobuf(byte[] raw) {
    Counts counts = new Counts();
    List<Sample> out = new ArrayList<>();
    CodedInputStream in = CodedInputStream.newInstance(raw);
    int series = 0;
    try {
      for (int tag = in.readTag(); tag != 0; tag = in.readTag()) {
        int field = WireFormat.getTagFieldNumber(tag);
        if (field == 1 && WireFormat.getTagWireType(tag) == WireFormat.WIRETYPE_LENGTH_DELIMITED) {
          int limit = in.pushLimit(in.readRawVarint32());
          timeSeries(in, raw, series, out, counts);
          in.checkLastTagWas(0);
          in.popLimit(limit);
          series++;
        } else {
          if (field == 3) counts.metadata++;
          if (!in.skipField(tag)) break;
        }
      }
    } catch (IngestException e) {
      throw e;
    } catch (IOException | RuntimeException e) {
      // InvalidProtocolBufferException (truncated, bad varint, bad wire type) or bad UTF-8.
      throw new IngestException(400, "body is not a valid prometheus.WriteRequest (protobuf), at time series " + series + ": "
          + e.getMessage(), series, null);
    }
    return new Decoded(new SampleBatch(out), new Skipped(counts.stale, counts.nan, counts.exemplars, counts.histograms, counts.metadata));
  }

  private static final class Counts {
    int stale;
    int nan;
    int exemplars;
    int histograms;
    int metadata;
  }

  /** The labels of one run of Label fields, decoded and checked once; immutable, shared across requests. */
  private record LabelRun(String metric, Labels labels, TreeMap<String, String> map) {}

  /**
   * A run of Label fields' raw bytes. Prometheus sends the same series in every request, with the
   * same bytes, so decoding (UTF-8, name checks, sorting) is done once per series, not per sample.
   */
  private static final class RunKey {
    final byte[] bytes;
    final int off;
    final int len;
    final int hash;

    RunKey(byte[] bytes, int off, int len) {
      this.bytes = bytes;
      this.off = off;
      this.len = len;
      int h = 1;
      for (int i = off; i < off + len; i++) h = 31 * h + bytes[i];
      this.hash = h;
    }

    RunKey copy() {
      return new RunKey(java.util.Arrays.copyOfRange(bytes, off, off + len), 0, len);
    }

    @Override
    public int hashCode() {
      return hash;
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof RunKey k && k.hash == hash && java.util.Arrays.equals(bytes, off, off + len, k.bytes, k.off, k.off + k.len);
    }
  }

  /** Bounded: cleared when full (a cardinality burst costs a re-decode, never unbounded memory). */
  private static final int MAX_CACHED_RUNS = 200_000;
  private final java.util.concurrent.ConcurrentHashMap<RunKey, LabelRun> runs = new java.util.concurrent.ConcurrentHashMap<>();
  /** Field 1, wire type 2 (length-delimited): (1 << 3) | 2. */
  private static final int LABEL_TAG = (1 << 3) | WireFormat.WIRETYPE_LENGTH_DELIMITED;

  private LabelRun labelRun(byte[] raw, int off, int len, int index) throws IOException {
    RunKey probe = new RunKey(raw, off, len);
    LabelRun cached = runs.get(probe);
    if (cached != null) return cached;
    CodedInputStream in = CodedInputStream.newInstance(raw, off, len);
    TreeMap<String, String> labels = new TreeMap<>();
    String metric = null;
    for (int tag = in.readTag(); tag != 0; tag = in.readTag()) {
      int limit = in.pushLimit(in.readRawVarint32());
      String name = "";
      String value = "";
      for (int t = in.readTag(); t != 0; t = in.readTag()) {
        int f = WireFormat.getTagFieldNumber(t);
        if (f == 1 && WireFormat.getTagWireType(t) == WireFormat.WIRETYPE_LENGTH_DELIMITED) name = in.readStringRequireUtf8();
        else if (f == 2 && WireFormat.getTagWireType(t) == WireFormat.WIRETYPE_LENGTH_DELIMITED) value = in.readStringRequireUtf8();
        else in.skipField(t);
      }
      in.popLimit(limit);
      if (name.equals("__name__")) {
        if (metric != null) throw IngestException.at(index, "labels", "time series " + index + " has __name__ twice");
        if (!JsonSamplesDecoder.METRIC_NAME.matcher(value).matches()) {
          throw IngestException.at(index, "labels", "time series " + index + ": bad metric name '" + value + "': must match "
              + JsonSamplesDecoder.METRIC_NAME.pattern());
        }
        metric = value;
      } else if (!value.isEmpty()) {
        if (!Labels.NAME.matcher(name).matches()) {
          throw IngestException.at(index, "labels", "time series " + index + ": bad label name '" + name + "': must match " + Labels.NAME.pattern());
        }
        if (value.length() > JsonSamplesDecoder.MAX_LABEL_VALUE_CHARS) {
          throw IngestException.at(index, "labels", "time series " + index + ": label '" + name + "' value is longer than "
              + JsonSamplesDecoder.MAX_LABEL_VALUE_CHARS + " characters");
        }
        if (labels.put(name, value) != null) throw IngestException.at(index, "labels", "time series " + index + " has label '" + name + "' twice");
      }
    }
    LabelRun run = new LabelRun(metric, CanonicalLabels.of(Labels.of(labels)), labels);
    if (runs.size() >= MAX_CACHED_RUNS) runs.clear();
    runs.put(probe.copy(), run);
    return run;
  }

  private void timeSeries(CodedInputStream in, byte[] raw, int index, List<Sample> out, Counts counts) throws IOException {
    LabelRun first = null;
    TreeMap<String, String> merged = null; // only when labels come in more than one run (legal, unusual)
    String metric = null;
    // Samples may come before labels on the wire (field order is not guaranteed): keep them raw first.
    long[] ts = new long[8];
    double[] values = new double[8];
    int n = 0;
    int pending = -1; // a tag read while scanning a run of labels, not yet handled
    int pendingAt = 0;
    while (true) {
      int at = in.getTotalBytesRead();
      int tag;
      if (pending >= 0) {
        tag = pending;
        at = pendingAt;
        pending = -1;
      } else {
        tag = in.readTag();
      }
      if (tag == 0) break;
      int field = WireFormat.getTagFieldNumber(tag);
      int wire = WireFormat.getTagWireType(tag);
      if (tag == LABEL_TAG) {
        // Skip over the whole run of Label fields, then decode it (or find it decoded) by its bytes.
        in.skipField(tag);
        int runEnd = in.getTotalBytesRead();
        while (true) {
          int p = in.getTotalBytesRead();
          int t = in.readTag();
          if (t == LABEL_TAG) {
            in.skipField(t);
            runEnd = in.getTotalBytesRead();
          } else {
            pending = t;
            pendingAt = p;
            break;
          }
        }
        LabelRun run = labelRun(raw, at, runEnd - at, index);
        if (first == null) {
          first = run;
          metric = run.metric();
        } else {
          if (merged == null) merged = new TreeMap<>(first.map());
          if (run.metric() != null) {
            if (metric != null) throw IngestException.at(index, "labels", "time series " + index + " has __name__ twice");
            metric = run.metric();
          }
          for (var e : run.map().entrySet()) {
            if (merged.put(e.getKey(), e.getValue()) != null) {
              throw IngestException.at(index, "labels", "time series " + index + " has label '" + e.getKey() + "' twice");
            }
          }
        }
      } else if (field == 2 && wire == WireFormat.WIRETYPE_LENGTH_DELIMITED) {
        int limit = in.pushLimit(in.readRawVarint32());
        double value = 0; // proto3 defaults: an absent field is zero
        long t = 0;
        for (int st = in.readTag(); st != 0; st = in.readTag()) {
          int f = WireFormat.getTagFieldNumber(st);
          if (f == 1 && WireFormat.getTagWireType(st) == WireFormat.WIRETYPE_FIXED64) value = in.readDouble();
          else if (f == 2 && WireFormat.getTagWireType(st) == WireFormat.WIRETYPE_VARINT) t = in.readInt64();
          else in.skipField(st);
        }
        in.popLimit(limit);
        if (Double.isNaN(value)) {
          if (Double.doubleToRawLongBits(value) == STALE_NAN_BITS) counts.stale++;
          else counts.nan++;
          continue;
        }
        if (n == ts.length) {
          ts = java.util.Arrays.copyOf(ts, n * 2);
          values = java.util.Arrays.copyOf(values, n * 2);
        }
        ts[n] = t;
        values[n] = value;
        n++;
      } else {
        if (field == 3) counts.exemplars++;
        else if (field == 4) counts.histograms++;
        in.skipField(tag);
      }
    }
    if (n == 0) return; // only stale markers, exemplars or histograms: nothing to store, nothing to check
    if (metric == null || metric.isEmpty()) throw IngestException.at(index, "labels", "time series " + index + " has no __name__ label");
    Labels l = merged != null ? CanonicalLabels.of(Labels.of(merged)) : first.labels();
    if (l.size() > JsonSamplesDecoder.MAX_LABELS) {
      throw IngestException.at(index, "labels", "time series " + index + " has " + l.size() + " labels, more than "
          + JsonSamplesDecoder.MAX_LABELS);
    }
    if (out.size() + n > maxSamples) {
      throw new IngestException(413, "more than " + maxSamples + " samples in one request", index, null);
    }
    for (int i = 0; i < n; i++) {
      if (ts[i] < JsonSamplesDecoder.MIN_TS || ts[i] > JsonSamplesDecoder.MAX_TS) {
        throw IngestException.at(index, "samples", "time series " + index + ": timestamp " + ts[i] + " ms is out of range");
      }
      out.add(new Sample(metric, l, values[i], ts[i]));
    }
  }
}
