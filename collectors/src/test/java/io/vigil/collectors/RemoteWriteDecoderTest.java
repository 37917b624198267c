package io.vigil.collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vigil.rules.Labels;
import io.vigil.rules.Sample;
import java.io.ByteArrayOutputStream;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.xerial.snappy.Snappy;

class RemoteWriteDecoderTest {
  private final RemoteWriteDecoder decoder = new RemoteWriteDecoder(100_000, 10 << 20);

  @Test
  void decodesLabelsAndSamplesWrittenByProtobufJava() throws Exception {
    byte[] body = Snappy.compress(WriteRequests.of(
        WriteRequests.series(List.of("__name__", "node_load1", "instance", "db1:9100", "job", "node"), new double[] {0.5, 0.75},
            new long[] {1_700_000_000_000L, 1_700_000_001_000L}),
        WriteRequests.series(List.of("__name__", "up", "job", "node"), new double[] {1}, new long[] {1_700_000_000_000L})));

    RemoteWriteDecoder.Decoded d = decoder.decode(body);

    assertEquals(List.of(
        new Sample("node_load1", Labels.of("instance", "db1:9100", "job", "node"), 0.5, 1_700_000_000_000L),
        new Sample("node_load1", Labels.of("instance", "db1:9100", "job", "node"), 0.75, 1_700_000_001_000L),
        new Sample("up", Labels.of("job", "node"), 1, 1_700_000_000_000L)), d.batch().samples());
  }

  @Test
  void skipsAndCountsStaleMarkersAndOtherNaNs() throws Exception {
    double stale = Double.longBitsToDouble(RemoteWriteDecoder.STALE_NAN_BITS);
    byte[] body = Snappy.compress(WriteRequests.of(WriteRequests.series(List.of("__name__", "up"),
        new double[] {1, stale, Double.NaN, 0}, new long[] {1000, 2000, 3000, 4000})));

    RemoteWriteDecoder.Decoded d = decoder.decode(body);

    assertEquals(List.of(1.0, 0.0), d.batch().samples().stream().map(Sample::value).toList());
    assertEquals(1, d.skipped().staleMarkers());
    assertEquals(1, d.skipped().nans());
  }

  @Test
  void ignoresExemplarsHistogramsMetadataAndUnknownFields() throws Exception {
    ByteArrayOutputStream ts = new ByteArrayOutputStream();
    ts.write(WriteRequests.seriesBody(List.of("__name__", "req_total"), new double[] {5}, new long[] {1000}));
    WriteRequests.lengthDelimited(ts, 3, new byte[] {0x11, 0, 0, 0, 0, 0, 0, (byte) 0xf0, 0x3f}); // Exemplar{value=1}
    WriteRequests.lengthDelimited(ts, 4, new byte[] {0x08, 0x02});                            // Histogram{count_int=2}
    WriteRequests.lengthDelimited(ts, 99, new byte[] {1, 2, 3});                              // a future field
    ByteArrayOutputStream req = new ByteArrayOutputStream();
    WriteRequests.lengthDelimited(req, 1, ts.toByteArray());
    WriteRequests.lengthDelimited(req, 3, new byte[] {0x08, 0x01, 0x12, 0x03, 'r', 'e', 'q'}); // MetricMetadata

    RemoteWriteDecoder.Decoded d = decoder.decode(Snappy.compress(req.toByteArray()));

    assertEquals(List.of(new Sample("req_total", Labels.EMPTY, 5, 1000)), d.batch().samples());
    assertEquals(new RemoteWriteDecoder.Skipped(0, 0, 1, 1, 1), d.skipped());
  }

  @Test
  void emptyLabelValueMeansNoSuchLabel() throws Exception {
    byte[] body = Snappy.compress(WriteRequests.of(WriteRequests.series(List.of("__name__", "up", "zone", ""), new double[] {1}, new long[] {1})));
    assertEquals(Labels.EMPTY, decoder.decode(body).batch().samples().get(0).labels());
  }

  @Test
  void refusesBodyThatIsNotSnappy() {
    IngestException e = assertThrows(IngestException.class, () -> decoder.decode("not snappy at all".getBytes()));
    assertEquals(400, e.status());
    assertTrue(e.getMessage().contains("snappy"), e.getMessage());
  }

  @Test
  void refusesTruncatedProtobufNamingTheSeries() throws Exception {
    byte[] good = WriteRequests.of(WriteRequests.series(List.of("__name__", "up"), new double[] {1}, new long[] {1}),
        WriteRequests.series(List.of("__name__", "up", "a", "b"), new double[] {1}, new long[] {1}));
    byte[] cut = java.util.Arrays.copyOf(good, good.length - 3);
    IngestException e = assertThrows(IngestException.class, () -> decoder.decode(Snappy.compress(cut)));
    assertEquals(400, e.status());
    assertEquals(1, e.index());
    assertTrue(e.getMessage().contains("WriteRequest"), e.getMessage());
  }

  @Test
  void refusesSeriesWithoutMetricName() throws Exception {
    byte[] body = Snappy.compress(WriteRequests.of(
        WriteRequests.series(List.of("__name__", "up"), new double[] {1}, new long[] {1}),
        WriteRequests.series(List.of("job", "node"), new double[] {1}, new long[] {1})));
    IngestException e = assertThrows(IngestException.class, () -> decoder.decode(body));
    assertEquals(400, e.status());
    assertEquals(1, e.index());
    assertTrue(e.getMessage().contains("__name__"), e.getMessage());
  }

