package io.vigil.collectors;

import static org.junit.jupiter.api.Assertions.*;

import io.vertx.core.buffer.Buffer;
import io.vigil.rules.Labels;
import io.vigil.rules.Sample;
import io.vigil.rules.SampleBatch;
import org.junit.jupiter.api.Test;

class JsonSamplesDecoderTest {
  private static final long NOW = 1_763_805_600_000L;
  private final JsonSamplesDecoder decoder = new JsonSamplesDecoder(1000);

  private SampleBatch decode(String json) {
    return decoder.decode(Buffer.buffer(json), NOW);
  }

  private IngestException reject(String json) {
    return assertThrows(IngestException.class, () -> decode(json));
  }

  @Test
  void decodesSamplesWithEpochMillisRfc3339AndDefaultTimestamps() {
    SampleBatch b = decode("""
        {"samples":[
          {"metric":"cpu_usage","labels":{"customer":"acme","system":"erp","host":"db1"},"value":97.5,"ts":1763805600123},
          {"metric":"up","labels":{},"value":1,"ts":"2026-11-22T10:00:00.5+08:00"},
          {"metric":"mem","value":-2.5e3,"extra":{"ignored":[1,2]}}
        ]}""");
    assertEquals(3, b.size());
    assertEquals(new Sample("cpu_usage", Labels.of("customer", "acme", "host", "db1", "system", "erp"), 97.5, 1763805600123L), b.samples().get(0));
    assertEquals(java.time.Instant.parse("2026-11-22T02:00:00.5Z").toEpochMilli(), b.samples().get(1).timestampMillis());
    assertEquals(NOW, b.samples().get(2).timestampMillis());
    assertEquals(-2500, b.samples().get(2).value());
  }

  @Test
  void emptySamplesArrayIsAnEmptyBatch() {
    assertEquals(0, decode("{\"samples\":[]}").size());
  }

  @Test
  void malformedJsonSaysLineAndColumn() {
    IngestException e = reject("{\"samples\":[{\"metric\":\"x\",}");
    assertEquals(400, e.status());
    assertTrue(e.getMessage().startsWith("malformed JSON at line 1, column"), e.getMessage());
  }

  @Test
  void missingMetricNamesIndexAndField() {
    IngestException e = reject("{\"samples\":[{\"metric\":\"a\",\"value\":1},{\"value\":2}]}");
    assertEquals(1, e.index());
    assertEquals("metric", e.field());
    assertEquals("missing 'metric'", e.getMessage());
  }

  @Test
  void nonNumericValueNamesIndexFieldAndWhatWasSent() {
    IngestException e = reject("{\"samples\":[{\"metric\":\"a\",\"value\":\"high\"}]}");
    assertEquals(0, e.index());
    assertEquals("value", e.field());
    assertEquals("value must be a number, got string \"high\"", e.getMessage());
  }

  @Test
  void missingValueIsRefused() {
    assertEquals("value", reject("{\"samples\":[{\"metric\":\"a\"}]}").field());
  }

  @Test
  void badLabelNameNamesTheLabel() {
    IngestException e = reject("{\"samples\":[{\"metric\":\"a\",\"labels\":{\"bad-name\":\"x\"},\"value\":1}]}");
    assertEquals("labels.bad-name", e.field());
    assertTrue(e.getMessage().startsWith("bad label name 'bad-name'"));
  }

  @Test
  void nonStringLabelValueAndBadMetricNameAreRefused() {
    assertEquals("labels.host", reject("{\"samples\":[{\"metric\":\"a\",\"labels\":{\"host\":1},\"value\":1}]}").field());
    assertEquals("metric", reject("{\"samples\":[{\"metric\":\"1abc\",\"value\":1}]}").field());
  }

  @Test
  void badTimestampsAreRefused() {
    assertEquals("ts", reject("{\"samples\":[{\"metric\":\"a\",\"value\":1,\"ts\":\"yesterday\"}]}").field());
    assertEquals("ts", reject("{\"samples\":[{\"metric\":\"a\",\"value\":1,\"ts\":true}]}").field());
  }

  @Test
  void wrongTopLevelShapesAreRefused() {
    assertTrue(reject("[1,2]").getMessage().contains("JSON object"));
    assertTrue(reject("{\"data\":[]}").getMessage().contains("no 'samples'"));
    assertTrue(reject("{\"samples\":{}}").getMessage().contains("must be an array"));
    assertTrue(reject("{\"samples\":[]} trailing").getMessage().startsWith("malformed JSON")
        || reject("{\"samples\":[]} trailing").getMessage().contains("unexpected content"));
  }

