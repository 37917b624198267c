package io.vigil.collectors.kafka;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.*;

import io.vigil.collectors.IngestException;
import io.vigil.rules.Labels;
import io.vigil.rules.Sample;
import io.vigil.rules.SampleBatch;
import java.util.List;
import org.junit.jupiter.api.Test;

class RecordDecodersTest {
  private static final RecordDecoder JSON = new JsonRecordDecoder(10);
  /** Stands in for the line-protocol decoder: one sample named after the line. */
  private static final RecordDecoder LINE = (v, now) -> new SampleBatch(List.of(new Sample("line", Labels.of(java.util.Map.of()), 1, now)));

  private static byte[] b(String s) {
    return s.getBytes(UTF_8);
  }

  @Test
  void autoSendsABraceToJsonAndAnythingElseToLineProtocol() {
    RecordDecoder auto = RecordDecoders.forFormat(RecordDecoders.Format.AUTO, JSON, LINE);
    assertEquals("up", auto.decode(b("  \n{\"samples\":[{\"metric\":\"up\",\"value\":1}]}"), 5).samples().get(0).metric());
    assertEquals("line", auto.decode(b("cpu,host=a value=1"), 5).samples().get(0).metric());
  }

  @Test
  void autoWithoutALineDecoderMakesNonJsonRecordsPoisonSayingWhy() {
    RecordDecoder auto = RecordDecoders.forFormat(RecordDecoders.Format.AUTO, JSON, null);
    IngestException e = assertThrows(IngestException.class, () -> auto.decode(b("cpu,host=a value=1"), 5));
    assertTrue(e.getMessage().contains("no line-protocol decoder"), e.getMessage());
  }

  @Test
  void jsonFormatSendsEverythingToJson() {
    RecordDecoder json = RecordDecoders.forFormat(RecordDecoders.Format.JSON, JSON, LINE);
    IngestException e = assertThrows(IngestException.class, () -> json.decode(b("cpu,host=a value=1"), 5));
    assertTrue(e.getMessage().startsWith("malformed JSON"), e.getMessage());
  }

  @Test
  void lineFormatWithoutTheDecoderIsRefusedAtStartUp() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> RecordDecoders.forFormat(RecordDecoders.Format.LINE, JSON, null));
    assertTrue(e.getMessage().contains("VIGIL_KAFKA_FORMAT=line"), e.getMessage());
  }

  @Test
  void formatNamesAreCheckedWithAClearMessage() {
    assertEquals(RecordDecoders.Format.LINE, RecordDecoders.Format.parse(" Line "));
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> RecordDecoders.Format.parse("avro"));
    assertEquals("VIGIL_KAFKA_FORMAT must be json, line or auto, got 'avro'", e.getMessage());
  }

  @Test
  void aTopicBoundToACustomerStampsItAndMakesARecordNamingAnotherPoisonWith403() {
    RecordDecoder bound = RecordDecoders.boundTo(RecordDecoders.forFormat(RecordDecoders.Format.AUTO, JSON,
        new LineRecordDecoder(16, 256, 100)), "acme", "acme-metrics");
    SampleBatch json = bound.decode(b("{\"samples\":[{\"metric\":\"up\",\"labels\":{\"system\":\"erp\"},\"value\":1}]}"), 5);
    assertEquals("acme", json.samples().get(0).labels().get("customer"));
    SampleBatch line = bound.decode(b("cpu,system=erp usage=3 1000000000"), 5);
    assertEquals("acme", line.samples().get(0).labels().get("customer"));
    assertEquals("acme", bound.decode(b("cpu,customer=acme,system=erp usage=3"), 5).samples().get(0).labels().get("customer"));

    IngestException e = assertThrows(IngestException.class, () -> bound.decode(b("cpu,system=erp usage=3\ncpu,customer=globex,system=crm usage=4"), 5));
    assertEquals(403, e.status());
    assertTrue(e.getMessage().contains("sample claims customer 'globex' but Kafka topic 'acme-metrics' is bound to customer 'acme'; "
        + "nothing of this record was stored"), e.getMessage());
    assertSame(JSON, RecordDecoders.boundTo(JSON, null, "t"), "an unbound topic decodes as before");
  }
}