  @Test
  void refusesBadLabelName() throws Exception {
    byte[] body = Snappy.compress(WriteRequests.of(WriteRequests.series(List.of("__name__", "up", "bad-name", "x"), new double[] {1}, new long[] {1})));
    IngestException e = assertThrows(IngestException.class, () -> decoder.decode(body));
    assertEquals(400, e.status());
    assertTrue(e.getMessage().contains("bad-name"), e.getMessage());
  }

  @Test
  void refusesMoreSamplesThanTheLimitWith413() throws Exception {
    RemoteWriteDecoder small = new RemoteWriteDecoder(2, 10 << 20);
    byte[] body = Snappy.compress(WriteRequests.of(WriteRequests.series(List.of("__name__", "up"), new double[] {1, 2, 3}, new long[] {1, 2, 3})));
    assertEquals(413, assertThrows(IngestException.class, () -> small.decode(body)).status());
  }

  @Test
  void refusesDecompressedBodyOverTheLimitWith413BeforeDecompressing() throws Exception {
    RemoteWriteDecoder small = new RemoteWriteDecoder(100, 64);
    byte[] body = Snappy.compress(new byte[1000]);
    IngestException e = assertThrows(IngestException.class, () -> small.decode(body));
    assertEquals(413, e.status());
    assertTrue(e.getMessage().contains("1000"), e.getMessage());
  }

  private static byte[] capture(String name) throws Exception {
    try (var in = RemoteWriteDecoderTest.class.getResourceAsStream("/remote-write/" + name)) {
      return in.readAllBytes();
    }
  }

  @Test
  void decodesARequestCapturedFromPrometheus() throws Exception {
    RemoteWriteDecoder.Decoded d = decoder.decode(capture("prometheus-2.42-node-exporter.snappy"));

    List<Sample> samples = d.batch().samples();
    assertEquals(500, samples.size());
    assertEquals(500, samples.stream().map(Sample::series).distinct().count());
    Labels target = Labels.of("instance", "127.0.0.1:19101", "job", "node");
    assertTrue(samples.stream().allMatch(s -> s.labels().asMap().entrySet().containsAll(target.asMap().entrySet())), "every series has job and instance");
    Sample load = samples.stream().filter(s -> s.metric().equals("node_load1")).findFirst().orElseThrow();
    assertEquals(target, load.labels());
    assertEquals(1.78, load.value());
    assertEquals(1_795_423_023_487L, load.timestampMillis());
    assertEquals(new RemoteWriteDecoder.Skipped(0, 0, 0, 0, 0), d.skipped());
  }

  @Test
  void skipsTheStaleMarkersPrometheusWritesWhenATargetGoesDown() throws Exception {
    RemoteWriteDecoder.Decoded d = decoder.decode(capture("prometheus-2.42-target-down-stale.snappy"));

    assertEquals(43, d.skipped().staleMarkers());
    assertEquals(0, d.skipped().nans());
    assertEquals(5, d.batch().size());
    Sample up = d.batch().samples().stream().filter(s -> s.metric().equals("up")).findFirst().orElseThrow();
    assertEquals(0.0, up.value());
  }

  @Test
  void labelsSplitAroundSamplesDecodeLikeOneRun() throws Exception {
    ByteArrayOutputStream ts = new ByteArrayOutputStream();
    ts.write(WriteRequests.seriesBody(List.of("job", "node"), new double[] {7}, new long[] {1000}));
    ts.write(WriteRequests.seriesBody(List.of("__name__", "up", "instance", "a:1"), new double[0], new long[0]));
    ByteArrayOutputStream req = new ByteArrayOutputStream();
    WriteRequests.lengthDelimited(req, 1, ts.toByteArray());

    assertEquals(List.of(new Sample("up", Labels.of("instance", "a:1", "job", "node"), 7, 1000)),
        decoder.decode(Snappy.compress(req.toByteArray())).batch().samples());
  }

  @Test
  void sameSeriesInLaterRequestsDecodesTheSameFromTheLabelCache() throws Exception {
    for (int round = 0; round < 3; round++) {
      byte[] body = Snappy.compress(WriteRequests.of(
          WriteRequests.series(List.of("__name__", "up", "job", "a"), new double[] {round}, new long[] {round}),
          WriteRequests.series(List.of("__name__", "up", "job", "b"), new double[] {round}, new long[] {round})));
      assertEquals(List.of(new Sample("up", Labels.of("job", "a"), round, round), new Sample("up", Labels.of("job", "b"), round, round)),
          decoder.decode(body).batch().samples());
    }
    // A bad series is refused every time, not only on first sight.
    byte[] bad = Snappy.compress(WriteRequests.of(WriteRequests.series(List.of("__name__", "up", "job", "a", "job", "b"), new double[] {1}, new long[] {1})));
    assertEquals(400, assertThrows(IngestException.class, () -> decoder.decode(bad)).status());
    assertEquals(400, assertThrows(IngestException.class, () -> decoder.decode(bad)).status());
  }
}