  @Test
  void tooManySamplesIs413() {
    JsonSamplesDecoder small = new JsonSamplesDecoder(2);
    IngestException e = assertThrows(IngestException.class, () -> small.decode(Buffer.buffer(
        "{\"samples\":[{\"metric\":\"a\",\"value\":1},{\"metric\":\"a\",\"value\":1},{\"metric\":\"a\",\"value\":1}]}"), NOW));
    assertEquals(413, e.status());
  }

  @Test
  void timestampsOutsideYears1To9999AreRefusedNamingTs() {
    for (String ts : new String[] {"9999999999999999", "-99999999999999999", "99999999999999999999999", "\"+999999999-12-31T23:59:59Z\""}) {
      IngestException e = reject("{\"samples\":[{\"metric\":\"a\",\"value\":1,\"ts\":" + ts + "}]}");
      assertEquals("ts", e.field(), ts);
      assertTrue(e.getMessage().contains("outside years 0001–9999"), e.getMessage());
    }
    assertEquals(JsonSamplesDecoder.MAX_TS, decode("{\"samples\":[{\"metric\":\"a\",\"value\":1,\"ts\":\"9999-12-31T23:59:59.999Z\"}]}")
        .samples().get(0).timestampMillis());
  }

  @Test
  void epochSecondsSentAsTsAreRefusedNamingTheSampleAndField() {
    IngestException e = reject("{\"samples\":[{\"metric\":\"a\",\"value\":1},{\"metric\":\"a\",\"value\":1,\"ts\":1765000000}]}");
    assertEquals("ts", e.field());
    assertEquals(1, e.index(), "the second sample");
    assertTrue(e.getMessage().contains("looks like seconds") && e.getMessage().contains("1765000000000"), e.getMessage());
    assertEquals("ts", reject("{\"samples\":[{\"metric\":\"a\",\"value\":1,\"ts\":0}]}").field());
    assertEquals("ts", reject("{\"samples\":[{\"metric\":\"a\",\"value\":1,\"ts\":-5}]}").field());
    // 1973-01-01 in milliseconds is the first accepted number; an old time can still be sent as a string.
    assertEquals(94_694_400_000L, decode("{\"samples\":[{\"metric\":\"a\",\"value\":1,\"ts\":94694400000}]}").samples().get(0).timestampMillis());
    assertEquals(0L, decode("{\"samples\":[{\"metric\":\"a\",\"value\":1,\"ts\":\"1970-01-01T00:00:00Z\"}]}").samples().get(0).timestampMillis());
  }

  @Test
  void nonFiniteValuesAreRefusedNamingTheSampleAndField() {
    for (String v : new String[] {"1e400", "-1e400"}) {
      IngestException e = reject("{\"samples\":[{\"metric\":\"a\",\"value\":" + v + "}]}");
      assertEquals("value", e.field(), v);
      assertEquals(0, e.index());
      assertTrue(e.getMessage().contains("not a finite number"), e.getMessage());
    }
    // NaN and Infinity are not JSON at all: a parse error, still a 400.
    for (String v : new String[] {"NaN", "Infinity"}) {
      assertEquals(400, reject("{\"samples\":[{\"metric\":\"a\",\"value\":" + v + "}]}").status(), v);
    }
  }

  @Test
  void fractionalTimestampSaysWhatWasSent() {
    assertEquals("ts must be epoch milliseconds (an integer) or an RFC 3339 string, got number 1.5",
        reject("{\"samples\":[{\"metric\":\"a\",\"value\":1,\"ts\":1.5}]}").getMessage());
  }

  @Test
  void labelValuesThatCannotBeStoredAreRefusedNamingTheLabel() {
    assertEquals("labels.host", reject("{\"samples\":[{\"metric\":\"a\",\"labels\":{\"host\":\"a\\u0000b\"},\"value\":1}]}").field());
    String longValue = "x".repeat(JsonSamplesDecoder.MAX_LABEL_VALUE_CHARS + 1);
    assertEquals("labels.host", reject("{\"samples\":[{\"metric\":\"a\",\"labels\":{\"host\":\"" + longValue + "\"},\"value\":1}]}").field());
    StringBuilder many = new StringBuilder();
    for (int i = 0; i <= JsonSamplesDecoder.MAX_LABELS; i++) many.append(i == 0 ? "" : ",").append("\"l").append(i).append("\":\"v\"");
    assertEquals("labels", reject("{\"samples\":[{\"metric\":\"a\",\"labels\":{" + many + "},\"value\":1}]}").field());
  }
}
