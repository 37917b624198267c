package io.vigil.collectors.kafka;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.*;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vigil.collectors.SampleSink;
import io.vigil.collectors.SinkRejectedException;
import io.vigil.collectors.SinkUnavailableException;
import io.vigil.rules.SampleBatch;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;
import reactor.core.scheduler.Schedulers;

class RecordProcessorTest {
  private static final String TWO = "{\"samples\":[{\"metric\":\"up\",\"labels\":{\"host\":\"a\"},\"value\":1},"
      + "{\"metric\":\"up\",\"labels\":{\"host\":\"b\"},\"value\":0}]}";
  private final KafkaMeters meters = new KafkaMeters(new SimpleMeterRegistry());
  private final List<SampleBatch> stored = new ArrayList<>();

  private RecordProcessor processor(SampleSink sink) {
    return new RecordProcessor(sink, new JsonRecordDecoder(100), Clock.fixed(Instant.EPOCH, ZoneOffset.UTC), Runnable::run,
        Schedulers.immediate(), meters, Duration.ofMillis(1), Duration.ofMillis(5));
  }

  private static ConsumerRecord<byte[], byte[]> record(String value) {
    return new ConsumerRecord<>("samples", 0, 7, "k".getBytes(UTF_8), value == null ? null : value.getBytes(UTF_8));
  }

  private Outcome run(SampleSink sink, String value) {
    return processor(sink).process(record(value)).block(Duration.ofSeconds(5));
  }

  @Test
  void decodedSamplesGoToTheSinkAndCountAsStored() {
    Outcome o = run(b -> {
      stored.add(b);
      return Future.succeededFuture();
    }, TWO);
    assertEquals(Outcome.stored(2), o);
    assertEquals(1, stored.size());
    assertEquals(0, stored.get(0).samples().get(0).timestampMillis(), "samples without ts take the clock's now");
  }

  @Test
  void undecodableRecordIsPoisonWithTheJsonErrorAndNeverReachesTheSink() {
    Outcome o = run(b -> fail("sink called"), "{\"samples\":[{\"metric\":\"up\",\"value\":\"high\"}]}");
    assertTrue(o.isPoison());
    assertEquals("decode", o.kind());
    assertEquals(400, o.status());
    JsonObject reason = new JsonObject(o.reason());
    assertEquals(0, reason.getInteger("index"));
    assertEquals("value", reason.getString("field"));
    assertEquals(1, meters.decodeErrors.count());
  }

  @Test
  void recordWithoutValueIsPoison() {
    Outcome o = run(b -> fail("sink called"), null);
    assertEquals("decode", o.kind());
    assertTrue(o.reason().contains("no value"), o.reason());
  }

  @Test
  void tooManySamplesInOneRecordIsPoisonWith413() {
    StringBuilder b = new StringBuilder("{\"samples\":[");
    for (int i = 0; i < 101; i++) b.append(i > 0 ? "," : "").append("{\"metric\":\"up\",\"value\":1}");
    Outcome o = run(x -> fail("sink called"), b.append("]}").toString());
    assertEquals(413, o.status());
  }

  @Test
  void batchTheSinkRejectsIsPoisonAndIsNotRetried() {
    AtomicInteger calls = new AtomicInteger();
    Outcome o = run(b -> {
      calls.incrementAndGet();
      return Future.failedFuture(new SinkRejectedException("value out of range", null));
    }, TWO);
    assertEquals("rejected", o.kind());
    assertTrue(o.reason().contains("value out of range"), o.reason());
    assertEquals(1, calls.get());
    assertEquals(0, meters.retries.count());
  }

  @Test
  void unavailableSinkIsRetriedWithBackoffUntilItStoresTheBatch() {
    AtomicInteger calls = new AtomicInteger();
    Outcome o = run(b -> calls.incrementAndGet() <= 3
        ? Future.failedFuture(new SinkUnavailableException("database down", 1, null))
        : Future.succeededFuture(), TWO);
    assertEquals(Outcome.stored(2), o, "never skipped, never poison");
    assertEquals(4, calls.get());
    assertEquals(3, meters.retries.count());
  }

  @Test
  void sinkThatThrowsInsteadOfFailingItsFutureIsRetriedToo() {
    AtomicInteger calls = new AtomicInteger();
    Outcome o = run(b -> {
      if (calls.incrementAndGet() == 1) throw new IllegalStateException("pool closed");
      return Future.succeededFuture();
    }, TWO);
    assertEquals(Outcome.stored(2), o);
    assertEquals(2, calls.get());
  }

  @Test
  void recordWithNoSamplesIsDoneWithoutCallingTheSink() {
    assertEquals(Outcome.stored(0), run(b -> fail("sink called"), "{\"samples\":[]}"));
  }
}
