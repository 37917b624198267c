package io.vigil.collectors.kafka;

import io.vertx.core.Future;
import io.vigil.collectors.IngestException;
import io.vigil.collectors.SampleSink;
import io.vigil.collectors.SinkRejectedException;
import io.vigil.rules.SampleBatch;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.Executor;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;
import reactor.util.retry.Retry;

/**
 * One record → its {@link Outcome}: decoded on a Reactor worker, handed to the sink on a Vert.x
 * context, and retried with backoff (never skipped) while the sink is unavailable. Poison — an
 * undecodable value or a batch the sink rejects as invalid — is an outcome, not an error, so the
 * caller can dead-letter it and move on.
 *
 * <p>Threading: the sink is called only through {@code onVertx} (a Vert.x context), and its
 * future completes on an event loop; everything after that hops to {@code workers} at once, so
 * no Reactor operator, retry timer or Kafka call ever runs on an event loop.
 */
final class RecordProcessor {
  private static final Logger LOG = LoggerFactory.getLogger(RecordProcessor.class);
  private final SampleSink sink;
  private final RecordDecoder decoder;
  private final Clock clock;
  private final Executor onVertx;
  private final Scheduler workers;
  private final KafkaMeters meters;
  private final Duration firstBackoff;
  private final Duration maxBackoff;

  RecordProcessor(SampleSink sink, RecordDecoder decoder, Clock clock, Executor onVertx, Scheduler workers, KafkaMeters meters,
      Duration firstBackoff, Duration maxBackoff) {
    this.sink = sink;
    this.decoder = decoder;
    this.clock = clock;
    this.onVertx = onVertx;
    this.workers = workers;
    this.meters = meters;
    this.firstBackoff = firstBackoff;
    this.maxBackoff = maxBackoff;
  }

  Mono<Outcome> process(ConsumerRecord<byte[], byte[]> record) {
    byte[] value = record.value();
    meters.records.increment();
    if (value == null || value.length == 0) {
      meters.decodeErrors.increment();
      return Mono.just(Outcome.poison("decode", 400, "{\"error\":\"record has no value\"}"));
    }
    meters.bytes.increment(value.length);
    return Mono.fromCallable(() -> decode(value))
        .subscribeOn(workers)
        .flatMap(decoded -> decoded instanceof Outcome poison ? Mono.just(poison) : store((SampleBatch) decoded, record));
  }

  /** The batch, or the poison {@link Outcome} saying why there is none. */
  private Object decode(byte[] value) {
    try {
      return decoder.decode(value, clock.millis());
    } catch (IngestException e) {
      meters.decodeErrors.increment();
      return Outcome.poison("decode", e.status(), e.toJson().encode());
    } catch (RuntimeException e) {
      // A decoder that fails otherwise still cannot make sense of this value: dead-letter it
      // rather than stall the partition on it forever.
      meters.decodeErrors.increment();
      return Outcome.poison("decode", 400, new io.vertx.core.json.JsonObject().put("error", "undecodable record: " + e).encode());
    }
  }

  private Mono<Outcome> store(SampleBatch batch, ConsumerRecord<byte[], byte[]> record) {
    if (batch.size() == 0) return Mono.just(Outcome.stored(0));
    Mono<Outcome> attempt = Mono.<Outcome>create(done -> onVertx.execute(() -> {
      Future<Void> f;
      try {
        f = sink.accept(batch);
      } catch (RuntimeException e) {
        done.error(e);
        return;
      }
      f.onComplete(ar -> {
        if (ar.succeeded()) done.success(Outcome.stored(batch.size()));
        else done.error(ar.cause());
      });
    })).publishOn(workers);
    return attempt
        .onErrorResume(SinkRejectedException.class, e -> Mono.just(Outcome.poison("rejected", 400,
            new io.vertx.core.json.JsonObject().put("error", "storage refused this batch, nothing of it was stored: " + e.getMessage()).encode())))
        // Unavailable (or any other storage failure): nothing of the batch was stored; try again.
        .retryWhen(Retry.backoff(Long.MAX_VALUE, firstBackoff).maxBackoff(maxBackoff).jitter(0.2)
            .doBeforeRetry(s -> {
              meters.retries.increment();
              meters.storageErrors.increment();
              long n = s.totalRetries() + 1;
              if (n == 1 || n % 20 == 0) {
                LOG.warn("kafka.sink_retry topic={} partition={} offset={} attempt={} cause=\"{}\"", record.topic(), record.partition(),
                    record.offset(), n, s.failure().getMessage());
              }
            }));
  }
}
